"""Pictures of generated data, without TensorFlow: sample grids and scatter rasters with NumPy,
PNG bytes with Pillow, scatter plots with matplotlib (imported when first drawn). The training
callbacks, the evaluation report and the TF-free ``tools.sample`` share them."""

import math

import numpy as np


def image_grid(images, columns=None):
    """Tile images into one uint8 picture.

    Args:
        images: (n, height, width, channels) with values in [0, 1] (clipped).
        columns: grid width (default: ceil(sqrt(n))).

    Returns:
        uint8 array (rows * height, columns * width, channels).
    """
    images = np.clip(np.nan_to_num(np.asarray(images, dtype=np.float32), nan=0.0), 0.0, 1.0)  # NaN: black
    if images.ndim != 4:
        raise ValueError(f"expected images of shape (n, height, width, channels); got {images.shape}")
    n, h, w, c = images.shape
    columns = columns or math.ceil(math.sqrt(n))
    rows = math.ceil(n / columns)
    grid = np.zeros((rows * h, columns * w, c), dtype=np.float32)
    for i, img in enumerate(images):
        r, col = divmod(i, columns)
        grid[r * h : (r + 1) * h, col * w : (col + 1) * w] = img
    return np.round(grid * 255).astype(np.uint8)


def scatter_raster(points, size=256, margin=0.05, dot=2):
    """A scatter plot of 2-D points as an RGB uint8 image, with plain numpy.

    The view frames the points (their bounding box with ``margin`` of its span on every side,
    equal scales on both axes); each point is a ``dot`` x ``dot`` blue square on white, y up.

    Args:
        points: (n, 2) array.
        size: width and height in pixels.
        margin: fraction of the span added on each side.
        dot: side of each dot in pixels.

    Returns:
        uint8 array (size, size, 3).
    """
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"expected points of shape (n, 2); got {points.shape}")
    points = points[np.isfinite(points).all(axis=1)]
    image = np.full((size, size, 3), 255, dtype=np.uint8)
    if len(points) == 0:
        return image
    lo, hi = points.min(axis=0), points.max(axis=0)
    span = max(float(np.max(hi - lo)), 1e-12) * (1.0 + 2.0 * margin)
    center = (lo + hi) / 2.0
    scaled = (points - center) / span + 0.5  # in [margin', 1 - margin'] on the longer axis
    cols = np.clip((scaled[:, 0] * (size - dot)).astype(int), 0, size - dot)
    rows = np.clip(((1.0 - scaled[:, 1]) * (size - dot)).astype(int), 0, size - dot)
    for dr in range(dot):
        for dc in range(dot):
            image[rows + dr, cols + dc] = (31, 119, 180)  # matplotlib's tab:blue, as in the training plots
    return image


def png_bytes(picture):
    """PNG bytes of a uint8 picture (height, width, channels) with 1, 3 or 4 channels."""
    import io

    from PIL import Image

    picture = np.asarray(picture)
    if picture.ndim == 3 and picture.shape[-1] == 1:
        picture = picture[..., 0]
    buf = io.BytesIO()
    Image.fromarray(picture).save(buf, format="PNG")
    return buf.getvalue()


def pyplot():
    """matplotlib's pyplot on the Agg backend (no screen)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def figure_png(fig):
    """PNG bytes of a matplotlib figure, which is closed."""
    import io

    plt = pyplot()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def scatter_png(points, means=None, title="", size=4.0, alpha=0.5):
    """A PNG (bytes) of 2-D points drawn with matplotlib, for the toy datasets.

    Args:
        points: (n, 2) samples, drawn as small blue dots.
        means: optional (k, 2) mixture means, drawn as red crosses; the axes then frame the
            means with a margin of half their span (samples outside are not drawn).
        title: the plot's title.
        size: figure size in inches (100 dpi).
        alpha: opacity of the dots.
    """
    points = np.asarray(points)
    fig, ax = pyplot().subplots(figsize=(size, size), dpi=100)
    ax.scatter(points[:, 0], points[:, 1], s=2, alpha=alpha, color="tab:blue", label="samples")
    if means is not None:
        means = np.asarray(means)
        lo, hi = means.min(axis=0), means.max(axis=0)
        margin = 0.5 * float(np.max(hi - lo))
        ax.scatter(means[:, 0], means[:, 1], s=60, marker="x", color="red", label="modes")
        ax.set_xlim(lo[0] - margin, hi[0] + margin)
        ax.set_ylim(lo[1] - margin, hi[1] + margin)
    ax.set_aspect("equal")
    if title:
        ax.set_title(title, fontsize=9)
    return figure_png(fig)

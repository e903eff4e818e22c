"""Pictures of generated data with numpy only: the training callbacks' sample grids and the PNGs
of ``tools.sample``, which must not import TensorFlow."""

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
        grid[r * h:(r + 1) * h, col * w:(col + 1) * w] = img
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

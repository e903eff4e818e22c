"""Keras callbacks used by the training tool: sample grids, history and crash-safe epoch state."""

import math

import keras
import numpy as np
import tensorflow as tf

from zoo.fileio import atomic_write_bytes, atomic_write_json


def image_grid(images, columns=None):
    """Tile images into one uint8 picture.

    Args:
        images: (n, height, width, channels) array with values in [0, 1].
        columns: grid width (default: ceil(sqrt(n))).

    Returns:
        uint8 array (rows * height, columns * width, channels).
    """
    images = np.clip(np.asarray(images, dtype=np.float32), 0.0, 1.0)
    n, h, w, c = images.shape
    columns = columns or math.ceil(math.sqrt(n))
    rows = math.ceil(n / columns)
    grid = np.zeros((rows * h, columns * w, c), dtype=np.float32)
    for i, img in enumerate(images):
        r, col = divmod(i, columns)
        grid[r * h:(r + 1) * h, col * w:(col + 1) * w] = img
    return np.round(grid * 255).astype(np.uint8)


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
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = np.asarray(points)
    fig, ax = plt.subplots(figsize=(size, size), dpi=100)
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
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def fixed_codes(latent_dim, n=64, seed=0):
    """n codes z ~ N(0, I) drawn once from ``seed``: grids of successive epochs stay comparable."""
    return np.random.default_rng(seed).standard_normal((n, latent_dim)).astype(np.float32)


def interpolation_codes(latent_dim, rows=4, steps=10, seed=0):
    """Rows of codes on straight lines z = (1 - t) a + t b, t = 0 .. 1 in ``steps`` steps.

    Returns:
        float32 (rows * steps, latent_dim), row-major: one line of the strip after another.
    """
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal((2, rows, 1, latent_dim))
    t = np.linspace(0.0, 1.0, steps)[None, :, None]  # (1, steps, 1)
    return ((1.0 - t) * a + t * b).reshape(rows * steps, latent_dim).astype(np.float32)


class SampleGrid(keras.callbacks.Callback):
    """After every epoch, write ``model.sample(z)`` for fixed codes z as a PNG and to TensorBoard.

    Args:
        out_dir: directory of the PNGs, named ``epoch_0001.png`` ...
        z: the fixed codes, (n, latent_dim) (``fixed_codes`` or ``interpolation_codes``).
        columns: images per row of the grid (default: a square grid).
        log_dir: TensorBoard directory for the image summaries (None: no TensorBoard).
        tag: the TensorBoard summary name.
    """

    def __init__(self, out_dir, z, columns=None, log_dir=None, tag="samples"):
        super().__init__()
        self.out_dir = out_dir
        self.z = z
        self.columns = columns
        self.log_dir = log_dir
        self.tag = tag
        self._writer = None

    def on_epoch_end(self, epoch, logs=None):
        samples = np.asarray(self.model.sample(self.z))
        if samples.ndim == 4:
            png = tf.io.encode_png(image_grid(samples, self.columns)).numpy()
        else:
            png = scatter_png(samples.reshape(len(samples), -1))
        atomic_write_bytes(f"{self.out_dir}/epoch_{epoch + 1:04d}.png", png)
        if self.log_dir is not None:
            if self._writer is None:
                self._writer = tf.summary.create_file_writer(str(self.log_dir))
            with self._writer.as_default():
                tf.summary.image(self.tag, tf.io.decode_png(png)[None], step=epoch + 1)
            self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None


class EpochState(keras.callbacks.Callback):
    """Crash-safe, resumable epoch state: ``history.json`` and a checkpoint after every epoch.

    The history (a JSON object mapping each metric name to its list of per-epoch values) is
    written first, then a ``tf.train.Checkpoint`` of the model (all networks), its optimizer(s),
    the random-generator states and the epoch counter. A crash between the two leaves the
    history one epoch ahead; ``restore`` truncates it to the checkpoint's epoch, so the history
    always covers exactly the epochs the weights have seen.

    Args:
        run_dir: the run directory (``history.json`` and ``checkpoints/`` live there).
        model: the compiled model (optimizers built, see ``zoo.training``).
        max_to_keep: checkpoints kept.
    """

    def __init__(self, run_dir, model, max_to_keep=2):
        super().__init__()
        self.history_path = f"{run_dir}/history.json"
        self.epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")
        rng_states = {f"rng_{i}": v.value for i, v in enumerate(_rng_variables(model))}
        self.checkpoint = tf.train.Checkpoint(model=model, epoch=self.epoch, **_optimizers(model), **rng_states)
        self.manager = tf.train.CheckpointManager(self.checkpoint, f"{run_dir}/checkpoints", max_to_keep=max_to_keep)
        self.history = {}

    def restore(self, read_history):
        """Restore the latest checkpoint, if any; returns the number of completed epochs.

        Args:
            read_history: callable returning the saved history dict (or {} if none).
        """
        path = self.manager.latest_checkpoint
        if path is None:
            self.history = {}
            return 0
        self.checkpoint.restore(path).assert_existing_objects_matched()
        done = int(self.epoch.numpy())
        self.history = {k: list(v)[:done] for k, v in read_history().items()}
        return done

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        atomic_write_json(self.history_path, self.history)
        self.epoch.assign(epoch + 1)
        self.manager.save(checkpoint_number=epoch + 1)


def _optimizers(model):
    """The model's optimizers by attribute name (``optimizer``, or ``g_optimizer`` and ``d_optimizer``)."""
    return {name: getattr(model, name) for name in model.optimizer_names}


def _rng_variables(model):
    """State variables of the model's seed generators (not part of ``model.weights``)."""
    weights = {id(w) for w in model.weights}
    return [v for v in model.variables if id(v) not in weights and "seed_generator" in v.path]

"""Keras callbacks used by the training tool: sample grids, history and crash-safe epoch state, and
evaluation during training."""

import logging
import math
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from zoo.errors import RunError
from zoo.fileio import atomic_write_bytes, atomic_write_json
from zoo.pictures import image_grid, png_bytes, scatter_png

_log = logging.getLogger(__name__)


def _first_line(err):
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


class _SummaryCallback(keras.callbacks.Callback):
    """A callback that writes TensorBoard summaries to ``log_dir`` (None: none), through one file
    writer created on first use, flushed after every write and closed when training ends."""

    def __init__(self, log_dir=None):
        super().__init__()
        self.log_dir = log_dir
        self._writer = None

    def write_summaries(self, write):
        """Call ``write()`` (which emits ``tf.summary`` ops) with the writer as default."""
        if self.log_dir is None:
            return
        if self._writer is None:
            self._writer = tf.summary.create_file_writer(str(self.log_dir))
        with self._writer.as_default():
            write()
        self._writer.flush()


class SampleGrid(_SummaryCallback):
    """After every epoch, write ``model.sample(z)`` for fixed codes z as a PNG and to TensorBoard.

    Args:
        out_dir: directory of the PNGs, named ``epoch_0001.png`` ...
        z: the fixed codes, (n, latent_dim) (``fixed_codes`` or ``interpolation_codes``).
        columns: images per row of the grid (default: a square grid).
        log_dir: TensorBoard directory for the image summaries (None: no TensorBoard).
        tag: the TensorBoard summary name.
    """

    def __init__(self, out_dir, z, columns=None, log_dir=None, tag="samples"):
        super().__init__(log_dir)
        self.out_dir = out_dir
        self.z = z
        self.columns = columns
        self.tag = tag

    def on_epoch_end(self, epoch, logs=None):
        samples = np.asarray(self.model.sample(self.z))
        if samples.ndim == 4:
            png = png_bytes(image_grid(samples, self.columns))
        else:
            png = scatter_png(samples.reshape(len(samples), -1))
        atomic_write_bytes(f"{self.out_dir}/epoch_{epoch + 1:04d}.png", png)
        self.write_summaries(lambda: tf.summary.image(self.tag, tf.io.decode_png(png)[None], step=epoch + 1))


class EpochState(keras.callbacks.Callback):
    """Crash-safe, resumable epoch state: ``history.json`` and a checkpoint after every epoch.

    The history (a JSON object mapping each metric name to its list of per-epoch values) is
    written first, then a ``tf.train.Checkpoint`` of the model (all networks), its optimizer(s),
    the random-generator states and the epoch counter. A crash between the two leaves the
    history one epoch ahead; ``restore`` truncates it to the checkpoint's epoch, so the history
    always covers exactly the epochs the weights have seen. A value that is not finite (an
    evaluation figure on an epoch without evaluation, a diverged loss) is written as ``null``.

    Args:
        run_dir: the run directory (``history.json`` and ``checkpoints/`` live there).
        model: the compiled model (optimizers built, see ``zoo.training``).
        max_to_keep: checkpoints kept.
        guard: a ``DivergenceGuard``; an epoch it stopped leaves no trace here.
    """

    def __init__(self, run_dir, model, max_to_keep=2, guard=None):
        super().__init__()
        self.guard = guard  # a DivergenceGuard: a diverged epoch is neither recorded nor checkpointed
        self.history_path = f"{run_dir}/history.json"
        self.epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")
        rng_states = {f"rng_{i}": v.value for i, v in enumerate(_rng_variables(model))}
        self.checkpoint = tf.train.Checkpoint(model=model, epoch=self.epoch, **_optimizers(model), **rng_states)
        self.manager = tf.train.CheckpointManager(self.checkpoint, f"{run_dir}/checkpoints", max_to_keep=max_to_keep)
        self.model_ref = model
        self.history = {}

    def restore(self, read_history):
        """Restore the latest checkpoint, if any; returns the number of completed epochs.

        Args:
            read_history: callable returning the saved history dict (or {} if none).
        """
        paths = list(reversed(self.manager.checkpoints))  # newest first
        if not paths:
            self.history = {}
            return 0
        errors = []
        for path in paths:
            try:
                self.checkpoint.restore(path).assert_existing_objects_matched()
            except (tf.errors.OpError, ValueError, AssertionError, IndexError, KeyError, OSError) as err:  # damaged
                errors.append(f"{Path(path).name}: {_first_line(err)}")
                continue
            done = int(self.epoch.numpy())
            if errors:
                _log.warning(
                    "the newest checkpoint%s cannot be read (%s): resuming from %s, the state after epoch %d",
                    "s" if len(errors) > 1 else "",
                    "; ".join(errors),
                    Path(path).name,
                    done,
                )
            self.history = {k: list(v)[:done] for k, v in read_history().items()}
            return done
        raise RunError(
            f"no checkpoint of {Path(self.manager.directory).parent} can be read ({'; '.join(errors)}); "
            "the run cannot be resumed: overwrite it to start again"
        )

    def save_initial(self):
        """Checkpoint the state before the first epoch (epoch 0), if there is no checkpoint yet:
        what a run that diverges in its first epoch goes back to."""
        if self.manager.latest_checkpoint is None:
            self.epoch.assign(0)
            self._save(0)

    def _save(self, number):
        """Checkpoint ``number``; TensorFlow's write errors (a full disk: ``SaveV2`` fails) as the
        ``OSError`` a failed write of any other file of the run is."""
        try:
            self.manager.save(checkpoint_number=number)
        except tf.errors.OpError as err:
            raise OSError(f"cannot write checkpoint {number} in {self.manager.directory}: {err.message}") from None

    def perturb_random_state(self, retry):
        """Move the model's random-generator states off the restored ones, so that a retry after
        a divergence draws other noise than the attempt that diverged."""
        for variable in _rng_variables(self.model_ref):
            variable.assign(variable + tf.cast(retry, variable.dtype))

    def on_epoch_end(self, epoch, logs=None):
        if self.guard is not None and self.guard.diverged is not None:
            return  # the weights are not finite: keep the last good checkpoint and history
        for key, value in (logs or {}).items():
            value = float(value)  # null for NaN / inf: history.json stays strict JSON
            values = self.history.setdefault(key, [])
            # A key the earlier epochs lack (an older run resumed by a newer version): null for them,
            # so every list stays aligned with the epochs.
            values.extend([None] * (epoch - len(values)))
            values.append(value if math.isfinite(value) else None)
        atomic_write_json(self.history_path, self.history)
        self.epoch.assign(epoch + 1)
        self._save(epoch + 1)


class DivergenceGuard(keras.callbacks.Callback):
    """Stops ``fit`` at the first step whose reported figures are not finite (NaN or inf).

    List it before ``EpochState``, which then records and checkpoints nothing of the stopped epoch;
    ``zoo.training.train`` restores the last good checkpoint and retries. ``diverged`` holds
    ``(epoch, step, {name: value})`` of the first bad step, or None.
    """

    def __init__(self):
        super().__init__()
        self.diverged = None
        self._epoch = 0

    def reset(self):
        self.diverged = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        bad = {k: float(v) for k, v in (logs or {}).items() if not math.isfinite(float(v))}
        if bad and self.diverged is None:
            self.diverged = (self._epoch, batch, bad)
            self.model.stop_training = True


def _optimizers(model):
    """The model's optimizers by attribute name (``optimizer``, or ``g_optimizer`` and ``d_optimizer``)."""
    return {name: getattr(model, name) for name in model.optimizer_names}


def _rng_variables(model):
    """State variables of the model's seed generators (not part of ``model.weights``)."""
    weights = {id(w) for w in model.weights}
    return [v for v in model.variables if id(v) not in weights and "seed_generator" in v.path]


class TrainingClock(keras.callbacks.Callback):
    """Adds ``steps`` (train steps so far: generator steps for the adversarial models) and
    ``elapsed_s`` (wall-clock seconds since the run started, summed over its resumes, measured at
    the end of the epoch before the classifier's evaluation of it) to every epoch's ``logs``, so
    ``history.json`` can draw quality against steps and time. It must come before ``EpochState``.

    Args:
        elapsed_s: the seconds already spent by the epochs a resumed run keeps (0 for a new run).
    """

    def __init__(self, elapsed_s=0.0):
        super().__init__()
        self.elapsed_s = float(elapsed_s)
        self._start = None

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter() - self.elapsed_s

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        name = self.model.optimizer_names[0]
        iterations = int(getattr(self.model, name).iterations.numpy())  # a MirroredVariable under a strategy
        logs["steps"] = float(iterations // self.model.updates_per_step[0])
        logs["elapsed_s"] = time.perf_counter() - self._start
        self.elapsed_s = logs["elapsed_s"]


class EvaluationCallback(_SummaryCallback):
    """Every ``every`` epochs, the cheap classifier figures of the model's samples, logged three ways.

    Computes, on ``num_samples`` images generated from fixed codes (``zoo.evaluation.metrics.sample_images``)
    against the first ``num_samples`` real test images, the classifier Fréchet distance, the
    classifier score and the class coverage of a domain classifier (``zoo.evaluation.classifier``; no k-NN
    precision and recall, which cost O(N^2)), and writes them

    * into the epoch's ``logs`` as ``eval_frechet_distance``, ``eval_classifier_score``,
      ``eval_classes_covered`` and ``eval_class_kl_to_uniform``, NaN on the epochs in between,
      so every epoch has every key and the per-epoch lists of ``history.json`` (where
      ``EpochState`` writes NaN as null) stay aligned with the epochs (``EpochState.restore`` truncates them by position);
    * to TensorBoard under ``log_dir`` (scalars without the prefix, step = epoch index as in
      Keras' TensorBoard callback), on the evaluated epochs only;
    * to ``history_path`` (JSON: ``{"epoch": [...], <figure>: [...], "num_samples": N}``, epochs
      counted from 1), on the evaluated epochs only, atomically; a resumed run drops the
      entries of the epochs it repeats.

    Keras calls the callbacks in list order with one shared ``logs`` dict, so this callback
    must come *before* any callback that reads the figures from ``logs``: ``EpochState``
    (``history.json``) and ``keras.callbacks.TensorBoard``. Keras appends its own ``History``
    and progress bar after the user's callbacks, so those always see them.

    A model whose samples are not finite (a diverged generator) gets NaN figures, not an error.

    Args:
        classifier: a ``zoo.evaluation.classifier.DomainClassifier`` for the model's image shape.
        real_images: (m, height, width, channels) real test images in [0, 1], m >= num_samples.
        every: evaluate after epochs every, 2 * every, ... and after the last one.
        num_samples: N, the generated samples and real images compared, >= 2.
        log_dir: TensorBoard directory (None: no TensorBoard).
        history_path: JSON file of the evaluated epochs (None: none).
        seed: seed of the fixed codes.
        batch_size: codes decoded at a time.
    """

    prefix = "eval_"
    metric_names = ("frechet_distance", "classifier_score", "classes_covered", "class_kl_to_uniform")
    figures = metric_names  # the name before 0.2; kept for one release

    def __init__(
        self,
        classifier,
        real_images,
        every=1,
        num_samples=2000,
        log_dir=None,
        history_path=None,
        seed=0,
        batch_size=500,
    ):
        super().__init__(log_dir)
        from zoo.evaluation.metrics import gaussian_statistics

        if not (isinstance(every, int) and every >= 1):
            raise ValueError(f"every must be a positive integer, got {every!r}")
        if not (isinstance(num_samples, int) and num_samples >= 2):
            raise ValueError(f"num_samples must be an integer >= 2, got {num_samples!r}")
        if len(real_images) < num_samples:
            raise ValueError(
                f"num_samples={num_samples} but only {len(real_images)} real images; "
                f"expected at least as many real images as samples"
            )
        self.classifier = classifier
        self.every = every
        self.num_samples = num_samples
        self.history_path = history_path
        self.seed = seed
        self.batch_size = batch_size
        self.real_statistics = gaussian_statistics(classifier.features(real_images[:num_samples]))
        self.num_real = num_samples
        self._history = None

    def keys(self):
        """The keys this callback adds to the epoch logs."""
        return [self.prefix + name for name in self.metric_names]

    def on_train_begin(self, logs=None):
        data_shape = tuple(getattr(self.model, "data_shape", ()))
        if data_shape != tuple(self.classifier.input_shape):
            raise ValueError(
                f"the model generates {data_shape} but the classifier takes "
                f"{tuple(self.classifier.input_shape)}; expected the same image shape"
            )

    def evaluate(self):
        """The metrics of the model now: a dict of ``metric_names`` plus "num_samples"."""
        from zoo.evaluation import metrics

        images = metrics.sample_images(self.model, self.num_samples, seed=self.seed, batch_size=self.batch_size)
        if not np.all(np.isfinite(images)):
            return {**{name: float("nan") for name in self.metric_names}, "num_samples": self.num_samples}
        images = np.clip(images, 0.0, 1.0)  # float round-off of tanh / sigmoid outputs
        features, probabilities = self.classifier.features_and_probabilities(images)
        coverage = metrics.class_coverage(probabilities.argmax(axis=1), probabilities.shape[1])
        return {
            "frechet_distance": metrics.frechet_distance_from_stats(
                *metrics.gaussian_statistics(features), *self.real_statistics
            ),
            "classifier_score": metrics.classifier_score(probabilities),
            "classes_covered": float(coverage["classes_covered"]),
            "class_kl_to_uniform": coverage["kl_to_uniform"],
            "num_samples": self.num_samples,
        }

    def on_epoch_end(self, epoch, logs=None):
        last = epoch + 1 == (self.params or {}).get("epochs")
        if (epoch + 1) % self.every and not last:
            if logs is not None:
                logs.update({key: float("nan") for key in self.keys()})
            return
        result = self.evaluate()
        if logs is not None:
            logs.update({self.prefix + name: result[name] for name in self.metric_names})
        self.write_summaries(lambda: [tf.summary.scalar(name, result[name], step=epoch) for name in self.metric_names])
        if self.history_path is not None:
            self._append_history(epoch + 1, result)

    def _append_history(self, epoch_number, result):
        import os

        from zoo.fileio import read_json

        if self._history is None:
            self._history = read_json(self.history_path) if os.path.exists(self.history_path) else {}
        history = self._history
        keep = [i for i, e in enumerate(history.get("epoch", [])) if e < epoch_number]  # drop repeated epochs
        history = {key: [history[key][i] for i in keep] for key in ("epoch", *self.metric_names) if key in history}
        history.setdefault("epoch", []).append(epoch_number)
        for name in self.metric_names:
            history.setdefault(name, []).append(result[name])
        history["num_samples"] = self.num_samples
        self._history = history
        atomic_write_json(self.history_path, history)

"""Evaluation of a trained generator: its samples, metrics and pictures (``tools.evaluate``).

What is evaluated (a ``Source``):

* a finished training run (``open_run``): ``<run>/model.keras`` loaded in safe mode
  (``zoo.runs.load_run_model``), with the run's ``config.json`` (dataset) and
  ``history.json`` (training curves);
* an exported generator (``open_onnx``): ``<base>/<name>/<version>.onnx`` run by ONNX Runtime
  (``export.runtime.OnnxGenerator``), with the card beside it (dataset). Generation needs no
  TensorFlow there; the domain classifier that scores the images is still a Keras model. An
  export has no likelihood, so the ELBO and the importance-weighted bound are for runs only.

The protocol (``evaluate``), with N = min(``num_samples``, size of the test split), one step each:

1. ``_prepare``: the dataset (the argument, else the one the model was trained on), checked
   against the model's shape; the domain classifier (images); the test split.
2. ``_generate``: codes z_1..z_N from ``zoo.codes.seeded_codes(N, latent_dim, seed)`` (and, for a
   conditional model, the classes of ``zoo.codes.cycled_labels``), decoded in batches: the Keras
   model and its ONNX export see the same codes, so their metrics agree.
3. ``_image_metrics`` and ``_image_reference`` (28x28x1 for the shipped classifier): with the
   domain classifier (``zoo.evaluation.classifier``), the N samples against the first N test
   images (``zoo.evaluation.metrics.evaluate_features``): classifier Fréchet distance, classifier
   score, class coverage (counts, KL to uniform, classes with >= 1% of the samples), k-NN
   precision and recall (k = 3). The real-data reference is the same functions on N training
   images against the same N test images (``zoo.evaluation.metrics.real_data_reference``); a
   reference in the classifier's card for the same dataset and the same N is reused instead of
   recomputed (``reference["origin"]`` says which). ``_inception_metrics`` adds the Inception FID
   and score when asked.
4. ``_toy_metrics``, for the 2-D toy mixtures (``ring8``, ``grid25``): mode coverage
   (``zoo.evaluation.metrics.toy_mode_coverage``) of the N samples; the reference is the mode
   coverage of N test points. No classifier.
5. ``_likelihood``, for the models that have one (``GenerativeModel.has_likelihood``: VAE, cVAE)
   when there is a Keras model to compute it with: the ELBO on the whole test split and the
   importance-weighted bound L_k on its first ``iw_examples``, in nats per example
   (``zoo.evaluation.likelihood.likelihood_metrics``; binarized once with ``seed`` for the
   Bernoulli likelihood).
6. ``_pictures``: images along 4 straight lines in z-space, and reconstructions of test images.

Bad input raises ``zoo.errors.BadInput`` before any metric is computed; its messages name the
arguments (``dataset=``, ``classifier``), not the tools' flags. Progress lines go to ``log`` (by
default this module's logger). Writing the results is ``zoo.evaluation.report``'s job. The keys of
``metrics.json`` are a stable format (``FORMAT``): the metrics of the samples are its ``figures``.
"""

import dataclasses
import datetime
import functools
import json
import logging
import time
from pathlib import Path

import numpy as np

from zoo import data as zoo_data
from zoo import runs
from zoo.codes import cycled_labels, interpolation_codes, seeded_codes
from zoo.errors import BadInput
from zoo.evaluation import metrics
from zoo.evaluation.defaults import (
    DEFAULT_CLASSIFIER,
    DEFAULT_IW_K,
    DEFAULT_NUM_SAMPLES,
    classifier_for,
    no_classifier_line,
)
from zoo.evaluation.likelihood import likelihood_metrics
from zoo.provenance import package_versions, portable_path

__all__ = [
    "DEFAULT_CLASSIFIER",
    "DEFAULT_IW_K",
    "FORMAT",
    "Evaluation",
    "Source",
    "Timer",
    "default_out_dir",
    "evaluate",
    "open_onnx",
    "open_run",
]

FORMAT = "genzoo-evaluation/1"  # the layout of metrics.json
GRID_SAMPLES = 64  # images in the sample grid: the first 64 of the N samples (same codes as the training grids)
RECONSTRUCTIONS = 10  # test images shown with their reconstructions (one row each)
GENERATE_BATCH = 500  # codes decoded at a time
_IMAGE_METRICS = (
    "frechet_distance",
    "classifier_score",
    "class_kl_to_uniform",
    "classes_covered",
    "precision",
    "recall",
)

_log = logging.getLogger(__name__)


@dataclasses.dataclass
class Source:
    """A generator to evaluate, behind one interface for both runtimes.

    Attributes:
        kind: ``"run"`` (a training run's Keras model) or ``"onnx"`` (an exported generator).
        path: the run directory or the ``.onnx`` file.
        name: what tables call it: the run directory's name, or ``"<name> v<version>"``.
        model: the registry name (``"vae"``, ``"gan"`` ...), None when unknown.
        runtime: ``"keras"`` or ``"onnxruntime"``: what generates the samples.
        latent_dim: size of z.
        data_shape: one sample's shape: (height, width, channels) or (2,).
        generate: ``z`` (batch, latent_dim) float32, and for a conditional model ``labels`` (batch,)
            int32 class ids -> (batch, *data_shape) NumPy array, images in [0, 1], points in data
            coordinates.
        dataset, data_dir: what the model was trained on (None when not recorded).
        reconstruct: images -> reconstructions (decoded posterior means), or None.
        keras_model: the Keras model (runs only; the likelihood needs it), or None.
        history: the run's per-epoch history (``history.json``), or None.
        version: the export's version (ONNX only), or None.
        num_classes: a conditional model's number of classes, None for an unconditional one.
    """

    kind: str
    path: Path
    name: str
    model: str | None
    runtime: str
    latent_dim: int
    data_shape: tuple
    generate: object
    dataset: str | None = None
    data_dir: str | None = None
    reconstruct: object = None
    keras_model: object = None
    history: dict | None = None
    version: int | None = None
    num_classes: int | None = None

    @property
    def is_image(self):
        return len(self.data_shape) == 3


@dataclasses.dataclass
class Evaluation:
    """What ``evaluate`` returns: the metrics and the arrays the pictures are drawn from.

    Attributes:
        metrics: the JSON-ready dict ``zoo.evaluation.report`` writes as ``metrics.json`` (see ``evaluate``).
        samples: images (up to 64, for the grid) or every generated point (for the scatter plot).
        interpolation: images along 4 straight lines of 10 steps in z-space (40, H, W, C), or None
            for points.
        reconstructions: ``(originals, reconstructions)`` of the first test images, or None.
        history: the run's per-epoch history, or None.
        modes: the toy mixture's (k, 2) means, or None.
    """

    metrics: dict
    samples: np.ndarray
    interpolation: np.ndarray | None = None
    reconstructions: tuple | None = None
    history: dict | None = None
    modes: np.ndarray | None = None


# ----------------------------------------------------------------------------------------------
# Sources


def open_run(run_dir):
    """A finished training run as a ``Source`` (its ``model.keras`` in safe mode).

    Args:
        run_dir: the run directory ``tools.train`` wrote.

    Returns:
        A ``Source`` with ``runtime="keras"``, the run's dataset and history.

    Raises:
        BadInput: no such directory, no ``model.keras``, a file that is not a zoo model, or an
            unreadable ``config.json`` / ``history.json``.
    """
    run_dir = Path(run_dir)
    model = runs.load_run_model(run_dir)
    config, history = runs.read_config_and_history(run_dir)
    settings = (config or {}).get("run", {})

    def generate(z, labels=None):  # through the model's cached tf.function (GenerativeModel.sample_batched)
        return model.sample_batched(z, batch_size=GENERATE_BATCH, labels=labels)

    def reconstruct(x):
        return np.asarray(model.reconstruct(np.asarray(x, dtype=np.float32)))

    # (A conditional model reconstructs from images and their labels: no pictures from images alone.)
    has_reconstructions = hasattr(model, "reconstruct") and len(model.data_shape) == 3 and not model.conditional
    return Source(
        kind="run",
        path=run_dir,
        name=run_dir.resolve().name,
        model=model.registry_name,
        runtime="keras",
        latent_dim=int(model.latent_dim),
        data_shape=tuple(int(d) for d in model.data_shape),
        generate=generate,
        dataset=settings.get("dataset"),
        data_dir=settings.get("data_dir"),
        reconstruct=reconstruct if has_reconstructions else None,
        keras_model=model,
        history=history or None,
        num_classes=getattr(model, "num_classes", None),
    )


def open_onnx(path):
    """An exported generator as a ``Source`` run by ONNX Runtime (``export.runtime.OnnxGenerator``).

    The dataset comes from the card beside the file (``trained_with``); a VAE's
    ``<version>.encode.onnx``, when present, gives the reconstructions.

    Args:
        path: ``<base>/<name>/<version>.onnx`` written by ``export.export_model``.

    Returns:
        A ``Source`` with ``runtime="onnxruntime"`` and no Keras model.

    Raises:
        BadInput: no such file, or not a generator exported by this package.
    """
    from export.errors import ExportError
    from export.runtime import OnnxGenerator

    path = Path(path)
    if path.suffix != ".onnx":
        raise BadInput(f"{path}: expected an exported <base>/<name>/<version>.onnx file")
    try:
        generator = OnnxGenerator(path)
    except (ExportError, FileNotFoundError, OSError, json.JSONDecodeError) as err:
        raise BadInput(str(err)) from None
    card = generator.card or {}
    trained_with = card.get("trained_with") or {}

    def generate(z, labels=None):
        return generator.generate(z, labels)

    return Source(
        kind="onnx",
        path=path,
        name=f"{generator.name} v{generator.version}",
        model=card.get("model") or generator.name,
        runtime="onnxruntime",
        latent_dim=generator.latent_dim,
        data_shape=generator.data_shape,
        generate=generate,
        dataset=trained_with.get("dataset"),
        data_dir=(trained_with.get("run") or {}).get("data_dir"),
        reconstruct=_onnx_reconstruct(generator),
        version=generator.version,
        num_classes=generator.num_classes if generator.is_conditional else None,
    )


def _onnx_reconstruct(generator):
    """images -> generate(mean of q(z|x)) through ``<version>.encode.onnx``, or None without one."""
    import onnxruntime as ort

    from export.runtime import FORMAT_KEY, session_options
    from zoo.integrity import verify_export

    path = generator.path.with_name(f"{generator.version}.encode.onnx")
    if not (path.is_file() and len(generator.data_shape) == 3):
        return None
    verify_export(path)  # a damaged encoder is refused like a damaged generator
    try:
        session = ort.InferenceSession(
            str(path), sess_options=session_options(), providers=ort.get_available_providers()
        )
    except Exception:  # onnxruntime's own error types: an unreadable file just means no reconstructions
        return None
    meta = session.get_modelmeta().custom_metadata_map
    if meta.get(FORMAT_KEY) is None or meta.get("role") != "encode":
        return None

    if generator.is_conditional:  # its encoder takes labels too: no reconstructions from images alone
        return None

    def reconstruct(x):
        mean = session.run(["mean"], {generator.output_name: np.asarray(x, dtype=np.float32)})[0]
        return generator.generate(mean)

    return reconstruct


def default_out_dir(source):
    """Where the results go by default: ``<run>/eval`` or ``<dir of the .onnx>/eval-<version>``.

    (Not ``<version>.eval``: ``export.layout`` counts every entry whose name starts with
    ``<version>.`` as an artifact of that version.)
    """
    if source.kind == "run":
        return Path(source.path) / "eval"
    return Path(source.path).parent / f"eval-{source.version}"


# ----------------------------------------------------------------------------------------------
# The evaluation


class Timer:
    """Wall-clock seconds of the steps of an evaluation: ``lap(name)`` records the time since the
    previous lap (or the start), ``timings()`` all laps and the ``total``, rounded to milliseconds."""

    def __init__(self, clock=time.perf_counter):
        self._clock = clock
        self._start = self._last = clock()
        self.laps = {}

    def lap(self, name):
        now = self._clock()
        self.laps[name] = round(now - self._last, 3)
        self._last = now

    def timings(self):
        """``{step: seconds, ..., "total": seconds}``: ``metrics.json``'s ``timings_s``."""
        return {**self.laps, "total": round(self._clock() - self._start, 3)}


@dataclasses.dataclass
class _LoadedClassifier:
    classifier: object  # the zoo.evaluation.classifier.DomainClassifier (its .network is the Keras model)
    path: Path
    card: dict  # its card.json, {} without one


@dataclasses.dataclass
class _Context:
    """What the steps of ``evaluate`` read: the source, the data it is scored against, the options.

    Attributes:
        n: N, the samples generated and the test images they are compared with.
        num_samples: the N requested (``n`` is capped at the test split's size).
        domain: the domain classifier (images), or None.
        modes: the toy mixture's (k, 2) means, or None.
        log: callable taking one line of progress.
        notes: what preparing found worth saying (a capped N, a dataset without known modes).
    """

    source: Source
    dataset: str
    data_dir: str | None
    num_samples: int
    n: int
    seed: int
    test_x: np.ndarray
    test_y: np.ndarray
    domain: _LoadedClassifier | None
    modes: np.ndarray | None
    log: object
    notes: tuple = ()

    @property
    def test_images(self):
        """The first N test examples: what the samples are compared with."""
        return self.test_x[: self.n]

    @functools.cached_property
    def test_features(self):
        """``(features, probabilities)`` of the first N test images through the domain classifier, once."""
        return self.domain.classifier.features_and_probabilities(self.test_images)

    @functools.cached_property
    def train_x(self):
        """The training split, loaded once (the real-data reference and the Inception metrics read it)."""
        return _load_split(self.dataset, "train", self.data_dir)[0]


def evaluate(
    source,
    *,
    classifier=None,
    dataset=None,
    data_dir=None,
    num_samples=DEFAULT_NUM_SAMPLES,
    iw_k=DEFAULT_IW_K,
    iw_examples=None,
    seed=0,
    command=None,
    log=None,
    inception_weights=None,
    inception_scorer=None,
):
    """Generate, score and picture a model (see the module docstring for the protocol).

    Args:
        source: a ``Source`` (``open_run``, ``open_onnx``).
        classifier: the domain classifier's ``.keras`` file (or its directory, holding
            ``card.json`` too); images only. None: the one shipped for the dataset's domain
            (``zoo.evaluation.defaults.classifier_for``); where there is none, the classifier
            figures are skipped with a note.
        dataset: the ``zoo.data`` dataset whose test split is the reference (default: the one the
            model was trained on).
        data_dir: its directory (default: the training run's when ``dataset`` is not given).
        num_samples: N, >= 4; capped at the test split's size (the metrics say so).
        iw_k: importance samples per example of the IW bound, >= 1.
        iw_examples: test examples of the IW bound (None: the whole split).
        seed: seed of the codes, of the reference's training images, of the binarization and of
            the likelihood's noise.
        command: the command line, recorded in the metrics.
        log: callable taking one line of progress (default: this module's logger, at INFO).
        inception_weights: ImageNet weights of InceptionV3 (``zoo.evaluation.inception``): adds Inception FID
            and Inception score, for the samples and for N training images, to ``figures`` and
            ``reference`` (``inception_fid``, ``inception_score``); images only.
        inception_scorer: an ``InceptionScorer`` to use instead (tests pass one with random
            weights to check the pipeline).

    Returns:
        An ``Evaluation``. Its ``metrics`` hold: ``format``, ``name``, ``model``, ``source``
        (kind, path, runtime), ``dataset``, ``data_dir``, ``test_split_size``,
        ``num_samples_requested``, ``num_samples`` (N), ``seed``, ``classifier`` (path, card
        dataset and test accuracy, accuracy on the N test images) or None, ``figures`` (the
        metrics of the samples) and ``reference`` (each with its own ``num_samples``) or None,
        ``reference_blurred`` (the same training images blurred by ``metrics.BLUR_SIGMA`` px) or None,
        ``likelihood`` (ELBO and IW bound with their example counts) or None, ``notes``,
        ``timings_s``, ``versions``, ``command``, ``evaluated_at``.

    Raises:
        BadInput: a bad option, an unknown or unusable dataset, a missing or unusable
            classifier, or data / classifier shapes that do not fit the model's.
    """
    _check_options(num_samples, iw_k, iw_examples, seed, inception_weights)
    timer = Timer()
    context = _prepare(
        source,
        classifier=classifier,
        dataset=dataset,
        data_dir=data_dir,
        num_samples=num_samples,
        seed=seed,
        log=log or _log.info,
        timer=timer,
    )
    notes = list(context.notes)

    context.log(f"generating {context.n} samples with {source.runtime}")
    labels = requested_labels(context.n, source.num_classes)
    samples = _generate(source, seeded_codes(context.n, source.latent_dim, seed), labels)
    timer.lap("generate")

    scores = reference = blurred = None
    if source.is_image and context.domain is not None:
        scores, score_notes = _image_metrics(context, samples, labels)
        timer.lap("figures")
        reference, reference_notes = _image_reference(context)
        timer.lap("reference")
        context.log(f"blurred-real reference: {context.n} training images blurred by {metrics.BLUR_SIGMA:g} px")
        blurred = metrics.blurred_reference(
            context.domain.classifier, context.train_x, context.test_images, num_samples=context.n, seed=context.seed
        )
        timer.lap("reference_blurred")
        notes += score_notes + reference_notes
    if source.is_image and (inception_weights is not None or inception_scorer is not None):
        model_part, reference_part, note = _inception_metrics(context, samples, inception_weights, inception_scorer)
        scores, reference = {**(scores or {}), **model_part}, {**(reference or {}), **reference_part}
        notes.append(note)
        timer.lap("inception")
    if not source.is_image and context.modes is not None:
        scores, reference = _toy_metrics(context, samples)
        timer.lap("mode_coverage")

    likelihood, likelihood_notes = _likelihood(context, iw_k, iw_examples)
    notes += likelihood_notes
    if likelihood is not None:
        timer.lap("likelihood")
    interpolation, reconstructions = _pictures(context)
    if source.is_image:
        timer.lap("pictures")

    result = _metrics_json(
        context,
        classifier=_classifier_info(context),
        scores=scores,
        reference=reference,
        reference_blurred=blurred,
        likelihood=likelihood,
        notes=notes,
        timings=timer.timings(),
        command=command,
    )
    return Evaluation(
        metrics=result,
        samples=samples[:GRID_SAMPLES] if source.is_image else samples,
        interpolation=interpolation,
        reconstructions=reconstructions,
        history=source.history,
        modes=context.modes,
    )


def _check_options(num_samples, iw_k, iw_examples, seed, inception_weights):
    def integer(value):
        return isinstance(value, (int, np.integer)) and not isinstance(value, bool)

    if not (integer(num_samples) and num_samples > metrics.NEAREST_K):
        raise BadInput(
            f"num_samples must be an integer >= {metrics.NEAREST_K + 1} (the k-NN metrics use "
            f"k = {metrics.NEAREST_K}), got {num_samples!r}"
        )
    if not (integer(iw_k) and iw_k >= 1):
        raise BadInput(f"iw_k must be a positive integer, got {iw_k!r}")
    if iw_examples is not None and not (integer(iw_examples) and iw_examples >= 1):
        raise BadInput(f"iw_examples must be a positive integer or None (the whole test split), got {iw_examples!r}")
    if not integer(seed) or seed < 0:
        raise BadInput(f"seed must be an integer >= 0, got {seed!r}")
    if inception_weights is not None and not Path(inception_weights).is_file():
        raise BadInput(
            f"no InceptionV3 weights file {inception_weights}; expected the ImageNet weights Keras "
            "would download (inception_v3_weights_tf_dim_ordering_tf_kernels.h5)"
        )


# -- Step 1: the data and the classifier ---------------------------------------------------------


def _prepare(source, *, classifier, dataset, data_dir, num_samples, seed, log, timer):
    """The ``_Context`` of an evaluation: the dataset checked against the source, the classifier
    (images), the toy modes (points) and the test split; laps ``load_model_and_classifier`` and
    ``load_test_split``."""
    dataset, data_dir = _dataset(source, dataset, data_dir)
    _check_dataset_shape(source, dataset, data_dir)
    notes = []
    if source.is_image and classifier is None:
        classifier = classifier_for(dataset)
        if classifier is None:
            notes.append(no_classifier_line(dataset))
    domain = _load_classifier(classifier, source) if source.is_image and classifier is not None else None
    modes = None if source.is_image else _toy_means(dataset)
    if not source.is_image and modes is None:
        notes.append(f"{dataset!r} has no known modes: no mode-coverage figures")
    timer.lap("load_model_and_classifier")

    test_x, test_y = _load_split(dataset, "test", data_dir)
    n = min(num_samples, len(test_x))
    if n < num_samples:
        notes.append(f"N = {n}: the {dataset} test split has only {len(test_x)} examples ({num_samples} requested)")
    if n <= metrics.NEAREST_K:
        raise BadInput(
            f"the {dataset} test split has {len(test_x)} examples; the metrics need at least {metrics.NEAREST_K + 1}"
        )
    timer.lap("load_test_split")
    return _Context(
        source=source,
        dataset=dataset,
        data_dir=data_dir,
        num_samples=num_samples,
        n=n,
        seed=seed,
        test_x=test_x,
        test_y=test_y,
        domain=domain,
        modes=modes,
        log=log,
        notes=tuple(notes),
    )


def _toy_means(dataset):
    """The (k, 2) means of a toy Gaussian mixture, or None for any other dataset."""
    try:
        return np.asarray(zoo_data.toy_modes(dataset)[0])
    except zoo_data.DatasetError:
        return None


def _dataset(source, dataset, data_dir):
    """The dataset and data directory to evaluate against: the arguments, else the training run's."""
    if dataset is None:
        if source.dataset is None:
            where = "config.json" if source.kind == "run" else "card (trained_with)"
            raise BadInput(f"{source.path}: its {where} records no training dataset; pass dataset= (a zoo.data name)")
        dataset = source.dataset
        if data_dir is None:
            data_dir = source.data_dir
    return dataset, data_dir


def _check_dataset_shape(source, dataset, data_dir):
    try:
        info = zoo_data.info(dataset, data_dir=data_dir)
    except ValueError as err:  # zoo.data.DatasetError
        raise BadInput(str(err)) from None
    if None not in info.shape and tuple(info.shape) != tuple(source.data_shape):
        raise BadInput(
            f"dataset {dataset!r} holds {info.kind} of shape {tuple(info.shape)} but {source.name} "
            f"generates {tuple(source.data_shape)}; expected the dataset the model was trained on"
        )
    if "test" not in info.splits:
        raise BadInput(f"dataset {dataset!r} has no test split (splits: {', '.join(info.splits) or 'none'})")


def _load_classifier(path, source):
    from zoo.evaluation.classifier import CARD_FILE, CLASSIFIER_FILE, load_card, load_classifier

    path = Path(path)
    try:
        classifier = load_classifier(path)
    except (FileNotFoundError, ValueError) as err:  # its messages name the file
        raise BadInput(str(err)) from None
    if tuple(classifier.input_shape) != tuple(source.data_shape):
        raise BadInput(
            f"the classifier {path} takes images of shape {tuple(classifier.input_shape)} but "
            f"{source.name} generates {tuple(source.data_shape)}; expected a classifier trained on "
            "the model's dataset (python -m tools.train_classifier)"
        )
    card_path = (path if path.is_dir() else path.parent) / CARD_FILE
    try:
        card = load_card(card_path) if card_path.is_file() else None
    except (OSError, json.JSONDecodeError) as err:
        raise BadInput(f"cannot read the classifier's card {card_path}: {err}") from None
    return _LoadedClassifier(classifier, path / CLASSIFIER_FILE if path.is_dir() else path, card or {})


def _load_split(dataset, split, data_dir):
    try:
        return metrics.load_image_array(dataset, split, data_dir=data_dir)
    except ValueError as err:  # zoo.data.DatasetError
        raise BadInput(str(err)) from None


# -- Step 2: the samples -------------------------------------------------------------------------


def requested_labels(n, num_classes):
    """The classes a conditional model is asked for (``zoo.codes.cycled_labels``: each equally
    often); None for an unconditional model."""
    return None if num_classes is None else cycled_labels(n, num_classes)


def _generate(source, codes, labels=None):
    """``source.generate`` in batches of GENERATE_BATCH codes, float32; images clipped to [0, 1]."""
    samples = metrics.generate_in_batches(source.generate, codes, labels, batch_size=GENERATE_BATCH)
    if source.is_image:
        finite = np.isfinite(samples)
        samples = np.where(finite, np.clip(samples, 0.0, 1.0), samples)  # float round-off of sigmoid / tanh
    return samples


# -- Step 3: images, in the domain classifier's space --------------------------------------------


def _image_metrics(context, samples, labels=None):
    """``(metrics, notes)`` of the N samples against the first N test images; with the requested
    ``labels`` of a conditional model, also ``label_accuracy``: the share of samples the classifier
    recognizes as the class they were generated for. Non-finite samples get NaN metrics and a note."""
    n, classifier = context.n, context.domain.classifier
    context.log(f"classifier features of {n} samples and {n} test images")
    real_features, _ = context.test_features
    finite = np.all(np.isfinite(samples.reshape(n, -1)), axis=1)
    if not finite.all():
        bad = int((~finite).sum())
        note = f"{bad} of the {n} samples are not finite (a diverged generator): no classifier figures"
        return _non_finite_metrics(n, classifier.num_classes, bad, conditional=labels is not None), [note]
    features, probabilities = classifier.features_and_probabilities(samples)
    context.log("classifier Fréchet distance, score, class coverage, k-NN precision and recall")
    scores = metrics.evaluate_features(features, probabilities, real_features)
    if labels is not None:
        scores["label_accuracy"] = metrics.label_accuracy(probabilities, labels)
    return scores, []


def _non_finite_metrics(n, num_classes, non_finite, conditional):
    """The image metrics of a generator whose samples are not all finite: NaN, with the count."""
    scores = {
        "num_samples": n,
        "num_real": n,
        **{key: float("nan") for key in _IMAGE_METRICS},
        "num_classes": num_classes,
        "class_counts": None,
        "k": metrics.NEAREST_K,
        "non_finite_samples": non_finite,
    }
    if conditional:
        scores["label_accuracy"] = float("nan")
    return scores


def _image_reference(context):
    """``(reference, notes)``: the real-data reference at N, from the classifier's card when it fits."""
    n, card = context.n, context.domain.card
    if _card_reference_fits(card, context.dataset, context.data_dir, n):
        note = f"real-data reference reused from the classifier's card ({card.get('dataset')}, N = {n})"
        return {**card["reference"], "origin": "classifier card"}, [note]
    context.log(f"real-data reference: {n} training images against the {n} test images")
    train_x, notes = context.train_x, []
    if len(train_x) < n:
        notes.append(
            f"the real-data reference has N = {min(n, len(train_x))}: the training split has {len(train_x)} images"
        )
    reference = metrics.real_data_reference(
        context.domain.classifier, train_x, context.test_images, num_samples=n, seed=context.seed
    )
    return {**reference, "origin": "computed"}, notes


def _card_reference_fits(card, dataset, data_dir, n):
    """A card's reference is the one we would compute: same dataset (same folder for an image
    folder, whose name says nothing of its content), same N on both sides."""
    reference = card.get("reference")
    if not reference or card.get("dataset") != dataset:
        return False
    if dataset == "image_folder":
        stored = card.get("data_dir")
        if stored is None or data_dir is None or Path(stored).resolve() != Path(data_dir).resolve():
            return False
    return reference.get("num_samples") == n and reference.get("num_real") == n


def _inception_metrics(context, samples, weights, scorer=None):
    """``(model part, reference part, note)``: the Inception FID and score of the samples and of the
    first N training images, against the first N test images (``zoo.evaluation.inception``)."""
    from zoo.evaluation.inception import InceptionScorer

    scorer = scorer or InceptionScorer(weights)
    n, test_images = context.n, context.test_images
    context.log(f"Inception FID and score of {n} samples and of {n} training images")
    parts = [scorer.metrics(images, test_images) for images in (np.clip(samples, 0.0, 1.0), context.train_x[:n])]
    note = (
        f"Inception figures with {scorer.weights_path or 'RANDOM weights (a pipeline check, meaningless)'}; "
        f"the reference uses the first {min(n, len(context.train_x))} training images"
    )
    model_part, reference_part = ({"inception_fid": p["fid"], "inception_score": p["inception_score"]} for p in parts)
    return model_part, reference_part, note


# -- Step 4: 2-D toy mixtures --------------------------------------------------------------------


def _toy_metrics(context, samples):
    """``(metrics, reference)``: the mode coverage of the N samples and of the first N test points."""
    n, dataset = context.n, context.dataset
    scores = {"num_samples": n, **metrics.toy_mode_coverage(samples, dataset)}
    reference = {"num_samples": n, **metrics.toy_mode_coverage(context.test_images, dataset), "origin": "computed"}
    return scores, reference


# -- Step 5: the likelihood ----------------------------------------------------------------------


def _likelihood(context, iw_k, iw_examples):
    """``(likelihood, notes)``: the ``likelihood_metrics`` of a model with a likelihood on the test
    split, or None (with a note when the model has one but the source cannot compute it)."""
    source = context.source
    if not _has_likelihood(source):
        return None, []
    if source.keras_model is None:
        return None, ["no ELBO or IW bound: an ONNX export has no likelihood (evaluate the run instead)"]
    labels = context.test_y if source.num_classes is not None else None  # a conditional bound: log p(x | c)
    return likelihood_metrics(
        source.keras_model, context.test_x, iw_k, iw_examples, seed=context.seed, labels=labels, log=context.log
    ), []


def _has_likelihood(source):
    """Whether the source's model bounds log p(x) (``GenerativeModel.has_likelihood``): asked of the
    run's Keras model, or of the registry class an export names."""
    if source.keras_model is not None:
        return bool(getattr(source.keras_model, "has_likelihood", False))
    if source.model is None:
        return False
    from zoo.models import get_model_class

    try:
        model_class = get_model_class(source.model)
    except ValueError:  # a name this version does not know
        return False
    return bool(getattr(model_class, "has_likelihood", False))


# -- Step 6: the pictures and the result ---------------------------------------------------------


def _pictures(context):
    """``(interpolation, reconstructions)`` of an image model (each None when it has none)."""
    source = context.source
    if not source.is_image:
        return None, None
    codes = interpolation_codes(source.latent_dim, seed=context.seed)
    interpolation = np.clip(_generate(source, codes, requested_labels(len(codes), source.num_classes)), 0.0, 1.0)
    reconstructions = None
    if source.reconstruct is not None:
        originals = context.test_x[:RECONSTRUCTIONS]
        reconstructions = (originals, np.clip(np.asarray(source.reconstruct(originals)), 0.0, 1.0))
    return interpolation, reconstructions


def _classifier_info(context):
    """The ``classifier`` of ``metrics.json``: its file, its card's figures, its accuracy on the N test images."""
    if context.domain is None:
        return None
    card, (_, probabilities) = context.domain.card, context.test_features
    return {
        "path": portable_path(context.domain.path),
        "dataset": card.get("dataset"),
        "test_accuracy": card.get("test_accuracy"),
        "num_test": card.get("num_test"),
        "accuracy_on_test_images": float(np.mean(probabilities.argmax(axis=1) == context.test_y[: context.n])),
        "num_test_images": context.n,
    }


def _metrics_json(
    context, *, classifier, scores, reference, likelihood, notes, timings, command, reference_blurred=None
):
    """The ``metrics.json`` dict; its keys are the stable format ``FORMAT`` (the scores are its ``figures``)."""
    source = context.source
    return {
        "format": FORMAT,
        "name": source.name,
        "model": source.model,
        "source": {"kind": source.kind, "path": Path(source.path).as_posix(), "runtime": source.runtime},
        "data_shape": list(source.data_shape),
        "dataset": context.dataset,
        "data_dir": None if context.data_dir is None else str(context.data_dir),
        "test_split_size": int(len(context.test_x)),
        "num_samples_requested": int(context.num_samples),
        "num_samples": int(context.n),
        "seed": int(context.seed),
        "classifier": classifier,
        "figures": scores,
        "reference": reference,
        "reference_blurred": reference_blurred,
        "likelihood": likelihood,
        "notes": notes,
        "timings_s": timings,
        "versions": package_versions(),
        "command": command,
        "evaluated_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }

"""Evaluation of a trained generator: its samples, figures and pictures (``tools.evaluate``).

What is evaluated (a ``Source``):

* a finished training run (``open_run``): ``<run>/model.keras`` loaded in safe mode
  (``export.bundle.load_run_model``), with the run's ``config.json`` (dataset) and
  ``history.json`` (training curves);
* an exported generator (``open_onnx``): ``<base>/<name>/<version>.onnx`` run by ONNX Runtime
  (``export.runtime.OnnxGenerator``), with the card beside it (dataset). Generation needs no
  TensorFlow there; the domain classifier that scores the images is still a Keras model. An
  export has no likelihood, so the ELBO and the importance-weighted bound are for runs only.

The protocol (``evaluate``), with N = min(``num_samples``, size of the test split):

1. Codes z_1..z_N ~ N(0, I) from ``numpy.random.default_rng(seed)``, decoded in batches: the
   Keras model and its ONNX export see the same codes, so their figures agree.
2. Images (28x28x1 for the shipped classifier): with the domain classifier (``zoo.evaluation.classifier``),
   the N samples against the first N test images (``zoo.evaluation.metrics.evaluate_features``):
   classifier Fréchet distance, classifier score, class coverage (counts, KL to uniform, classes
   with >= 1% of the samples), k-NN precision and recall (k = 3). The real-data reference is the
   same functions on N training images against the same N test images
   (``zoo.evaluation.metrics.real_data_reference``); a reference in the classifier's card for the same
   dataset and the same N is reused instead of recomputed (``reference["origin"]`` says which).
3. 2-D toy mixtures (``ring8``, ``grid25``): mode coverage (``zoo.evaluation.metrics.toy_mode_coverage``) of
   the N samples; the reference is the mode coverage of N test points. No classifier.
4. VAE runs: on the test split, binarized once with ``seed`` (x ~ Bernoulli(pixel), numpy) for
   the Bernoulli likelihood and as given for the Gaussian one, the ELBO with the analytic KL term
   and one reparameterized sample per example (``VAE.loss_terms``; equal to -loss for beta = 1)
   on the whole split, and the importance-weighted bound L_k (Burda et al., ICLR 2016;
   ``zoo.evaluation.metrics.importance_weighted_bound``) on the first ``iw_examples``, both in nats per
   example (higher is better; -L_k bounds the NLL from above).

Bad input raises ``zoo.errors.BadInput`` before any figure is computed. Writing the results is
``zoo.evaluation.report``'s job.
"""

import dataclasses
import datetime
import json
import time
from pathlib import Path

import numpy as np

from zoo import data as zoo_data
from zoo import runs
from zoo.errors import BadInput
from zoo.evaluation import DEFAULT_CLASSIFIER, DEFAULT_IW_K, metrics

__all__ = [
    "DEFAULT_CLASSIFIER",
    "DEFAULT_IW_K",
    "FORMAT",
    "Evaluation",
    "Source",
    "default_out_dir",
    "evaluate",
    "open_onnx",
    "open_run",
]

FORMAT = "genzoo-evaluation/1"  # the layout of metrics.json
GRID_SAMPLES = 64  # images in the sample grid: the first 64 of the N samples (same codes as the training grids)
RECONSTRUCTIONS = 10  # test images shown with their reconstructions (one row each)
GENERATE_BATCH = 500  # codes decoded at a time
LIKELIHOOD_BATCH = 500  # examples per ELBO step
IW_CHUNK = 500  # examples per call of importance_weighted_bound (one progress line each)


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
    """What ``evaluate`` returns: the figures and the arrays the pictures are drawn from.

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

    def generate(z, labels=None):
        return np.asarray(model.sample(z) if labels is None else model.sample(z, labels))

    def reconstruct(x):
        return np.asarray(model.reconstruct(np.asarray(x, dtype=np.float32)))

    # (A conditional model reconstructs from images and their labels: no pictures from images alone.)
    has_reconstructions = hasattr(model, "reconstruct") and len(model.data_shape) == 3 and not model.conditional
    return Source(kind="run", path=run_dir, name=run_dir.resolve().name, model=model.registry_name, runtime="keras",
                  latent_dim=int(model.latent_dim), data_shape=tuple(int(d) for d in model.data_shape),
                  generate=generate, dataset=settings.get("dataset"), data_dir=settings.get("data_dir"),
                  reconstruct=reconstruct if has_reconstructions else None, keras_model=model,
                  history=history or None, num_classes=getattr(model, "num_classes", None))


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
        raise BadInput(f"--model {path}: expected an exported <base>/<name>/<version>.onnx file")
    try:
        generator = OnnxGenerator(path)
    except (ExportError, FileNotFoundError, OSError, json.JSONDecodeError) as err:
        raise BadInput(str(err)) from None
    card = generator.card or {}
    trained_with = card.get("trained_with") or {}

    def generate(z, labels=None):
        return generator.generate(z, label=labels)

    return Source(kind="onnx", path=path, name=f"{generator.name} v{generator.version}",
                  model=card.get("model") or generator.name, runtime="onnxruntime", latent_dim=generator.latent_dim,
                  data_shape=generator.data_shape, generate=generate, dataset=trained_with.get("dataset"),
                  data_dir=(trained_with.get("run") or {}).get("data_dir"),
                  reconstruct=_onnx_reconstruct(generator), version=generator.version,
                  num_classes=generator.num_classes if generator.is_conditional else None)


def _onnx_reconstruct(generator):
    """images -> generate(mean of q(z|x)) through ``<version>.encode.onnx``, or None without one."""
    import onnxruntime as ort

    from export.runtime import FORMAT_KEY, session_options

    path = generator.path.with_name(f"{generator.version}.encode.onnx")
    if not (path.is_file() and len(generator.data_shape) == 3):
        return None
    try:
        session = ort.InferenceSession(str(path), sess_options=session_options(),
                                       providers=ort.get_available_providers())
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


def evaluate(source, *, classifier=DEFAULT_CLASSIFIER, dataset=None, data_dir=None,
             num_samples=metrics.DEFAULT_NUM_SAMPLES, iw_k=DEFAULT_IW_K, iw_examples=None, seed=0, command=None,
             log=None, inception_weights=None, inception_scorer=None):
    """Generate, score and picture a model (see the module docstring for the protocol).

    Args:
        source: a ``Source`` (``open_run``, ``open_onnx``).
        classifier: the domain classifier's ``.keras`` file (or its directory, holding
            ``card.json`` too); images only.
        dataset: the ``zoo.data`` dataset whose test split is the reference (default: the one the
            model was trained on).
        data_dir: its directory (default: the training run's when ``dataset`` is not given).
        num_samples: N, >= 4; capped at the test split's size (the metrics say so).
        iw_k: importance samples per example of the IW bound, >= 1.
        iw_examples: test examples of the IW bound (None: the whole split).
        seed: seed of the codes, of the reference's training images, of the binarization and of
            the likelihood's noise.
        command: the command line, recorded in the metrics.
        log: callable taking one line of progress (None: quiet).
        inception_weights: ImageNet weights of InceptionV3 (``zoo.evaluation.inception``): adds Inception FID
            and Inception score, for the samples and for N training images, to ``figures`` and
            ``reference`` (``inception_fid``, ``inception_score``); images only.
        inception_scorer: an ``InceptionScorer`` to use instead (tests pass one with random
            weights to check the pipeline).

    Returns:
        An ``Evaluation``. Its ``metrics`` hold: ``format``, ``name``, ``model``, ``source``
        (kind, path, runtime), ``dataset``, ``data_dir``, ``test_split_size``,
        ``num_samples_requested``, ``num_samples`` (N), ``seed``, ``classifier`` (path, card
        dataset and test accuracy, accuracy on the N test images) or None, ``figures`` and
        ``reference`` (each with its own ``num_samples``) or None, ``likelihood`` (ELBO and IW
        bound with their example counts) or None, ``notes``, ``timings_s``, ``versions``,
        ``command``, ``evaluated_at``.

    Raises:
        BadInput: a bad option, an unknown or unusable dataset, a missing or unusable
            classifier, or data / classifier shapes that do not fit the model's.
    """
    log = log or (lambda line: None)
    _check_options(num_samples, iw_k, iw_examples, seed)
    if inception_weights is not None and not Path(inception_weights).is_file():
        raise BadInput(f"no InceptionV3 weights file {inception_weights}; expected the ImageNet weights Keras "
                       "would download (inception_v3_weights_tf_dim_ordering_tf_kernels.h5)")
    timings = {}
    start = clock = time.perf_counter()

    def lap(name):
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now

    dataset, data_dir = _dataset(source, dataset, data_dir)
    _check_dataset_shape(source, dataset, data_dir)
    domain = None
    if source.is_image:
        domain = _load_classifier(classifier, source)
    modes = None if source.is_image else _toy_means(dataset)
    notes = []
    if not source.is_image and modes is None:
        notes.append(f"{dataset!r} has no known modes: no mode-coverage figures")
    lap("load_model_and_classifier")

    test_x, test_y = _load_split(dataset, "test", data_dir)
    n = min(num_samples, len(test_x))
    if n < num_samples:
        notes.append(f"N = {n}: the {dataset} test split has only {len(test_x)} examples "
                     f"({num_samples} requested)")
    if n <= metrics.NEAREST_K:
        raise BadInput(f"the {dataset} test split has {len(test_x)} examples; the figures need at least "
                       f"{metrics.NEAREST_K + 1}")
    lap("load_test_split")

    log(f"generating {n} samples with {source.runtime}")
    codes = np.random.default_rng(seed).standard_normal((n, source.latent_dim)).astype(np.float32)
    labels = requested_labels(n, source.num_classes)
    samples = _generate(source, codes, labels)
    lap("generate")

    figures = reference = classifier_info = None
    if source.is_image:
        figures, reference, classifier_info = _image_figures(
            domain, samples, test_x[:n], test_y[:n], dataset, data_dir, seed, notes, log, lap, labels)
    elif modes is not None:
        figures = {"num_samples": n, **metrics.toy_mode_coverage(samples, dataset)}
        reference = {"num_samples": n, **metrics.toy_mode_coverage(test_x[:n], dataset), "origin": "computed"}
        lap("mode_coverage")

    if source.is_image and (inception_weights is not None or inception_scorer is not None):
        from zoo.evaluation.inception import InceptionScorer

        scorer = inception_scorer or InceptionScorer(inception_weights)
        log(f"Inception FID and score of {n} samples and of {n} training images")
        model_figures = scorer.figures(np.clip(samples, 0.0, 1.0), test_x[:n])
        train_x, _ = _load_split(dataset, "train", data_dir)
        real_figures = scorer.figures(train_x[:n], test_x[:n])
        for target, values in ((figures, model_figures), (reference, real_figures)):
            target.update(inception_fid=values["fid"], inception_score=values["inception_score"])
        notes.append(f"Inception figures with {scorer.weights_path or 'RANDOM weights (a pipeline check, meaningless)'}; "
                     f"the reference uses the first {min(n, len(train_x))} training images")
        lap("inception")

    likelihood = None
    if source.keras_model is not None and hasattr(source.keras_model, "loss_terms"):
        test_labels = test_y if source.num_classes is not None else None  # a conditional bound: log p(x | c)
        likelihood = _likelihood(source.keras_model, test_x, iw_k, iw_examples, seed, log, test_labels)
        lap("likelihood")
    elif source.keras_model is None and source.model == "vae":
        notes.append("no ELBO or IW bound: an ONNX export has no likelihood (evaluate the run instead)")

    interpolation = reconstructions = None
    if source.is_image:
        from zoo.codes import interpolation_codes

        codes = interpolation_codes(source.latent_dim, seed=seed)
        interpolation = np.clip(_generate(source, codes, requested_labels(len(codes), source.num_classes)), 0.0, 1.0)
        if source.reconstruct is not None:
            originals = test_x[:RECONSTRUCTIONS]
            reconstructions = (originals, np.clip(np.asarray(source.reconstruct(originals)), 0.0, 1.0))
        lap("pictures")
    timings["total"] = round(time.perf_counter() - start, 3)

    from export.card import package_versions

    result = {
        "format": FORMAT,
        "name": source.name,
        "model": source.model,
        "source": {"kind": source.kind, "path": Path(source.path).as_posix(), "runtime": source.runtime},
        "data_shape": list(source.data_shape),
        "dataset": dataset,
        "data_dir": None if data_dir is None else str(data_dir),
        "test_split_size": int(len(test_x)),
        "num_samples_requested": int(num_samples),
        "num_samples": int(n),
        "seed": int(seed),
        "classifier": classifier_info,
        "figures": figures,
        "reference": reference,
        "likelihood": likelihood,
        "notes": notes,
        "timings_s": timings,
        "versions": package_versions(),
        "command": command,
        "evaluated_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    return Evaluation(metrics=result, samples=samples[:GRID_SAMPLES] if source.is_image else samples,
                      interpolation=interpolation, reconstructions=reconstructions, history=source.history,
                      modes=modes)


def _check_options(num_samples, iw_k, iw_examples, seed):
    def integer(value):
        return isinstance(value, (int, np.integer)) and not isinstance(value, bool)

    if not (integer(num_samples) and num_samples > metrics.NEAREST_K):
        raise BadInput(f"num_samples must be an integer >= {metrics.NEAREST_K + 1} (the k-NN figures use "
                       f"k = {metrics.NEAREST_K}), got {num_samples!r}")
    if not (integer(iw_k) and iw_k >= 1):
        raise BadInput(f"iw_k must be a positive integer, got {iw_k!r}")
    if iw_examples is not None and not (integer(iw_examples) and iw_examples >= 1):
        raise BadInput(f"iw_examples must be a positive integer or None (the whole test split), got {iw_examples!r}")
    if not integer(seed) or seed < 0:
        raise BadInput(f"seed must be an integer >= 0, got {seed!r}")


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
            raise BadInput(f"{source.path}: its {where} records no training dataset; pass --dataset")
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
        raise BadInput(f"dataset {dataset!r} holds {info.kind} of shape {tuple(info.shape)} but {source.name} "
                       f"generates {tuple(source.data_shape)}; expected the dataset the model was trained on")
    if "test" not in info.splits:
        raise BadInput(f"dataset {dataset!r} has no test split (splits: {', '.join(info.splits) or 'none'})")


@dataclasses.dataclass
class _Classifier:
    network: object  # the zoo.evaluation.classifier.DomainClassifier
    path: Path
    card: dict  # its card.json, {} without one


def _load_classifier(path, source):
    from zoo.evaluation.classifier import CARD_FILE, CLASSIFIER_FILE, load_card, load_classifier

    path = Path(path)
    try:
        domain = load_classifier(path)
    except (FileNotFoundError, ValueError) as err:
        raise BadInput(f"--classifier: {err}") from None
    if tuple(domain.input_shape) != tuple(source.data_shape):
        raise BadInput(f"the classifier {path} takes images of shape {tuple(domain.input_shape)} but "
                       f"{source.name} generates {tuple(source.data_shape)}; expected a classifier trained on "
                       "the model's dataset (python -m tools.train_classifier)")
    card_path = (path if path.is_dir() else path.parent) / CARD_FILE
    try:
        card = load_card(card_path) if card_path.is_file() else None
    except (OSError, json.JSONDecodeError) as err:
        raise BadInput(f"cannot read the classifier's card {card_path}: {err}") from None
    return _Classifier(domain, path / CLASSIFIER_FILE if path.is_dir() else path, card or {})


def _load_split(dataset, split, data_dir):
    try:
        return metrics.load_image_array(dataset, split, data_dir=data_dir)
    except ValueError as err:  # zoo.data.DatasetError
        raise BadInput(str(err)) from None


def requested_labels(n, num_classes):
    """The classes a conditional model is asked for: 0, 1, ..., K-1, 0, ... (each equally often);
    None for an unconditional model."""
    return None if num_classes is None else (np.arange(n) % num_classes).astype(np.int32)


def _generate(source, codes, labels=None):
    """``source.generate`` in batches of GENERATE_BATCH codes, float32; images clipped to [0, 1]."""
    chunks = [(codes[i:i + GENERATE_BATCH],) + (() if labels is None else (labels[i:i + GENERATE_BATCH],))
              for i in range(0, len(codes), GENERATE_BATCH)]
    parts = [np.asarray(source.generate(*chunk), dtype=np.float32) for chunk in chunks]
    samples = np.concatenate(parts)
    if source.is_image:
        finite = np.isfinite(samples)
        samples = np.where(finite, np.clip(samples, 0.0, 1.0), samples)  # float round-off of sigmoid / tanh
    return samples


_IMAGE_FIGURES = ("frechet_distance", "classifier_score", "class_kl_to_uniform", "classes_covered", "precision",
                  "recall")


def _image_figures(domain, samples, test_images, test_labels, dataset, data_dir, seed, notes, log, lap, labels=None):
    """(figures, reference, classifier info) of N samples against N test images; with the requested
    ``labels`` of a conditional model, also ``label_accuracy``: the share of samples the classifier
    recognizes as the class they were generated for."""
    n = len(samples)
    log(f"classifier features of {n} samples and {n} test images")
    real_features, real_probabilities = domain.network.features_and_probabilities(test_images)
    accuracy = float(np.mean(real_probabilities.argmax(axis=1) == test_labels))
    finite = np.all(np.isfinite(samples.reshape(n, -1)), axis=1)
    if finite.all():
        features, probabilities = domain.network.features_and_probabilities(samples)
        log("classifier Fréchet distance, score, class coverage, k-NN precision and recall")
        figures = metrics.evaluate_features(features, probabilities, real_features)
        if labels is not None:
            figures["label_accuracy"] = metrics.label_accuracy(probabilities, labels)
    else:
        notes.append(f"{int((~finite).sum())} of the {n} samples are not finite (a diverged generator): "
                     "no classifier figures")
        figures = {"num_samples": n, "num_real": n, **{key: float("nan") for key in _IMAGE_FIGURES},
                   "num_classes": domain.network.num_classes, "class_counts": None, "k": metrics.NEAREST_K,
                   "non_finite_samples": int((~finite).sum())}
        if labels is not None:
            figures["label_accuracy"] = float("nan")
    lap("figures")

    card = domain.card
    stored = card.get("reference")
    if _card_reference_fits(card, dataset, data_dir, n):
        reference = {**stored, "origin": "classifier card"}
        notes.append(f"real-data reference reused from the classifier's card ({card.get('dataset')}, N = {n})")
    else:
        log(f"real-data reference: {n} training images against the {n} test images")
        train_images, _ = _load_split(dataset, "train", data_dir)
        if len(train_images) < n:
            notes.append(f"the real-data reference has N = {min(n, len(train_images))}: the training split "
                         f"has {len(train_images)} images")
        reference = {**metrics.real_data_reference(domain.network, train_images, test_images, num_samples=n, seed=seed),
                     "origin": "computed"}
    lap("reference")
    info = {
        "path": Path(domain.path).as_posix(),
        "dataset": card.get("dataset"),
        "test_accuracy": card.get("test_accuracy"),
        "num_test": card.get("num_test"),
        "accuracy_on_test_images": accuracy,
        "num_test_images": n,
    }
    return figures, reference, info


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


def _likelihood(model, test_x, iw_k, iw_examples, seed, log, labels=None):
    """ELBO on the whole test split and the IW bound on its first ``iw_examples``, nats per example."""
    import tensorflow as tf

    binarized = getattr(model.config, "likelihood", None) == "bernoulli"
    rng = np.random.default_rng(seed)
    x = test_x.astype(np.float32)
    if binarized:  # x ~ Bernoulli(pixel), once: the data the published MNIST bounds are on
        x = (rng.uniform(size=x.shape) < x).astype(np.float32)
    log(f"ELBO on {len(x)} test examples")
    elbo = np.empty(len(x))
    for start in range(0, len(x), LIKELIHOOD_BATCH):
        xb = x[start:start + LIKELIHOOD_BATCH]
        eps = rng.standard_normal((len(xb), model.latent_dim)).astype(np.float32)  # (b, latent_dim)
        lb = None if labels is None else tf.constant(labels[start:start + LIKELIHOOD_BATCH], tf.int32)
        reconstruction, kl = model.loss_terms(tf.constant(xb), eps=tf.constant(eps), training=False, labels=lb)
        elbo[start:start + len(xb)] = -(np.asarray(reconstruction, np.float64) + np.asarray(kl, np.float64))
    m = len(x) if iw_examples is None else min(iw_examples, len(x))
    bounds = np.empty(m)
    for i, start in enumerate(range(0, m, IW_CHUNK)):
        stop = min(start + IW_CHUNK, m)
        log(f"IW bound, k = {iw_k}: examples {start + 1}-{stop} of {m}")
        # One seed per chunk ([seed, i]): the chunks draw independent noise.
        bounds[start:stop] = metrics.importance_weighted_bound(
            model, x[start:stop], iw_k, seed=[seed, i], labels=None if labels is None else labels[start:stop])
    return {
        "elbo": float(elbo.mean()),
        "elbo_standard_error": _standard_error(elbo),
        "elbo_num_examples": int(len(x)),
        "iw_bound": float(bounds.mean()),
        "iw_bound_standard_error": _standard_error(bounds),
        "iw_k": int(iw_k),
        "iw_num_examples": int(m),
        "elbo_on_iw_examples": float(elbo[:m].mean()),
        "binarized": binarized,
        "binarize_seed": int(seed) if binarized else None,
        "units": "nats per example",
    }


def _standard_error(values):
    """Standard error of the mean over examples (None for fewer than 2)."""
    return float(values.std(ddof=1) / np.sqrt(len(values))) if len(values) > 1 else None

"""The domain classifier: the embedding and the label model of the image evaluation (``zoo.evaluation.metrics``).

FID and the Inception score read an ImageNet Inception network; MNIST-like 28x28 grayscale data
is far from ImageNet, so the zoo trains a small CNN on the domain itself (the practice of many
MNIST GAN papers) and measures generated images through it:

    f(x)    = the penultimate activations ("features" layer)   -> classifier Fréchet distance,
                                                                   k-NN precision and recall
    p(y|x)  = softmax(logits(x))                                -> classifier score, class coverage

It is trained with softmax cross-entropy (Adam, cosine-decayed learning rate) on images in
[0, 1], with random shifts of up to ``max_shift`` pixels as augmentation. Retrained on another
labelled 28x28 grayscale dataset (``fashion_mnist``, an ``image_folder``) it serves that dataset.

Files: the network as ``classifier.keras`` (no optimizer state; loaded with ``safe_mode=True``)
and ``card.json`` (dataset, command, test accuracy, training settings, versions, and the real-data
reference metrics of ``zoo.evaluation.metrics.real_data_reference``); ``fileio.atomic_write_json``
writes the card.
"""

import dataclasses
import math
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from zoo import data as zoo_data
from zoo.errors import BadInput
from zoo.evaluation.classifier_config import ClassifierConfig, config_for  # TF-free, for the tools' --help
from zoo.fileio import read_json, save_model_atomic
from zoo.integrity import verify_classifier
from zoo.nets.classifier import FEATURES_LAYER, LOGITS_LAYER
from zoo.options import fit_verbosity
from zoo.provenance import DATA_ATTRIBUTIONS, package_versions

__all__ = [
    "CARD_FILE",
    "CLASSIFIER_FILE",
    "ClassifierConfig",
    "DomainClassifier",
    "TrainedClassifier",
    "classifier_card",
    "load_card",
    "load_classifier",
    "save_classifier",
    "train_classifier",
]

CLASSIFIER_FILE = "classifier.keras"
CARD_FILE = "card.json"


class DomainClassifier:
    """A trained classifier network, queried in batches for features and class probabilities.

    Args:
        network: a functional ``keras.Model`` from images to logits with a layer named
            ``"features"`` (``zoo.nets.classifier.conv_classifier``).
        batch_size: images per forward pass.

    Attributes:
        network: the Keras model (logits).
        input_shape: ``(height, width, channels)`` of the images it takes.
        num_classes: C.
        feature_dim: width of the features.

    Raises:
        ValueError: ``network`` is not such a classifier.
    """

    def __init__(self, network, batch_size=500):
        names = {layer.name for layer in getattr(network, "layers", ())}
        inputs, outputs = (getattr(network, attr, None) or [] for attr in ("inputs", "outputs"))  # None: subclassed
        if (
            not isinstance(network, keras.Model)
            or not {FEATURES_LAYER, LOGITS_LAYER} <= names
            or len(inputs) != 1
            or len(outputs) != 1
            or len(inputs[0].shape) != 4
            or len(outputs[0].shape) != 2
        ):
            raise ValueError(
                f"not a domain classifier: expected a functional keras.Model from (batch, height, width, channels) "
                f"images to (batch, classes) logits with layers {FEATURES_LAYER!r} and {LOGITS_LAYER!r} "
                f"(zoo.nets.classifier.conv_classifier), got {type(network).__name__} {getattr(network, 'name', '')!r}"
            )
        if not (isinstance(batch_size, int) and batch_size >= 1):
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        self.network = network
        self.batch_size = batch_size
        # inputs[0] and outputs[0]: a loaded model may keep its single input and output in lists.
        self.input_shape = tuple(network.inputs[0].shape[1:])
        self.num_classes = int(network.outputs[0].shape[-1])
        features = network.get_layer(FEATURES_LAYER).output
        self.feature_dim = int(features.shape[-1])
        both = keras.Model(network.inputs[0], [features, network.outputs[0]])
        self._forward = tf.function(lambda x: both(x, training=False), reduce_retracing=True)

    def features_and_probabilities(self, images):
        """Penultimate features and softmax probabilities in one pass.

        Args:
            images: (n, *input_shape) floats in [0, 1] (NumPy array or tensor), n >= 1.

        Returns:
            ``(features, probabilities)``: float32 (n, feature_dim) and float64 (n, num_classes)
            rows summing to 1.

        Raises:
            ValueError: images of another shape, outside [0, 1] or not finite.
        """
        images = self._check(images)
        features, logits = [], []
        for start in range(0, len(images), self.batch_size):
            f, lg = self._forward(tf.constant(images[start : start + self.batch_size]))
            features.append(f.numpy())
            logits.append(lg.numpy())
        logits = np.concatenate(logits).astype(np.float64)  # (n, C)
        logits -= logits.max(axis=1, keepdims=True)  # softmax in float64, stably
        probabilities = np.exp(logits)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        return np.concatenate(features), probabilities

    def features(self, images):
        """Penultimate features: float32 (n, feature_dim) for images (n, *input_shape) in [0, 1]."""
        return self.features_and_probabilities(images)[0]

    def probabilities(self, images):
        """Class probabilities: float64 (n, num_classes) for images (n, *input_shape) in [0, 1]."""
        return self.features_and_probabilities(images)[1]

    def predict_classes(self, images):
        """Most probable class: int64 (n,) for images (n, *input_shape) in [0, 1]."""
        return self.probabilities(images).argmax(axis=1)

    def _check(self, images):
        images = np.asarray(images, dtype=np.float32)
        if images.shape[1:] != self.input_shape or len(images) == 0:
            raise ValueError(
                f"images must have shape (n, {', '.join(map(str, self.input_shape))}) with n >= 1, got {images.shape}"
            )
        if not np.all(np.isfinite(images)):
            raise ValueError("images have non-finite values")
        lo, hi = float(images.min()), float(images.max())
        if lo < -1e-3 or hi > 1.0 + 1e-3:
            raise ValueError(
                f"images must have values in [0, 1], got [{lo:.3g}, {hi:.3g}] "
                "(map tanh outputs in [-1, 1] with (x + 1) / 2)"
            )
        return images


@dataclasses.dataclass
class TrainedClassifier:
    """What ``train_classifier`` returns.

    Attributes:
        classifier: the ``DomainClassifier``.
        config: the ``ClassifierConfig`` it was trained with.
        dataset: the ``zoo.data`` name; data_dir: its directory (or None).
        seed: the seed of the run.
        test_accuracy: accuracy on the whole test split, in [0, 1]; test_loss: its cross-entropy.
        num_train, num_test: examples in the splits.
        history: per-epoch ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``.
        wall_time_s: training and test time.
    """

    classifier: DomainClassifier
    config: ClassifierConfig
    dataset: str
    data_dir: str | None
    seed: int
    test_accuracy: float
    test_loss: float
    num_train: int
    num_test: int
    history: dict
    wall_time_s: float


def train_classifier(
    dataset="mnist_sample", data_dir=None, config=None, seed=0, num_examples=None, verbose="auto", **load_args
):
    """Train the domain classifier on a labelled image dataset and measure it on the test split.

    Args:
        dataset: a ``zoo.data`` image dataset with class labels and "train" and "test" splits.
        data_dir: as for ``zoo.data.load`` ("mnist" reads its IDX files from there).
        config: a ``ClassifierConfig`` (default: the dataset's, ``classifier_config.config_for``).
        seed: seeds Python, NumPy, TensorFlow and Keras, the shuffling and the augmentation.
        num_examples: use the first ``num_examples`` of each split (None: all; for tests).
        verbose: passed to ``fit``; ``"auto"``: a progress bar on a terminal, one line per epoch
            otherwise (``zoo.options.fit_verbosity``).
        **load_args: more ``zoo.data.load`` options (``tfds_dir``, ``image_size``, ``channels``).

    Returns:
        A ``TrainedClassifier``.

    Raises:
        BadInput: an unknown or unlabelled dataset, points instead of images, missing files;
            raised before training starts.
    """
    config = config or config_for(dataset)
    start = time.perf_counter()
    try:
        info_args = {k: load_args[k] for k in ("tfds_dir", "image_size", "channels") if k in load_args}
        info = zoo_data.info(dataset, data_dir=data_dir, **info_args)
        if info.kind != "image" or len(info.shape) != 3 or None in info.shape:
            raise BadInput(
                f"dataset {dataset!r} holds {info.kind} of shape {info.shape}; the classifier needs "
                "images of one fixed size (height, width, channels)"
            )
        if info.num_classes is None or info.num_classes < 2:
            raise BadInput(
                f"dataset {dataset!r} has no class labels ({info.num_classes!r} classes); "
                "the classifier needs at least 2"
            )
        common = dict(
            batch_size=config.batch_size,
            data_dir=data_dir,
            value_range=(0.0, 1.0),
            seed=seed,
            num_examples=num_examples,
            **load_args,
        )
        train_ds = zoo_data.load(dataset, split="train", shuffle=True, **common)
        test_ds = zoo_data.load(dataset, split="test", shuffle=False, **common)
    except BadInput:
        raise
    except ValueError as err:  # zoo.data.DatasetError
        raise BadInput(str(err)) from err
    num_train = _split_size(info, "train", num_examples, train_ds)
    num_test = _split_size(info, "test", num_examples, test_ds)

    keras.utils.set_random_seed(seed)
    network = config.network(info.shape, info.num_classes)
    steps = config.epochs * math.ceil(num_train / config.batch_size)
    network.compile(
        optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(config.learning_rate, steps)),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    if config.max_shift:
        train_ds = _shift_randomly(train_ds, config.max_shift, seed)
    if config.flip:
        train_ds = _flip_randomly(train_ds, seed)
    fit = network.fit(
        train_ds, epochs=config.epochs, validation_data=test_ds, verbose=fit_verbosity(verbose), shuffle=False
    )
    test = network.evaluate(test_ds, verbose=0, return_dict=True)
    return TrainedClassifier(
        classifier=DomainClassifier(network),
        config=config,
        dataset=dataset,
        data_dir=None if data_dir is None else str(data_dir),
        seed=seed,
        test_accuracy=float(test["accuracy"]),
        test_loss=float(test["loss"]),
        num_train=num_train,
        num_test=num_test,
        history={k: [float(v) for v in values] for k, values in fit.history.items()},
        wall_time_s=time.perf_counter() - start,
    )


def save_classifier(classifier, path):
    """Write the network to a ``.keras`` file atomically, without optimizer state.

    Args:
        classifier: a ``DomainClassifier`` or its network.
        path: the ``.keras`` file.

    Returns:
        The file size in bytes.
    """
    network = classifier.network if isinstance(classifier, DomainClassifier) else classifier
    # A fresh functional model over the same layers: uncompiled, so no optimizer state is saved.
    inference = keras.Model(network.inputs[0], network.outputs[0], name=network.name)
    save_model_atomic(inference, path)
    return Path(path).stat().st_size


def load_classifier(path, batch_size=500):
    """Load a domain classifier saved by ``save_classifier`` (``safe_mode=True``: no lambdas).

    Args:
        path: the ``.keras`` file, or a directory holding ``classifier.keras``.
        batch_size: images per forward pass of the returned classifier.

    Returns:
        A ``DomainClassifier``.

    Raises:
        FileNotFoundError: no such file.
        zoo.integrity.DamagedArtifact: its sha256 differs from the card.json beside it.
        ValueError: the file cannot be loaded, or holds another kind of model.
    """
    path = Path(path)
    if path.is_dir():
        path = path / CLASSIFIER_FILE
    if not path.is_file():
        raise FileNotFoundError(
            f"no classifier file {path}; expected a .keras file written by save_classifier "
            "(python -m tools.train_classifier trains and saves one)"
        )
    verify_classifier(path)  # a file that differs from its card.json is never loaded
    try:
        network = keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as err:  # Keras raises ValueError, TypeError, zipfile errors ... on foreign files
        raise ValueError(f"cannot load {path} as a domain classifier: {str(err).strip().splitlines()[0]}") from err
    try:
        return DomainClassifier(network, batch_size=batch_size)
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from None


def classifier_card(result, command=None, file_bytes=None, reference=None, sha256=None):
    """The JSON card of a trained classifier.

    Args:
        result: a ``TrainedClassifier``.
        command: the command line that trained it.
        file_bytes: size of the ``.keras`` file.
        reference: the ``zoo.evaluation.metrics.real_data_reference`` metrics (or None).
        sha256: hex digest of the ``.keras`` file.

    Returns:
        A JSON-serializable dict.
    """
    classifier = result.classifier
    return {
        "kind": "domain_classifier",
        "dataset": result.dataset,
        "data_dir": result.data_dir,
        "command": command,
        "test_accuracy": result.test_accuracy,
        "test_loss": result.test_loss,
        "num_train": result.num_train,
        "num_test": result.num_test,
        "epochs": result.config.epochs,
        "seed": result.seed,
        "config": dataclasses.asdict(result.config),
        "input_shape": list(classifier.input_shape),
        "num_classes": classifier.num_classes,
        "feature_dim": classifier.feature_dim,
        "num_parameters": int(classifier.network.count_params()),
        "file": CLASSIFIER_FILE,
        "file_bytes": file_bytes,
        "sha256": sha256,
        "data_attribution": DATA_ATTRIBUTIONS.get(result.dataset),
        "wall_time_s": round(result.wall_time_s, 1),
        "history": result.history,
        "reference": reference,
        "versions": package_versions(("tensorflow", "keras", "numpy")),
    }


def load_card(path):
    """The card of a classifier: ``path`` is the JSON file or the directory holding ``card.json``."""
    path = Path(path)
    return read_json(path / CARD_FILE if path.is_dir() else path)


def _shift_randomly(ds, max_shift, seed):
    """Translate each image of a dataset of (x, y) batches by whole pixels in [-max_shift, max_shift].

    Pads with zeros (the MNIST background) and crops at a random offset per example; the offsets
    are stateless draws keyed by a seeded stream, new every epoch (as ``zoo.data``'s dynamic
    binarization).
    """

    def shift(x, y, s):  # x: (batch, height, width, channels)
        batch, height, width = tf.shape(x)[0], tf.shape(x)[1], tf.shape(x)[2]
        padded = tf.pad(x, [[0, 0], [max_shift, max_shift], [max_shift, max_shift], [0, 0]])
        offsets = tf.random.stateless_uniform(
            (batch, 2), tf.stack([s, tf.constant(0, tf.int64)]), minval=0, maxval=2 * max_shift + 1, dtype=tf.int32
        )  # (batch, 2)
        rows = offsets[:, :1] + tf.range(height)[None]  # (batch, height)
        cols = offsets[:, 1:] + tf.range(width)[None]  # (batch, width)
        x = tf.gather(padded, rows, axis=1, batch_dims=1)  # (batch, height, width + 2 * max_shift, channels)
        return tf.gather(x, cols, axis=2, batch_dims=1), y  # (batch, height, width, channels)

    draws = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)
    return tf.data.Dataset.zip((ds, draws)).map(lambda xy, s: shift(*xy, s), num_parallel_calls=tf.data.AUTOTUNE)


def _flip_randomly(ds, seed):
    """Mirror each image of a dataset of (x, y) batches left-right with probability 1/2, a new
    draw per example and epoch (stateless, keyed by a seeded stream, as ``_shift_randomly``)."""

    def flip(x, y, s):  # x: (batch, height, width, channels)
        coins = tf.random.stateless_uniform((tf.shape(x)[0], 1, 1, 1), tf.stack([s, tf.constant(1, tf.int64)]))
        return tf.where(coins < 0.5, tf.reverse(x, axis=[2]), x), y

    draws = tf.data.Dataset.random(seed=seed + 1, rerandomize_each_iteration=True)
    return tf.data.Dataset.zip((ds, draws)).map(lambda xy, s: flip(*xy, s), num_parallel_calls=tf.data.AUTOTUNE)


def _split_size(info, split, num_examples, ds):
    """Examples in a split: from the dataset's info, or counted (TFDS before preparation)."""
    size = info.splits.get(split)
    if size is None:
        return sum(int(tf.shape(x)[0]) for x, _ in ds)
    return size if num_examples is None else min(size, num_examples)

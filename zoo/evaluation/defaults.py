"""The defaults of evaluation, TF-free, so that the tools' ``--help`` can show them without
importing TensorFlow."""

from pathlib import Path

# The domain classifiers ship inside the package (zoo/classifiers/<domain>/classifier.keras and its
# card.json, package data), so that an installed wheel evaluates as a checkout does.
_SHIPPED = Path(__file__).resolve().parents[1] / "classifiers"
# The MNIST domain classifier (python -m tools.train_classifier on the full MNIST).
DEFAULT_CLASSIFIER = str(_SHIPPED / "mnist" / "classifier.keras")
# Where the classifiers shipped before they moved into the package, as older run configs record
# them (zoo.training.run reads these as today's paths when it resumes such a run).
LEGACY_CLASSIFIERS = {
    "saved_models/classifier-mnist/classifier.keras": "zoo/classifiers/mnist/classifier.keras",
    "saved_models/classifier-cifar10/classifier.keras": "zoo/classifiers/cifar10/classifier.keras",
}
# Each dataset name -> the shipped classifier made for its domain. A dataset without one (a user's
# image_folder, fashion_mnist until someone trains one) gets no classifier figures: a digit
# classifier says nothing about clothes.
DOMAIN_CLASSIFIERS = {"mnist": "mnist", "mnist_sample": "mnist", "cifar10": "cifar10"}


def classifier_for(dataset):
    """The shipped domain classifier's ``.keras`` file for ``dataset`` (a ``zoo.data`` name), or
    None when no classifier was made for that domain."""
    folder = DOMAIN_CLASSIFIERS.get(dataset)
    return None if folder is None else str(_SHIPPED / folder / "classifier.keras")


def recorded_classifier(path):
    """The file a run's recorded classifier path names, wherever the command runs from: records hold
    the shipped classifiers relative to the package's parent (``zoo/classifiers/...``, as
    ``zoo.provenance.portable_path`` writes them; older ones ``saved_models/classifier-*``), which
    this resolves against the installed package; any other path is returned as recorded."""
    path = LEGACY_CLASSIFIERS.get(path, path)
    if path is not None and not Path(path).is_absolute() and Path(path).parts[:2] == ("zoo", "classifiers"):
        return str(_SHIPPED.parents[1] / path)
    return path


def no_classifier_line(dataset):
    """The one line said when a dataset has no domain classifier."""
    return (
        f"no domain classifier for dataset {dataset!r}: the classifier figures are skipped (a classifier of "
        "another domain would score nothing meaningful; train one with tools.train_classifier and pass --classifier)"
    )


DEFAULT_NUM_SAMPLES = 10_000  # N: the size of the MNIST test split, the reference every metric is against
DEFAULT_IW_K = 1000  # importance samples per example: within ~1 nat of L_5000 on MNIST VAEs (Burda et al.)

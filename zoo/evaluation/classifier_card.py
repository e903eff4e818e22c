"""The domain classifier's whole run, as ``zoo.training.train`` is a generative model's: train it,
measure the real-data reference figures through it, and write ``classifier.keras`` and its
``card.json`` (size, sha256, settings, versions, figures) into one directory
(``python -m tools.train_classifier``).

Nothing is written before training and the reference figures have succeeded: bad input
(``zoo.errors.BadInput``, or ``RunError`` for an output directory that cannot receive the files)
leaves the directory as it was.
"""

import dataclasses
import logging
import math
from pathlib import Path

from zoo.errors import RunError
from zoo.evaluation import DEFAULT_NUM_SAMPLES, metrics
from zoo.evaluation.classifier import (
    CARD_FILE,
    CLASSIFIER_FILE,
    TrainedClassifier,
    classifier_card,
    save_classifier,
    train_classifier,
)
from zoo.fileio import atomic_write_json
from zoo.provenance import sha256_file

_log = logging.getLogger(__name__)


@dataclasses.dataclass
class ClassifierRun:
    """What ``train_and_save_classifier`` did.

    Attributes:
        trained: the ``TrainedClassifier`` (the classifier, its test accuracy, history, timing).
        reference: the real-data reference figures on the card, or None.
        card: the card as written.
        classifier_path, card_path: the files written.
    """

    trained: TrainedClassifier
    reference: dict | None
    card: dict
    classifier_path: Path
    card_path: Path


def check_out_dir(out, overwrite=False):
    """Raise ``RunError`` when ``out`` cannot receive a classifier (call it before training)."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise RunError(f"the output directory {out} exists and is not a directory")
    if (out / CLASSIFIER_FILE).exists() and not overwrite:
        raise RunError(f"{out} already holds a classifier; overwrite it, or choose another output directory")


def reference_figures(classifier, dataset, num_samples, *, data_dir=None, num_examples=None, seed=0):
    """The real-data reference through ``classifier``: N training images against N test images
    (``zoo.evaluation.metrics.real_data_reference``), from the first ``num_examples`` of each split."""
    train_images, _ = metrics.load_image_array(dataset, "train", data_dir=data_dir, num_examples=num_examples)
    test_count = min(num_samples, num_examples or math.inf)
    test_images, _ = metrics.load_image_array(dataset, "test", data_dir=data_dir, num_examples=test_count)
    return metrics.real_data_reference(classifier, train_images, test_images, num_samples=num_samples, seed=seed)


def describe_reference(reference):
    """One line of the reference figures."""
    return (
        f"real-data reference, N = {reference['num_samples']} training vs {reference['num_real']} test images: "
        f"classifier Fréchet distance {reference['frechet_distance']:.3f}, "
        f"classifier score {reference['classifier_score']:.3f}, "
        f"classes covered {reference['classes_covered']}/{reference['num_classes']} "
        f"(KL to uniform {reference['class_kl_to_uniform']:.4f}), "
        f"precision {reference['precision']:.3f}, recall {reference['recall']:.3f}"
    )


def train_and_save_classifier(
    dataset,
    out,
    *,
    data_dir=None,
    config=None,
    seed=0,
    num_examples=None,
    reference_samples=DEFAULT_NUM_SAMPLES,
    overwrite=False,
    command=None,
    log=_log.info,
):
    """Train the domain classifier on ``dataset`` and write ``out/classifier.keras`` and ``out/card.json``.

    Args:
        dataset, data_dir, config, seed, num_examples: as for ``zoo.evaluation.classifier.train_classifier``.
        out: the output directory (created).
        reference_samples: N of the real-data reference figures on the card (0: none).
        overwrite: replace a classifier already in ``out``.
        command: the command line, recorded on the card.
        log: where the test accuracy and the reference figures are reported, a line each.

    Returns:
        A ``ClassifierRun``.

    Raises:
        RunError: ``out`` is a file, or holds a classifier and ``overwrite`` is False.
        BadInput: an unusable dataset (before training).
    """
    out = Path(out)
    check_out_dir(out, overwrite)
    trained = train_classifier(dataset, data_dir=data_dir, config=config, seed=seed, num_examples=num_examples)
    log(f"test accuracy: {trained.test_accuracy:.4f} on {trained.num_test} test images")
    reference = None
    if reference_samples:
        reference = reference_figures(
            trained.classifier, dataset, reference_samples, data_dir=data_dir, num_examples=num_examples, seed=seed
        )
        log(describe_reference(reference))

    out.mkdir(parents=True, exist_ok=True)  # from here on the output directory is written
    classifier_path, card_path = out / CLASSIFIER_FILE, out / CARD_FILE
    size = save_classifier(trained.classifier, classifier_path)
    card = classifier_card(
        trained, command=command, file_bytes=size, reference=reference, sha256=sha256_file(classifier_path)
    )
    atomic_write_json(card_path, card)
    return ClassifierRun(trained, reference, card, classifier_path, card_path)

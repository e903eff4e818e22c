"""Train the domain classifier of the image evaluation: ``python -m tools.train_classifier [--dataset mnist_sample]``.

With no flags it trains on the embedded MNIST sample (no download) into
``runs/classifier-mnist_sample``; the classifier the evaluation ships is trained on full MNIST:

    python -m tools.train_classifier --dataset mnist --data-dir ../shared/data/mnist

The run directory receives ``classifier.keras`` and ``card.json`` (test accuracy, settings,
versions and the real-data reference figures: N training images against N test images). Bad
input ends with one message and exit code 2, before anything is written.
"""

import argparse
import math
import os
import shlex
import sys
from pathlib import Path

from zoo.cli.common import non_negative_int, positive_float, positive_int

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up chatter; errors still show


def build_parser():
    from zoo.evaluation.classifier import ClassifierConfig
    from zoo.evaluation.metrics import DEFAULT_NUM_SAMPLES

    defaults = ClassifierConfig()
    p = argparse.ArgumentParser(prog="python -m tools.train_classifier", description=__doc__.split("\n")[0])
    p.add_argument("--dataset", default="mnist_sample",
                   help="a labelled image dataset: mnist_sample (embedded), mnist / fashion_mnist (with --data-dir), "
                        "image_folder (with --data-dir), a TFDS name")
    p.add_argument("--data-dir", default=None, help="directory of the four MNIST IDX files, or of images")
    p.add_argument("--epochs", type=positive_int, default=defaults.epochs, help=f"default: {defaults.epochs}")
    p.add_argument("--batch-size", type=positive_int, default=defaults.batch_size,
                   help=f"default: {defaults.batch_size}")
    p.add_argument("--learning-rate", type=positive_float, default=defaults.learning_rate,
                   help=f"Adam's initial rate, cosine-decayed to 0 (default: {defaults.learning_rate})")
    p.add_argument("--reference-samples", type=non_negative_int, default=DEFAULT_NUM_SAMPLES,
                   help=f"N of the real-data reference figures in the card (default: {DEFAULT_NUM_SAMPLES}; 0: skip)")
    p.add_argument("--num-examples", type=positive_int, default=None,
                   help="use only the first N examples of each split (quick checks; default: all)")
    p.add_argument("--out", default=None, help="output directory (default: runs/classifier-<dataset>)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--overwrite", action="store_true", help="replace a classifier already in --out")
    return p


def check_out(out, overwrite):
    """Raise BadInput when ``out`` cannot receive the classifier."""
    from zoo.evaluation.classifier import CLASSIFIER_FILE
    from zoo.errors import BadInput

    if out.exists() and not out.is_dir():
        raise BadInput(f"--out {out} exists and is not a directory")
    if (out / CLASSIFIER_FILE).exists() and not overwrite:
        raise BadInput(f"{out} already holds a classifier; pass --overwrite to replace it, or choose another --out")


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    from export.card import sha256_file
    from zoo.evaluation import metrics
    from zoo.evaluation.classifier import CARD_FILE, CLASSIFIER_FILE, ClassifierConfig, classifier_card, save_classifier, \
        train_classifier, write_card
    from zoo.errors import BadInput

    out = Path(args.out or f"runs/classifier-{args.dataset}")
    config = ClassifierConfig(epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.learning_rate)
    command = shlex.join(["python", "-m", "tools.train_classifier", *(sys.argv[1:] if argv is None else argv)])
    try:
        check_out(out, args.overwrite)
        result = train_classifier(args.dataset, data_dir=args.data_dir, config=config, seed=args.seed,
                                  num_examples=args.num_examples)
    except BadInput as err:
        print(f"{parser.prog}: error: {err}", file=sys.stderr)
        return 2
    print(f"test accuracy: {result.test_accuracy:.4f} on {result.num_test} test images")

    reference = None
    if args.reference_samples:
        train_images, _ = metrics.load_image_array(args.dataset, "train", data_dir=args.data_dir,
                                                   num_examples=args.num_examples)
        test_count = min(args.reference_samples, args.num_examples or math.inf)
        test_images, _ = metrics.load_image_array(args.dataset, "test", data_dir=args.data_dir, num_examples=test_count)
        reference = metrics.real_data_reference(result.classifier, train_images, test_images,
                                                num_samples=args.reference_samples, seed=args.seed)
        print(f"real-data reference, N = {reference['num_samples']} training vs {reference['num_real']} test images: "
              f"classifier Fréchet distance {reference['frechet_distance']:.3f}, "
              f"classifier score {reference['classifier_score']:.3f}, "
              f"classes covered {reference['classes_covered']}/{reference['num_classes']} "
              f"(KL to uniform {reference['class_kl_to_uniform']:.4f}), "
              f"precision {reference['precision']:.3f}, recall {reference['recall']:.3f}")

    # -- From here on the output directory is written. --
    out.mkdir(parents=True, exist_ok=True)
    size = save_classifier(result.classifier, out / CLASSIFIER_FILE)
    card = classifier_card(result, command=command, file_bytes=size, reference=reference,
                           sha256=sha256_file(out / CLASSIFIER_FILE))
    write_card(out / CARD_FILE, card)
    print(f"classifier: {out / CLASSIFIER_FILE} ({size / 1e6:.2f} MB), card: {out / CARD_FILE}")
    print(f"wall time: {result.wall_time_s:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Train the domain classifier of the image evaluation: ``python -m tools.train_classifier [--dataset mnist_sample]``.

With no flags it trains on the embedded MNIST sample (no download) into
``runs/classifier-mnist_sample``; the classifier the evaluation ships is trained on full MNIST:

    python -m tools.train_classifier --dataset mnist --data-dir ../shared/data/mnist

Each domain has its classifier's settings (``zoo.evaluation.classifier_config.DOMAIN_CONFIGS``:
CIFAR-10 gets VGG pairs, crops and flips); the flags override them. The run directory receives ``classifier.keras`` and ``card.json`` (test accuracy, settings,
versions and the real-data reference figures: N training images against N test images). Bad
input ends with one message and exit code 2, before anything is written. The workflow is
``zoo.evaluation.classifier_card.train_and_save_classifier``.
"""

import argparse
import dataclasses
from pathlib import Path

from zoo.cli.common import fail, non_negative_int, positive_float, positive_int, recorded_command, start
from zoo.evaluation import DEFAULT_NUM_SAMPLES
from zoo.evaluation.classifier_config import DOMAIN_CONFIGS, ClassifierConfig, config_for

PROG = "python -m tools.train_classifier"


def _per_domain(field, defaults):
    """``cifar10 15, others 8``: a setting's value in each domain's classifier config."""
    values = [f"{name} {getattr(config, field)}" for name, config in DOMAIN_CONFIGS.items()]
    return ", ".join([*values, f"others {getattr(defaults, field)}"])


def build_parser():
    defaults = ClassifierConfig()
    # fmt: off
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    p.add_argument("--dataset", default="mnist_sample",
                   help="a labelled image dataset: mnist_sample (embedded), mnist / fashion_mnist (with --data-dir), "
                        "image_folder (with --data-dir), a TFDS name")
    p.add_argument("--data-dir", default=None, help="directory of the four MNIST IDX files, or of images")
    p.add_argument("--epochs", type=positive_int, default=None,
                   help=f"default: the domain's ({_per_domain('epochs', defaults)})")
    p.add_argument("--batch-size", type=positive_int, default=None,
                   help=f"default: the domain's ({_per_domain('batch_size', defaults)})")
    p.add_argument("--learning-rate", type=positive_float, default=None,
                   help=f"Adam's initial rate, cosine-decayed to 0 (default: the domain's: "
                        f"{_per_domain('learning_rate', defaults)})")
    p.add_argument("--reference-samples", type=non_negative_int, default=DEFAULT_NUM_SAMPLES,
                   help=f"N of the real-data reference figures in the card (default: {DEFAULT_NUM_SAMPLES}; 0: skip)")
    p.add_argument("--num-examples", type=positive_int, default=None,
                   help="use only the first N examples of each split (quick checks; default: all)")
    p.add_argument("--out", default=None, help="output directory (default: runs/classifier-<dataset>)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--overwrite", action="store_true", help="replace a classifier already in --out")
    # fmt: on
    return p


def main(argv=None):
    args = build_parser().parse_args(argv)
    start()
    from zoo.errors import BadInput, RunError
    from zoo.evaluation.classifier_card import train_and_save_classifier

    out = Path(args.out or f"runs/classifier-{args.dataset}")
    given = {"epochs": args.epochs, "batch_size": args.batch_size, "learning_rate": args.learning_rate}
    config = dataclasses.replace(config_for(args.dataset), **{k: v for k, v in given.items() if v is not None})
    try:
        run = train_and_save_classifier(
            args.dataset,
            out,
            data_dir=args.data_dir,
            config=config,
            seed=args.seed,
            num_examples=args.num_examples,
            reference_samples=args.reference_samples,
            overwrite=args.overwrite,
            command=recorded_command(PROG, argv),
            log=lambda line: print(line, flush=True),
        )
    except RunError as err:
        return fail(PROG, f"{err} (--overwrite, --out)")
    except BadInput as err:
        return fail(PROG, err)
    size = run.card["file_bytes"]
    print(f"classifier: {run.classifier_path} ({size / 1e6:.2f} MB), card: {run.card_path}")
    print(f"wall time: {run.trained.wall_time_s:.1f} s")
    return 0

"""Train a zoo model: ``python -m tools.train [--model vae] [--dataset mnist_sample] ...``.

With no flags it runs the main job: a VAE on the embedded MNIST sample, into
``runs/vae-mnist_sample``, and exports what it trained into ``<run>/export`` (SavedModel for TF
Serving, ONNX, model card; ``--no-export`` skips it). Bad input ends with one message and exit code
2, before anything is written; a divergence, or a failed export, with exit code 1. Running the same
command on an unfinished run directory resumes it.
"""

import argparse

from zoo.cli.common import fail, non_negative_int, positive_float, positive_int, recorded_command, start
from zoo.evaluation import DEFAULT_CLASSIFIER
from zoo.options import BINARIZE, PRECISIONS, STRATEGIES
from zoo.training.defaults import DEFAULT_EPOCHS

PROG = "python -m tools.train"
EXPORT_DIR = "export"  # <run>/export/<name>/1/ (SavedModel), 1.onnx, 1.json, models.config


def build_parser():
    # fmt: off
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    p.add_argument("--model", default="vae", help="registry name (default: vae)")
    p.add_argument("--dataset", default="mnist_sample",
                   help="mnist_sample (embedded), mnist / fashion_mnist (with --data-dir: IDX files), "
                        "any TFDS image dataset, image_folder (with --data-dir), ring8, grid25, swissroll")
    p.add_argument("--epochs", type=positive_int, default=DEFAULT_EPOCHS, help=f"default: {DEFAULT_EPOCHS}")
    p.add_argument("--out", default=None, help="run directory (default: runs/<model>-<dataset>)")
    p.add_argument("--data-dir", default=None, help="directory of the four MNIST IDX files, or of images")
    p.add_argument("--tfds-dir", default=None, help="TFDS prepared-data directory")
    p.add_argument("--batch-size", type=positive_int, default=128)
    p.add_argument("--latent-dim", type=positive_int, default=None, help="default: the model's")
    p.add_argument("--width", type=positive_int, default=None, help="size of the default networks")
    p.add_argument("--learning-rate", type=positive_float, default=None, help="default: the model's")
    p.add_argument("--steps-per-epoch", type=positive_int, default=None, help="default: one pass over the data")
    p.add_argument("--binarize", choices=BINARIZE, default=None)
    p.add_argument("--drop-remainder", action="store_true",
                   help="drop the last, smaller training batch of each epoch")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--samples", type=positive_int, default=64, help="samples in each epoch's grid")
    p.add_argument("--no-validation", action="store_true", help="skip evaluation on the test split")
    p.add_argument("--no-jit", action="store_true",
                   help="do not compile the steps with XLA (XLA is on by default, CPU included)")
    p.add_argument("--steps-per-execution", type=positive_int, default=1,
                   help="train_step calls per compiled execution (default: 1)")
    p.add_argument("--precision", choices=["auto", *PRECISIONS], default="auto",
                   help="auto (default: mixed_float16 with a GPU, float32 without), float32, mixed_float16 "
                        "(each player's loss scaled by its own LossScaleOptimizer) or mixed_bfloat16; "
                        "exports are float32 either way")
    p.add_argument("--strategy", choices=STRATEGIES, default="default",
                   help="tf.distribute strategy: default (one device), mirrored (every GPU of this machine), "
                        "multiworker (the machines in TF_CONFIG; run the same command on each)")
    p.add_argument("--deterministic", action="store_true",
                   help="TensorFlow op determinism: with the same --seed, the same weights (turns XLA off)")
    p.add_argument("--eval-every", type=non_negative_int, default=10,
                   help="score samples with the domain classifier every N epochs and after the last "
                        "(0: off; images of the classifier's shape only; default: 10)")
    p.add_argument("--classifier", default=DEFAULT_CLASSIFIER,
                   help="domain classifier .keras file (default: the shipped MNIST classifier)")
    p.add_argument("--max-retries", type=non_negative_int, default=3,
                   help="how often a divergence (NaN or inf loss) is undone by going back to the last good "
                        "checkpoint before the run stops (default: 3)")
    p.add_argument("--no-export", action="store_true",
                   help="do not export the trained model (SavedModel, ONNX, card) into <run>/export")
    p.add_argument("--overwrite", action="store_true", help="replace an existing run directory")
    # fmt: on
    return p


def spec_from_args(args):
    """The ``RunSpec`` of parsed arguments: every flag named as a field is that field; ``--out``
    defaults to ``runs/<model>-<dataset>``, and ``--no-jit`` / ``--no-validation`` turn fields off."""
    import dataclasses

    from zoo.training.run import RunSpec

    fields = {f.name for f in dataclasses.fields(RunSpec)}
    values = {k: v for k, v in vars(args).items() if k in fields}
    values.update(
        out=args.out or f"runs/{args.model}-{args.dataset}",
        jit_compile=not args.no_jit,
        validate=not args.no_validation,
    )
    return RunSpec(**values)


def elbo_of(result, model_name):
    """The test-set ELBO, when the model bounds log p(x) and its loss is -ELBO (beta = 1); else None."""
    import zoo
    from zoo.runs import read_config_and_history

    loss = result.test_metrics.get("loss")
    if loss is None or not getattr(zoo.get_model_class(model_name), "has_likelihood", False):
        return None
    config, _ = read_config_and_history(result.run_dir)
    return -loss if config["model"]["config"].get("beta", 1.0) == 1.0 else None


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    start()
    from zoo.errors import BadInput, DivergedError, RunError
    from zoo.training.run import train

    spec = spec_from_args(args)
    try:
        result = train(spec, overwrite=args.overwrite, command=recorded_command("tools.train", argv))
    except RunError as err:
        return fail(PROG, f"{err} (--overwrite, --out)")
    except BadInput as err:
        return fail(PROG, err)
    except DivergedError as err:
        return fail(PROG, f"{err} (--learning-rate, --overwrite)", code=1)
    if not result.chief:
        print(f"worker done: the chief writes the run directory {spec.out}")
        return 0
    print(f"run directory: {result.run_dir}")
    for key, value in result.test_metrics.items():
        print(f"test {key}: {value:.4f}")
    elbo = elbo_of(result, args.model)
    if elbo is not None:
        print(f"test-set ELBO: {elbo:.2f} nats per example (ELBO = -loss with beta = 1)")
    print(f"wall time: {result.wall_time_s:.1f} s")
    if not args.no_export:
        from export.errors import ExportError
        from zoo.cli.export import export_and_print

        try:
            export_and_print(result.run_dir, result.run_dir / EXPORT_DIR)
        except ExportError as err:
            return fail(PROG, f"the run finished but its export failed: {err}", code=1)
    return 0

"""Train a zoo model: ``python -m tools.train [--model vae] [--dataset mnist_sample] ...``.

With no flags it runs the main job: a VAE on the embedded MNIST sample, into
``runs/vae-mnist_sample``, and exports what it trained into ``<run>/export`` (SavedModel for TF
Serving, ONNX, model card; ``--no-export`` skips it). Bad input ends with one message and exit code
2, before anything is written; a divergence, or a failed export, with exit code 1. Running the same
command on an unfinished run directory resumes it.
"""

import argparse

from zoo.cli.common import fail, non_negative_int, positive_float, positive_int, recorded_command, start
from zoo.evaluation.defaults import classifier_for, recorded_classifier
from zoo.options import BINARIZE, LR_SCHEDULES, PRECISIONS, STRATEGIES
from zoo.recipes import DEFAULT_NAME, NAMES
from zoo.training.defaults import DEFAULT_BATCH_SIZE, DEFAULT_EPOCHS, DEFAULT_EVAL_EVERY

PROG = "python -m tools.train"
EXPORT_DIR = "export"  # <run>/export/<name>/1/ (SavedModel), 1.onnx, 1.json, models.config


def build_parser():
    # fmt: off
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    p.add_argument("--model", default="vae", help="registry name (default: vae)")
    p.add_argument("--dataset", default="mnist_sample",
                   help="mnist_sample (embedded), mnist / fashion_mnist (with --data-dir: IDX files), "
                        "any TFDS image dataset, image_folder (with --data-dir), ring8, grid25, swissroll")
    p.add_argument("--recipe", choices=NAMES, default=DEFAULT_NAME,
                   help="the settings for the model and data family (zoo.recipes; docs/recipes.md): zoo "
                        "(default; for full 28x28 grey datasets and 2-D points), paper (the original paper's), "
                        "none (the model's built-in defaults); every flag below overrides the recipe")
    p.add_argument("--epochs", type=positive_int, default=None,
                   help=f"default: the recipe's, else {DEFAULT_EPOCHS}")
    p.add_argument("--out", default=None, help="run directory (default: runs/<model>-<dataset>)")
    p.add_argument("--data-dir", default=None, help="directory of the four MNIST IDX files, or of images")
    p.add_argument("--tfds-dir", default=None, help="TFDS prepared-data directory")
    p.add_argument("--batch-size", type=positive_int, default=None,
                   help=f"default: the recipe's, else {DEFAULT_BATCH_SIZE}")
    p.add_argument("--latent-dim", type=positive_int, default=None, help="default: the model's")
    p.add_argument("--width", type=positive_int, default=None, help="size of the default networks")
    p.add_argument("--learning-rate", type=positive_float, default=None,
                   help="every player's rate (default: the recipe's, else the model's)")
    p.add_argument("--lr-schedule", choices=LR_SCHEDULES, default=None,
                   help="constant, or linear decay of every rate to 1%% of it over the run (default: the recipe's, "
                        "else constant)")
    p.add_argument("--set", dest="config", action="append", default=None, metavar="[MODEL.]FIELD=VALUE",
                   help="a model config field (e.g. ema_decay=0.999, n_critic=2, gp_weight=10) or a run setting "
                        "(batch_size, learning_rate, lr_schedule, epochs, ...); repeatable; replaces the recipe's "
                        "item of that field")
    p.add_argument("--opt", dest="optimizer", action="append", default=None, metavar="[OPTIMIZER.]FIELD=VALUE",
                   help="an optimizer setting for one player or all (e.g. d_optimizer.learning_rate=4e-4, "
                        "beta_1=0.5); repeatable; replaces the recipe's item of that key")
    p.add_argument("--steps-per-epoch", type=positive_int, default=None, help="default: one pass over the data")
    p.add_argument("--binarize", choices=BINARIZE, default=None)
    p.add_argument("--drop-remainder", action="store_true",
                   help="drop the last, smaller training batch of each epoch")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--samples", type=positive_int, default=64, help="samples in each epoch's grid")
    p.add_argument("--no-validation", action="store_true", help="skip evaluation on the test split")
    p.add_argument("--jit", action=argparse.BooleanOptionalAction, default=None,
                   help="compile the steps with XLA, CPU included (default: the recipe's, else on; --no-jit: off)")
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
    p.add_argument("--eval-every", type=non_negative_int, default=None,
                   help="score samples with the domain classifier every N epochs and after the last "
                        f"(0: off; images of the classifier's shape only; default: the recipe's, else {DEFAULT_EVAL_EVERY})")
    p.add_argument("--classifier", default=None,
                   help="domain classifier .keras file (default: the one shipped for the dataset's domain, the MNIST "
                        "classifier for mnist and mnist_sample; none for other datasets: no classifier figures)")
    p.add_argument("--max-retries", type=non_negative_int, default=3,
                   help="how often a divergence (NaN or inf loss) is undone by going back to the last good "
                        "checkpoint before the run stops (default: 3)")
    p.add_argument("--no-export", action="store_true",
                   help="do not export the trained model (SavedModel, ONNX, card) into <run>/export")
    p.add_argument("--overwrite", action="store_true", help="replace an existing run directory")
    p.add_argument("--config", dest="config_file", default=None, metavar="FILE",
                   help="rerun a run from its config.json: its settings replace the recipe's, and every flag and "
                        "--set / --opt item given here replaces the file's (recipe < --config < flags)")
    # fmt: on
    return p


# config.json's "run" settings -> the flags that give them (booleans: the flag that sets them).
_FILE_FLAGS = {
    "model": "--model",
    "dataset": "--dataset",
    "epochs": "--epochs",
    "batch_size": "--batch-size",
    "seed": "--seed",
    "latent_dim": "--latent-dim",
    "width": "--width",
    "learning_rate": "--learning-rate",
    "lr_schedule": "--lr-schedule",
    "steps_per_epoch": "--steps-per-epoch",
    "data_dir": "--data-dir",
    "tfds_dir": "--tfds-dir",
    "binarize": "--binarize",
    "precision": "--precision",
    "samples": "--samples",
    "eval_every": "--eval-every",
    "classifier": "--classifier",
    "recipe": "--recipe",
}
_FILE_SWITCHES = {  # setting -> (flag when true, flag when false)
    "drop_remainder": ("--drop-remainder", None),
    "deterministic": ("--deterministic", None),
    "validate": (None, "--no-validation"),
    "jit_compile": ("--jit", "--no-jit"),
}
_FILE_ITEMS = {"config": "--set", "optimizer": "--opt"}


def config_file_flags(path):
    """The flags that rerun the run whose ``config.json`` is at ``path`` (its ``"run"`` settings),
    to be parsed before the command line's own (so that those replace them).

    Raises:
        ValueError: the file cannot be read, is not a run's config.json, or names an unknown
            setting (the message lists the known ones).
    """
    import json
    from pathlib import Path

    try:
        config = json.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"cannot read {path} as JSON ({err})") from None
    run = config.get("run") if isinstance(config, dict) else None
    if not isinstance(run, dict) or "model" not in run:
        raise ValueError(
            f'{path} is not a run\'s config.json: expected an object with a "run" object as tools.train writes it'
        )
    known = {*_FILE_FLAGS, *_FILE_SWITCHES, *_FILE_ITEMS}
    unknown = sorted(set(run) - known)
    if unknown:
        raise ValueError(f"{path}: unknown run setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    flags = []
    for key, value in run.items():
        if key in _FILE_ITEMS:
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise ValueError(f'{path}: {key} must be a list of "field=value" strings, got {value!r}')
            flags += [arg for item in value for arg in (_FILE_ITEMS[key], item)]
        elif key in _FILE_SWITCHES:
            if not isinstance(value, bool):
                raise ValueError(f"{path}: {key} must be true or false, got {value!r}")
            flag = _FILE_SWITCHES[key][0 if value else 1]
            flags += [flag] if flag else []
        elif key == "recipe":
            flags += ["--recipe", "none" if value is None else str(value)]
        elif key == "classifier" and value is not None:  # a shipped one: from the installed package
            flags += ["--classifier", recorded_classifier(str(value))]
        elif value is not None:
            flags += [_FILE_FLAGS[key], str(value)]
    return flags


# --set FIELD=VALUE for a run setting (not a model config field) -> the flag that sets it.
RUN_SETTINGS = {
    "epochs": "--epochs",
    "batch_size": "--batch-size",
    "learning_rate": "--learning-rate",
    "lr_schedule": "--lr-schedule",
    "binarize": "--binarize",
    "eval_every": "--eval-every",
    "steps_per_epoch": "--steps-per-epoch",
    "seed": "--seed",
    "samples": "--samples",
    "precision": "--precision",
    "jit_compile": None,  # true / false: --jit / --no-jit
}


def apply_set_items(parser, args):
    """Sort the ``--set [MODEL.]FIELD=VALUE`` items: a run setting (``RUN_SETTINGS``: batch size,
    rates, schedule, epochs ...) is applied as its flag would be, typed and checked by it; a field
    of the model's config stays a config item (without its ``MODEL.`` prefix). Exits 2 through the
    parser for an item of another model, or a field that is neither (naming the known ones)."""
    import dataclasses

    from zoo.models import get_model_class
    from zoo.options import split_setting

    try:
        fields = [f.name for f in dataclasses.fields(get_model_class(args.model).config_class)]
    except ValueError:
        return  # an unknown model: the run reports it, naming the known models
    kept = []
    for item in args.config or ():
        parts = split_setting(item)
        if parts is None:
            kept.append(item)  # the run's own check words the "expected FIELD=VALUE" error
            continue
        _, target, field, value = parts
        if target and target != args.model:
            parser.error(f"--set {item}: {target!r} is not the model being trained ({args.model!r})")
        if field in RUN_SETTINGS:
            if field == "jit_compile":
                if not isinstance(value, bool):
                    parser.error(f"--set {item}: jit_compile must be true or false")
                args.jit = value
                continue
            probe = build_parser()
            probe.exit_on_error = False
            try:
                probe.parse_args([RUN_SETTINGS[field], str(value)], namespace=args)
            except argparse.ArgumentError as err:
                parser.error(f"--set {item}: {err}")
            continue
        if field not in fields:
            parser.error(
                f"--set {item}: {args.model} has no field {field!r}; its config fields: {', '.join(fields)}; "
                f"run settings: {', '.join(RUN_SETTINGS)}"
            )
        kept.append(item.split(".", 1)[1] if target else item)
    args.config = kept or None


def expand_config_file(parser, argv):
    """``argv`` with the flags of its ``--config FILE`` (if any) put first; exits 2 through the
    parser with the reason when the file is bad."""
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--config", dest="config_file", default=None)
    known, _ = pre.parse_known_args(argv)
    if known.config_file is None:
        return argv
    try:
        flags = config_file_flags(known.config_file)
    except ValueError as err:
        parser.error(f"--config: {err}")
    probe = build_parser()
    probe.exit_on_error = False
    try:
        probe.parse_args(flags)
    except argparse.ArgumentError as err:
        parser.error(f"--config {known.config_file}: {err}")
    return [*flags, *argv]


# Flags whose default is the recipe's value (None on the command line: not given).
RECIPE_FLAGS = (
    "epochs",
    "batch_size",
    "latent_dim",
    "width",
    "learning_rate",
    "lr_schedule",
    "binarize",
    "eval_every",
)


def spec_from_args(args, family=None):
    """The ``RunSpec`` of parsed arguments: the built-in defaults, then the recipe for the model
    and ``family`` (``zoo.recipes``), then every flag given; ``--out`` defaults to
    ``runs/<model>-<dataset>``, ``--jit`` / ``--no-jit`` set ``jit_compile`` (else the recipe's,
    else on) and ``--no-validation`` turns validation off.

    Raises:
        ValueError: a recipe asked for by name that does not exist for the model and family.
    """
    import dataclasses

    from zoo import recipes
    from zoo.training.run import RunSpec

    recipe = recipes.find(args.model, family, args.recipe)
    defaults = {
        "epochs": DEFAULT_EPOCHS,
        "batch_size": DEFAULT_BATCH_SIZE,
        "eval_every": DEFAULT_EVAL_EVERY,
        "lr_schedule": "constant",
        "jit_compile": True,
        "config": (),
        "optimizer": (),
    }
    given = {k: getattr(args, k) for k in RECIPE_FLAGS}
    given["jit_compile"] = args.jit
    given.update(config=tuple(args.config or ()), optimizer=tuple(args.optimizer or ()))
    settings = recipes.merge(defaults, recipe, given)
    settings.pop("steps", None)  # a points recipe's length for tools.toy2d
    fields = {f.name for f in dataclasses.fields(RunSpec)}
    values = {k: v for k, v in vars(args).items() if k in fields and k not in settings}
    values.update(
        settings,
        classifier=args.classifier or classifier_for(args.dataset),
        recipe=recipe.name if recipe else None,
        out=args.out or f"runs/{args.model}-{args.dataset}",
        validate=not args.no_validation,
    )
    return RunSpec(**values)


def data_family(args):
    """The recipe family of ``--dataset`` (``zoo.recipes.family_of``), None when it has none or
    cannot be read (the run then reports the data's problem itself)."""
    from zoo import data
    from zoo.recipes import family_of

    try:
        info = data.info(args.dataset, data_dir=args.data_dir, tfds_dir=args.tfds_dir)
    except (data.DatasetError, ValueError, OSError):
        return None
    return family_of(info.kind, info.shape, info.source)


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
    import sys

    parser = build_parser()
    given = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(expand_config_file(parser, given))
    start()
    from zoo.errors import BadInput, DivergedError, RunError
    from zoo.training.run import train

    apply_set_items(parser, args)
    try:
        spec = spec_from_args(args, data_family(args))
    except ValueError as err:
        return fail(PROG, f"--recipe: {err}")
    try:
        result = train(spec, overwrite=args.overwrite, command=recorded_command(PROG, argv))
    except RunError as err:
        return fail(PROG, f"{err} (--overwrite, --out)")
    except BadInput as err:
        return fail(PROG, err)
    except DivergedError as err:
        return fail(PROG, f"{err} (--learning-rate, --overwrite)", code=1)
    except OSError as err:  # a full disk (ENOSPC), a quota, a vanished mount... while the run was written
        return fail(PROG, f"training stopped: {stopped_line(err, spec.out)}", code=1)
    if not result.chief:
        print(f"worker done: the chief writes the run directory {spec.out}")
        return 0
    print(f"run directory: {result.run_dir} (recipe: {spec.recipe or 'none, the built-in defaults'})")
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
        except (ExportError, OSError) as err:
            return fail(PROG, f"the run finished but its export failed: {err}", code=1)
    return 0


def stopped_line(err, out):
    """What a run stopped by a failed write says: the error, that the files are whole, how to resume."""
    return (
        f"{err}. Every file of {out} is the old one or absent, never a torn one; the run keeps its last complete "
        "epoch: free the space and rerun the same command to resume"
    )

"""The 2-D mode-collapse benchmark: ``python -m tools.toy2d [--models gan,wgan,wgan_gp] ...``.

Trains every requested model on every requested toy mixture (``ring8``, ``grid25``) for every
seed 0..n-1, draws 2,500 samples and scores them with ``zoo.evaluation.metrics.mode_coverage``
(PacGAN's protocol: captured modes, % high-quality samples, reverse KL). Layout of ``--out DIR``::

    <model>-<dataset>-seed<k>.json           one finished run: its settings, scores and timings
    samples/<model>-<dataset>-seed<k>.png    its 2,500 samples over the true modes (red crosses)
    results.md                               mean +- standard error over seeds, beside published rows
    results.json                             the same aggregate, as data

A run's JSON is written last, atomically, so its presence marks the run as done: an interrupted
benchmark resumes by skipping the runs that have one (``--overwrite`` recomputes them). The
aggregate is rebuilt from every result file under ``DIR`` each time, even when every run was
skipped. ``--keep-models KEEP`` also keeps each trained model as a finished run directory
``KEEP/<model>-<dataset>-seed<k>/`` that ``tools.evaluate --run`` and ``tools.export --run`` take
(the shipped 2-D generators come from there). Bad input ends with one message and exit code 2 before anything is written. The protocol
is ``zoo.evaluation.toy2d``.
"""

import argparse
from pathlib import Path

from zoo.cli.common import fail, positive_float, positive_int, recorded_command, start
from zoo.evaluation.toy2d import DATASETS, DEFAULTS, QUICK
from zoo.options import LR_SCHEDULES
from zoo.recipes import NAMES

PROG = "python -m tools.toy2d"


def build_parser():
    # fmt: off
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    p.add_argument("--models", default=None,
                   help="comma-separated registry names (default: every registered model)")
    p.add_argument("--datasets", default=",".join(DATASETS), help=f"comma-separated, of {', '.join(DATASETS)}")
    p.add_argument("--recipe", choices=NAMES, default=None,
                   help="each model's settings for 2-D points (zoo.recipes; docs/recipes.md): zoo (default), "
                        "paper (the original paper's), none (the defaults below; the default with --quick); "
                        "every flag below overrides the recipe")
    p.add_argument("--seeds", type=positive_int, default=None,
                   help=f"number of seeds, 0..n-1 (default: {DEFAULTS['seeds']}; --quick: {QUICK['seeds']})")
    p.add_argument("--steps", type=positive_int, default=None,
                   help=f"generator steps per run (default: {DEFAULTS['steps']}; --quick: {QUICK['steps']})")
    p.add_argument("--batch-size", type=positive_int, default=None,
                   help=f"default: {DEFAULTS['batch_size']}; --quick: {QUICK['batch_size']}")
    p.add_argument("--width", type=positive_int, default=None,
                   help=f"network size: MLPs with three hidden layers of 16*width units (default: the model's; "
                        f"--quick: {QUICK['width']})")
    p.add_argument("--latent-dim", type=positive_int, default=None, help="default: the model's")
    p.add_argument("--learning-rate", type=positive_float, default=None, help="default: the model's")
    p.add_argument("--lr-schedule", choices=LR_SCHEDULES, default=None,
                   help="constant, or linear decay of every player's rate to 1%% of it over the run "
                        "(default: the recipe's, else constant)")
    p.add_argument("--opt", dest="optimizer", action="append", default=[], metavar="[OPTIMIZER.]FIELD=VALUE",
                   help="an optimizer setting for one player or all (e.g. d_optimizer.beta_1=0.5); repeatable")
    p.add_argument("--set", action="append", default=[], metavar="[MODEL.]FIELD=VALUE",
                   help="a config override, for every model or for one (e.g. wgan_gp.gp_weight=0.1); repeatable")
    p.add_argument("--no-jit", action="store_true", help="do not compile the train step with XLA")
    p.add_argument("--out", default=None,
                   help=f"output directory (default: {DEFAULTS['out']}; --quick: {QUICK['out']})")
    p.add_argument("--quick", action="store_true",
                   help="a smoke test: defaults of " + ", ".join(f"{k} {v}" for k, v in QUICK.items()))
    p.add_argument("--keep-models", default=None, metavar="DIR",
                   help="also keep every trained model as a run directory DIR/<model>-<dataset>-seed<k> "
                        "(for tools.evaluate --run and tools.export --run)")
    p.add_argument("--overwrite", action="store_true", help="recompute runs whose result file exists")
    # fmt: on
    return p


def plan(args):
    """Check every argument and the output directory; returns ({model: Settings}, [Run], out).
    Writes nothing.

    Raises:
        zoo.errors.BadInput (RunError for the output directory).
    """
    import zoo
    from zoo import recipes
    from zoo.errors import BadInput
    from zoo.evaluation import toy2d

    defaults = QUICK if args.quick else DEFAULTS
    recipe_name = args.recipe or ("none" if args.quick else recipes.DEFAULT_NAME)
    models = zoo.list_models() if args.models is None else _names(args.models, "--models")
    unknown = [m for m in models if m not in zoo.list_models()]
    if unknown:
        raise BadInput(f"--models: unknown model {unknown[0]!r}; known: {', '.join(zoo.list_models())}")
    try:
        config = toy2d.config_items(args.set, models)
    except BadInput as err:
        raise BadInput(f"--set: {err}") from None
    given = {
        "steps": args.steps,
        "batch_size": args.batch_size,
        "width": args.width,
        "latent_dim": args.latent_dim,
        "learning_rate": args.learning_rate,
        "lr_schedule": args.lr_schedule,
    }
    by_model = {}
    for model in models:
        try:
            recipe = recipes.find(model, "points", recipe_name)
        except ValueError as err:
            raise BadInput(f"--recipe: {err}") from None
        base = {k: defaults[k] for k in ("steps", "batch_size", "width")}
        base.update(latent_dim=None, learning_rate=None, lr_schedule="constant", config=(), optimizer=())
        own = [item for item in config if item.split("=", 1)[0].rpartition(".")[0] in ("", model)]
        settings = recipes.merge(base, recipe, {**given, "config": _bare(own), "optimizer": tuple(args.optimizer)})
        try:
            optimizer = tuple(_check_optimizer(model, settings["optimizer"]))
        except ValueError as err:
            raise BadInput(f"--opt: {err}") from None
        by_model[model] = toy2d.Settings(
            steps=settings["steps"],
            batch_size=settings["batch_size"],
            width=settings["width"],
            latent_dim=settings["latent_dim"],
            learning_rate=settings["learning_rate"],
            config=tuple(sorted(settings["config"])),
            lr_schedule=settings["lr_schedule"],
            optimizer=optimizer,
            recipe=recipe.name if recipe else None,
        )
    out = Path(args.out or defaults["out"])
    if args.keep_models is not None and Path(args.keep_models).exists() and not Path(args.keep_models).is_dir():
        raise BadInput(f"--keep-models {args.keep_models}: not a directory; expected a directory for the kept runs")
    seeds = args.seeds or defaults["seeds"]
    runs = toy2d.plan(models, _names(args.datasets, "--datasets"), seeds, by_model, out, args.overwrite)
    return by_model, runs, out


def _bare(items):
    """Config items without their ``model.`` prefix (each model's own, as a recipe writes them)."""
    return tuple(f"{key.rpartition('.')[2]}={value}" for key, value in (item.split("=", 1) for item in items))


def _check_optimizer(model, items):
    import zoo
    from zoo.optimizers import check_optimizer_items

    return check_optimizer_items(items, zoo.get_model_class(model).optimizer_names)


def _names(text, flag):
    from zoo.errors import BadInput

    names = list(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))  # unique, in order
    if not names:
        raise BadInput(f"{flag} {text!r}: expected at least one comma-separated name")
    return names


# --set FIELD=VALUE for a run setting (not a model config field) -> the flag that sets it, as in
# tools.train (width and latent_dim are model fields and stay config items).
RUN_SETTINGS = {
    "steps": "--steps",
    "batch_size": "--batch-size",
    "learning_rate": "--learning-rate",
    "lr_schedule": "--lr-schedule",
}


def apply_run_settings(parser, args):
    """Apply the ``--set`` items that name a run setting (``RUN_SETTINGS``) as their flags would,
    typed and checked by them (exit 2 through the parser); the other items stay config items."""
    import argparse

    from zoo.options import split_setting

    kept = []
    for item in args.set or ():
        parts = split_setting(item)
        if parts is None or parts[2] not in RUN_SETTINGS:
            kept.append(item)
            continue
        if parts[1]:
            parser.error(f"--set {item}: {parts[2]} is a run setting of every model; set it without a MODEL. prefix")
        probe = build_parser()
        probe.exit_on_error = False
        try:
            probe.parse_args([RUN_SETTINGS[parts[2]], str(parts[3])], namespace=args)
        except argparse.ArgumentError as err:
            parser.error(f"--set {item}: {err}")
    args.set = kept


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    apply_run_settings(parser, args)
    start()
    from zoo.errors import BadInput, RunError
    from zoo.evaluation import toy2d

    try:
        settings, runs, out = plan(args)
    except RunError as err:
        return fail(PROG, f"{err} (--overwrite, --out)")
    except BadInput as err:
        return fail(PROG, err)
    done = 0
    for i, run in enumerate(runs, 1):
        path = toy2d.result_path(out, run)
        if path.exists() and not args.overwrite:
            print(f"[{i}/{len(runs)}] {run.name}: skipped, {path} exists", flush=True)
            continue
        print(f"[{i}/{len(runs)}] {run.name}: training {settings[run.model].steps} steps", flush=True)
        result = toy2d.run_one(
            run,
            settings[run.model],
            out,
            jit_compile=not args.no_jit,
            log=lambda line: print(line, flush=True),
            keep=args.keep_models,
            command=recorded_command(PROG, argv),
        )
        done += 1
        c = result["coverage"]
        print(
            f"[{i}/{len(runs)}] {run.name}: {c['modes']}/{c['num_modes']} modes, "
            f"{100 * c['high_quality']:.1f}% high quality, reverse KL {toy2d.fmt(c['reverse_kl'], 3)}, "
            f"{result['wall_time_s']:.1f} s ({result['train_time_s']:.1f} s training)",
            flush=True,
        )
    markdown = toy2d.write_aggregate(out)
    print(f"\n{done} run(s) trained, {len(runs) - done} skipped; aggregate of all results in {out}:\n")
    print(markdown)
    return 0

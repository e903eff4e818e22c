"""The 2-D mode-collapse benchmark (``python -m tools.toy2d``): train a model on a toy Gaussian
mixture (``ring8``, ``grid25``) for a seed, draw 2,500 samples and score them with
``zoo.evaluation.metrics.mode_coverage`` (PacGAN's protocol: captured modes, % high-quality samples,
reverse KL); then the mean and standard error over seeds, beside the published figures.

Layout of an output directory ``out``::

    <model>-<dataset>-seed<k>.json           one finished run: its settings, scores and timings
    samples/<model>-<dataset>-seed<k>.png    its 2,500 samples over the true modes (red crosses)
    results.md                               mean +- standard error over seeds, beside published rows
    results.json                             the same aggregate, as data

A run's JSON is written last, atomically, so its presence marks the run as done: ``plan`` skips
nothing itself, but refuses to mix settings, and a caller resumes by skipping the runs whose result
file exists. This module imports no TensorFlow at the top (the command line shows its defaults).
"""

import dataclasses
import json
import logging
import math
import time
from pathlib import Path

from zoo.errors import BadInput, RunError

_log = logging.getLogger(__name__)

DATASETS = ("ring8", "grid25")  # the toy Gaussian mixtures with known modes (zoo.data.toy_modes)
NUM_SAMPLES = 2_500  # PacGAN and VEEGAN score 2,500 samples per run
TRAIN_EXAMPLES = 100_000  # points drawn once per seed and reshuffled every pass
PROGRESS_LINES = 10  # training is split into up to this many Keras epochs, one log line each
DEFAULTS = {"steps": 3000, "seeds": 10, "batch_size": 256, "width": None, "out": "runs/toy2d"}
QUICK = {"steps": 100, "seeds": 1, "batch_size": 64, "width": 2, "out": "runs/toy2d_quick"}

# Published figures, as reported: (model, source, figures on ring8, figures on grid25), the figures
# being (modes, % high quality, reverse KL); each paper's Table 1 has both datasets side by side.
_PUBLISHED_TABLES = (
    ("GAN", "PacGAN, Table 1", ("6.3", "98.2", "0.45"), ("17.3", "94.8", "0.70")),
    ("ALI", "PacGAN, Table 1", ("6.6", "97.6", "0.36"), ("24.1", "95.7", "0.14")),
    ("PacGAN4", "PacGAN, Table 1", ("7.8", "95.9", "0.07"), ("24.8", "93.6", "0.04")),
    ("GAN", "VEEGAN, Table 1", ("1", "99.3", None), ("3.3", "0.5", None)),
    ("VEEGAN", "VEEGAN, Table 1", ("8", "52.9", None), ("24.6", "40", None)),
    ("WGAN-GP", "GDPP, Table 1", ("6.8", "59.6", None), ("24.2", "28.7", None)),
)
# One row per dataset and paper row: (dataset, model, source, modes, % high quality, reverse KL).
PUBLISHED = tuple(
    (dataset, model, source, *by_dataset[i])
    for i, dataset in enumerate(DATASETS)
    for model, source, *by_dataset in _PUBLISHED_TABLES
)


@dataclasses.dataclass(frozen=True)
class Settings:
    """What a result depends on besides model, dataset and seed (None: the model's default).

    A result file written under other settings is not skipped silently: ``plan`` refuses to mix
    them unless ``overwrite`` is given.
    """

    steps: int
    batch_size: int
    width: int | None
    latent_dim: int | None
    learning_rate: float | None
    config: tuple = ()  # config overrides, ("[model.]field=value", ...), sorted (``config_items``)
    lr_schedule: str = "constant"  # or "linear": decay to 1% of the rate over the run
    optimizer: tuple = ()  # optimizer items, ("[optimizer.]field=value", ...), sorted (zoo.optimizers)
    recipe: str | None = None  # the zoo.recipes name these settings came from (for the record)
    train_examples: int = TRAIN_EXAMPLES
    num_samples: int = NUM_SAMPLES

    def as_json(self):
        """The settings as stored in a result file (tuples become lists)."""
        return json.loads(json.dumps(dataclasses.asdict(self)))

    def overrides(self, model):
        """Config overrides for ``model``: width, latent size, then the config items that apply to it."""
        found = {k: v for k, v in (("width", self.width), ("latent_dim", self.latent_dim)) if v is not None}
        for item in self.config:
            key, value = item.split("=", 1)
            target, _, field = key.rpartition(".")
            if target in ("", model):
                found[field] = json.loads(value)
        return found


@dataclasses.dataclass(frozen=True)
class Run:
    model: str
    dataset: str
    seed: int

    @property
    def name(self):
        return f"{self.model}-{self.dataset}-seed{self.seed}"


# -- planning -------------------------------------------------------------------------------


def config_items(items, models):
    """Check config overrides ("[model.]field=value", the value in JSON or a bare string) and return
    them normalized (the value as JSON), for ``Settings.config``.

    Raises:
        BadInput: an item without ``=`` or a field, or for a model that is not among ``models``.
    """
    from zoo.options import split_setting

    checked = []
    for item in items:
        parts = split_setting(item)
        if parts is None:
            raise BadInput(f"config override {item!r}: expected [MODEL.]FIELD=VALUE, e.g. wgan_gp.gp_weight=0.1")
        key, target, _, value = parts
        if target and target not in models:
            raise BadInput(f"config override {item!r}: model {target!r} is not among the models ({', '.join(models)})")
        checked.append(f"{key}={json.dumps(value)}")
    return checked


def plan(models, datasets, seeds, settings, out, overwrite=False):
    """Check the benchmark before anything is written; returns the runs, model by dataset by seed.

    ``settings`` is one ``Settings`` for every model, or ``{model: Settings}`` (each model's recipe).

    Raises:
        BadInput: an unknown model or dataset, or settings a model's config refuses.
        RunError: ``out`` is a file, or holds results of the same runs under other settings
            (without ``overwrite``); a result file that cannot be read (``BadInput``).
    """
    import zoo

    by_model = settings if isinstance(settings, dict) else dict.fromkeys(models, settings)
    for name in models:
        try:
            zoo.get_model_class(name).make_config(**by_model[name].overrides(name))
        except (ValueError, TypeError) as err:
            raise BadInput(str(err)) from None
    for name in datasets:
        if name not in DATASETS:
            raise BadInput(f"unknown dataset {name!r}; expected a toy Gaussian mixture: {', '.join(DATASETS)}")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise RunError(f"the output directory {out} exists and is not a directory")
    runs = [Run(m, d, s) for m in models for d in datasets for s in range(seeds)]
    existing = read_results(out)  # also checks that every result file can be aggregated
    if not overwrite:
        for run in runs:
            wanted = by_model[run.model]
            stored = existing.get(result_path(out, run), {}).get("settings", wanted.as_json())
            if stored != wanted.as_json():
                raise RunError(
                    f"{result_path(out, run)} was computed with other settings ({_differences(stored, wanted)}); "
                    "rerun with the same settings to resume, recompute it (overwrite), or choose another output "
                    "directory"
                )
    return runs


def _differences(stored, settings):
    if not isinstance(stored, dict):
        return "no settings recorded"
    wanted = settings.as_json()
    return "; ".join(f"{k}: was {stored.get(k)!r}, now {v!r}" for k, v in wanted.items() if stored.get(k) != v)


# -- one run --------------------------------------------------------------------------------


RESULT_GLOB = "*-seed*.json"  # the runs' files; results.json (the aggregate) is not one


def result_path(out, run):
    return Path(out) / f"{run.name}.json"


def samples_path(out, run):
    return Path(out) / "samples" / f"{run.name}.png"


def compile_with_schedule(model, settings, jit_compile):
    """The model's default optimizers with the settings' optimizer items and schedule
    (``zoo.optimizers.build_optimizers``; each optimizer counts its own updates)."""
    from zoo.optimizers import build_optimizers

    optimizers = build_optimizers(
        model, settings.learning_rate, settings.optimizer, settings.lr_schedule, steps=settings.steps
    )
    model.compile_optimizers(optimizers, jit_compile=jit_compile)


def run_one(run, settings, out, jit_compile=True, log=_log.info, keep=None, command=None):
    """Train, sample, score, and write the run's PNG and then its result JSON.

    Args:
        run, settings: what to train.
        out: the output directory.
        jit_compile: compile the train step with XLA.
        log: where the progress lines go (one per tenth of the training).
        keep: None, or a directory under which the trained model is also kept as a run
            directory ``<keep>/<model>-<dataset>-seed<k>/`` (``model.keras``, ``config.json``,
            ``history.json``: what ``tools.evaluate --run`` and ``tools.export --run`` read).
        command: the command line the kept run records.

    Returns:
        The result dict that was written.
    """
    import keras
    import numpy as np
    import tensorflow as tf

    import zoo
    from zoo.evaluation.metrics import mode_coverage
    from zoo.fileio import atomic_write_bytes, atomic_write_json
    from zoo.optimizers import describe
    from zoo.pictures import scatter_png

    start = time.perf_counter()
    keras.utils.set_random_seed(run.seed)
    ds = zoo.data.load(
        run.dataset,
        batch_size=settings.batch_size,
        seed=run.seed,
        num_examples=settings.train_examples,
        drop_remainder=True,
    )  # one batch shape for XLA
    overrides = settings.overrides(run.model)
    if zoo.get_model_class(run.model).conditional:  # the label is the mixture component: one class per mode
        overrides.setdefault("num_classes", zoo.data.info(run.dataset).num_classes)
    model = zoo.get_model(run.model, input_shape=(2,), **overrides)
    compile_with_schedule(model, settings, jit_compile)
    epochs = math.gcd(settings.steps, PROGRESS_LINES)
    train_start = time.perf_counter()
    history = model.fit(
        ds.repeat(),
        epochs=epochs,
        steps_per_epoch=settings.steps // epochs,
        verbose=0,
        shuffle=False,  # the tf.data pipeline shuffles
        callbacks=[progress_callback(run.name, settings.steps // epochs, train_start, log)],
    )
    train_time = time.perf_counter() - train_start
    # (num_samples, 2); a conditional model is asked for every mode equally often
    samples = np.asarray(model.sample(settings.num_samples, seed=run.seed))
    means, sigma = zoo.data.toy_modes(run.dataset)
    coverage = mode_coverage(samples, means, sigma)
    title = (
        f"{run.name}: {coverage['modes']}/{coverage['num_modes']} modes, "
        f"{100 * coverage['high_quality']:.1f}% HQ, KL {fmt(coverage['reverse_kl'], 3)}"
    )
    png = scatter_png(samples, means=means, title=title, size=5.0, alpha=0.4)  # blue dots, red crosses
    atomic_write_bytes(samples_path(out, run), png)
    result = {
        "model": run.model,
        "dataset": run.dataset,
        "seed": run.seed,
        "settings": settings.as_json(),
        "model_config": model.get_config()["config"],
        "learning_rate": float(settings.learning_rate or model.default_learning_rate),
        "optimizers": {name: describe(getattr(model, name)) for name in model.optimizer_names},
        "jit_compile": jit_compile,
        "coverage": {**coverage, "reverse_kl": _finite_or_none(coverage["reverse_kl"])},
        "train_metrics": {k: float(v[-1]) for k, v in history.history.items()},  # the last epoch's means
        "train_time_s": train_time,
        "wall_time_s": time.perf_counter() - start,  # data, build, compile, training, sampling, scoring, plot
        "samples_png": str(samples_path(out, run).relative_to(out)),
        "versions": {"tensorflow": tf.__version__, "keras": keras.__version__},
    }
    if keep is not None:
        keep_run(model, run, result, Path(keep) / run.name, command)
    atomic_write_json(result_path(out, run), result)  # last: its presence marks the run as done
    keras.backend.clear_session()
    return result


def keep_run(model, run, result, run_dir, command=None):
    """Write a trained model as a finished run directory (``zoo.runs``' layout, ``model.keras``
    last), so the one trained for the table is the one evaluated and exported."""
    from zoo import runs
    from zoo.fileio import atomic_write_json, save_model_atomic

    run_dir.mkdir(parents=True, exist_ok=True)
    settings = {"model": run.model, "dataset": run.dataset, "seed": run.seed, **result["settings"]}
    config = {
        "run": settings,
        "command": command,
        "model": {"name": run.model, "config": result["model_config"]},
        "optimizers": result["optimizers"],
        "versions": result["versions"],
        "benchmark_result": f"{run.name}.json",  # the row of the table this model made
    }
    atomic_write_json(run_dir / runs.CONFIG_FILE, config)
    history = {"steps": [settings["steps"]], "elapsed_s": [result["train_time_s"]]}
    history.update({k: [v] for k, v in result["train_metrics"].items()})
    atomic_write_json(run_dir / runs.HISTORY_FILE, history)
    save_model_atomic(model, run_dir / runs.MODEL_FILE)


def progress_callback(label, steps_per_epoch, start, log=_log.info):
    """A Keras callback logging one line per epoch: the step, the epoch's mean losses, the time."""
    import keras

    class Progress(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            losses = ", ".join(f"{k} {float(v):.4f}" for k, v in (logs or {}).items())
            step = (epoch + 1) * steps_per_epoch
            log(f"  {label} step {step}: {losses} ({time.perf_counter() - start:.0f} s)")

    return Progress()


# -- aggregation ----------------------------------------------------------------------------


def read_results(out):
    """{path: result dict} of every result file in ``out`` (``RESULT_GLOB``), in file-name order.

    Raises:
        BadInput: a file that cannot be parsed or lacks a field the aggregate needs.
    """
    directory = Path(out)
    return {p: _read_result(p) for p in sorted(directory.glob(RESULT_GLOB))} if directory.is_dir() else {}


_RESULT_KEYS = (
    "model",
    "dataset",
    "seed",
    "settings",
    "model_config",
    "learning_rate",
    "coverage",
    "train_time_s",
    "wall_time_s",
)


def _read_result(path):
    try:
        result = json.loads(Path(path).read_text())
    except (OSError, ValueError) as err:
        raise BadInput(f"cannot read result file {path} ({type(err).__name__}: {err}); delete it") from err
    missing = [k for k in _RESULT_KEYS if not isinstance(result, dict) or k not in result]
    if missing:
        raise BadInput(
            f"result file {path} lacks {', '.join(missing)}; expected a file written by this benchmark: delete it"
        )
    return result


def mean_se(values):
    """Mean and standard error (sample standard deviation / sqrt(n)) of the values that are numbers.

    None and NaN are left out (a run with no high-quality sample has no reverse KL).

    Returns:
        {"mean": float or None, "se": float or None (fewer than two values), "n": values used}.
    """
    xs = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    n = len(xs)
    if n == 0:
        return {"mean": None, "se": None, "n": 0}
    mean = sum(xs) / n
    se = math.sqrt(sum((x - mean) ** 2 for x in xs) / (n - 1) / n) if n > 1 else None
    return {"mean": mean, "se": se, "n": n}


def aggregate_results(results):
    """Group results by (dataset, model, settings) and summarize each group over its seeds.

    Returns:
        {"ours": [group summaries, ordered by dataset then model], "published": [rows]}.
    """
    groups = {}
    for r in results:
        key = (
            r["dataset"],
            r["model"],
            json.dumps(r["settings"], sort_keys=True),
            _network_text(r["model_config"]),
            r["learning_rate"],
        )
        groups.setdefault(key, []).append(r)
    order = {name: i for i, name in enumerate(DATASETS)}
    ours = []
    for (dataset, model, _, width, lr), rs in sorted(groups.items(), key=lambda kv: (order.get(kv[0][0], 99), kv[0])):
        rs = sorted(rs, key=lambda r: r["seed"])
        ours.append(
            {
                "dataset": dataset,
                "model": model,
                "num_modes": rs[0]["coverage"]["num_modes"],
                "settings": rs[0]["settings"],
                "width": width,
                "latent_dim": rs[0]["model_config"].get("latent_dim"),
                "learning_rate": lr,
                "seeds": [r["seed"] for r in rs],
                "modes": mean_se([r["coverage"]["modes"] for r in rs]),
                "high_quality_percent": mean_se([100 * r["coverage"]["high_quality"] for r in rs]),
                "reverse_kl": mean_se([r["coverage"]["reverse_kl"] for r in rs]),
                "wall_time_s": mean_se([r["wall_time_s"] for r in rs]),
                "train_time_s": mean_se([r["train_time_s"] for r in rs]),
            }
        )
    published = [
        {
            "dataset": d,
            "model": m,
            "source": s,
            "modes": float(modes),
            "high_quality_percent": float(hq),
            "reverse_kl": None if kl is None else float(kl),
        }
        for d, m, s, modes, hq, kl in PUBLISHED
    ]
    return {"ours": ours, "published": published}


def write_aggregate(out):
    """Rebuild ``results.json`` and ``results.md`` from every result file under ``out``; returns the Markdown."""
    from zoo.fileio import atomic_write_bytes, atomic_write_json

    aggregate = aggregate_results(read_results(out).values())
    markdown = results_markdown(aggregate)
    atomic_write_json(Path(out) / "results.json", aggregate)
    atomic_write_bytes(Path(out) / "results.md", markdown.encode())
    return markdown


_HEADER = (
    "| source | model | modes | % high quality | reverse KL | seeds | steps | networks | batch | other settings "
    "| wall time per run |\n|---|---|---|---|---|---|---|---|---|---|---|"
)


def results_markdown(aggregate):
    """The aggregate as Markdown: one table per dataset, our rows first, then the published ones."""
    lines = [
        "# 2-D mode-collapse benchmark (`python -m tools.toy2d`)",
        "",
        f"Each run trains a model on a toy Gaussian mixture, draws {NUM_SAMPLES:,} samples and scores them "
        "with `zoo.evaluation.metrics.mode_coverage` (PacGAN's protocol): a sample is *high quality* when it lies "
        "within 3 sigma of its nearest mode, a mode is *captured* when at least one high-quality sample "
        "is nearest to it, and the *reverse KL* is KL(histogram of the high-quality samples over the modes "
        "|| uniform), in nats. A perfect sampler scores every mode, about 98.9% high quality "
        "(1 - exp(-9/2)) and a reverse KL near 0.",
        "",
        "Rows marked *ours* give the mean ± standard error over seeds (a figure without ± comes from one "
        'seed; "(n/m seeds)" means the other runs had no high-quality sample, hence no reverse KL). '
        "In the networks column, a number w means MLPs with three hidden layers of 16·w units and "
        "*pacgan* PacGAN's networks (a generator of 4 x 400 units, a discriminator of 3 x 200 maxout "
        "units of 5 pieces). Rows marked *published* are copied "
        "as reported in the papers (PacGAN: Lin et al., NeurIPS 2018; VEEGAN: Srivastava et al., "
        "NeurIPS 2017; GDPP: Elfeki et al., ICML 2019); their networks, training lengths and numbers "
        "of runs differ from ours.",
    ]
    datasets = sorted(
        {g["dataset"] for g in aggregate["ours"]} | {row[0] for row in PUBLISHED},
        key=lambda d: (DATASETS.index(d) if d in DATASETS else 99, d),
    )
    for dataset in datasets:
        ours = [g for g in aggregate["ours"] if g["dataset"] == dataset]
        lines += ["", f"## {dataset}{_mixture_text(dataset)}", "", _HEADER]
        for g in ours:
            seeds = len(g["seeds"])
            s = g["settings"]
            lines.append(
                "| "
                + " | ".join(
                    [
                        "ours",
                        g["model"],
                        _mean_se_text(g["modes"], 1, seeds),
                        _mean_se_text(g["high_quality_percent"], 1, seeds),
                        _mean_se_text(g["reverse_kl"], 3, seeds),
                        str(seeds),
                        str(s["steps"]),
                        str(g["width"]),
                        str(s["batch_size"]),
                        settings_text(g),
                        f"{g['wall_time_s']['mean']:.0f} s",
                    ]
                )
                + " |"
            )
        for _, model, source, modes, hq, kl in (row for row in PUBLISHED if row[0] == dataset):  # as printed
            lines.append(f"| published ({source}) | {model} | {modes} | {hq} | {kl or '—'} | — | — | — | — | — | — |")
    return "\n".join(lines) + "\n"


def _network_text(model_config):
    """The table's network column: the width, or the named networks that ignore it (``nets``)."""
    nets = model_config.get("nets", "default")
    return model_config.get("width") if nets == "default" else nets


def settings_text(group):
    """z size, learning rate and schedule, and the config overrides of a row."""
    s = group["settings"]
    parts = [f"z {group['latent_dim']}", f"lr {group['learning_rate']:g} {s.get('lr_schedule', 'constant')}"]
    fields = [(item, item.split("=", 1)[0].rpartition(".")) for item in s.get("config", [])]
    # the model's own items (not another model's); nets is the networks column
    parts += [item for item, (owner, _, field) in fields if owner in ("", group["model"]) and field != "nets"]
    parts += [f"opt {item}" for item in s.get("optimizer", [])]
    if s.get("recipe"):
        parts.append(f"recipe {s['recipe']}")
    return ", ".join(parts)


def _mixture_text(dataset):
    from zoo.data import toy_modes

    if dataset not in DATASETS:
        return ""
    means, sigma = toy_modes(dataset)
    return f" ({len(means)} modes, sigma {sigma})"


def _mean_se_text(summary, digits, total):
    if summary["n"] == 0:
        return "—"
    text = f"{summary['mean']:.{digits}f}"
    if summary["se"] is not None:
        text += f" ± {summary['se']:.{digits}f}"
    if summary["n"] < total:
        text += f" ({summary['n']}/{total} seeds)"
    return text


def fmt(value, digits):
    """A figure with ``digits`` decimals, or ``n/a`` for None, NaN and infinity."""
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def _finite_or_none(value):
    """JSON has no NaN: a missing figure is null."""
    return value if math.isfinite(value) else None

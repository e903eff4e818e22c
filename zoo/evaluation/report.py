"""The evaluation report: ``metrics.json``, ``report.md`` and its pictures.

An output directory (``<run>/eval`` by default, see ``zoo.evaluation.default_out_dir``) holds::

    metrics.json          the metrics (under "figures"), their N, the real-data reference, the classifier,
                          timings, versions (strict JSON: a metric that is not a finite number, such as
                          the reverse KL of samples far from every mode, is null)
    report.md             one table (figure | model | real-data reference | real, blurred | N) and the pictures below
    samples.png           64 samples (images), or every sample over the true modes (2-D toys)
    interpolation.png     4 straight lines of 10 steps in z-space (images)
    reconstructions.png   test images above their reconstructions (VAE)
    training_curves.png   the run's history.json, one panel per metric (runs only)
    class_coverage.png    the fraction of samples per predicted class, beside the reference's (images)

Every file is first written into a temporary directory beside the output directory, which is then
renamed into place: a failure leaves the old directory (or none) and no half-written one.
"""

import math
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from zoo.errors import BadInput
from zoo.fileio import atomic_write_bytes, atomic_write_json
from zoo.pictures import figure_png, image_grid, png_bytes, pyplot, scatter_png

__all__ = [
    "DASH",
    "METRICS_FILE",
    "REPORT_FILE",
    "check_out_dir",
    "metric_rows",
    "render_pictures",
    "report_markdown",
    "strict_json",
    "write_report",
]

METRICS_FILE = "metrics.json"
REPORT_FILE = "report.md"
PICTURES = {  # key -> (file, caption)
    "samples": ("samples.png", "Samples"),
    "interpolation": ("interpolation.png", "Latent interpolation: 4 straight lines in z-space, 10 steps each"),
    "reconstructions": ("reconstructions.png", "Reconstructions: test images (top) and their reconstructions (bottom)"),
    "training_curves": ("training_curves.png", "Training curves (history.json)"),
    "class_coverage": ("class_coverage.png", "Class coverage: the fraction of samples per predicted class"),
}
DASH = "—"  # a table cell without a value (no reference for the likelihood, a metric not recorded)


# ----------------------------------------------------------------------------------------------
# Writing


def check_out_dir(out_dir, overwrite=False):
    """Raise ``BadInput`` when ``out_dir`` cannot receive a report (call it before evaluating).

    Args:
        out_dir: the output directory.
        overwrite: replace an existing, non-empty one.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise BadInput(f"the output directory {out_dir} exists and is not a directory")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not overwrite:
        raise BadInput(
            f"{out_dir} already holds an evaluation; replace it (overwrite=True) or choose another output directory"
        )


def write_report(evaluation, out_dir, overwrite=False):
    """Write ``metrics.json``, the pictures and ``report.md`` into ``out_dir``, all or nothing.

    Args:
        evaluation: a ``zoo.evaluation.Evaluation``.
        out_dir: the output directory (created; replaced with ``overwrite``).
        overwrite: replace an existing, non-empty ``out_dir``.

    Returns:
        dict: file name -> final path, ``metrics.json`` and ``report.md`` first.

    Raises:
        BadInput: ``out_dir`` is a file, or holds an evaluation and ``overwrite`` is False.
    """
    out_dir = Path(out_dir)
    check_out_dir(out_dir, overwrite)
    pictures = render_pictures(evaluation)
    metrics = strict_json({**evaluation.metrics, "pictures": {key: PICTURES[key][0] for key in pictures}})
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.tmp-"))
    try:
        atomic_write_json(staging / METRICS_FILE, metrics)
        for key, png in pictures.items():
            atomic_write_bytes(staging / PICTURES[key][0], png)
        atomic_write_bytes(staging / REPORT_FILE, report_markdown(metrics).encode())
        os.chmod(staging, 0o755)  # mkdtemp makes it 0o700
        _replace_dir(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    names = [METRICS_FILE, REPORT_FILE, *(PICTURES[key][0] for key in pictures)]
    return {name: out_dir / name for name in names}


def strict_json(value):
    """``value`` with every non-finite float (an undefined reverse KL, a diverged generator's
    metrics) replaced by None: ``metrics.json`` is strict JSON, as ``history.json`` is."""
    if isinstance(value, dict):
        return {k: strict_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict_json(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _replace_dir(staging, out_dir):
    """Rename ``staging`` to ``out_dir``; an existing ``out_dir`` is moved aside first and deleted last."""
    old = None
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.old-"))
        os.replace(out_dir, old / out_dir.name)
    try:
        os.replace(staging, out_dir)
    except BaseException:
        if old is not None:
            os.replace(old / out_dir.name, out_dir)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


# ----------------------------------------------------------------------------------------------
# Pictures


def render_pictures(evaluation):
    """The PNGs of an evaluation, by key of ``PICTURES`` (only those it has data for).

    Args:
        evaluation: a ``zoo.evaluation.Evaluation``.

    Returns:
        dict: key -> PNG bytes.
    """
    metrics = evaluation.metrics
    pictures = {}
    samples = np.asarray(evaluation.samples)
    if samples.ndim == 4:
        pictures["samples"] = png_bytes(image_grid(samples, columns=8))
    elif samples.ndim == 2 and samples.shape[1] == 2:
        title = f"{metrics['name']}: {len(samples)} samples"
        pictures["samples"] = scatter_png(samples, means=evaluation.modes, title=title)
    if evaluation.interpolation is not None:
        pictures["interpolation"] = png_bytes(image_grid(evaluation.interpolation, columns=10))
    if evaluation.reconstructions is not None:
        originals, reconstructions = evaluation.reconstructions
        pictures["reconstructions"] = png_bytes(
            image_grid(np.concatenate([originals, reconstructions]), columns=len(originals))
        )
    if evaluation.history:
        pictures["training_curves"] = training_curves_png(evaluation.history, title=metrics["name"])
    scores = metrics.get("figures") or {}
    if scores.get("class_counts"):
        reference = (metrics.get("reference") or {}).get("class_counts")
        pictures["class_coverage"] = class_coverage_png(scores["class_counts"], reference, title=metrics["name"])
    return pictures


def training_curves_png(history, title="", columns=3):
    """One panel per metric of a run's history (training and ``val_`` values together), as PNG bytes.

    Args:
        history: ``{name: [value per epoch]}`` (``history.json``); NaN entries (the epochs an
            ``eval_`` metric was not computed) are left out of the lines.
        title: the picture's title.
        columns: panels per row.
    """
    from matplotlib.ticker import MaxNLocator

    plt = pyplot()
    names = [k for k in history if not k.startswith("val_")]
    names += [k for k in history if k.startswith("val_") and k[4:] not in history]  # a val_ metric alone
    rows = math.ceil(len(names) / columns)
    cols = min(columns, len(names))
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 2.6 * rows), dpi=100, squeeze=False)
    for ax, name in zip(axes.flat, names):
        series = [(name, "eval" if name.startswith("eval_") else "train")]
        if f"val_{name}" in history:
            series.append((f"val_{name}", "test"))
        for key, label in series:
            values = np.asarray(history[key], dtype=np.float64)
            epochs = np.arange(1, len(values) + 1)
            shown = np.isfinite(values)
            ax.plot(epochs[shown], values[shown], marker="o" if shown.sum() < 20 else None, markersize=3, label=label)
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("epoch", fontsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.tick_params(labelsize=7)
        if f"val_{name}" in history:
            ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(names) :]:
        ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return figure_png(fig)


def class_coverage_png(counts, reference_counts=None, title=""):
    """Bars of the fraction of samples per predicted class, beside the real-data reference's.

    A dotted line marks the uniform fraction 1/C, a dashed one the 1% a class needs to count as
    covered (``zoo.evaluation.metrics.MIN_CLASS_FRACTION``).

    Args:
        counts: C counts of the model's samples.
        reference_counts: C counts of the reference's training images (or None).
        title: the picture's title.
    """
    from zoo.evaluation.metrics import MIN_CLASS_FRACTION

    plt = pyplot()
    counts = np.asarray(counts, dtype=np.float64)
    classes = np.arange(len(counts))
    width = 0.4 if reference_counts is not None else 0.8
    fig, ax = plt.subplots(figsize=(max(4.0, 0.45 * len(counts) + 1.5), 2.8), dpi=100)
    ax.bar(
        classes - (width / 2 if reference_counts is not None else 0),
        counts / counts.sum(),
        width,
        label="model",
        color="tab:blue",
    )
    if reference_counts is not None:
        reference = np.asarray(reference_counts, dtype=np.float64)
        ax.bar(classes + width / 2, reference / reference.sum(), width, label="real-data reference", color="tab:gray")
    ax.axhline(1.0 / len(counts), color="black", linestyle=":", linewidth=1, label="uniform")
    ax.axhline(MIN_CLASS_FRACTION, color="tab:red", linestyle="--", linewidth=1, label="1% (covered)")
    ax.set_xticks(classes)
    ax.set_xlabel("predicted class", fontsize=8)
    ax.set_ylabel("fraction of samples", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7)
    if title:
        ax.set_title(title, fontsize=9)
    return figure_png(fig)


# ----------------------------------------------------------------------------------------------
# Markdown


def _fmt(value, spec):
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return DASH if value is None else "NaN"
    return format(value, spec)


def _covered(scores):
    if scores.get("classes_covered") is None:
        return DASH
    return f"{scores['classes_covered']}/{scores['num_classes']}"


def _modes(scores):
    return f"{scores['modes']}/{scores['num_modes']}"


def _percent(value):
    return DASH if value is None else f"{100 * value:.1f}%"


# (label, formatter of a metrics dict: the "figures" or the "reference" of metrics.json) of the
# table rows, by kind of data.
_IMAGE_ROWS = (
    ("classifier Fréchet distance (lower is better)", lambda f: _fmt(f.get("frechet_distance"), ".3f")),
    ("classifier score (higher is better, at most C)", lambda f: _fmt(f.get("classifier_score"), ".3f")),
    ("classes covered (>= 1% of the samples)", _covered),
    ("class KL to uniform (nats, lower is better)", lambda f: _fmt(f.get("class_kl_to_uniform"), ".4f")),
    ("k-NN precision (k = 3)", lambda f: _fmt(f.get("precision"), ".3f")),
    ("k-NN recall (k = 3)", lambda f: _fmt(f.get("recall"), ".3f")),
    ("Inception FID (lower is better)", lambda f: _fmt(f.get("inception_fid"), ".2f")),
    ("Inception score (higher is better)", lambda f: _fmt(f.get("inception_score"), ".3f")),
    ("samples recognized as their requested class (conditional models)", lambda f: _percent(f.get("label_accuracy"))),
)
_OPTIONAL_METRICS = {
    "Inception FID (lower is better)": "inception_fid",
    "Inception score (higher is better)": "inception_score",
    "samples recognized as their requested class (conditional models)": "label_accuracy",
}
_TOY_ROWS = (
    ("modes captured", _modes),
    ("high-quality samples (within 3 sigma of a mode)", lambda f: _percent(f.get("high_quality"))),
    ("reverse KL to uniform over the modes (nats)", lambda f: _fmt(f.get("reverse_kl"), ".4f")),
)


def metric_rows(metrics):
    """The rows of the report's table: ``(metric, model, real-data reference, N)`` strings, with
    the blurred-real reference before N when the evaluation has one; a missing value is ``DASH``.

    Args:
        metrics: a ``metrics.json`` dict (``zoo.evaluation.evaluate``).

    Returns:
        list of 4-tuples (5-tuples with ``reference_blurred``) of strings.
    """
    rows = []
    scores, reference = metrics.get("figures"), metrics.get("reference")
    blurred = metrics.get("reference_blurred")
    if scores is not None:
        table = _IMAGE_ROWS if "frechet_distance" in scores else _TOY_ROWS
        n = scores["num_samples"]
        ref_n = (reference or {}).get("num_samples")
        n_text = str(n) if ref_n in (None, n) else f"{n} (reference: {ref_n})"
        for label, cell in table:
            if label in _OPTIONAL_METRICS and _OPTIONAL_METRICS[label] not in scores:
                continue  # the Inception metrics only with inception_weights, label accuracy only when conditional
            row = (label, cell(scores), cell(reference) if reference else DASH)
            if blurred is not None:  # the blurred-real column, where the evaluation computed it
                row += (cell(blurred) if label not in _OPTIONAL_METRICS else DASH,)
            rows.append((*row, n_text))
    likelihood = metrics.get("likelihood")
    if likelihood is not None:
        data = "binarized test images" if likelihood["binarized"] else "test data"
        rows.append(
            (
                f"ELBO (nats per example, {data})",
                _with_se(likelihood, "elbo"),
                DASH,
                str(likelihood["elbo_num_examples"]),
            )
        )
        if likelihood["iw_num_examples"] != likelihood["elbo_num_examples"]:
            rows.append(
                (
                    "ELBO on the IW bound's examples",
                    _fmt(likelihood["elbo_on_iw_examples"], ".2f"),
                    DASH,
                    str(likelihood["iw_num_examples"]),
                )
            )
        rows.append(
            (
                f"IW bound on log p(x), k = {likelihood['iw_k']} (nats per example)",
                _with_se(likelihood, "iw_bound"),
                DASH,
                str(likelihood["iw_num_examples"]),
            )
        )
        for key, label in (("elbo", "negative ELBO"), ("iw_bound", f"negative IW bound, k = {likelihood['iw_k']}")):
            bits = likelihood.get(f"{key}_bits_per_dim")  # discrete data only (older files: absent)
            if bits is not None:
                n_key = "elbo_num_examples" if key == "elbo" else "iw_num_examples"
                rows.append((f"{label} (bits per dimension)", _fmt(bits, ".3f"), DASH, str(likelihood[n_key])))
    if blurred is not None:  # the likelihood rows have no blurred-real value either
        rows = [row if len(row) == 5 else (*row[:3], DASH, row[3]) for row in rows]
    return rows


figure_rows = metric_rows  # the old name, kept for one release


def _with_se(likelihood, key):
    """``-88.12 ± 0.31``: the mean over examples and its standard error, when recorded."""
    se = likelihood.get(f"{key}_standard_error")
    return _fmt(likelihood[key], ".2f") + ("" if se is None else f" ± {se:.2f}")


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def report_markdown(metrics):
    """``report.md`` of a ``metrics.json`` dict: what was measured, the table, the pictures.

    Args:
        metrics: the dict ``write_report`` writes (with ``pictures``: key -> file name).

    Returns:
        str, Markdown; pictures are linked by their file names (relative to the report).
    """
    source = metrics["source"]
    runtime = "ONNX Runtime" if source["runtime"] == "onnxruntime" else "Keras"
    lines = [f"# Evaluation of {metrics['name']}", ""]
    lines.append(
        f"- model: `{metrics['model']}`, from `{source['path']}` (samples generated with {runtime}, "
        f"codes z ~ N(0, I) from seed {metrics['seed']})"
    )
    data_dir = f" (`{metrics['data_dir']}`)" if metrics.get("data_dir") else ""
    scores = metrics.get("figures") or {}
    compared = (
        " against the first N test examples"
        if "frechet_distance" in scores
        else " scored against the mixture's known modes"
        if "modes" in scores
        else ""
    )
    lines.append(
        f"- data: the `{metrics['dataset']}` test split{data_dir}, {metrics['test_split_size']} examples; "
        f"N = {metrics['num_samples']} samples{compared}"
    )
    classifier = metrics.get("classifier")
    if classifier is not None:
        accuracy = (
            f"test accuracy {_percent(classifier['test_accuracy'])} on its card"
            if classifier.get("test_accuracy") is not None
            else "no card"
        )
        lines.append(
            f"- domain classifier: `{classifier['path']}` ({accuracy}; "
            f"{_percent(classifier['accuracy_on_test_images'])} on these {classifier['num_test_images']} "
            "test images). Its features and class probabilities give the figures, which compare only "
            "with figures of the same classifier file at the same N: they are not FID or Inception scores."
        )
    reference = metrics.get("reference")
    if reference is not None:
        what = (
            "N training images scored as if generated, against the same N test images"
            if "frechet_distance" in reference
            else "N test points scored as if generated"
        )
        origin = (
            "reused from the classifier's card" if reference.get("origin") == "classifier card" else "computed here"
        )
        lines.append(
            f"- real-data reference: {what} ({origin}): what a generator that reproduced the data would "
            "score at this N, a ceiling for scores and a floor for distances."
        )
    for note in metrics.get("notes") or []:
        lines.append(f"- note: {note}")
    blurred = metrics.get("reference_blurred")
    if blurred is not None:
        lines.append(
            f"- blurred-real reference: the same training images blurred by a Gaussian of "
            f"{blurred['blur_sigma']:g} px: a reference any classifier reproduces (a blur keeps most of the "
            "score and multiplies the distance)."
        )
    rows = metric_rows(metrics)
    if rows:
        header = ("figure", "model", "real-data reference", *(("real, blurred",) if blurred else ()), "N")
        lines += ["", _table(header, rows)]
    likelihood = metrics.get("likelihood")
    if likelihood is not None and likelihood["binarized"]:
        lines += [
            "",
            f"The likelihood figures are on test images binarized once (x ~ Bernoulli(pixel), seed "
            f"{likelihood['binarize_seed']}); higher is better, and -IW bound is an upper bound on the "
            "test NLL.",
        ]
    for key, name in (metrics.get("pictures") or {}).items():
        lines += ["", f"## {PICTURES[key][1]}", "", f"![{key}]({name})"]
    timings = metrics.get("timings_s") or {}
    if "total" in timings:
        lines += [
            "",
            f"Evaluated in {timings['total']:.1f} s on {metrics.get('evaluated_at', '?')}"
            + (f" with `{metrics['command']}`." if metrics.get("command") else "."),
        ]
    return "\n".join(lines) + "\n"

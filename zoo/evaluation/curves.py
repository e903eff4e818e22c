"""Time to quality: the classifier's figures during training against generator steps and
wall-clock minutes, read from runs' ``history.json`` (``steps``, ``elapsed_s`` and the ``eval_*``
figures that ``zoo.training.callbacks.EvaluationCallback`` adds every ``eval_every`` epochs), as
data (``curve``) and as one plot of several runs (``curves_png``: Fréchet distance against minutes,
log scale). This module imports no TensorFlow.

The figures during training use the callback's 2,000 samples against 2,000 test images, so they
sit above the N = 10,000 figures of ``tools.evaluate`` (the Fréchet distance's bias falls with N);
a results row takes its figures from ``tools.evaluate``, the curve shows when they were reached.
"""

import math
from pathlib import Path

from zoo.errors import BadInput
from zoo.runs import read_config_and_history

FIGURES = ("frechet_distance", "classifier_score", "classes_covered")


def curve(run_dir, label=None):
    """The evaluated epochs of a run as data.

    Returns:
        ``{"label", "run", "model", "recipe", "command", "points": [{"epoch", "steps", "minutes",
        "frechet_distance", "classifier_score", "classes_covered"}, ...]}``, epochs in order.

    Raises:
        BadInput: not a run directory, or a history without the steps, the times or any
            evaluated epoch (a run of an older version, or with ``--eval-every 0``).
    """
    run_dir = Path(run_dir)
    try:
        config, history = read_config_and_history(run_dir)
    except (OSError, ValueError) as err:
        raise BadInput(f"{run_dir}: cannot read its config.json and history.json ({err})") from None
    if not config or not history:
        raise BadInput(f"{run_dir} is not a run directory: expected config.json and history.json (tools.train)")
    missing = [k for k in ("steps", "elapsed_s", "eval_frechet_distance") if k not in history]
    if missing:
        raise BadInput(
            f"{run_dir}/history.json has no {', '.join(missing)}: expected a run of this version with the "
            "classifier's evaluation on (--eval-every >= 1)"
        )
    points = []
    for i, fd in enumerate(history["eval_frechet_distance"]):
        if fd is None or not math.isfinite(fd):
            continue
        point = {"epoch": i + 1, "steps": int(history["steps"][i]), "minutes": history["elapsed_s"][i] / 60}
        point.update({name: history.get(f"eval_{name}", [None] * (i + 1))[i] for name in FIGURES})
        points.append(point)
    if not points:
        raise BadInput(f"{run_dir}: no evaluated epoch yet")
    return {
        "label": label or run_dir.name,
        "run": run_dir.name,
        "model": config.get("model", {}).get("name"),
        "recipe": config.get("run", {}).get("recipe"),
        "command": config.get("command"),
        "points": points,
    }


def curves_png(curves, title="", target=None, reference=None):
    """A PNG (bytes): classifier Fréchet distance against wall-clock minutes, one line per curve.

    Args:
        curves: ``curve`` dicts.
        title: the plot's title.
        target: a distance drawn as a dashed line (e.g. 10x the real-data reference).
        reference: the real-data reference distance, drawn as a dotted line.
    """
    from zoo.pictures import figure_png, pyplot

    fig, ax = pyplot().subplots(figsize=(6.4, 4.0), dpi=100)
    for c in curves:
        xs = [p["minutes"] for p in c["points"]]
        ys = [p["frechet_distance"] for p in c["points"]]
        ax.plot(xs, ys, marker="o", markersize=3, label=f"{c['label']} ({c['points'][-1]['steps']:,} steps)")
    if target is not None:
        ax.axhline(target, linestyle="--", color="gray", label=f"target {target:g}")
    if reference is not None:
        ax.axhline(reference, linestyle=":", color="black", label=f"real data {reference:g}")
    ax.set_yscale("log")
    ax.set_xlabel("wall-clock minutes of training (2 CPU cores)")
    ax.set_ylabel("classifier Fréchet distance (2,000 samples)")
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return figure_png(fig)

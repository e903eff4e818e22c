"""The run directory: the names of its files, its state, and reading it back.

``zoo.training`` writes a run directory, ``zoo.evaluation`` and ``export`` read it; this module is
the one place that knows its layout::

    config.json        the run's settings, the command, the model's registry config, package versions
    history.json       {metric name: [value per epoch]}, every epoch of the run (also across resumes)
    checkpoints/       tf.train checkpoints after every epoch (networks, optimizers, RNG, epoch)
    samples/           epoch_0001.png ... a sample grid (or scatter plot for 2-D data) per epoch
    interpolations/    epoch_0001.png ... images along 4 straight lines in z-space, per epoch
    logs/              TensorBoard: train/ and validation/ scalars, samples/ images, evaluation/ figures
    test_metrics.json  evaluate() on the held-out split after the last epoch
    model.keras        the trained model; its presence marks the run as finished
    eval/              what an evaluation of the run writes (metrics.json, report.md, pictures)

While a command writes the run, ``.<name>.lock`` beside it is its lock (``zoo.locks``).
"""

import json
from pathlib import Path

from zoo.errors import BadInput, RunError

CONFIG_FILE = "config.json"
HISTORY_FILE = "history.json"
CHECKPOINTS_DIR = "checkpoints"
TEST_METRICS_FILE = "test_metrics.json"
MODEL_FILE = "model.keras"  # written last: its presence marks the run as finished
EVALUATION_FILE = "eval/metrics.json"  # what an evaluation of the run (zoo.evaluation) writes
# What a model card quotes of it: the metrics, the real-data reference, the likelihood bounds and how.
EVALUATION_KEYS = (
    "dataset",
    "num_samples",
    "figures",
    "reference",
    "likelihood",
    "classifier",
    "command",
    "evaluated_at",
)


def run_state(run_dir):
    """``"absent"``, ``"unfinished"`` or ``"finished"``."""
    run_dir = Path(run_dir)
    if not run_dir.exists():
        return "absent"
    return "finished" if (run_dir / MODEL_FILE).exists() else "unfinished"


def read_json_if_any(path):
    """The parsed JSON file, or None when there is no such file."""
    return json.loads(Path(path).read_text()) if Path(path).is_file() else None


def read_config_and_history(run_dir):
    """``(config.json, history.json)`` of a run, each None when absent.

    Raises:
        BadInput: a file that is not JSON.
    """
    run_dir = Path(run_dir)
    try:
        return read_json_if_any(run_dir / CONFIG_FILE), read_json_if_any(run_dir / HISTORY_FILE)
    except (OSError, json.JSONDecodeError) as err:
        raise BadInput(f"cannot read the run directory {run_dir}: {err}") from None


def read_run(run_dir):
    """What the card records about a run: ``(trained_with, evaluation)``.

    Args:
        run_dir: the run directory.

    Returns:
        ``trained_with``: dict with ``run_dir``, ``dataset``, ``command`` (None when the run did
        not record it), the run's settings, its optimizers and package versions (absent without a
        ``config.json``), and from ``history.json`` the ``training``: epochs, steps (generator updates) and
        wall-clock seconds of the finished epochs (absent for a run from before they were
        recorded); ``evaluation``: ``{"test": <test_metrics.json>, "evaluate": <the
        figures of eval/metrics.json>}`` with the parts the run has (``python -m tools.evaluate
        --run`` writes ``eval/metrics.json``; evaluate before exporting to card its figures), or None.
    """
    run_dir = Path(run_dir)
    try:
        return _read_run(run_dir)
    except (OSError, json.JSONDecodeError) as err:
        raise BadInput(f"cannot read the run directory {run_dir}: {err}") from None


def _read_run(run_dir):
    trained_with = {"run_dir": run_dir.as_posix(), "dataset": None, "command": None}
    config_path = run_dir / CONFIG_FILE
    if config_path.is_file():
        config = json.loads(config_path.read_text())
        settings = config.get("run", {})
        trained_with.update(
            dataset=settings.get("dataset"),
            command=config.get("command"),
            run=settings,
            versions=config.get("versions"),
        )
        if config.get("optimizers"):
            trained_with["optimizers"] = config["optimizers"]
    history_path = run_dir / HISTORY_FILE
    if history_path.is_file():
        training = training_summary(json.loads(history_path.read_text()))
        if training:
            trained_with["training"] = training
    evaluation = {}
    metrics_path = run_dir / TEST_METRICS_FILE
    if metrics_path.is_file():
        evaluation["test"] = json.loads(metrics_path.read_text())
    evaluated_path = run_dir / EVALUATION_FILE
    if evaluated_path.is_file():
        evaluated = json.loads(evaluated_path.read_text())
        evaluation["evaluate"] = {k: evaluated.get(k) for k in EVALUATION_KEYS}
    return trained_with, evaluation or None


def training_summary(history):
    """``{"epochs", "steps", "wall_time_s"}`` at a history's last epoch: the steps are generator
    updates (the one optimizer's for a VAE), the seconds are wall-clock time summed over resumes;
    a history from before ``steps`` and ``elapsed_s`` were recorded gives only ``{"epochs"}``."""
    epochs = max((len(v) for v in history.values() if isinstance(v, list)), default=0)
    summary = {"epochs": epochs} if epochs else {}
    for key, name in (("steps", "steps"), ("elapsed_s", "wall_time_s")):  # history key, card key
        kept = [v for v in history.get(key, ()) if v is not None]
        if kept:
            summary[name] = round(kept[-1], 1) if key == "elapsed_s" else int(kept[-1])
    return summary


def load_run_model(run_dir):
    """``keras.saving.load_model(<run_dir>/model.keras, safe_mode=True)`` with the zoo's classes registered.

    Raises:
        RunError: no such directory, or no ``model.keras`` (the run is unfinished).
        BadInput: a file Keras cannot load as a zoo model.
    """
    import keras

    import zoo.models  # noqa: F401  (registers the zoo's classes for deserialization)

    run_dir = Path(run_dir)
    path = run_dir / MODEL_FILE
    if not run_dir.is_dir():
        raise RunError(f"run directory {run_dir} is not a directory")
    if not path.is_file():
        raise RunError(
            f"{run_dir} holds no {MODEL_FILE}: the run is unfinished, or not a run directory "
            "(a training run writes model.keras when it finishes)"
        )
    try:
        return keras.saving.load_model(path, safe_mode=True)
    except Exception as err:  # Keras raises ValueError, TypeError, zipfile errors...
        raise BadInput(f"cannot load {path} as a zoo model: {type(err).__name__}: {err}") from None

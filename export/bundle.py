"""``export_model``: one version of a model in every format at once (SavedModel, ONNX, model card).

Each format's writer and check lives in its own module (``export.saved_model``,
``export.onnx_export``); this module stages them together so that a version appears complete,
with a card that lists the sha256 and the parity figures of every file, or not at all.
"""

import json
from pathlib import Path

from export import onnx_export, saved_model
from export.errors import ExportError
from export.card import build_card, file_digests, to_jsonable
from export.contract import (ExportResult, check_exportable, export_name, exported_model, model_info, parity_record,
                             reference_data)
from export.layout import MODELS_CONFIG, StagedVersion, write_models_config

MODEL_FILE = "model.keras"  # what zoo.training writes when a run finishes
EVALUATION_FILE = "eval/metrics.json"  # what python -m tools.evaluate --run writes
# What a card quotes of it: the figures, the real-data reference, the likelihood bounds and how.
EVALUATION_KEYS = ("dataset", "num_samples", "figures", "reference", "likelihood", "classifier", "command",
                   "evaluated_at")


def export_model(model, base_dir, *, name=None, version=None, overwrite=False, trained_with=None,
                 evaluation=None, allow_untrained=False):
    """Export everything of one version: SavedModel, ONNX file(s), model card and models.config.

    All or nothing: every artifact is written to a staging directory and checked (SavedModel
    both ways and ONNX Runtime, max abs diff <= 1e-5 against the Keras model on 64 seeded
    inputs); the card records the parity figures and the sha256 of every file; then the ONNX
    files and the card are renamed into place and the numeric SavedModel directory last, and
    ``models.config`` is regenerated. Any failure removes every artifact of the version (and
    restores the old one when overwriting).

    Args:
        model: a trained zoo model (``zoo.get_model`` + ``fit``, or ``keras.saving.load_model``
            of a run's ``model.keras``).
        base_dir: the serving root, e.g. ``"saved_models"``.
        name: export name (default: ``model.registry_name``); one directory name.
        version: integer version >= 1 (default: highest existing + 1, from 1).
        overwrite: replace an existing version.
        trained_with: dict describing the training run: ``dataset`` (zoo.data name; decides the
            data attribution), ``command``, the run's settings...; recorded in the card.
        evaluation: evaluation figures to record in the card (e.g. ``{"test": {...}}``).
        allow_untrained: export a model whose optimizers took no step.

    Returns:
        ``ExportResult`` with the card.

    Raises:
        ExportError: bad model, name or version, an existing version without ``overwrite``,
            or an export that fails a check (``ParityError``).
    """
    from zoo.fileio import atomic_write_json

    steps = check_exportable(model, allow_untrained)  # first: a non-zoo model is named as such
    name = export_name(model, name)
    stage = StagedVersion(base_dir, name, version, overwrite)
    trained_precision = getattr(model, "precision", "float32")
    model = exported_model(model)  # float32 end to end; parity is checked against this copy
    with stage:
        reference = reference_data(model)
        saved_model_path = stage.path("saved_model")
        saved_model.write_saved_model(model, saved_model_path, name)
        figures = saved_model.check_saved_model(saved_model_path, reference)
        figures.update(onnx_export.write_onnx(model, stage, name, reference))
        parity = parity_record(figures)
        files = file_digests(stage.staging, [stage.path(k) for k in stage.staged()])
        info = {**model_info(model, steps), "trained_precision": trained_precision, "export_precision": "float32"}
        card = build_card(name=name, version=stage.version, model_info=info, files=files,
                          parity=parity, trained_with=to_jsonable(trained_with), evaluation=to_jsonable(evaluation))
        atomic_write_json(stage.path("card"), card)
        paths = stage.commit(then=lambda: write_models_config(base_dir), replace="all")
    return ExportResult(name, stage.version, {**paths, "models_config": stage.base_dir / MODELS_CONFIG},
                        parity, card)


def read_run(run_dir):
    """What the card records about a run: ``(trained_with, evaluation)``.

    Args:
        run_dir: the run directory.

    Returns:
        ``trained_with``: dict with ``run_dir``, ``dataset``, ``command`` (None when the run did
        not record it), the run's settings and package versions (absent without a
        ``config.json``); ``evaluation``: ``{"test": <test_metrics.json>, "evaluate": <the
        figures of eval/metrics.json>}`` with the parts the run has (``python -m tools.evaluate
        --run`` writes ``eval/metrics.json``; evaluate before exporting to card its figures), or None.
    """
    run_dir = Path(run_dir)
    trained_with = {"run_dir": run_dir.as_posix(), "dataset": None, "command": None}
    config_path = run_dir / "config.json"
    if config_path.is_file():
        config = json.loads(config_path.read_text())
        settings = config.get("run", {})
        trained_with.update(dataset=settings.get("dataset"), command=config.get("command"), run=settings,
                            versions=config.get("versions"))
    evaluation = {}
    metrics_path = run_dir / "test_metrics.json"
    if metrics_path.is_file():
        evaluation["test"] = json.loads(metrics_path.read_text())
    evaluated_path = run_dir / EVALUATION_FILE
    if evaluated_path.is_file():
        evaluated = json.loads(evaluated_path.read_text())
        evaluation["evaluate"] = {k: evaluated.get(k) for k in EVALUATION_KEYS}
    return trained_with, evaluation or None


def load_run_model(run_dir):
    """``keras.saving.load_model(<run_dir>/model.keras, safe_mode=True)`` with the zoo registered.

    Raises:
        export.ExportError: no such file, or a file Keras cannot load as a zoo model.
    """
    import keras

    import zoo  # noqa: F401  (registers the zoo's classes for deserialization)

    run_dir = Path(run_dir)
    path = run_dir / MODEL_FILE
    if not run_dir.is_dir():
        raise ExportError(f"--run {run_dir} is not a directory")
    if not path.is_file():
        raise ExportError(f"{run_dir} holds no {MODEL_FILE}: the run is unfinished, or not a run directory "
                          "(python -m tools.train writes model.keras when it finishes)")
    try:
        return keras.saving.load_model(path, safe_mode=True)
    except Exception as err:  # Keras raises ValueError, TypeError, zipfile errors...
        raise ExportError(f"cannot load {path} as a zoo model: {type(err).__name__}: {err}") from None


def export_run(run_dir, base_dir, *, name=None, version=None, overwrite=False):
    """Export a finished training run (``python -m tools.train``): its ``model.keras``, with the
    run's dataset, command and test figures in the card.

    Args:
        run_dir: the run directory.
        base_dir, name, version, overwrite: as for ``export_model``.

    Returns:
        ``ExportResult`` with the card.

    Raises:
        ExportError: no finished run there, a file that is not a zoo model, or what
            ``export_model`` refuses.
    """
    try:
        trained_with, evaluation = read_run(run_dir)
    except (OSError, json.JSONDecodeError) as err:
        raise ExportError(f"cannot read the run directory {run_dir}: {err}") from None
    model = load_run_model(run_dir)
    return export_model(model, base_dir, name=name, version=version, overwrite=overwrite,
                        trained_with=trained_with, evaluation=evaluation)

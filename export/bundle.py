"""``export_model``: one version of a model in every format at once (SavedModel, ONNX, model card).

Each format's writer and check lives in its own module (``export.saved_model``,
``export.onnx_export``); this module stages them together so that a version appears complete,
with a card that lists the sha256 and the parity figures of every file, or not at all.
"""

from export import onnx_export, saved_model
from export.card import build_card, file_digests, to_jsonable
from export.contract import (
    ExportResult,
    check_exportable,
    export_name,
    exported_model,
    model_info,
    parity_record,
    reference_data,
)
from export.errors import ExportError
from export.layout import MODELS_CONFIG, StagedVersion, write_models_config
from zoo import runs
from zoo.errors import BadInput


def export_model(
    model,
    base_dir,
    *,
    name=None,
    version=None,
    overwrite=False,
    trained_with=None,
    evaluation=None,
    allow_untrained=False,
):
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
            an export that fails a check (``ParityError``), or another process exporting into
            ``base_dir`` (it holds the serving root's lock, ``zoo.locks``).
    """
    from zoo.locks import DirectoryInUse, exclusive

    steps = check_exportable(model, allow_untrained)  # first: a non-zoo model is named as such
    name = export_name(model, name)
    StagedVersion(base_dir, name, version, overwrite)  # checks only: bad input is refused before the lock
    try:
        # One export at a time into a serving root: it picks version numbers and rewrites models.config.
        with exclusive(base_dir, "serving directory"):
            return _export(model, base_dir, name, version, overwrite, steps, trained_with, evaluation)
    except DirectoryInUse as err:
        raise ExportError(str(err)) from None


def _export(model, base_dir, name, version, overwrite, steps, trained_with, evaluation):
    from zoo.fileio import atomic_write_json

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
        card = build_card(
            name=name,
            version=stage.version,
            model_info=info,
            files=files,
            parity=parity,
            trained_with=to_jsonable(trained_with),
            evaluation=to_jsonable(evaluation),
        )
        atomic_write_json(stage.path("card"), card)
        paths = stage.commit(then=lambda: write_models_config(base_dir), replace="all")
    return ExportResult(name, stage.version, {**paths, "models_config": stage.base_dir / MODELS_CONFIG}, parity, card)


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
        trained_with, evaluation = runs.read_run(run_dir)
        model = runs.load_run_model(run_dir)
    except BadInput as err:
        raise ExportError(str(err)) from None
    return export_model(
        model,
        base_dir,
        name=name,
        version=version,
        overwrite=overwrite,
        trained_with=trained_with,
        evaluation=evaluation,
    )

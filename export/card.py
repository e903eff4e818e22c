"""The model card written beside every exported version: ``<base_dir>/<name>/<version>.json``.

The card says what the artifacts are (model, registry config, tensor contract), where they came
from (dataset, training command, package versions), how good they are (evaluation figures), that
they reproduce the Keras model (parity figures measured at export) and that the bytes are the
ones exported (sha256 of every artifact file, by path relative to ``<base_dir>/<name>/``).
Models trained on data whose license asks for it carry its attribution (``DATA_ATTRIBUTIONS``).

Standard library only: building a card needs no TensorFlow.
"""

import dataclasses
import datetime
from pathlib import Path

from zoo.provenance import DATA_ATTRIBUTIONS, package_versions, sha256_file

CARD_FORMAT = "genzoo-model-card/1"


def file_digests(root, paths):
    """sha256 of every file under ``paths``, keyed by POSIX path relative to ``root``.

    Args:
        root: the directory the keys are relative to (``<base_dir>/<name>``, or a staging
            directory laid out the same way).
        paths: files and directories under ``root``; directories are walked recursively.

    Returns:
        dict of relative path -> hex sha256, sorted by path.
    """
    root = Path(root)
    files = []
    for path in map(Path, paths):
        files.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
    return {p.relative_to(root).as_posix(): sha256_file(p) for p in sorted(files)}


def build_card(*, name, version, model_info, files, parity, trained_with=None, evaluation=None):
    """The model card as a JSON-ready dict.

    Args:
        name: export name.
        version: integer version.
        model_info: what the exported model is (``export.contract.model_info``): registry
            name, class, config, latent_dim, data_shape, output, signatures, training steps.
        files: relative path -> sha256 (``file_digests``).
        parity: the parity figures measured at export.
        trained_with: dict describing the training run (``dataset``, ``command``, settings...)
            or None when unknown.
        evaluation: evaluation figures (e.g. ``{"test": {"loss": 108.8}}``) or None.

    Returns:
        dict, with ``data_attribution`` set from ``DATA_ATTRIBUTIONS`` when the training
        dataset needs one (None otherwise).
    """
    trained_with = dict(trained_with) if trained_with else None
    dataset = (trained_with or {}).get("dataset")
    return {
        "format": CARD_FORMAT,
        "name": name,
        "version": int(version),
        **model_info,
        "trained_with": trained_with,
        "evaluation": evaluation or None,
        "data_attribution": DATA_ATTRIBUTIONS.get(dataset),
        "parity": parity,
        "packages": package_versions(),
        "files": files,
        "exported_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def to_jsonable(value):
    """Dataclasses, tuples, numpy scalars and paths turned into plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return value.item()
    return value

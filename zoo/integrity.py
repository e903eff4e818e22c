"""One verifier for the files a tool opens from an export or from ``saved_models/``: the card
beside them says what their sha256 must be, and a file that differs is refused before it is used
(standard library only: ``export.runtime`` runs without TensorFlow). ``export.runtime.OnnxGenerator``,
``export.saved_model.SavedModelGenerator``, ``zoo.pretrained``, ``zoo.evaluation.load_classifier``
and the tools on top of them (``tools.sample``, ``tools.evaluate``, the tests of ``saved_models/``
and of exports, through ``verify_version``) all call it.

- An exported version ``<base_dir>/<name>/<version>`` (SavedModel directory), ``<version>.onnx`` or
  ``<version>.encode.onnx``: its card is ``<version>.json`` beside it, and ``card["files"]`` maps
  every artifact file (relative to ``<base_dir>/<name>``) to its sha256.
- A domain classifier ``<dir>/classifier.keras``: its card is ``<dir>/card.json``, with ``file``
  and ``sha256``.

A card that is not JSON, or a file that is missing or changed, raises ``DamagedArtifact`` naming
the file. Where there is no card at all (a file exported by hand, a classifier a user trained
without one), there is nothing to check against, and ``None`` is returned.
"""

import json
import re
from pathlib import Path

from zoo.errors import BadInput
from zoo.provenance import sha256_file

_VERSION_FILE = re.compile(r"^(\d+)(?:\.encode)?\.onnx$")


class DamagedArtifact(BadInput):
    """A file does not match its card (changed, truncated, missing), or the card cannot be read."""


def read_card(card_path):
    """The card as a dict.

    Raises:
        DamagedArtifact: the card is not a JSON object.
    """
    try:
        card = json.loads(Path(card_path).read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise DamagedArtifact(f"the model card {card_path} cannot be read as JSON ({err}); it is damaged") from None
    if not isinstance(card, dict):
        raise DamagedArtifact(f"the model card {card_path} is not a JSON object; it is damaged")
    return card


def _check(path, expected, card_path):
    if not path.is_file():
        raise DamagedArtifact(f"{path} is missing; its card {card_path} lists it")
    actual = sha256_file(path)
    if actual != expected:
        raise DamagedArtifact(
            f"{path} has sha256 {actual[:16]}..., its card {card_path} says {str(expected)[:16]}...: the file was "
            "changed or damaged after export; refusing to use it (export or copy it again)"
        )


def version_card_path(path):
    """``<version>.json`` for a version's SavedModel directory or ONNX file, else None."""
    path = Path(path)
    match = _VERSION_FILE.match(path.name)
    if match:
        return path.with_name(f"{match.group(1)}.json")
    if path.name.isdigit():
        return path.with_name(f"{path.name}.json")
    return None


def verify_export(path):
    """Check an exported SavedModel directory or ONNX file against its card.

    Returns:
        The card (a dict), or None when the artifact has no card beside it.

    Raises:
        DamagedArtifact: the card is not JSON, or a file of the artifact differs from it.
    """
    path = Path(path)
    card_path = version_card_path(path)
    if card_path is None or not card_path.exists():
        return None
    card = read_card(card_path)
    files = card.get("files")
    if not isinstance(files, dict):
        raise DamagedArtifact(f"the model card {card_path} has no 'files' table of sha256 digests; it is damaged")
    model_dir = card_path.parent
    if path.is_dir():  # a SavedModel: every file of the card under it
        prefix = f"{path.name}/"
        mine = {k: v for k, v in files.items() if k.startswith(prefix)}
        if not mine:
            raise DamagedArtifact(f"the model card {card_path} lists no file of {path}")
    else:
        mine = {path.name: files.get(path.name)}
        if mine[path.name] is None:
            raise DamagedArtifact(f"the model card {card_path} lists no {path.name}")
    for relative, digest in sorted(mine.items()):
        _check(model_dir / relative, digest, card_path)
    return card


def verify_version(card_path):
    """Check every file a version's card lists (its SavedModel, ONNX files, ...), as a copy of
    ``saved_models/`` or an export is checked as a whole.

    Returns:
        The card.

    Raises:
        DamagedArtifact: the card is not JSON, has no ``files`` table, or a file differs from it.
    """
    card_path = Path(card_path)
    card = read_card(card_path)
    files = card.get("files")
    if not isinstance(files, dict) or not files:
        raise DamagedArtifact(f"the model card {card_path} has no 'files' table of sha256 digests; it is damaged")
    for relative, digest in sorted(files.items()):
        _check(card_path.parent / relative, digest, card_path)
    return card


def verify_classifier(path):
    """Check a domain classifier's ``.keras`` file against the ``card.json`` beside it.

    Returns:
        The card, or None when there is none.

    Raises:
        DamagedArtifact: the card is not JSON, or the file differs from it.
    """
    path = Path(path)
    card_path = path.with_name("card.json")
    if not card_path.exists():
        return None
    card = read_card(card_path)
    if card.get("file") == path.name and card.get("sha256"):
        _check(path, card["sha256"], card_path)
    return card

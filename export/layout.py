"""The layout TF Serving reads, and all-or-nothing writing of one version into it.

Layout (``saved_models/README.md``)::

    <base_dir>/models.config            ModelServerConfig: every model with a numeric version
    <base_dir>/<name>/<version>/        SavedModel + assets.extra/tf_serving_warmup_requests
    <base_dir>/<name>/<version>.onnx    (and <version>.encode.onnx)
    <base_dir>/<name>/<version>.json    model card

A version is written by ``StagedVersion``: every artifact goes to a hidden staging directory
``<base_dir>/<name>/.tmp-<version>-<random>/`` first (TF Serving ignores names that are not
integers), and only once all of them exist and passed their checks are they renamed into place,
the numeric SavedModel directory last. A failure at any point removes everything of the version.

This module imports TensorFlow Serving's protos (which import TensorFlow) only inside the
functions that need them.
"""

import numbers
import os
import re
import shutil
import tempfile
from pathlib import Path

from export.errors import ExportError, VersionExists

NAME_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
MAX_NAME_LENGTH = 128
MAX_VERSION = 2**63 - 1  # TF Serving parses version directories as int64
MODELS_CONFIG = "models.config"
# role of an exported network -> suffix of its ONNX file
ONNX_SUFFIXES = {"generate": ".onnx", "encode": ".encode.onnx"}


# -- names and versions ------------------------------------------------------------------------


def check_name(name):
    """A model name usable as one directory name under ``base_dir``, or an ExportError.

    Args:
        name: e.g. ``"vae"`` or ``"wgan_gp-mnist.v2"``.

    Returns:
        ``name``.
    """
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name) or len(name) > MAX_NAME_LENGTH:
        raise ExportError(
            f"bad model name {name!r}: expected 1 to {MAX_NAME_LENGTH} characters from A-Z a-z 0-9 _ . - "
            "starting with a letter, digit or '_' (one directory name: no path separators, no '..')"
        )
    return name


def check_version(version):
    """A positive integer version (TF Serving's int64 version directory), or an ExportError."""
    if isinstance(version, bool) or not isinstance(version, numbers.Integral) or not 1 <= version <= MAX_VERSION:
        raise ExportError(f"bad version {version!r}: expected a positive integer (1, 2, ...), or None for the next one")
    return int(version)


def version_of(entry_name):
    """The version an entry of ``<base_dir>/<name>/`` belongs to (``"3"``, ``"3.onnx"``, ``"3.json"``
    -> 3), or None for anything else (hidden staging directories, stray files)."""
    stem = entry_name.split(".", 1)[0]
    return int(stem) if stem.isascii() and stem.isdigit() else None


def versions(model_dir):
    """Every version that has at least one artifact in ``model_dir``, sorted."""
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        return []
    return sorted({v for v in map(version_of, os.listdir(model_dir)) if v is not None})


def next_version(model_dir):
    """One more than the highest existing version, 1 for a new model."""
    existing = versions(model_dir)
    return existing[-1] + 1 if existing else 1


def artifacts(model_dir, version):
    """Paths in ``model_dir`` that belong to ``version`` (its directory, ONNX files, card)."""
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        return []
    return sorted(model_dir / e for e in os.listdir(model_dir) if version_of(e) == version)


def artifact_names(version):
    """Final names, in ``<base_dir>/<name>/``, of the artifacts of ``version``."""
    return {
        "saved_model": f"{version}",
        "onnx": f"{version}{ONNX_SUFFIXES['generate']}",
        "encode_onnx": f"{version}{ONNX_SUFFIXES['encode']}",
        "card": f"{version}.json",
    }


class StagedVersion:
    """All-or-nothing writing of one version of a model (a context manager).

    Usage::

        with StagedVersion(base_dir, name, version, overwrite) as stage:
            write_saved_model(..., stage.path("saved_model"))   # staged, invisible to TF Serving
            ...
            stage.commit(then=lambda: write_models_config(base_dir))

    ``commit`` moves the artifacts of an overwritten version aside, renames the staged files into
    place (each one atomically, the numeric SavedModel directory last), runs ``then``, and only
    then deletes the old artifacts. An exception anywhere, ``then`` included, removes what was
    placed, puts the old artifacts back, deletes the staging directory and any directory the
    stage created, and propagates. (When overwriting, the old version directory is moved aside
    before the new one arrives: a directory cannot be swapped atomically, so TF Serving may see
    the version missing for a moment.)

    Args:
        base_dir: the serving root (``saved_models``).
        name: the model's directory name (``check_name``).
        version: integer version, or None for ``next_version``.
        overwrite: replace an existing version; without it an existing version is an ExportError.

    Raises:
        ExportError: bad name or version, or an existing version without ``overwrite``; raised
            by the constructor, before anything is created.
    """

    def __init__(self, base_dir, name, version=None, overwrite=False):
        self.base_dir = Path(base_dir)
        self.name = check_name(name)
        self.model_dir = self.base_dir / self.name
        self.overwrite = bool(overwrite)
        if self.base_dir.exists() and not self.base_dir.is_dir():
            raise ExportError(f"base directory {self.base_dir} exists and is not a directory")
        self.version = next_version(self.model_dir) if version is None else check_version(version)
        self.names = artifact_names(self.version)
        self._check_free()
        self.staging = None
        self._created = []
        self._committed = False

    def _check_free(self):
        existing = artifacts(self.model_dir, self.version)
        if existing and not self.overwrite:
            raise VersionExists(
                f"version {self.version} of {self.name!r} already exists in {self.model_dir} "
                f"({', '.join(p.name for p in existing)}); pass overwrite=True to replace it, "
                f"or no version to export as version {next_version(self.model_dir)}"
            )
        return existing

    def __enter__(self):
        missing = [p for p in (self.model_dir, *self.model_dir.parents) if not p.exists()]
        self.model_dir.mkdir(parents=True, exist_ok=True)
        self._created = missing  # deepest first
        self.staging = Path(tempfile.mkdtemp(prefix=f".tmp-{self.version}-", dir=self.model_dir))
        return self

    def path(self, key):
        """Where to stage the artifact ``key`` (``"saved_model"``, ``"onnx"``, ``"encode_onnx"``, ``"card"``)."""
        return self.staging / self.names[key]

    def final_path(self, key):
        """Where the artifact ``key`` will be after ``commit``."""
        return self.model_dir / self.names[key]

    def staged(self):
        """Keys of the artifacts written to the staging directory so far."""
        return [k for k in self.names if self.path(k).exists()]

    def commit(self, then=None, replace="staged"):
        """Put the staged artifacts in place (see the class docstring); returns {key: final path}.

        Args:
            then: called after the files are placed; its failure undoes the commit.
            replace: with ``overwrite``, which artifacts of the old version go: ``"staged"``
                (only those this stage replaces: ``to_onnx`` keeps the SavedModel) or ``"all"``
                (a whole new version: ``export_model``, whose card lists exactly its files).
        """
        staged = self.staged()
        replaced_names = set(self.names.values()) if replace == "all" else {self.names[k] for k in staged}
        if not staged:
            raise ExportError(f"nothing was staged for version {self.version} of {self.name!r}")
        # The numeric directory last: TF Serving loads it as soon as it appears.
        order = sorted(staged, key=lambda k: k == "saved_model")
        replaced_dir = self.staging / ".replaced"
        moved_aside, placed = [], []
        try:
            for old in self._check_free():  # re-checked: another export may have finished meanwhile
                if old.name not in replaced_names:
                    continue  # not replaced by this stage, or not ours (e.g. "3.notes.txt"): left alone
                replaced_dir.mkdir(exist_ok=True)
                os.rename(old, replaced_dir / old.name)
                moved_aside.append(old)
            for key in order:
                source, target = self.path(key), self.final_path(key)
                _place(source, target)
                placed.append(target)
            if then is not None:
                then()
        except BaseException:
            for target in reversed(placed):
                _remove(target)
            for old in moved_aside:
                os.rename(replaced_dir / old.name, old)
            raise
        self._committed = True
        return {k: self.final_path(k) for k in staged}

    def __exit__(self, exc_type, exc, tb):
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
        if not self._committed:
            for directory in self._created:  # deepest first; only if they are still empty
                try:
                    directory.rmdir()
                except OSError:
                    break
        return False


def _place(source, target):
    """Rename ``source`` to ``target`` atomically, refusing to replace anything at ``target``."""
    if source.is_dir():
        if target.exists():
            raise ExportError(f"{target} appeared while exporting; not replaced")
        os.rename(source, target)
        return
    try:
        os.link(source, target)  # atomic and fails if target exists: never clobbers a file
    except FileExistsError:
        raise ExportError(f"{target} appeared while exporting; not replaced") from None
    except OSError:  # a file system without hard links
        if target.exists():
            raise ExportError(f"{target} appeared while exporting; not replaced") from None
        os.rename(source, target)


def _remove(path):
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


# -- TF Serving's files ------------------------------------------------------------------------


def write_models_config(base_dir):
    """(Re)write ``<base_dir>/models.config``, atomically, for TF Serving's ``--model_config_file``.

    Lists every directory of ``base_dir`` with a valid name and at least one numeric version
    directory, as ``name: "<name>"``, ``base_path: "/models/<name>"`` (the usual mount point of
    ``base_dir`` in the serving container) and ``model_platform: "tensorflow"``.

    Args:
        base_dir: the serving root.

    Returns:
        The path of the file written.
    """
    from google.protobuf import text_format
    from tensorflow_serving.config import model_server_config_pb2

    from zoo.fileio import atomic_write_bytes

    base_dir = Path(base_dir)
    config = model_server_config_pb2.ModelServerConfig()
    for model_dir in sorted(base_dir.iterdir()):
        if not (model_dir.is_dir() and NAME_PATTERN.fullmatch(model_dir.name)):
            continue
        if any((model_dir / e).is_dir() and e.isascii() and e.isdigit() for e in os.listdir(model_dir)):
            entry = config.model_config_list.config.add()
            entry.name = model_dir.name
            entry.base_path = f"/models/{model_dir.name}"
            entry.model_platform = "tensorflow"
    path = base_dir / MODELS_CONFIG
    atomic_write_bytes(path, text_format.MessageToString(config).encode())
    return path

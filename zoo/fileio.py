"""Atomic file writes: a reader (or a process killed mid-write) sees the old file or the new one.

Every file of a run directory is written under a temporary name in the same directory and then
renamed into place with ``os.replace``, which is atomic on POSIX file systems. Standard library and
NumPy only (``save_model_atomic`` calls the model's own ``save``): importing it costs no TensorFlow.
"""

import json
import os
import tempfile
from pathlib import Path

import numpy as np

from zoo.errors import DivergedError

_UMASK = os.umask(0)
os.umask(_UMASK)  # reading the umask means setting it; put it back at once


def atomic_write_bytes(path, data):
    """Write ``data`` to ``path`` through a temporary file in the same directory."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the mode a plain open() would
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path, obj):
    """Write ``obj`` as indented JSON (keys in insertion order) atomically."""
    atomic_write_bytes(path, (json.dumps(obj, indent=2) + "\n").encode())


def read_json(path):
    """Parse a JSON file."""
    return json.loads(Path(path).read_text())


def all_finite(model):
    """Whether every weight of the model (all networks) is finite."""
    return all(bool(np.isfinite(np.asarray(w)).all()) for w in model.weights)


def save_model_atomic(model, path):
    """``model.save`` under a temporary name in the same directory, then rename into place.

    Raises:
        DivergedError: a weight is not finite (a NaN model is never saved).
    """
    if not all_finite(model):
        raise DivergedError(f"not saving {path}: the model has non-finite weights")
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.tmp.keras")
    model.save(tmp)
    os.replace(tmp, path)

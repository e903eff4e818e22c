"""Atomic file writes: a reader (or a process killed mid-write) sees the old file or the new one.

Every file of a run directory is written under a temporary name in the same directory and then
renamed into place with ``os.replace``, which is atomic on POSIX file systems.
"""

import json
import os
import tempfile
from pathlib import Path


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

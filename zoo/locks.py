"""One writer per directory: the lock a command holds on the run directory (or export version) it
writes, so that a second command pointed at the same place is refused at once (standard library
only).

The lock is an ``fcntl.flock`` on a file beside the directory, ``.<name>.lock`` in its parent (beside,
not inside: an evaluation or an export replaces its whole directory by a rename, and a run
directory stays as the run wrote it). The kernel releases it when
its process ends, however it ends (a SIGKILL included), so a lock left by a process that died is
simply taken by the next command: there is no stale lock to clean up and no race between two
takers. The file holds who took it (pid, host, command, time) for the refusal's message, and is
removed when the lock is released. POSIX only (``fcntl``); a local file system is assumed (flock
over NFS is not reliable everywhere).
"""

import contextlib
import fcntl
import json
import os
import socket
import sys
import time
from pathlib import Path

from zoo.errors import BadInput


def lock_path(directory):
    """The lock file of ``directory``: ``.<name>.lock`` beside it."""
    directory = Path(directory)
    return directory.parent / f".{directory.name}.lock"


class DirectoryInUse(BadInput):
    """Another process holds the directory's lock (exit code 2: nothing was written)."""


def _holder(path):
    try:
        return json.loads(Path(path).read_text() or "{}")
    except (OSError, ValueError):
        return {}


def _refusal(directory, what, holder):
    who = f"process {holder['pid']}" if "pid" in holder else "another process"
    if holder.get("host") and holder["host"] != socket.gethostname():
        who += f" on {holder['host']}"
    extra = []
    if holder.get("command"):
        extra.append(f"`{holder['command']}`")
    if holder.get("started"):
        extra.append(f"started {holder['started']}")
    detail = f" ({', '.join(extra)})" if extra else ""
    return DirectoryInUse(
        f"{what} {directory} is in use by {who}{detail}; wait for it to end or stop it, or choose another "
        "directory (the lock of a process that has died is taken over)"
    )


def _try_lock(path):
    """An open descriptor holding the lock of ``path``, or None when another process holds it."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        try:  # the file may have been released and removed between our open and our flock
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)


def check_free(directory, what="directory"):
    """Refuse at once when another process holds ``directory``'s lock (writes nothing).

    Raises:
        DirectoryInUse: naming the holder.
    """
    path = lock_path(directory)
    if not path.is_file():
        return
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _refusal(directory, what, _holder(path)) from None
        finally:
            os.close(fd)


@contextlib.contextmanager
def exclusive(directory, what="directory", command=None):
    """Hold ``directory``'s lock for the block (its parent is created if need be, not the directory).

    Args:
        directory: the directory to own.
        what: how the refusal names it ("run directory", "export version", ...).
        command: the command line, for the holder's record.

    Raises:
        DirectoryInUse: another process holds it.
    """
    path = lock_path(directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = _try_lock(path)
    if fd is None:
        raise _refusal(directory, what, _holder(path))
    try:
        record = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": command or " ".join(sys.argv),
            "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(record).encode())
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)  # while still held: a newcomer then creates (and locks) a new file
        os.close(fd)

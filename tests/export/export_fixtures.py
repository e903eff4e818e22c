"""Helpers of the export tests: snapshots of a serving tree and its leftovers. The tiny models
and the session's ``exported`` fixture are in tests/conftest.py."""

from pathlib import Path


def tree_snapshot(root):
    """{relative path: bytes} of every file under ``root`` (directories implied)."""
    root = Path(root)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def leftovers(root):
    """Hidden staging directories or temporary files anywhere under ``root``."""
    return [p for p in Path(root).rglob("*") if p.name.startswith(".") or p.name.endswith(".tmp")]

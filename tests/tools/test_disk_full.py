"""A full disk: a write that fails with ENOSPC while a checkpoint, ``history.json``, a sample grid,
the final model or an export is saved stops the command with one message and exit code 1, leaves
every file whole (the old one or none), and the same command resumes once there is space again.

The error is injected at the write layer (the function each kind of file is written through raises
``OSError(ENOSPC)`` at its Nth call); one case also runs on a real, small file system (a tmpfs of
2 MB), where the machine lets the test mount one.
"""

import errno
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import zoo.fileio
from tool_runner import call
from zoo.cli import export as export_tool
from zoo.cli import train as train_tool

ROOT = Path(__file__).resolve().parents[2]
TINY = "--model gan --dataset ring8 --recipe none --epochs 3 --steps-per-epoch 2 --batch-size 16 --width 2"
TINY = [*TINY.split(), "--samples", "4", "--no-jit", "--no-export"]


def full_disk_at(call_number):
    """A replacement for a write function that raises ENOSPC at its ``call_number``-th call."""

    def wrap(real):
        calls = {"n": 0}

        def write(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == call_number:
                path = next((a for a in args if isinstance(a, (str, os.PathLike))), None)
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), *([str(path)] if path else []))
            return real(*args, **kwargs)

        return write

    return wrap


def resolve(target):
    """(the object, the attribute name) of a dotted write function."""
    module, _, name = target.rpartition(".")
    if module == "tensorflow.train.CheckpointManager":
        import tensorflow as tf

        return tf.train.CheckpointManager, name
    return importlib.import_module(module), name


def every_file_is_whole(out):
    """Every JSON file parses, and no temporary file of an atomic write is left."""
    for path in out.rglob("*"):
        assert ".tmp" not in path.name, path
        if path.suffix == ".json":
            json.loads(path.read_text())


# (what fails, the module attribute its writes go through, which call fails)
WRITES = [
    ("history.json", "zoo.training.callbacks.atomic_write_json", 2),  # the second epoch's history
    ("a checkpoint", "tensorflow.train.CheckpointManager.save", 3),  # after epoch 2 (the first is epoch 0's)
    ("a sample grid", "zoo.training.callbacks.atomic_write_bytes", 3),
    ("the final model", "zoo.training.run.save_model_atomic", 1),
]


@pytest.mark.parametrize("what, target, at", WRITES, ids=[w[0] for w in WRITES])
def test_a_full_disk_stops_training_with_exit_1_whole_files_and_the_same_command_resumes(
    tmp_path, monkeypatch, what, target, at
):
    out = tmp_path / "run"
    args = [*TINY, "--out", str(out)]
    owner, name = resolve(target)
    with monkeypatch.context() as patch:
        patch.setattr(owner, name, full_disk_at(at)(getattr(owner, name)))
        code, _, err = call(train_tool.main, args)
    assert code == 1, err
    assert "training stopped:" in err and "No space left on device" in err and "rerun the same command" in err
    assert "Traceback" not in err
    every_file_is_whole(out)
    assert not (out / "model.keras").exists()
    code, _, err = call(train_tool.main, args)  # space is back
    assert code == 0, err
    history = json.loads((out / "history.json").read_text())
    assert history["steps"] == [2, 4, 6]  # every epoch once, in order


def test_a_full_disk_during_an_export_leaves_no_part_of_the_version_and_the_export_reruns(tmp_path, monkeypatch):
    out = tmp_path / "run"
    code, _, err = call(train_tool.main, [*TINY, "--out", str(out)])
    assert code == 0, err
    base = tmp_path / "serving"
    with monkeypatch.context() as patch:  # the export's card is written through zoo.fileio
        patch.setattr(zoo.fileio, "atomic_write_json", full_disk_at(1)(zoo.fileio.atomic_write_json))
        code, _, err = call(export_tool.main, ["--run", str(out), "--base-dir", str(base)])
    assert code == 1 and "the export stopped: [Errno 28] No space left on device" in err, err
    assert not (base / "gan").exists() or not any((base / "gan").iterdir())
    code, _, err = call(export_tool.main, ["--run", str(out), "--base-dir", str(base)])
    assert code == 0, err
    assert (base / "gan" / "1.onnx").is_file() and (base / "gan" / "1.json").is_file()


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs of 2 MB mounted for the test, or a skip saying why it could not be."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(
            f"cannot mount a tmpfs here ({done.stderr.strip() or 'mount refused'}): the injected cases cover it"
        )
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_on_a_real_full_file_system_the_run_stops_whole_and_resumes_after_space_is_freed(small_disk):
    out = small_disk / "run"
    args = [sys.executable, "-m", "tools.train", *TINY, "--epochs", "4", "--out", str(out)]
    filler = small_disk / "filler"
    stat = os.statvfs(small_disk)
    filler.write_bytes(b"\0" * (stat.f_bavail * stat.f_frsize - 100_000))  # leave ~100 KB: the run needs ~460
    first = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert first.returncode == 1, first.stderr[-2000:]
    assert "No space left on device" in first.stderr and "Traceback" not in first.stderr
    every_file_is_whole(out)
    filler.unlink()
    second = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr[-2000:]
    assert json.loads((out / "history.json").read_text())["steps"] == [2, 4, 6, 8]

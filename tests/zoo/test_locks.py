"""One writer per run directory (zoo.locks): a second command is refused at once with exit code 2
naming the running process, and the lock of a process killed with SIGKILL is taken over."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from zoo.locks import DirectoryInUse, check_free, exclusive, lock_path

ROOT = Path(__file__).resolve().parents[2]


def test_a_held_directory_is_refused_naming_its_holder_and_a_killed_holder_is_taken_over(tmp_path, lock_holder):
    proc = lock_holder(tmp_path / "run")
    refusal = rf"run directory .*run is in use by process {proc.pid} \(`holder`, started "
    try:
        with pytest.raises(DirectoryInUse, match=refusal):
            check_free(tmp_path / "run", "run directory")
        with pytest.raises(DirectoryInUse, match=refusal), exclusive(tmp_path / "run", "run directory"):
            pass
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert lock_path(tmp_path / "run").is_file() and not (tmp_path / "run").exists()  # left by the killed one
    check_free(tmp_path / "run")
    with exclusive(tmp_path / "run", command="me"):
        assert json.loads(lock_path(tmp_path / "run").read_text())["pid"] == os.getpid()
    assert not lock_path(tmp_path / "run").exists()  # released and removed


def wait_for(condition, timeout=120):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_a_second_training_of_a_running_run_exits_2_at_once_and_a_killed_one_is_resumed(tmp_path):
    out = tmp_path / "run"
    args = [sys.executable, "-m", "tools.train", "--model", "gan", "--dataset", "ring8", "--recipe", "none"]
    args += "--epochs 5000 --steps-per-epoch 2 --batch-size 16 --width 2 --no-jit --no-export --samples 4".split()
    args += ["--out", str(out)]
    lock = lock_path(out)
    holder_pid = lambda: json.loads(lock.read_text() or "{}").get("pid") if lock.is_file() else None  # noqa: E731
    first = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: holder_pid() == first.pid and (out / "history.json").is_file())
        started = time.monotonic()
        second = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert second.returncode == 2 and f"in use by process {first.pid}" in second.stderr, second.stderr
        assert time.monotonic() - started < 60  # refused before any model or data is built
        assert first.poll() is None  # the first goes on
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    third = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: holder_pid() == third.pid or third.poll() is not None)
        assert third.poll() is None, third.stderr.read()  # the dead process's lock was taken over
    finally:
        third.send_signal(signal.SIGKILL)
        third.wait()

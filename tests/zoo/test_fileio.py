"""Atomic writes survive a SIGKILL at any moment: the file is the old one or the new one, never torn."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The child writes two large JSON documents (7 MB) in turn, forever, through zoo.fileio (which imports
# no TensorFlow, so the child starts in a fraction of a second).
WRITER = textwrap.dedent(f"""
    import sys
    sys.path.insert(0, {str(ROOT)!r})
    from zoo import fileio
    import json
    # Encoded once: the child spends its time writing (atomic_write_json = encode + this).
    docs = [json.dumps({{"version": v, "payload": [v] * 1_000_000}}).encode() for v in ("old", "new")]
    target = sys.argv[1]
    i = 0
    while True:
        fileio.atomic_write_bytes(target, docs[i % 2])
        i += 1
""")


def test_a_kill_mid_write_leaves_the_old_or_the_new_file(tmp_path):
    target = tmp_path / "history.json"
    delays = [0.05, 0.11, 0.17, 0.23, 0.31, 0.43]  # fixed: nothing here depends on chance
    interrupted = 0
    for delay in delays:
        for leftover in tmp_path.glob(".history.json.*.tmp"):
            leftover.unlink()
        before = target.stat().st_ino if target.exists() else None
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target)])
        deadline = time.monotonic() + 30  # until this child has replaced the file once
        while (not target.exists() or target.stat().st_ino == before) and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        doc = json.loads(target.read_text())  # a torn file would not parse
        assert doc["version"] in ("old", "new") and len(doc["payload"]) == 1_000_000
        # A temporary file left behind means the kill landed in the middle of a write.
        interrupted += bool(list(tmp_path.glob(".history.json.*.tmp")))
    assert interrupted >= 1, "no kill landed mid-write: the test proved nothing"

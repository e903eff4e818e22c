"""tf.distribute: 2 replicas give what 1 device gives, and 2 workers on localhost train in step.

Both run in child processes: splitting the CPU into logical devices, or joining a cluster, has to
happen before TensorFlow starts, and this test process has started it.
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import zoo
from zoo.distribute import make_strategy

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)}


def test_one_step_on_two_replicas_equals_one_step_on_one_device():
    proc = subprocess.run(
        [sys.executable, str(HERE / "replica_check.py")], capture_output=True, text=True, env=ENV, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    assert sorted(results) == zoo.list_models()
    for name, r in results.items():
        assert r["replicas"] == 2
        single, replicated = r["iterations"]
        assert single == replicated and min(single) == 1, (name, r["iterations"])
        assert r["max_abs_diff"] <= 1e-5, (name, r)


def free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def run_workers(commands, timeout=300):
    """Start one process per command as the workers of a localhost cluster; their outputs."""
    workers = [f"127.0.0.1:{port}" for port in free_ports(len(commands))]
    procs = []
    for index, command in enumerate(commands):
        tf_config = json.dumps({"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}})
        procs.append(
            subprocess.Popen(
                command,
                cwd=ROOT,
                env={**ENV, "TF_CONFIG": tf_config},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    try:
        outputs = [p.communicate(timeout=timeout) for p in procs]
    finally:
        for p in procs:
            p.kill()
    for p, (_, err) in zip(procs, outputs):
        assert p.returncode == 0, err[-3000:]
    return [out for out, _ in outputs]


def test_two_workers_on_localhost_fit_to_the_end_with_equal_weights(tmp_path):
    run_workers(
        [[sys.executable, str(HERE / "multiworker_check.py"), str(tmp_path / f"worker{i}.npz")] for i in range(2)]
    )
    chief, other = (np.load(tmp_path / f"worker{i}.npz") for i in range(2))
    assert int(chief["replicas"]) == 2 and int(chief["epochs"]) == 2
    assert int(chief["steps"]) == int(other["steps"]) == 2 * 256 // 32  # every global batch, both epochs
    names = [k for k in chief.files if k.startswith("arr_")]
    assert names and names == [k for k in other.files if k.startswith("arr_")]
    for k in names:
        np.testing.assert_array_equal(chief[k], other[k], err_msg=k)


def test_the_training_tool_runs_on_two_workers_and_only_the_chief_writes(tmp_path):
    out = tmp_path / "run"
    command = [
        sys.executable,
        "-m",
        "tools.train",
        "--strategy",
        "multiworker",
        "--model",
        "gan",
        "--dataset",
        "ring8",
        "--epochs",
        "2",
        "--steps-per-epoch",
        "2",
        "--batch-size",
        "32",
        "--width",
        "2",
        "--latent-dim",
        "2",
        "--samples",
        "16",
        "--no-export",
        "--no-validation",
        "--out",
        str(out),
    ]
    chief_out, worker_out = run_workers([command, command])
    assert "run directory:" in chief_out and "worker done" in worker_out
    history = json.loads((out / "history.json").read_text())
    assert len(history["g_loss"]) == 2 and (out / "model.keras").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_strategy_names_are_checked(monkeypatch):
    with pytest.raises(ValueError, match="unknown strategy 'tpu'; expected one of default, mirrored, multiworker"):
        make_strategy("tpu")
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(ValueError, match="needs the TF_CONFIG environment variable"):
        make_strategy("multiworker")
    monkeypatch.setenv("TF_CONFIG", "{not json")
    with pytest.raises(ValueError, match="TF_CONFIG is not a cluster description"):
        make_strategy("multiworker")

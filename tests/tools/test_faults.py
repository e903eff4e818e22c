"""Faults inflicted on real training processes: a SIGKILL in the middle of an epoch, and
reproducibility with --seed and --deterministic."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import keras
import numpy as np

import zoo.models  # noqa: F401 (registers the model classes for load_model)

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
EPOCHS, STEPS, N_CRITIC = 4, 60, 5


def train_command(out, *extra):
    return [
        sys.executable,
        *"-m tools.train --model wgan_gp --dataset ring8 --epochs".split(),
        str(EPOCHS),
        "--steps-per-epoch",
        str(STEPS),
        *"--batch-size 32 --width 2 --latent-dim 2 --samples 16 --no-validation --no-export --no-jit --out".split(),
        str(out),
        *extra,
    ]


def epochs_done(out):
    try:
        return len(json.loads((out / "history.json").read_text())["g_loss"])
    except (FileNotFoundError, ValueError, KeyError):
        return 0


def test_sigkill_mid_epoch_then_the_same_command_finishes_the_run(tmp_path):
    out = tmp_path / "run"
    proc = subprocess.Popen(
        train_command(out), cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        # Time one epoch from the history's growth, then kill halfway through the next one.
        deadline = time.monotonic() + 300
        while epochs_done(out) < 1 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        first = time.monotonic()
        while epochs_done(out) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        epoch_seconds = time.monotonic() - first
        time.sleep(epoch_seconds / 2)
        assert proc.poll() is None, f"the run ended before it could be killed: {proc.stderr.read()[-2000:]}"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        proc.kill()
    done = epochs_done(out)
    assert 2 <= done < EPOCHS and not (out / "model.keras").exists()
    kept = json.loads((out / "history.json").read_text())

    rerun = subprocess.run(train_command(out), cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert f"after epoch {done} of {EPOCHS}" in rerun.stderr  # the library's "resuming" line
    history = json.loads((out / "history.json").read_text())
    assert all(len(values) == EPOCHS for values in history.values())  # every epoch, across the kill
    for key, values in kept.items():  # no completed epoch lost or rewritten
        assert history[key][:done] == values[:done], key
    model = keras.saving.load_model(out / "model.keras")
    # Had the optimizers restarted after the kill, they would count only the epochs after it.
    assert int(model.g_optimizer.iterations) == EPOCHS * STEPS
    assert int(model.d_optimizer.iterations) == EPOCHS * STEPS * N_CRITIC


def test_seed_with_deterministic_gives_identical_weights(tmp_path):
    weights = []
    for run in ("a", "b"):
        out = tmp_path / run
        command = [
            sys.executable,
            *(
                "-m tools.train --model gan --dataset mnist_sample --epochs 1 --steps-per-epoch 3 "
                "--batch-size 16 --width 2 --latent-dim 2 --samples 4 --no-validation --no-export "
                "--eval-every 0 --seed 7 --deterministic --out"
            ).split(),
            str(out),
        ]
        proc = subprocess.run(command, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert "XLA off: op determinism is enabled" in proc.stderr
        weights.append(keras.saving.load_model(out / "model.keras").get_weights())
    assert len(weights[0]) == len(weights[1]) > 0
    for a, b in zip(*weights):
        np.testing.assert_array_equal(a, b)

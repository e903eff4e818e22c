"""The kill-and-resume soak: ``python -m tools.soak [--minutes 30] [--out runs/soak]``.

Not a test (it runs for minutes): it trains a tiny GAN on the 2-D ring with ``python -m tools.train``
in a subprocess, kills it with SIGKILL at a random moment (start-up, an epoch, a checkpoint or
history write, the final save), starts the same command again, and so on until the run finishes;
then it checks the finished run and begins a new one, until the time is up. For every finished run:

- every epoch is in ``history.json`` exactly once (each list as long as the epochs, ``steps`` the
  planned 1, 2, ... x steps per epoch);
- the optimizers' counters equal the planned steps (``epochs x steps_per_epoch`` each);
- every weight of ``model.keras`` is finite.

It writes its figures (kills, restarts, runs, epochs, steps, failures) as JSON to ``--out``/soak.json
and prints them; exit code 1 when a check failed.
"""

import argparse
import json
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROG = "python -m tools.soak"
EPOCHS, STEPS = 12, 20


def build_parser():
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    p.add_argument("--minutes", type=float, default=30.0, help="how long to go on (default: 30)")
    p.add_argument("--out", default="runs/soak", help="working directory (default: runs/soak)")
    p.add_argument("--max-wait", type=float, default=12.0, help="longest time before a kill, seconds")
    p.add_argument("--seed", type=int, default=0)
    return p


def command(run_dir):
    args = "--model gan --dataset ring8 --recipe none --batch-size 64 --width 4 --samples 16 --no-jit --no-export"
    return [sys.executable, "-m", "tools.train", *args.split(), "--epochs", str(EPOCHS), "--steps-per-epoch", str(STEPS),
            "--out", str(run_dir)]  # fmt: skip


def check_run(run_dir):
    """The failures of a finished run (empty when it is whole)."""
    from zoo.fileio import all_finite
    from zoo.runs import load_run_model

    failures = []
    history = json.loads((run_dir / "history.json").read_text())
    for key, values in history.items():
        if len(values) != EPOCHS:
            failures.append(f"history {key!r} has {len(values)} entries for {EPOCHS} epochs")
    if history.get("steps") != [STEPS * (e + 1) for e in range(EPOCHS)]:
        failures.append(f"history steps {history.get('steps')}")
    model = load_run_model(run_dir)
    for name in model.optimizer_names:
        iterations = int(getattr(model, name).iterations)
        if iterations != EPOCHS * STEPS:
            failures.append(f"{name}.iterations = {iterations}, planned {EPOCHS * STEPS}")
    if not all_finite(model):
        failures.append("a weight is not finite")
    return failures


def run_once(run_dir, rng, args, deadline, figures):
    """One start of the command; ``(None, "")`` when it was killed, else its exit code and stderr."""
    proc = subprocess.Popen(command(run_dir), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    figures["starts"] += 1
    killing = time.monotonic() < deadline
    try:
        code = proc.wait(timeout=rng.uniform(0.5, args.max_wait) if killing else 600)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stderr.close()
        figures["kills"] += 1
        return None, ""
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    return code, err


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.minutes <= 0 or args.max_wait <= 0:
        print(f"{PROG}: error: --minutes and --max-wait must be > 0", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    deadline = time.monotonic() + 60 * args.minutes
    figures = {"kills": 0, "starts": 0, "runs_finished": 0, "epochs": 0, "steps": 0, "failures": []}
    started = time.monotonic()
    while time.monotonic() < deadline:
        run_dir = out / f"run{figures['runs_finished'] + 1:03d}"
        while True:
            if (run_dir / "model.keras").is_file():  # killed after its last write: finished all the same
                code, err = 0, ""
            else:
                code, err = run_once(run_dir, rng, args, deadline, figures)
                if code is None:  # killed: start the same command again
                    continue
            if code != 0:
                figures["failures"].append(f"{run_dir.name}: exit {code}: {err.strip().splitlines()[-1:]}")
                break
            failures = check_run(run_dir)
            figures["failures"] += [f"{run_dir.name}: {f}" for f in failures]
            figures["runs_finished"] += 1
            figures["epochs"] += EPOCHS
            figures["steps"] += EPOCHS * STEPS
            break
        if figures["failures"]:
            break
    figures["wall_minutes"] = round((time.monotonic() - started) / 60, 1)
    figures["per_run"] = {
        "epochs": EPOCHS,
        "steps_per_epoch": STEPS,
        "command": " ".join(["python", *command(Path("RUN"))[1:]]),
    }
    (out / "soak.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    return 1 if figures["failures"] else 0


if __name__ == "__main__":
    raise SystemExit(main())

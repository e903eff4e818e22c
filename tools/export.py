"""Export a finished training run: ``python -m tools.export --run runs/NAME [--name N] [--version V]``.

Loads ``runs/NAME/model.keras`` (safe mode), reads the run's ``config.json`` (dataset, settings,
training command) and ``test_metrics.json`` (evaluation figures) when present, and writes one
version of the model with ``export.export_model``: the SavedModel for TF Serving, the ONNX
file(s), the model card and ``models.config``, under ``--base-dir`` (default ``saved_models``,
the project's shipped models). Bad input ends with one message and exit code 2, with nothing
written.
"""

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up chatter; errors still show

DEFAULT_BASE_DIR = "saved_models"
MODEL_FILE = "model.keras"


def build_parser():
    p = argparse.ArgumentParser(prog="python -m tools.export", description=__doc__.split("\n")[0])
    p.add_argument("--run", required=True, help="a finished run directory (holding model.keras)")
    p.add_argument("--name", default=None, help="export name (default: the model's registry name)")
    p.add_argument("--version", type=int, default=None, help="integer version (default: the next one)")
    p.add_argument("--base-dir", default=DEFAULT_BASE_DIR, help=f"serving root (default: {DEFAULT_BASE_DIR})")
    p.add_argument("--overwrite", action="store_true", help="replace an existing version")
    return p


def read_run(run_dir):
    """What the card records about a run: ``(trained_with, evaluation)``.

    Args:
        run_dir: the run directory.

    Returns:
        ``trained_with``: dict with ``run_dir``, ``dataset``, ``command`` (None when the run did
        not record it), the run's settings and package versions (absent without a
        ``config.json``); ``evaluation``: ``{"test": test_metrics}`` or None.
    """
    run_dir = Path(run_dir)
    trained_with = {"run_dir": run_dir.as_posix(), "dataset": None, "command": None}
    config_path = run_dir / "config.json"
    if config_path.is_file():
        config = json.loads(config_path.read_text())
        settings = config.get("run", {})
        trained_with.update(dataset=settings.get("dataset"), command=config.get("command"), run=settings,
                            versions=config.get("versions"))
    metrics_path = run_dir / "test_metrics.json"
    evaluation = {"test": json.loads(metrics_path.read_text())} if metrics_path.is_file() else None
    return trained_with, evaluation


def load_run_model(run_dir):
    """``keras.saving.load_model(<run_dir>/model.keras, safe_mode=True)`` with the zoo registered.

    Raises:
        export.ExportError: no such file, or a file Keras cannot load as a zoo model.
    """
    import keras

    import zoo  # noqa: F401  (registers the zoo's classes for deserialization)
    from export import ExportError

    run_dir = Path(run_dir)
    path = run_dir / MODEL_FILE
    if not run_dir.is_dir():
        raise ExportError(f"--run {run_dir} is not a directory")
    if not path.is_file():
        raise ExportError(f"{run_dir} holds no {MODEL_FILE}: the run is unfinished, or not a run directory "
                          "(python -m tools.train writes model.keras when it finishes)")
    try:
        return keras.saving.load_model(path, safe_mode=True)
    except Exception as err:  # Keras raises ValueError, TypeError, zipfile errors...
        raise ExportError(f"cannot load {path} as a zoo model: {type(err).__name__}: {err}") from None


def _size(n):
    return f"{n / 1024:.1f} KiB" if n < 1 << 20 else f"{n / (1 << 20):.1f} MiB"


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    import export

    try:
        trained_with, evaluation = read_run(args.run)
        model = load_run_model(args.run)
        result = export.export_model(model, args.base_dir, name=args.name, version=args.version,
                                     overwrite=args.overwrite, trained_with=trained_with, evaluation=evaluation)
    except (export.ExportError, OSError, json.JSONDecodeError) as err:
        print(f"{parser.prog}: error: {err}", file=sys.stderr)
        return 2
    print(f"exported {result.name} version {result.version}")
    sizes = result.sizes()
    for key, path in result.paths.items():
        print(f"  {key:14s} {path}  ({_size(sizes[key])})")
    parity = result.parity
    print(f"parity (max abs diff vs Keras on {parity['inputs']} inputs, tolerance {parity['tolerance']:g}):")
    for label, value in result.parity["max_abs_diff"].items():
        print(f"  {label}: {value:.3g}")
    if trained_with.get("command") is None:
        print(f"note: {args.run}/config.json records no training command; the card has the run's settings only")
    return 0


if __name__ == "__main__":
    sys.exit(main())

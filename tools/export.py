"""Export a finished training run: ``python -m tools.export --run runs/NAME [--name N] [--version V]``.

Loads ``runs/NAME/model.keras`` (safe mode), reads the run's ``config.json`` (dataset, settings,
training command) and ``test_metrics.json`` (evaluation figures) when present, and writes one
version of the model with ``export.export_model``: the SavedModel for TF Serving, the ONNX
file(s), the model card and ``models.config``, under ``--base-dir`` (default ``saved_models``,
the project's shipped models). Bad input ends with one message and exit code 2, with nothing
written.
"""

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up chatter; errors still show

DEFAULT_BASE_DIR = "saved_models"


def build_parser():
    p = argparse.ArgumentParser(prog="python -m tools.export", description=__doc__.split("\n")[0])
    p.add_argument("--run", required=True, help="a finished run directory (holding model.keras)")
    p.add_argument("--name", default=None, help="export name (default: the model's registry name)")
    p.add_argument("--version", type=int, default=None, help="integer version (default: the next one)")
    p.add_argument("--base-dir", default=DEFAULT_BASE_DIR, help=f"serving root (default: {DEFAULT_BASE_DIR})")
    p.add_argument("--overwrite", action="store_true", help="replace an existing version")
    return p


def _size(n):
    return f"{n / 1024:.1f} KiB" if n < 1 << 20 else f"{n / (1 << 20):.1f} MiB"


def print_result(result, run_dir):
    """What an export wrote: paths, sizes and parity figures."""
    print(f"exported {result.name} version {result.version}")
    sizes = result.sizes()
    for key, path in result.paths.items():
        print(f"  {key:14s} {path}  ({_size(sizes[key])})")
    parity = result.parity
    print(f"parity (max abs diff vs Keras on {parity['inputs']} inputs, tolerance {parity['tolerance']:g}):")
    for label, value in parity["max_abs_diff"].items():
        print(f"  {label}: {value:.3g}")
    if result.card["trained_with"].get("command") is None:
        print(f"note: {run_dir}/config.json records no training command; the card has the run's settings only")


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    import export

    try:
        result = export.export_run(args.run, args.base_dir, name=args.name, version=args.version,
                                   overwrite=args.overwrite)
    except (export.ExportError, OSError) as err:
        print(f"{parser.prog}: error: {err}", file=sys.stderr)
        return 2
    print_result(result, args.run)
    return 0


if __name__ == "__main__":
    sys.exit(main())

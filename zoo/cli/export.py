"""Export a finished training run: ``python -m tools.export --run runs/NAME [--name N] [--version V]``.

Loads ``runs/NAME/model.keras`` (safe mode), reads the run's ``config.json`` (dataset, settings,
training command) and ``test_metrics.json`` (evaluation figures) when present, and writes one
version of the model with ``export.export_model``: the SavedModel for TF Serving, the ONNX
file(s), the model card and ``models.config``, under ``--base-dir`` (default ``saved_models``,
the project's shipped models). Bad input ends with one message and exit code 2, with nothing
written.
"""

import argparse

from zoo.cli.common import fail, start

PROG = "python -m tools.export"
DEFAULT_BASE_DIR = "saved_models"


def build_parser():
    # fmt: off
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    p.add_argument("--run", required=True, help="a finished run directory (holding model.keras)")
    p.add_argument("--name", default=None, help="export name (default: the model's registry name)")
    p.add_argument("--version", type=int, default=None, help="integer version (default: the next one)")
    p.add_argument("--base-dir", default=DEFAULT_BASE_DIR, help=f"serving root (default: {DEFAULT_BASE_DIR})")
    p.add_argument("--overwrite", action="store_true", help="replace an existing version")
    # fmt: on
    return p


def _size(n):
    return f"{n / 1024:.1f} KiB" if n < 1 << 20 else f"{n / (1 << 20):.1f} MiB"


def export_and_print(run_dir, base_dir, **options):
    """``export.export_run(run_dir, base_dir, **options)``, then what it wrote: paths, sizes and
    parity figures. Raises what ``export_run`` raises (``export.ExportError``, ``OSError``)."""
    import export

    result = export.export_run(run_dir, base_dir, **options)
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
    return result


def main(argv=None):
    args = build_parser().parse_args(argv)
    start()
    from export.errors import ExportError, VersionExists

    try:
        export_and_print(args.run, args.base_dir, name=args.name, version=args.version, overwrite=args.overwrite)
    except VersionExists as err:
        return fail(PROG, f"{err} (--overwrite, --version)")
    except ExportError as err:
        return fail(PROG, err)
    except OSError as err:  # a full disk while writing: the staged version was removed (all or nothing)
        return fail(
            PROG, f"the export stopped: {err}; nothing of the version is left behind: free the space and rerun", code=1
        )
    return 0

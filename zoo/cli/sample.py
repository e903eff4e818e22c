"""Sample an exported model: ``python -m tools.sample --model saved_models/vae/2.onnx --n 64 --out grid.png``.

``--model`` is an exported ``.onnx`` generator, run with ONNX Runtime and no TensorFlow (this
path never imports it), or a SavedModel version directory (``saved_models/vae/2``), run through
its ``serving_default`` signature with TensorFlow. Images are written as a PNG grid; 2-D points as
a scatter-plot PNG, or as a ``.npy`` array when ``--out`` ends in ``.npy`` (any output can be
saved as ``.npy``). The codes are ``numpy.random.default_rng(seed).standard_normal((n, latent_dim))``.
Bad input ends with one message and exit code 2.
"""

import argparse
from pathlib import Path

from zoo.cli.common import fail, held_back_start_up, positive_int, start

PROG = "python -m tools.sample"
SUFFIXES = (".png", ".npy")


def build_parser():
    # fmt: off
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    p.add_argument("--model", required=True, help="<base>/<name>/<version>.onnx, or a SavedModel version directory")
    p.add_argument("--n", type=positive_int, default=64, help="number of samples (default: 64)")
    p.add_argument("--out", required=True, help="output file: .png (grid or scatter plot) or .npy (the raw array)")
    p.add_argument("--seed", type=int, default=None, help="seed of the codes (default: fresh codes)")
    p.add_argument("--label", type=int, default=None, help="class id, for conditional models")
    p.add_argument("--columns", type=positive_int, default=None, help="images per row of the grid (default: square)")
    # fmt: on
    return p


def open_model(path):
    """An ``OnnxGenerator`` for an ``.onnx`` file, a ``SavedModelGenerator`` for a directory."""
    from zoo.errors import BadInput

    path = Path(path)
    if not path.exists():
        raise BadInput(f"--model {path} does not exist")
    if path.is_dir():
        from export.saved_model import SavedModelGenerator

        with held_back_start_up():  # the first TensorFlow import of this process
            return SavedModelGenerator(path)
    from export.runtime import OnnxGenerator

    return OnnxGenerator(path)


def render(samples, out, columns=None):
    """The bytes to write to ``out`` for a batch of samples.

    Args:
        samples: (n, H, W, C) images in [0, 1] or (n, 2) points (anything for ``.npy``).
        out: output path; its suffix picks the format.
        columns: images per row of a grid.

    Returns:
        bytes (PNG or NPY).
    """
    import io

    import numpy as np

    from zoo.errors import BadInput
    from zoo.pictures import image_grid, png_bytes, scatter_raster

    suffix = Path(out).suffix.lower()
    if suffix == ".npy":
        buf = io.BytesIO()
        np.save(buf, samples)
        return buf.getvalue()
    if suffix != ".png":
        raise BadInput(f"--out {out}: expected a .png or .npy file name")
    if samples.ndim == 4 and samples.shape[-1] in (1, 3, 4):
        return png_bytes(image_grid(samples, columns))
    if samples.ndim == 2 and samples.shape[1] == 2:
        return png_bytes(scatter_raster(samples))
    raise BadInput(
        f"samples of shape {samples.shape[1:]} have no picture (images with 1, 3 or 4 channels, "
        "or 2-D points); write them with --out FILE.npy"
    )


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    start(tensorflow=False)  # a SavedModel imports it when it is opened
    from zoo.errors import BadInput
    from zoo.fileio import atomic_write_bytes

    try:
        if Path(args.out).suffix.lower() not in SUFFIXES:
            raise BadInput(f"--out {args.out}: expected a .png or .npy file name")
        generator = open_model(args.model)
        try:
            samples = generator.sample(args.n, seed=args.seed, labels=args.label)
        except ValueError as err:  # a label a conditional model needs, or one an unconditional one refuses
            raise BadInput(f"{err} (--label)") from None
        atomic_write_bytes(args.out, render(samples, args.out, args.columns))
    except (ValueError, OSError) as err:  # BadInput and export.ExportError are ValueErrors
        return fail(PROG, err)
    print(f"wrote {args.out}: {len(samples)} {generator.output_name} of shape {tuple(samples.shape[1:])}")
    return 0

"""Sample an exported model: ``python -m tools.sample --model saved_models/vae/1.onnx --n 64 --out grid.png``.

``--model`` is an exported ``.onnx`` generator, run with ONNX Runtime and no TensorFlow (this
path never imports it), or a SavedModel version directory (``saved_models/vae/1``), run through
its ``serving_default`` signature with TensorFlow. Images are written as a PNG grid; 2-D points as
a scatter-plot PNG, or as a ``.npy`` array when ``--out`` ends in ``.npy`` (any output can be
saved as ``.npy``). The codes are ``numpy.random.default_rng(seed).standard_normal((n, latent_dim))``.
Bad input ends with one message and exit code 2.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

from zoo.cli.common import positive_int


class SampleError(ValueError):
    """Bad input to the tool: reported on stderr with exit code 2."""


def build_parser():
    p = argparse.ArgumentParser(prog="python -m tools.sample", description=__doc__.split("\n")[0])
    p.add_argument("--model", required=True, help="<base>/<name>/<version>.onnx, or a SavedModel version directory")
    p.add_argument("--n", type=positive_int, default=64, help="number of samples (default: 64)")
    p.add_argument("--out", required=True, help="output file: .png (grid or scatter plot) or .npy (the raw array)")
    p.add_argument("--seed", type=int, default=None, help="seed of the codes (default: fresh codes)")
    p.add_argument("--label", type=int, default=None, help="class id, for conditional models")
    p.add_argument("--columns", type=positive_int, default=None, help="images per row of the grid (default: square)")
    return p


class SavedModelGenerator:
    """The ``serving_default`` signature of a SavedModel version directory (imports TensorFlow).

    Exposes what ``tools.sample`` uses of ``export.runtime.OnnxGenerator``: ``latent_dim``,
    ``output_name``, ``is_conditional`` and ``sample(n, seed, label)``.
    """

    def __init__(self, path):
        import tensorflow as tf

        from export.errors import NotAZooExport

        self._tf = tf
        try:
            self.signature = tf.saved_model.load(str(path)).signatures["serving_default"]
        except Exception as err:  # TensorFlow's OpErrors, protobuf DecodeError, KeyError...
            raise NotAZooExport(f"{path} is not a SavedModel with a serving_default signature: {err}") from None
        inputs = self.signature.structured_input_signature[1]
        outputs = self.signature.structured_outputs
        if "z" not in inputs or len(outputs) != 1 or inputs["z"].shape.rank != 2:
            raise NotAZooExport(f"{path}: serving_default maps {sorted(inputs)} -> {sorted(outputs)}; "
                                "expected z (batch, latent_dim) -> images or samples")
        self.latent_dim = int(inputs["z"].shape[1])
        self.output_name = next(iter(outputs))
        self.is_conditional = "label" in inputs

    def sample(self, n, seed=None, label=None):
        z = np.random.default_rng(seed).standard_normal((n, self.latent_dim)).astype(np.float32)
        feeds = {"z": self._tf.constant(z)}
        if self.is_conditional:
            if label is None:
                raise SampleError("this model is conditional: pass --label")
            feeds["label"] = self._tf.constant(np.full((n,), label, np.int32))
        elif label is not None:
            raise SampleError(f"this model is not conditional; got --label {label}")
        return self.signature(**feeds)[self.output_name].numpy()


def open_model(path):
    """An ``OnnxGenerator`` for an ``.onnx`` file, a ``SavedModelGenerator`` for a directory."""
    path = Path(path)
    if not path.exists():
        raise SampleError(f"--model {path} does not exist")
    if path.is_dir():
        if not (path / "saved_model.pb").is_file():
            raise SampleError(f"--model {path} is a directory without saved_model.pb; expected a SavedModel "
                              "version directory such as saved_models/vae/1")
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

    from zoo.pictures import image_grid, scatter_raster

    suffix = Path(out).suffix.lower()
    if suffix == ".npy":
        buf = io.BytesIO()
        np.save(buf, samples)
        return buf.getvalue()
    if suffix != ".png":
        raise SampleError(f"--out {out}: expected a .png or .npy file name")
    if samples.ndim == 4 and samples.shape[-1] in (1, 3, 4):
        picture = image_grid(samples, columns)
        if picture.shape[-1] == 1:
            picture = picture[..., 0]
    elif samples.ndim == 2 and samples.shape[1] == 2:
        picture = scatter_raster(samples)
    else:
        raise SampleError(f"samples of shape {samples.shape[1:]} have no picture (images with 1, 3 or 4 channels, "
                          "or 2-D points); write them with --out FILE.npy")
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(picture).save(buf, format="PNG")
    return buf.getvalue()


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    from export.errors import ExportError

    try:
        if Path(args.out).suffix.lower() not in (".png", ".npy"):
            raise SampleError(f"--out {args.out}: expected a .png or .npy file name")
        generator = open_model(args.model)
        samples = generator.sample(args.n, seed=args.seed, label=args.label)
        data = render(samples, args.out, args.columns)
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(out)
    except (ExportError, SampleError, ValueError, OSError) as err:
        print(f"{parser.prog}: error: {err}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}: {len(samples)} {generator.output_name} of shape {tuple(samples.shape[1:])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

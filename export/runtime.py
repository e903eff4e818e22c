"""Run an exported generator with ONNX Runtime, without TensorFlow.

This module imports only numpy, onnxruntime and the standard library, so services without
TensorFlow can use it::

    from export.runtime import OnnxGenerator

    gen = OnnxGenerator("saved_models/vae/2.onnx")
    images = gen.sample(16, seed=0)           # (16, 28, 28, 1) float32 in [0, 1]
    images = gen.generate(z)                  # z: (batch, gen.latent_dim) float32

The ONNX files written by ``export.to_onnx`` carry their contract in ``metadata_props`` (the keys
of ``REQUIRED_METADATA``); a file without them is refused with ``NotAZooExport``. The model card
``<version>.json`` beside the file, when present, is read into ``OnnxGenerator.card``, and the file
is checked against its sha256 there first (``zoo.integrity``).

The numpy-only pictures ``tools.sample`` writes are in ``zoo.pictures``.
"""

import json
import warnings
from pathlib import Path

import numpy as np
import onnxruntime as ort

from export.errors import NotAZooExport
from zoo.codes import seeded_codes
from zoo.integrity import verify_export

# metadata_props of every exported ONNX file. Values are strings; the JSON ones are marked.
FORMAT_KEY = "genzoo_format"
FORMAT_VERSION = "1"
REQUIRED_METADATA = (
    FORMAT_KEY,  # == FORMAT_VERSION: the layout of this metadata
    "name",  # the model's export name, e.g. "vae"
    "version",  # integer version, as in <base_dir>/<name>/<version>.onnx
    "role",  # "generate" (z -> outputs) or "encode" (outputs -> mean, log_var)
    "latent_dim",  # integer
    "output_name",  # "images" (batch, H, W, C) or "samples" (batch, D)
    "data_shape",  # JSON list: one example's shape, e.g. [28, 28, 1]
    "output_range",  # JSON: [0.0, 1.0] for images, null for points in data coordinates
)
# Optional: "num_classes" (integer) for conditional generators, which also take "label".

GENERATOR_INPUTS = ("z",)
CONDITIONAL_INPUTS = ("z", "label")


def session_options(intra_op_num_threads=None):
    """ONNX Runtime session options for the exported generators (all graph optimizations)."""
    options = ort.SessionOptions()
    # All graph rewrites (constant folding, node fusions, layout optimizations): the generators
    # are small static graphs, and the rewrites are applied once when the session is created.
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if intra_op_num_threads is not None:
        options.intra_op_num_threads = int(intra_op_num_threads)
    return options


def _open(path, providers, intra_op_num_threads):
    if not path.is_file():
        raise FileNotFoundError(f"no ONNX file at {path}")
    try:
        return ort.InferenceSession(
            str(path),
            sess_options=session_options(intra_op_num_threads),
            providers=providers or ort.get_available_providers(),
        )
    except Exception as err:  # onnxruntime raises its own InvalidProtobuf, Fail, ... types
        raise NotAZooExport(f"{path} is not a readable ONNX model: {err}") from None


class OnnxGenerator:
    """An exported generator (or decoder) run by ONNX Runtime.

    Args:
        path: ``<base_dir>/<name>/<version>.onnx`` as written by ``export.to_onnx``, or the name of
            a shipped model (``"wgan_gp"``; ``zoo.pretrained.list()``), found as ``zoo.pretrained``
            finds it: ``directory``, else ``$GENZOO_MODELS``, else the checkout's ``saved_models/``.
        providers: ONNX Runtime execution providers, in order of preference (default: every
            provider this onnxruntime build has, which puts a GPU provider first when present).
        intra_op_num_threads: threads per operator (default: ONNX Runtime's, one per core).
        version: with a shipped name, its version (default: the newest).
        directory: with a shipped name, the directory of shipped models.

    Attributes:
        name, version, latent_dim, output_name, data_shape, output_range, num_classes: the
            contract read from the file's metadata (``num_classes`` is None for unconditional
            models; ``output_range`` is None for points in data coordinates).
        metadata: every metadata entry, as strings.
        card: the model card beside the file (``<version>.json``) as a dict, or None.

    Raises:
        FileNotFoundError: no file at ``path``.
        zoo.pretrained.UnknownModel: ``path`` is a name that nothing shipped has.
        NotAZooExport: not an ONNX model, or not a generator exported by this package.
        zoo.integrity.DamagedArtifact: the file's sha256 differs from its card, or the card is
            not JSON (checked before the file is opened).
    """

    def __init__(self, path, providers=None, intra_op_num_threads=None, *, version=None, directory=None):
        self.path = Path(path)
        if not self.path.is_file() and _is_shipped_name(path):
            # A shipped name ("wgan_gp"): its newest (or the given) version, as zoo.pretrained finds it.
            from zoo.pretrained import locate

            shipped = locate(str(path), version=version, directory=directory)
            if shipped.onnx is None:
                raise FileNotFoundError(f"the shipped {shipped.name!r} version {shipped.version} has no ONNX file")
            self.path = shipped.onnx
        if not self.path.is_file():
            raise FileNotFoundError(f"no ONNX file at {self.path}")
        self.card = verify_export(self.path)  # a file that differs from its card is never opened
        self.session = _open(self.path, providers, intra_op_num_threads)
        self.metadata = dict(self.session.get_modelmeta().custom_metadata_map)
        missing = [k for k in REQUIRED_METADATA if k not in self.metadata]
        if missing:
            raise NotAZooExport(
                f"{self.path} is not a generator exported by genzoo: its metadata lacks {', '.join(missing)} "
                "(expected an .onnx file written by export.to_onnx / python -m tools.export)"
            )
        if self.metadata[FORMAT_KEY] != FORMAT_VERSION:
            raise NotAZooExport(
                f"{self.path} has export format {self.metadata[FORMAT_KEY]!r}; this runtime reads {FORMAT_VERSION!r}"
            )
        if self.metadata["role"] != "generate":
            raise NotAZooExport(
                f"{self.path} is an exported {self.metadata['role']!r} network, not a generator; "
                "load <version>.onnx, not <version>.encode.onnx"
            )
        try:
            self.name = self.metadata["name"]
            self.version = int(self.metadata["version"])
            self.latent_dim = int(self.metadata["latent_dim"])
            self.output_name = self.metadata["output_name"]
            self.data_shape = tuple(int(d) for d in json.loads(self.metadata["data_shape"]))
            output_range = json.loads(self.metadata["output_range"])
            self.num_classes = int(self.metadata["num_classes"]) if "num_classes" in self.metadata else None
        except (TypeError, ValueError) as err:
            raise NotAZooExport(f"{self.path} has malformed genzoo metadata: {err}") from None
        self.output_range = tuple(output_range) if output_range is not None else None
        self._check_tensors()

    def _check_tensors(self):
        expected_inputs = CONDITIONAL_INPUTS if self.num_classes is not None else GENERATOR_INPUTS
        inputs = {i.name: i for i in self.session.get_inputs()}
        outputs = [o.name for o in self.session.get_outputs()]
        if sorted(inputs) != sorted(expected_inputs) or outputs != [self.output_name]:
            raise NotAZooExport(
                f"{self.path} has inputs {sorted(inputs)} and outputs {outputs}; "
                f"its metadata promises inputs {list(expected_inputs)} and output [{self.output_name!r}]"
            )
        z_shape = inputs["z"].shape
        if len(z_shape) != 2 or z_shape[1] != self.latent_dim:
            raise NotAZooExport(f"{self.path}: input z has shape {z_shape}, expected ['batch', {self.latent_dim}]")

    @property
    def is_conditional(self):
        return self.num_classes is not None

    def generate(self, z, labels=None, *, label=None):
        """Generate from given codes.

        Args:
            z: (batch, latent_dim) codes; converted to float32.
            labels: conditional models only: class ids, an int or (batch,) ints in
                [0, num_classes) (the serving tensor ``label``).
            label: the name of ``labels`` before 0.2, kept for one release.

        Returns:
            float32 (batch, *data_shape): images in [0, 1], or points in data coordinates.

        Raises:
            ValueError: z of the wrong shape or not finite, a label for an unconditional model,
                or a missing or out-of-range label for a conditional one.
        """
        z = np.asarray(z, dtype=np.float32)
        if z.ndim != 2 or z.shape[1] != self.latent_dim or z.shape[0] < 1:
            raise ValueError(f"z must have shape (batch >= 1, {self.latent_dim}); got {z.shape}")
        if not np.isfinite(z).all():
            raise ValueError("z holds NaN or infinite values")
        labels = _renamed(labels, label)
        feeds = {"z": z}
        if self.is_conditional:
            feeds["label"] = self._labels(labels, len(z))
        elif labels is not None:
            raise ValueError(f"model {self.name!r} is not conditional; got labels={labels!r}, expected None")
        return self.session.run([self.output_name], feeds)[0]

    def sample(self, n, seed=None, labels=None, *, label=None):
        """Generate from ``n`` codes z ~ N(0, I).

        The codes are ``numpy.random.default_rng(seed).standard_normal((n, latent_dim))`` cast
        to float32: the codes ``zoo.codes.fixed_codes`` draws for the training grids.

        Args:
            n: number of samples, >= 1.
            seed: int for reproducible codes (None: fresh ones).
            labels, label: see ``generate``.

        Returns:
            float32 (n, *data_shape).
        """
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}")
        return self.generate(seeded_codes(int(n), self.latent_dim, seed), _renamed(labels, label))

    def _labels(self, labels, batch):
        if labels is None:
            raise ValueError(f"model {self.name!r} is conditional: pass labels, class ids in [0, {self.num_classes})")
        labels = np.asarray(labels)
        if not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"labels must be integer class ids; got dtype {labels.dtype}")
        labels = np.broadcast_to(labels, (batch,)) if labels.ndim == 0 else labels
        if labels.shape != (batch,):
            raise ValueError(f"labels must be an int or have shape ({batch},); got {labels.shape}")
        if labels.min() < 0 or labels.max() >= self.num_classes:
            raise ValueError(f"labels must lie in [0, {self.num_classes}); got values {labels.min()} .. {labels.max()}")
        return labels.astype(np.int32)

    def __repr__(self):
        return (
            f"OnnxGenerator({str(self.path)!r}: {self.name} v{self.version}, z ({self.latent_dim},) -> "
            f"{self.output_name} {self.data_shape})"
        )


def _is_shipped_name(path):
    """A bare name such as ``"wgan_gp"`` or ``"gan-cifar10"``: no directory part, no ``.onnx``."""
    text = str(path)
    return bool(text) and "/" not in text and "\\" not in text and not text.endswith(".onnx")


def _renamed(labels, label):
    """``labels``, or the value passed under its old name ``label`` (0.1), with a warning."""
    if label is None:
        return labels
    if labels is not None:
        raise TypeError("pass labels, not both labels and label (its old name)")
    warnings.warn("label= is now labels= (the serving tensor keeps the name label)", DeprecationWarning, stacklevel=3)
    return label

"""The serving contract: what an exported model takes and returns, and how parity is checked.

Tensors (the export issue's contract)::

    generate (SavedModel signature "serving_default", <version>.onnx)
        z       float32 [batch, latent_dim]      (conditional models also: label int32 [batch])
        ->  images  float32 [batch, H, W, C] in [0, 1]      (image models)
            samples float32 [batch, D]                      (flat models, e.g. 2-D toys)
    encode (signature "encode", <version>.encode.onnx), models with an encoder only
        images / samples  ->  mean, log_var   float32 [batch, latent_dim]
                          (conditional models also: label int32 [batch])

Every artifact must reproduce the Keras model within ``TOLERANCE`` (max abs difference) on
``PARITY_INPUTS`` seeded inputs (``reference_data``). TensorFlow is imported only inside the
functions that need it.
"""

import dataclasses
from pathlib import Path

import numpy as np

from export.card import to_jsonable
from export.errors import ExportError, ParityError
from export.layout import check_name

# role of an exported network -> SavedModel signature
SIGNATURES = {"generate": "serving_default", "encode": "encode"}
# output_name -> value range promised by the contract (None: points in the data's coordinates).
OUTPUT_RANGES = {"images": [0.0, 1.0], "samples": None}

# Parity: every artifact must reproduce the Keras model on PARITY_INPUTS seeded inputs.
TOLERANCE = 1e-5
PARITY_INPUTS = 64
PARITY_SEED = 0

_REQUIRED_ATTRIBUTES = ("latent_dim", "data_shape", "output_name", "generate", "optimizer_names", "config")


def num_classes(model):
    """Number of classes of a conditional model (its ``generate`` takes ``label``), else None."""
    return getattr(model, "num_classes", None)


def training_steps(model):
    """``{optimizer attribute: iterations}`` (None for an optimizer that does not exist)."""
    steps = {}
    for attribute in model.optimizer_names:
        optimizer = getattr(model, attribute, None)
        steps[attribute] = None if optimizer is None else int(optimizer.iterations)
    return steps


def check_exportable(model, allow_untrained=False):
    """Refuse what cannot be exported: not a zoo model, never built, never trained.

    "Trained" means every optimizer of the model (``model.optimizer_names``) has taken at least
    one step. ``keras.saving.load_model`` restores the optimizers' iteration counts with the
    weights, so a model loaded from a run's ``model.keras`` counts as trained.

    Args:
        model: a zoo model.
        allow_untrained: accept a model whose optimizers took no step (or that has none).

    Returns:
        ``training_steps(model)``.

    Raises:
        ExportError: naming what is wrong.
    """
    missing = [a for a in _REQUIRED_ATTRIBUTES if not hasattr(model, a)]
    if missing:
        raise ExportError(
            f"expected a zoo model (zoo.get_model(...) or keras.saving.load_model of a zoo .keras file); "
            f"got a {type(model).__name__} without {', '.join(missing)}"
        )
    unbuilt = [n for n in getattr(model, "network_names", ()) if not getattr(getattr(model, n), "built", False)]
    if not getattr(model, "built", False) or unbuilt or not model.weights:
        what = f"its networks {', '.join(unbuilt)} are" if unbuilt else "it is"
        raise ExportError(f"model {type(model).__name__} cannot be exported: {what} not built (no weights yet)")
    if len(model.data_shape) not in (1, 3) or model.output_name not in OUTPUT_RANGES:
        raise ExportError(
            f"model {type(model).__name__} generates {model.output_name!r} of shape {tuple(model.data_shape)}; "
            "the contract covers images (H, W, C) and flat samples (D,)"
        )
    if not all(bool(np.isfinite(np.asarray(w)).all()) for w in model.weights):
        raise ExportError(
            f"model {model.registry_name or type(model).__name__} has non-finite weights (NaN or inf): "
            "a diverged model is never exported"
        )
    steps = training_steps(model)
    if not allow_untrained and not all(s is not None and s >= 1 for s in steps.values()):
        raise ExportError(
            f"model {model.registry_name or type(model).__name__} has not been trained (optimizer iterations: "
            f"{steps}); train it first (python -m tools.train), or pass allow_untrained=True to export it anyway"
        )
    return steps


def exported_model(model):
    """What the exports are written from: the model itself, or for a mixed-precision model a float32
    copy with its weights (``zoo.precision.float32_copy``), so that exports are float32 end to
    end and their parity is checked in float32."""
    from zoo.precision import float32_copy

    return float32_copy(model)


def input_specs(model, role):
    """The named ``tf.TensorSpec`` inputs of a role (``"generate"`` or ``"encode"``)."""
    import tensorflow as tf

    if role == "generate":
        specs = [tf.TensorSpec([None, model.latent_dim], tf.float32, name="z")]
        if num_classes(model) is not None:
            specs.append(tf.TensorSpec([None], tf.int32, name="label"))
        return specs
    specs = [tf.TensorSpec([None, *model.data_shape], tf.float32, name=model.output_name)]
    if num_classes(model) is not None:
        specs.append(tf.TensorSpec([None], tf.int32, name="label"))
    return specs


def roles(model):
    """The networks a model exports: ``("generate",)`` or ``("generate", "encode")``."""
    return ("generate", "encode") if getattr(model, "has_encoder", False) else ("generate",)


def output_names(model, role):
    """Output tensor names of a role, in a fixed order."""
    return [model.output_name] if role == "generate" else ["mean", "log_var"]


def serving_function(model, role):
    """A traced ``tf.function`` for one role, with the contract's named inputs and a dict of named
    float32 outputs. Not XLA-compiled (``jit_compile=False``): serving runs it as a plain graph.

    Args:
        model: a zoo model.
        role: ``"generate"`` or ``"encode"``.

    Returns:
        ``tf.function`` with an input signature (``input_specs``), already traced once.
    """
    import tensorflow as tf

    output_name = model.output_name
    if role == "generate" and num_classes(model) is not None:

        def generate(z, label):
            return {output_name: tf.cast(model.generate(z, label), tf.float32)}

        fn = generate
    elif role == "generate":

        def generate(z):
            # float32 even from mixed-precision models (generate casts too; this makes it the contract)
            return {output_name: tf.cast(model.generate(z), tf.float32)}

        fn = generate
    elif num_classes(model) is not None:

        def encode(x, label):
            mean, log_var = model.encode_outputs(x, label)
            return {"mean": tf.cast(mean, tf.float32), "log_var": tf.cast(log_var, tf.float32)}

        fn = encode
    else:

        def encode(x):
            mean, log_var = model.encode_outputs(x)
            return {"mean": tf.cast(mean, tf.float32), "log_var": tf.cast(log_var, tf.float32)}

        fn = encode
    function = tf.function(fn, input_signature=input_specs(model, role), jit_compile=False, autograph=False)
    function.get_concrete_function()
    return function


@dataclasses.dataclass(frozen=True)
class Reference:
    """Inputs and the Keras model's outputs for one role: what every artifact must reproduce."""

    inputs: dict
    outputs: dict


def reference_data(model, n=PARITY_INPUTS, seed=PARITY_SEED):
    """Seeded inputs and the Keras model's outputs on them, for every role of the model.

    ``z`` is ``numpy.random.default_rng(seed).standard_normal((n, latent_dim))`` (float32); a
    conditional model's labels follow from the same generator. The encoder's inputs are the
    generated data, which lie in its input range (with the labels they were generated for).

    Returns:
        ``{role: Reference}``.
    """
    rng = np.random.default_rng(seed)
    inputs = {"z": rng.standard_normal((n, model.latent_dim)).astype(np.float32)}
    classes = num_classes(model)
    if classes is not None:
        inputs["label"] = rng.integers(0, classes, size=n).astype(np.int32)
        generated = model.generate(inputs["z"], inputs["label"])
    else:
        generated = model.generate(inputs["z"])
    generated = np.asarray(generated, dtype=np.float32)
    data = {"generate": Reference(inputs, {model.output_name: generated})}
    if "encode" in roles(model):
        encode_inputs = {model.output_name: generated}
        if classes is not None:
            encode_inputs["label"] = inputs["label"]
        mean, log_var = model.encode_outputs(*encode_inputs.values())
        data["encode"] = Reference(
            encode_inputs, {"mean": np.asarray(mean, np.float32), "log_var": np.asarray(log_var, np.float32)}
        )
    return data


def max_abs_diff(actual, expected):
    """max |actual - expected| as a float; inf when the shapes differ or a value is not finite."""
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    if actual.shape != expected.shape:
        return float("inf")
    diff = np.abs(actual - expected)
    if diff.size == 0:
        return 0.0
    return float(diff.max()) if np.isfinite(diff).all() else float("inf")


def check_parity(figures, what, tolerance=TOLERANCE):
    """Raise ParityError if any figure ``{label: max abs diff}`` exceeds ``tolerance``."""
    bad = {k: v for k, v in figures.items() if not v <= tolerance}
    if bad:
        listed = ", ".join(f"{k}: {v:.3g}" for k, v in bad.items())
        raise ParityError(f"{what} does not reproduce the Keras model within {tolerance:g} (max abs diff {listed})")


def model_info(model, steps):
    """What the card says about the exported model and its tensors."""
    latent_dim, output_name = int(model.latent_dim), model.output_name
    inputs = {"z": {"dtype": "float32", "shape": ["batch", latent_dim]}}
    if num_classes(model) is not None:
        inputs["label"] = {"dtype": "int32", "shape": ["batch"], "num_classes": int(num_classes(model))}
    data = {"dtype": "float32", "shape": ["batch", *map(int, model.data_shape)]}
    signatures = {SIGNATURES["generate"]: {"inputs": list(inputs), "outputs": [output_name]}}
    if "encode" in roles(model):
        encode_inputs = [output_name] + (["label"] if num_classes(model) is not None else [])
        signatures[SIGNATURES["encode"]] = {"inputs": encode_inputs, "outputs": output_names(model, "encode")}
    return {
        "model": model.registry_name,
        "class": f"{type(model).__module__}.{type(model).__qualname__}",
        "config": to_jsonable(model.config),
        "latent_dim": latent_dim,
        "num_classes": num_classes(model),
        "data_shape": [int(d) for d in model.data_shape],
        "inputs": inputs,
        "output": {"name": output_name, **data, "range": OUTPUT_RANGES[output_name]},
        "signatures": signatures,
        "training_steps": steps,
    }


@dataclasses.dataclass
class ExportResult:
    """What an export wrote.

    Attributes:
        name: the model's export name.
        version: the integer version written.
        paths: artifact key (``"saved_model"``, ``"onnx"``, ``"encode_onnx"``, ``"card"``,
            ``"models_config"``) -> its final path.
        parity: ``{"inputs", "seed", "tolerance", "max_abs_diff": {label: figure}}``.
        card: the model card (``export_model`` only; None from ``to_saved_model`` / ``to_onnx``).
    """

    name: str
    version: int
    paths: dict
    parity: dict
    card: dict | None = None

    def sizes(self):
        """Bytes on disk per artifact key (a directory counts every file under it)."""
        return {k: _size(p) for k, p in self.paths.items()}


def _size(path):
    path = Path(path)
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def parity_record(figures):
    """The parity figures as the card and ``ExportResult`` record them."""
    return {"inputs": PARITY_INPUTS, "seed": PARITY_SEED, "tolerance": TOLERANCE, "max_abs_diff": dict(figures)}


def export_name(model, name):
    """``name`` checked, or the model's registry name when ``name`` is None."""
    if name is None:
        name = getattr(model, "registry_name", None)
        if name is None:
            raise ExportError(f"{type(model).__name__} has no registry name; pass name=...")
    return check_name(name)

"""Numeric precision: the dtype policy networks are built under, their float32 output layers, the
loss-scaled optimizers of mixed float16, and the float32 copy that exports get.

``float32``, ``mixed_float16`` or ``mixed_bfloat16``: the networks compute in the 16-bit type and
keep float32 variables, and their output layers stay float32 (losses and generated data are
float32; ``zoo.nets`` builders ask ``output_dtype``). Under float16 every player's optimizer is a
``LossScaleOptimizer`` and every step scales its loss through its own player's optimizer
(``optimizer.scale_loss``): Keras' ``fit`` only does this for the built-in ``train_step``.
bfloat16 has float32's exponent range and needs no scaling. ``"auto"`` is ``mixed_float16`` when a
GPU is visible and ``float32`` otherwise (CPUs gain nothing from 16-bit math). Exports are always
float32 (``float32_copy``). XLA and input placement are ``zoo.training.compute``.
"""

import contextlib
import copy

import keras
import tensorflow as tf

from zoo.options import PRECISIONS


def gpu_available():
    """True when TensorFlow sees at least one GPU."""
    return bool(tf.config.list_physical_devices("GPU"))


def resolve_precision(precision="auto"):
    """``"auto"`` -> ``mixed_float16`` with a GPU, ``float32`` without; other names are checked.

    Raises:
        ValueError: not ``"auto"`` or one of ``PRECISIONS``.
    """
    if precision == "auto":
        return "mixed_float16" if gpu_available() else "float32"
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; expected auto or one of {', '.join(PRECISIONS)}")
    return precision


@contextlib.contextmanager
def precision_scope(precision):
    """Build networks under a Keras dtype policy (``PRECISIONS``); the previous policy comes back after.

    Layers take the global policy when they are created and keep it (it is saved with them), so
    only the construction has to happen inside the scope.
    """
    precision = resolve_precision(precision)
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(precision)
    try:
        yield precision
    finally:
        keras.config.set_dtype_policy(previous)


def output_dtype():
    """The dtype for a network's output layer: ``"float32"`` under a mixed policy, else None (the policy's).

    Keras' advice for mixed precision: the last layer in float32, so that losses, logits and
    generated data keep float32's range and resolution.
    """
    return "float32" if keras.config.dtype_policy().name.startswith("mixed_") else None


def network_precision(network):
    """The dtype-policy name a network computes under (``"float32"``, ``"mixed_float16"``...).

    Read off its layers, which keep the policy they were built with through a save and load (a
    functional model's own policy is whatever was global when it was rebuilt); the output layers
    of a mixed-precision network are float32, so any mixed layer decides.
    """
    names = {layer.dtype_policy.name for layer in network.layers}
    mixed = sorted(n for n in names if n.startswith("mixed_"))
    return mixed[0] if mixed else "float32"


def wrap_optimizer(optimizer, precision):
    """A ``LossScaleOptimizer`` around ``optimizer`` under ``mixed_float16``; unchanged otherwise."""
    optimizer = keras.optimizers.get(optimizer)
    if precision == "mixed_float16" and not isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer


def float32_copy(model):
    """The same model computing in float32: a mixed-precision model for export, or ``model`` itself.

    The networks are rebuilt from their configs with every dtype policy replaced by float32
    and given the model's weights (mixed policies keep float32 variables, so nothing is
    rounded); the copy is what ONNX and the SavedModel get, in float32 end to end.
    """
    if getattr(model, "precision", "float32") == "float32":
        return model
    config = _float32_policies(copy.deepcopy(model.get_config()))
    clone = type(model).from_config(config)
    clone.set_weights(model.get_weights())
    return clone


def _float32_policies(config):
    if isinstance(config, dict):
        if config.get("class_name") == "DTypePolicy" and isinstance(config.get("config"), dict):
            return {**config, "config": {**config["config"], "name": "float32"}}
        return {k: _float32_policies(v) for k, v in config.items()}
    if isinstance(config, list):
        return [_float32_policies(v) for v in config]
    return config

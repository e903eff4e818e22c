"""How a model runs fast: XLA, numeric precision, and the device the input lands on.

Three decisions, each made once per run and stated in one line when a request cannot be honoured:

- **XLA.** Every ``train_step`` is compiled with XLA (``jit_compile=True``) unless the user turns
  it off. Keras' own ``jit_compile="auto"`` turns XLA off on CPU-only machines, under
  ``tf.distribute`` and with op determinism; the zoo sets it explicitly and falls back (one
  logged line) only where XLA cannot be used: op determinism (XLA gives no determinism
  guarantee) and multi-replica strategies (the optimizers' cross-replica gradient sum is a
  ``merge_call``, which XLA cannot compile inside the replica function).
- **Precision.** ``float32``, ``mixed_float16`` or ``mixed_bfloat16``: the networks compute in
  the 16-bit type and keep float32 variables, and their output layers stay float32 (losses and
  generated data are float32; ``zoo.nets`` builders ask ``output_dtype``). Under float16 every
  player's optimizer is a ``LossScaleOptimizer`` and every step scales its loss through its own
  player's optimizer (``optimizer.scale_loss``): Keras' ``fit`` only does this for the built-in
  ``train_step``. bfloat16 has float32's exponent range and needs no scaling. ``"auto"`` is
  ``mixed_float16`` when a GPU is visible and ``float32`` otherwise (CPUs gain nothing from
  16-bit math). Exports are always float32 (``float32_copy``).
- **Input placement.** With a GPU, batches are prefetched onto it (``device_prefetch``).
"""

import contextlib
import copy

import keras
import tensorflow as tf

PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")


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


def determinism_enabled():
    """True after ``tf.config.experimental.enable_op_determinism()`` (TF has no public getter)."""
    from tensorflow.python.framework import config as tf_config

    return tf_config.is_op_determinism_enabled()


def resolve_jit_compile(requested=True, strategy=None, log=print):
    """Whether to compile the steps with XLA: ``requested`` unless something rules XLA out.

    Args:
        requested: the user's wish (``--no-jit`` makes it False).
        strategy: the ``tf.distribute`` strategy the model is built under (None: the current one).
        log: where the one-line reason for a fallback goes.

    Returns:
        bool.
    """
    if not requested:
        return False
    if determinism_enabled():
        log("XLA off: op determinism is enabled (tf.config.experimental.enable_op_determinism), and XLA "
            "gives no determinism guarantee; the steps run as plain tf.functions")
        return False
    strategy = strategy or tf.distribute.get_strategy()
    if strategy.num_replicas_in_sync > 1:
        log(f"XLA off: {type(strategy).__name__} runs {strategy.num_replicas_in_sync} replicas, and the "
            "cross-replica gradient sum cannot be compiled inside the replica step; the steps run as plain "
            "tf.functions")
        return False
    return True


def device_prefetch(dataset, device=None):
    """Prefetch batches onto ``device`` (default: the first GPU when there is one, else no change).

    Applied to the finished training pipeline (``zoo.training.prepare`` does it). The copy
    forgets the dataset's size, and Keras runs one extra step per epoch over a dataset of unknown
    size, so the size is asserted again. Under a multi-device strategy, Keras' distributed dataset
    places the batches itself. Checked here on the CPU (``device="/cpu:0"``); no GPU was available
    to check the GPU copy.
    """
    if device is None:
        if not gpu_available():
            return dataset
        device = "/gpu:0"
    size = int(dataset.cardinality())
    dataset = dataset.apply(tf.data.experimental.prefetch_to_device(device))
    if size >= 0:
        dataset = dataset.apply(tf.data.experimental.assert_cardinality(size))
    return dataset


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

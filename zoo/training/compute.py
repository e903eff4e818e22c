"""How a run computes fast: XLA, and the device the input lands on.

- **XLA.** Every ``train_step`` is compiled with XLA (``jit_compile=True``) unless the user turns
  it off. Keras' own ``jit_compile="auto"`` turns XLA off on CPU-only machines, under
  ``tf.distribute`` and with op determinism; the zoo sets it explicitly and falls back (one
  logged line) only where XLA cannot be used: op determinism (XLA gives no determinism
  guarantee) and multi-replica strategies (the optimizers' cross-replica gradient sum is a
  ``merge_call``, which XLA cannot compile inside the replica function).
- **Input placement.** With a GPU, batches are prefetched onto it (``device_prefetch``).

Numeric precision is ``zoo.precision``.
"""

import logging

import tensorflow as tf

from zoo.precision import gpu_available

_log = logging.getLogger(__name__)


def determinism_enabled():
    """True after ``tf.config.experimental.enable_op_determinism()`` (TF has no public getter)."""
    from tensorflow.python.framework import config as tf_config

    return tf_config.is_op_determinism_enabled()


def resolve_jit_compile(requested=True, strategy=None, log=_log.info):
    """Whether to compile the steps with XLA: ``requested`` unless something rules XLA out.

    Args:
        requested: the user's wish (``--no-jit`` makes it False).
        strategy: the ``tf.distribute`` strategy the model is built under (None: the current one).
        log: where the one-line reason for a fallback goes (default: this module's logger, INFO).

    Returns:
        bool.
    """
    if not requested:
        return False
    if determinism_enabled():
        log(
            "XLA off: op determinism is enabled (tf.config.experimental.enable_op_determinism), and XLA "
            "gives no determinism guarantee; the steps run as plain tf.functions"
        )
        return False
    strategy = strategy or tf.distribute.get_strategy()
    if strategy.num_replicas_in_sync > 1:
        log(
            f"XLA off: {type(strategy).__name__} runs {strategy.num_replicas_in_sync} replicas, and the "
            "cross-replica gradient sum cannot be compiled inside the replica step; the steps run as plain "
            "tf.functions"
        )
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

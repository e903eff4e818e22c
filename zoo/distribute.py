"""``tf.distribute`` strategies by name, and what a run needs to know about its worker.

- ``default``: no distribution (one device, or the strategy already in scope).
- ``mirrored``: ``MirroredStrategy`` over every GPU of this machine (the CPU when there is none):
  one replica per device, the global batch split between them, gradients summed.
- ``multiworker``: ``MultiWorkerMirroredStrategy`` over the machines listed in the ``TF_CONFIG``
  environment variable (``{"cluster": {"worker": ["host:port", ...]}, "task": {"type": "worker",
  "index": i}}``); every worker runs the same command.
- TPUs (``TPUStrategy``) are not wired in: the steps would need to be traced without the
  host-side checks the zoo's callbacks use; see the README.

The models are written for these: losses averaged over the global batch
(``global_batch_mean`` and ``per_replica`` below), gradient penalties per
example, batch normalization synchronized across replicas (``zoo.nets.layers``), every random draw
an input of the step with the batch axis first (``draw_noise``), and both optimizers built before
the first step.
"""

import json
import os

import tensorflow as tf

from zoo.options import STRATEGIES


def make_strategy(name="default"):
    """The strategy called ``name`` (``STRATEGIES``).

    Raises:
        ValueError: an unknown name, or ``multiworker`` without a usable ``TF_CONFIG``.
    """
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multiworker":
        tf_config = worker_config()
        if tf_config is None:
            raise ValueError(
                "strategy 'multiworker' needs the TF_CONFIG environment variable: "
                '{"cluster": {"worker": ["host:port", ...]}, "task": {"type": "worker", "index": i}}'
            )
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise ValueError(f"unknown strategy {name!r}; expected one of {', '.join(STRATEGIES)}")


def worker_config():
    """The parsed ``TF_CONFIG``, or None when it is unset.

    Raises:
        ValueError: TF_CONFIG is not JSON with a ``cluster`` and a ``task``.
    """
    raw = os.environ.get("TF_CONFIG")
    if not raw:
        return None
    try:
        config = json.loads(raw)
        _ = config["cluster"]["worker"], config["task"]["index"]  # both keys must be there
    except (ValueError, KeyError, TypeError) as err:
        raise ValueError(f"TF_CONFIG is not a cluster description ({err}): {raw[:200]}") from None
    return config


def is_multi_worker(strategy=None):
    """Whether ``strategy`` (default: the current one) is a ``MultiWorkerMirroredStrategy`` across
    several workers."""
    strategy = strategy or tf.distribute.get_strategy()
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and strategy.extended._in_multi_worker_mode()  # noqa: SLF001 (TF has no public test)


def is_chief(strategy=None):
    """Whether this process writes the run's files: always, except on workers other than worker 0
    of a multi-worker strategy (they train in step, and write to a scratch directory)."""
    strategy = strategy or tf.distribute.get_strategy()
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not getattr(resolver, "task_type", None):
        return True
    return resolver.task_type == "chief" or (resolver.task_type == "worker" and resolver.task_id == 0)


def features_only(dataset):
    """``(x, y)`` batches as ``x`` alone: what ``fit`` gets under ``MultiWorkerMirroredStrategy``.

    Keras 3 builds a model under a strategy by averaging the first batch across replicas, and
    across workers that fails on the integer labels the zoo's datasets carry (the generative
    models never read them).
    """
    return dataset.map(lambda x, y: x, num_parallel_calls=tf.data.AUTOTUNE)


def global_batch_mean(per_example):
    """Mean of per-example losses over the global batch.

    Under ``tf.distribute`` each replica sees part of the batch and the optimizer sums the
    replicas' gradients, so each replica divides by the global batch size (what
    ``tf.nn.compute_average_loss`` does, without its runtime asserts that XLA has to drop).
    Outside a strategy this is the plain batch mean.

    Args:
        per_example: (batch,) losses.

    Returns:
        Scalar tensor.
    """
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    batch = tf.cast(tf.shape(per_example)[0] * replicas, per_example.dtype)
    return tf.reduce_sum(per_example) / batch


def per_replica(batch_mean):
    """A replica's share of a loss already averaged over its part of the batch.

    The optimizer sums the replicas' gradients under tf.distribute, so each replica's batch mean
    is divided by the number of replicas: the sum is then the gradient of the global-batch mean.
    ``global_batch_mean(v) == per_replica(mean(v))`` for a replica's (batch,) vector ``v``.
    """
    return batch_mean / tf.distribute.get_strategy().num_replicas_in_sync

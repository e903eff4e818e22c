"""Measurements behind ``python -m tools.bench``: training throughput, FLOPs, the matmul peak, memory.

- **Training throughput** is what Keras' progress bar counts: ``train_step`` calls per second times
  the batch size, timed by a callback over one whole epoch of ``fit`` after a first epoch that
  compiles and warms up (so compilation is excluded, for the configuration and the baseline alike).
- **FLOPs per step** are counted with the statistics TensorFlow's graph profiler uses
  (``tf.compat.v1.profiler``'s ``flops`` per op) on the traced, un-XLA'd graph of one
  ``train_step_with_noise``, pruned to what the step runs: every convolution, transposed
  convolution, matrix multiply and their gradients (the gradient penalty's double backward
  included), plus elementwise ops it has statistics for. Ops without statistics (activations,
  optimizer updates) count zero, so the figure slightly undercounts the work the CPU does.
- **The peak** is the best rate of a large float32 ``tf.matmul`` in the same process.
- **Peak memory** is the process's high-water resident set size (``VmHWM``), reset before the run
  it measures (``/proc/self/clear_refs``; Linux only, None elsewhere).
"""

import math
import os
import statistics
import time

import keras
import numpy as np
import tensorflow as tf


class EpochTimer(keras.callbacks.Callback):
    """Wall time and ``train_step`` calls of each epoch of ``fit`` (``seconds[i]``, ``steps[i]``).

    Steps are counted from the first optimizer's iterations (``updates_per_step`` per step), not
    assumed: an input that runs out of data ends an epoch early, and Keras only warns.
    """

    def __init__(self):
        super().__init__()
        self.seconds = []
        self.steps = []
        self._start = None

    def _step_count(self):
        optimizer = getattr(self.model, self.model.optimizer_names[0])
        return int(optimizer.iterations) // self.model.updates_per_step[0]

    def on_epoch_begin(self, epoch, logs=None):
        self._first_step = self._step_count()
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)
        self.steps.append(self._step_count() - self._first_step)


def train_images_per_second(model, data, batch_size, steps, epochs=2, fit_kwargs=None):
    """Images per second of ``model.fit``: ``steps`` train steps per epoch, the first epoch untimed.

    The first epoch builds, traces and compiles the step (and fills the pipeline's cache); each
    later epoch is timed whole, its steps counted by the optimizer, and the fastest counts (the
    others were disturbed by something else on the machine).

    Args:
        model: a compiled zoo model.
        data: a repeating ``tf.data.Dataset`` of batches, or ``(x, y)`` NumPy arrays (``fit`` batches them).
        batch_size: examples per step.
        steps: ``train_step`` calls per epoch (a multiple of the model's ``steps_per_execution``).
        epochs: 2 or more: one warm-up epoch, then timed ones.
        fit_kwargs: more arguments for ``fit``.

    Returns:
        ``(images_per_second, timed_seconds)``.
    """
    timer = EpochTimer()
    kwargs = dict(fit_kwargs or {})
    if isinstance(data, tuple):  # (x, y) arrays
        kwargs["batch_size"] = batch_size
        # Keras keeps one iterator over an array across epochs: enough examples for all of them.
        repeats = math.ceil(epochs * steps * batch_size / len(data[0]))
        data, kwargs["y"] = (np.concatenate([a] * repeats) for a in data)
    model.fit(data, epochs=epochs, steps_per_epoch=steps, callbacks=[timer], verbose=0, **kwargs)
    rates = [n * batch_size / t for n, t in zip(timer.steps[1:], timer.seconds[1:])]
    if min(timer.steps[1:]) < steps:
        raise RuntimeError(f"an epoch ran {min(timer.steps[1:])} of {steps} steps: the input ran out of data")
    return max(rates), timer.seconds[1:]


def flops_per_step(model, x, labels=None):
    """Floating-point operations of one ``train_step_with_noise(x, noise)``, by the graph profiler's
    per-op statistics.

    The step is traced (without XLA) and pruned to the ops its outputs and variable updates
    depend on, as TensorFlow prunes it before running: a gradient function builds the gradients
    of every input of an op (a convolution's filter gradient in the generator's update, where
    only the input gradient is used), and those are never run, so they are not counted.

    Args:
        model: a compiled zoo model (its optimizers built).
        x: one batch, (batch, *data_shape).
        labels: its (batch,) class ids, for a conditional model.

    Returns:
        int.
    """
    from tensorflow.python.framework import graph_util, ops

    noise = model.draw_noise(int(x.shape[0]))
    spec = {k: tf.TensorSpec(v.shape, v.dtype) for k, v in noise.items()}
    # A fresh tf.function of the bound method: the graph the step runs without XLA.
    label_spec = tf.TensorSpec([int(x.shape[0])], tf.int32) if model.conditional else None
    graph = tf.function(model.train_step_with_noise).get_concrete_function(
        tf.TensorSpec(x.shape, tf.float32), spec, label_spec).graph
    sinks = [t.op.name for t in graph.outputs] + [op.name for op in graph.control_outputs]
    kept = {node.name for node in graph_util.extract_sub_graph(graph.as_graph_def(), sinks).node}
    total = 0
    for op in graph.get_operations():
        if op.name not in kept:
            continue
        try:
            value = ops.get_stats_for_node_def(graph, op.node_def, "flops").value
        except ValueError:  # an op with no statistics registered: counted as zero
            value = None
        total += value or 0
    return int(total)


def matmul_peak_gflops(n=2048, repeats=7):
    """Best float32 matrix-multiply rate of this process, GFLOP/s: ``2 n^3`` per ``n x n`` product.

    Args:
        n: matrix size (2048: 17 GFLOP per product, large enough to reach the peak).
        repeats: timed products after one untimed one; the fastest counts.
    """
    rng = np.random.default_rng(0)
    a = tf.constant(rng.standard_normal((n, n)), tf.float32)
    b = tf.constant(rng.standard_normal((n, n)), tf.float32)
    product = tf.function(lambda a, b: tf.reduce_sum(tf.matmul(a, b)))  # the sum forces the result
    product(a, b).numpy()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        product(a, b).numpy()
        times.append(time.perf_counter() - start)
    return 2.0 * n**3 / min(times) / 1e9


def median_seconds(fn, min_calls=20, max_calls=2000, budget_s=2.0, warmup=3):
    """Median wall time of ``fn()`` over many calls: at least ``min_calls``, then until ``budget_s``
    has passed or ``max_calls`` were made; ``warmup`` untimed calls first."""
    for _ in range(warmup):
        fn()
    times = []
    start = time.perf_counter()
    while len(times) < max_calls and (len(times) < min_calls or time.perf_counter() - start < budget_s):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def reset_peak_memory():
    """Reset the process's resident-set high-water mark; False where Linux's clear_refs is missing."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_memory_mib():
    """The process's high-water resident set size since the last reset, MiB (None off Linux)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def cpu_description():
    """What the figures were measured on: CPU model name, logical cores, GPUs TensorFlow sees."""
    name = None
    try:
        with open("/proc/cpuinfo") as f:
            name = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), None)
    except OSError:
        pass
    return {"cpu": name, "cores": os.cpu_count(),
            "gpus": [d.name for d in tf.config.list_physical_devices("GPU")]}

"""The speed benchmark behind ``python -m tools.bench``: ``bench_model`` measures one model, from
the primitives below (training throughput, FLOPs, the matmul peak, memory, generation latency);
``results_table`` is the README's table of the results.

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

import logging
import math
import os
import statistics
import time

import keras
import numpy as np
import tensorflow as tf

_log = logging.getLogger(__name__)

BATCH_SIZE = 64
DATASET = "mnist_sample"  # the embedded 28x28 MNIST sample: no download, same data on every machine


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
    graph = (
        tf.function(model.train_step_with_noise)
        .get_concrete_function(tf.TensorSpec(x.shape, tf.float32), spec, label_spec)
        .graph
    )
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
    return {"cpu": name, "cores": os.cpu_count(), "gpus": [d.name for d in tf.config.list_physical_devices("GPU")]}


def bench_model(
    name,
    *,
    peak_gflops,
    work_dir,
    steps,
    epochs,
    width=None,
    batch_sizes=(1, 64, 1024),
    budget_s=2.0,
    min_calls=20,
    steps_per_execution=4,
    precision="auto",
    log=_log.info,
):
    """Every figure of one model, as ``tools.bench`` reports it: training images per second of the
    zoo's configuration against the Keras examples' way, FLOPs per step and the share of
    ``peak_gflops``, peak memory, and generation latency through Keras, the SavedModel and ONNX
    Runtime (the model exported into ``work_dir``).

    Args:
        name: registry name.
        peak_gflops: the matmul peak of this process (``matmul_peak_gflops``).
        work_dir: where the export is written.
        steps: timed train steps per epoch (rounded up to whole executions).
        epochs: epochs of each training, the first untimed.
        width: network size (None: the model's).
        batch_sizes, budget_s, min_calls: of the generation timings (``generation_figures``).
        steps_per_execution, precision: of the zoo's configuration.
        log: where the XLA fallback line goes, if any.

    Returns:
        The model's entry of ``bench.json``.
    """
    import export
    import zoo
    from zoo.data import load
    from zoo.precision import precision_scope
    from zoo.training.compute import resolve_jit_compile

    model_class = zoo.get_model_class(name)
    overrides = {"width": width} if width else {}
    spe = min(steps_per_execution, steps)
    steps = math.ceil(steps / spe) * spe  # whole executions per epoch
    value_range = model_class.value_range
    pipeline = load(DATASET, batch_size=BATCH_SIZE, value_range=value_range, drop_remainder=True, seed=0).repeat()
    batches = list(load(DATASET, batch_size=1000, value_range=value_range, shuffle=False))
    array = np.concatenate([x.numpy() for x, _ in batches])
    labels = np.concatenate([y.numpy() for _, y in batches])  # a conditional model's classes

    # 1. The baseline: the Keras examples' way, same networks and initial weights.
    keras.utils.set_random_seed(0)
    baseline = zoo.get_model(name, input_shape=array.shape[1:], **overrides)
    baseline.compile_default(jit_compile=False, steps_per_execution=1)
    baseline_ips, baseline_epochs = train_images_per_second(baseline, (array, labels), BATCH_SIZE, steps, epochs=epochs)
    del baseline

    # 2. The zoo's configuration.
    keras.utils.set_random_seed(0)
    with precision_scope(precision) as resolved_precision:
        model = zoo.get_model(name, input_shape=array.shape[1:], **overrides)
    jit = resolve_jit_compile(True, log=log)
    model.compile_default(jit_compile=jit, steps_per_execution=spe)
    reset_peak_memory()
    ours_ips, ours_epochs = train_images_per_second(model, pipeline, BATCH_SIZE, steps, epochs=epochs)
    peak_rss = peak_memory_mib()

    # 3. Work per step and the share of the peak it reaches.
    flops = flops_per_step(model, array[:BATCH_SIZE], labels[:BATCH_SIZE])
    train_gflops = flops * ours_ips / BATCH_SIZE / 1e9

    # 4. Generation: Keras predict, the SavedModel signature, ONNX Runtime.
    result = export.export_model(model, work_dir, name=name, version=1)
    generation = generation_figures(
        model, result.paths["saved_model"], result.paths["onnx"], batch_sizes, budget_s, min_calls
    )
    b1 = generation.get("1")
    return {
        "model": name,
        "config": {
            "width": model.config.width,
            "latent_dim": model.latent_dim,
            "n_critic": getattr(model.config, "n_critic", 1),
            "data_shape": list(model.data_shape),
            "parameters": int(
                sum(np.prod(w.shape) for n in model.network_names for w in getattr(model, n).trainable_weights)
            ),
        },
        "batch_size": BATCH_SIZE,
        "ours": {
            "jit_compile": jit,
            "steps_per_execution": spe,
            "precision": resolved_precision,
            "pipeline": "zoo.data",
        },
        "baseline": {"jit_compile": False, "steps_per_execution": 1, "precision": "float32", "pipeline": "numpy"},
        "timed_steps_per_epoch": steps,
        "train_images_per_s": ours_ips,
        "baseline_images_per_s": baseline_ips,
        "speedup": ours_ips / baseline_ips,
        "epoch_seconds": {"ours": ours_epochs, "baseline": baseline_epochs},
        "flops_per_step": flops,
        "flops_counted_by": "TF profiler flops statistics per op of the pruned, un-XLA'd train_step_with_noise graph",
        "train_gflops": train_gflops,
        "peak_fraction": train_gflops / peak_gflops,
        "peak_rss_mib": peak_rss,
        "generation": generation,
        "ort_vs_savedmodel_batch1": b1["savedmodel"]["median_ms"] / b1["onnxruntime"]["median_ms"] if b1 else None,
    }


def generation_figures(model, saved_model_dir, onnx_path, batch_sizes, budget_s, min_calls):
    """Median ms per call and images per second at each batch size, for each generation path:
    ``keras_predict``, ``savedmodel`` (the ``serving_default`` signature) and ``onnxruntime``."""
    from export.runtime import OnnxGenerator
    from zoo.codes import cycled_labels

    signature = tf.saved_model.load(str(saved_model_dir)).signatures["serving_default"]
    ort = OnnxGenerator(onnx_path)
    rng = np.random.default_rng(0)
    figures = {}
    for b in batch_sizes:
        inputs = {"z": rng.standard_normal((b, model.latent_dim)).astype(np.float32)}
        if model.conditional:  # each path also gets the classes to draw
            inputs["label"] = cycled_labels(b, model.num_classes)
        figures[str(b)] = {
            path: {"median_ms": seconds * 1e3, "images_per_s": b / seconds}
            for path, fn in _generation_calls(model, signature, ort, inputs).items()
            for seconds in [median_seconds(fn, min_calls=min_calls, budget_s=budget_s)]
        }
    return figures


def _generation_calls(model, signature, ort, inputs):
    """One generation call of each path on the same inputs (``z``, and ``label`` if conditional)."""
    keras_inputs = tuple(inputs.values()) if len(inputs) > 1 else inputs["z"]
    serving_inputs = {k: tf.constant(v) for k, v in inputs.items()}
    batch = len(inputs["z"])
    return {
        "keras_predict": lambda: model.predict(keras_inputs, batch_size=batch, verbose=0),
        "savedmodel": lambda: signature(**serving_inputs)[model.output_name].numpy(),
        "onnxruntime": lambda: ort.generate(**inputs),
    }


def results_table(results, peak_gflops):
    """The README's table of ``bench_model`` entries: training, then generation, one row per model."""
    lines = [
        f"fp32 matmul peak measured in this run: {peak_gflops:.1f} GFLOP/s",
        "",
        "| model | ours img/s | baseline img/s | speedup | GFLOP/step | GFLOP/s | % of peak | peak RSS MiB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        rss = f"{r['peak_rss_mib']:.0f}" if r["peak_rss_mib"] is not None else "n/a"
        lines.append(
            f"| {r['model']} | {r['train_images_per_s']:.1f} | {r['baseline_images_per_s']:.1f} | "
            f"{r['speedup']:.2f}x | {r['flops_per_step'] / 1e9:.2f} | {r['train_gflops']:.1f} | "
            f"{100 * r['peak_fraction']:.1f}% | {rss} |"
        )
    batch_sizes = list(results[0]["generation"]) if results else []
    header = " | ".join(f"{p} b{b}" for b in batch_sizes for p in ("Keras", "SavedModel", "ORT"))
    lines += [
        "",
        "Generation, median ms per call (images/s at the largest batch in brackets):",
        "",
        f"| model | {header} | ORT / SavedModel at b1 |",
        "|---|" + "---|" * (3 * len(batch_sizes) + 1),
    ]
    for r in results:
        cells = []
        for b in batch_sizes:
            for p in ("keras_predict", "savedmodel", "onnxruntime"):
                f = r["generation"][b][p]
                cells.append(
                    f"{f['median_ms']:.2f}" + (f" ({f['images_per_s']:.0f}/s)" if b == batch_sizes[-1] else "")
                )
        ratio = r["ort_vs_savedmodel_batch1"]
        lines.append(f"| {r['model']} | " + " | ".join(cells) + f" | {f'{ratio:.1f}x' if ratio else 'n/a'} |")
    return "\n".join(lines)


# -- the recipes' steps: XLA or not, the share of the peak, the phases of a step, the pipeline --------


def recipe_model(name, settings, data_shape):
    """The model of a recipe's settings (``zoo.recipes.Recipe.settings``): its width, latent size
    and config items, compiled later."""
    import zoo
    from zoo.training.run import config_overrides

    overrides = config_overrides(settings.get("config", ()))
    overrides.update({k: settings[k] for k in ("width", "latent_dim") if settings.get(k) is not None})
    if zoo.get_model_class(name).conditional:
        overrides.setdefault("num_classes", 10)
    return zoo.get_model(name, input_shape=data_shape, **overrides)


def step_phases(model, x, labels=None, jit_compile=False, budget_s=2.0, min_calls=10):
    """Median milliseconds of the parts of an adversarial train step, each its own ``tf.function``
    with the updates applied as training applies them: ``critic_update`` (one discriminator
    update, the model's whole loss), ``critic_update_without_penalty`` (the same on the
    Wasserstein loss alone, for a model with a gradient penalty: the difference is the penalty's
    double backward), ``generator_update`` and ``step`` (``train_step_with_noise``: n_critic
    critic updates, one generator update, the moving average)."""
    from zoo import losses
    from zoo.models.base import network_inputs

    batch = int(x.shape[0])
    x = tf.constant(x)
    labels = None if labels is None else tf.constant(labels)
    noise = {k: tf.constant(v) for k, v in model.draw_noise(batch).items()}

    def critic(penalty):
        def update():
            with tf.GradientTape() as tape:
                if penalty:
                    loss, _ = model.discriminator_terms(
                        x, noise["critic_z"][:, 0], True, model.critic_noise_of(noise, 0), labels
                    )
                else:
                    fake = model.generator(network_inputs(noise["critic_z"][:, 0], labels), training=True)
                    real_out, fake_out = model.judge(x, labels, True), model.judge(fake, labels, True)
                    loss = losses.wasserstein_discriminator_loss(real_out, fake_out)
            model.apply_update("d_optimizer", tape, loss)

        return update

    def generator_update():
        with tf.GradientTape() as tape:
            loss = model.generator_terms(noise["generator_z"], True, labels)
        model.apply_update("g_optimizer", tape, loss)

    parts = {"critic_update": critic(True), "generator_update": generator_update}
    if model.uses_interpolation_noise:
        parts["critic_update_without_penalty"] = critic(False)
    parts["step"] = lambda: model.train_step_with_noise(x, noise, labels)
    timings = {}
    for part, fn in parts.items():
        timings[part] = 1000 * median_seconds(
            tf.function(fn, jit_compile=jit_compile), min_calls=min_calls, budget_s=budget_s, warmup=2
        )
    return timings


def pipeline_ms_per_batch(dataset, batch_size, value_range, binarize=None, batches=200, data_dir=None):
    """Mean milliseconds per batch of the ``zoo.data`` training pipeline alone (shuffled, prefetched),
    over ``batches`` batches after up to 50 untimed ones."""
    from zoo.data import load

    ds = load(
        dataset, batch_size=batch_size, value_range=value_range, binarize=binarize, seed=0, data_dir=data_dir
    ).repeat()
    iterator = iter(ds)
    for _ in range(min(batches, 50)):
        next(iterator)
    start = time.perf_counter()
    for _ in range(batches):
        next(iterator)
    return 1000 * (time.perf_counter() - start) / batches


def recipe_batches(family, batch, value_range, binarize=None, data_dir=None):
    """The batches a recipe's step is timed on, and the ``(dataset, data_dir)`` of its pipeline
    figure (None: no figure).

    ``mnist``: the embedded sample (the same networks and shapes as on MNIST). ``cifar10``: the
    CIFAR-10 folder at ``data_dir`` (``zoo.data``'s cifar10; decoded once, then cached), or, with
    no folder, random images of 32x32x3 in ``value_range``: a step's time does not depend on the
    pixels, but then there is no pipeline to time.
    """
    from zoo.data import load

    if family == "mnist":
        return load(
            DATASET, batch_size=batch, value_range=value_range, binarize=binarize, drop_remainder=True, seed=0
        ), (
            DATASET,
            None,
        )
    if family != "cifar10":
        raise ValueError(f"no benchmark data for the recipe family {family!r}; expected mnist or cifar10")
    if data_dir is not None:
        batches = load(
            "cifar10", batch_size=batch, value_range=value_range, data_dir=data_dir, drop_remainder=True, seed=0
        )
        return batches, ("cifar10", data_dir)
    low, high = value_range
    x = np.random.default_rng(0).uniform(low, high, (4 * batch, 32, 32, 3)).astype("float32")
    batches = tf.data.Dataset.from_tensor_slices((x, np.zeros(4 * batch, "int32"))).batch(batch, drop_remainder=True)
    return batches, None


def bench_recipe(name, recipe, peak_gflops, steps=20, epochs=3, phases=True, data_dir=None, log=_log.info):
    """One recipe's figures: ms per train step with and without XLA at the recipe's batch size on
    ``recipe_batches`` of its family, FLOPs per step and the share of ``peak_gflops`` of the faster,
    the pipeline's ms per batch (None where there is no pipeline to time) and, for adversarial
    models, the phases of a step (``step_phases``, without XLA)."""
    import zoo

    settings = recipe.settings
    batch = settings.get("batch_size", BATCH_SIZE)
    model_class = zoo.get_model_class(name)
    binarize = settings.get("binarize")
    from zoo.optimizers import build_optimizers

    batches, pipeline_source = recipe_batches(recipe.family, batch, model_class.value_range, binarize, data_dir)
    pipeline = batches.repeat()
    x, y = next(iter(batches))
    figures = {}
    for jit in (True, False):
        keras.utils.set_random_seed(0)
        model = recipe_model(name, settings, tuple(x.shape[1:]))
        model.compile_optimizers(build_optimizers(model, settings.get("learning_rate")), jit_compile=jit)
        ips, _ = train_images_per_second(model, pipeline, batch, steps, epochs=epochs)
        figures["xla" if jit else "no_xla"] = 1000 * batch / ips
    flops = flops_per_step(model, x.numpy(), y.numpy() if model.conditional else None)
    best = min(figures.values())
    pipeline_ms = None
    if pipeline_source is not None:
        dataset, folder = pipeline_source
        pipeline_ms = pipeline_ms_per_batch(dataset, batch, model_class.value_range, binarize, data_dir=folder)
    result = {
        "model": name,
        "recipe": recipe.name,
        "family": recipe.family,
        "batch_size": batch,
        "ms_per_step": figures,
        "xla_speedup": figures["no_xla"] / figures["xla"],
        "flops_per_step": flops,
        "peak_fraction": flops / (best / 1000) / 1e9 / peak_gflops,
        "pipeline_ms_per_batch": pipeline_ms,
        # The pipeline keeps up when it delivers images faster than the step takes them.
        "step_images_per_s": 1000 * batch / best,
        "pipeline_images_per_s": None if pipeline_ms is None else 1000 * batch / pipeline_ms,
    }
    if phases and "d_optimizer" in model.optimizer_names and hasattr(model, "discriminator_terms"):
        result["phases_ms"] = step_phases(model, x.numpy(), y.numpy() if model.conditional else None)
    return result


def recipes_table(results, peak_gflops):
    """The README's table of ``bench_recipe`` entries."""
    lines = [
        f"fp32 matmul peak measured in this run: {peak_gflops:.1f} GFLOP/s",
        "",
        "| model (recipe) | batch | ms/step, XLA | ms/step, no XLA | XLA speed-up | GFLOP/step | % of peak (faster) "
        "| pipeline ms/batch (images/s) | phases, ms (no XLA) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        phases = ", ".join(f"{k.replace('_', ' ')} {v:.1f}" for k, v in r.get("phases_ms", {}).items()) or "—"
        lines.append(
            f"| {r['model']} ({r['recipe']}) | {r['batch_size']} | {r['ms_per_step']['xla']:.1f} | "
            f"{r['ms_per_step']['no_xla']:.1f} | {r['xla_speedup']:.2f}x | {r['flops_per_step'] / 1e9:.3f} | "
            f"{100 * r['peak_fraction']:.1f}% | {_pipeline_cell(r)} | {phases} |"
        )
    return "\n".join(lines)


def _pipeline_cell(result):
    """``0.25 (200,000/s)``: the pipeline's ms per batch and images per second, or a dash."""
    ms = result.get("pipeline_ms_per_batch")
    if ms is None:
        return "—"
    return f"{ms:.2f} ({1000 * result['batch_size'] / ms:,.0f}/s)"

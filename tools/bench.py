"""Benchmark every registered model: ``python -m tools.bench [--quick] [--out bench.json]``.

For each model, in one process on one machine (so the ratios compare like with like):

- training images per second of the zoo's configuration (XLA, ``--steps-per-execution``, the
  ``zoo.data`` pipeline: decoded once, cached, vectorized, prefetched; precision ``auto``) against a
  baseline that trains the same networks (same initial weights, same ``train_step``) the way the
  official Keras examples do: ``jit_compile=False`` (a plain ``tf.function``),
  ``steps_per_execution=1``, and the NumPy array handed to ``fit``. ``speedup`` is their ratio.
  Both are timed over whole epochs after an untimed first epoch (compilation and warm-up).
- achieved training GFLOP/s (FLOPs per step from TensorFlow's graph profiler, see
  ``zoo.benchmark``) against the float32 matmul peak measured in the same run;
- peak resident memory of the process while the configuration trains;
- generation: median wall time of one call at batch 1, 64 and 1,024 through Keras ``predict``,
  the exported SavedModel's ``serving_default`` signature and ONNX Runtime (the model exported by
  ``export.export_model``, parity-checked as any export).

Prints a table and writes ``bench.json``. ``--quick`` is a smoke test (tiny networks, a few
steps, in under 2 minutes); its figures mean nothing.
"""

import argparse
import math
import os
import sys
import tempfile
import time

from zoo.cli.common import positive_int

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

FULL = dict(batch_sizes=(1, 64, 1024), steps=40, epochs=3, width=None, budget_s=2.0, min_calls=20,
            matmul_n=2048)
QUICK = dict(batch_sizes=(1, 64), steps=4, epochs=2, width=4, budget_s=0.05, min_calls=3, matmul_n=512)
BATCH_SIZE = 64
DATASET = "mnist_sample"  # the embedded 28x28 MNIST sample: no download, same data on every machine


def build_parser():
    p = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.split("\n")[0])
    p.add_argument("--models", nargs="+", default=None, help="registry names (default: every registered model)")
    p.add_argument("--out", default="bench.json", help="where the JSON results go (default: bench.json)")
    p.add_argument("--quick", action="store_true", help="a reduced run for smoke testing (figures meaningless)")
    p.add_argument("--steps", type=positive_int, default=None,
                   help="timed train steps per epoch (default: 40; --quick: 4)")
    p.add_argument("--steps-per-execution", type=positive_int, default=4,
                   help="steps_per_execution of the zoo's configuration (default: 4)")
    p.add_argument("--precision", default="auto", help="precision of the zoo's configuration (default: auto)")
    return p


def bench_model(name, settings, args, peak_gflops, work_dir, log=print):
    """Every figure of one model (see the module docstring); returns its bench.json entry."""
    import keras
    import numpy as np

    import export
    import zoo
    from zoo.training import benchmark
    from zoo.data import load
    from zoo.precision import precision_scope
    from zoo.training.compute import resolve_jit_compile

    model_class = zoo.get_model_class(name)
    overrides = {"width": settings["width"]} if settings["width"] else {}
    steps = args.steps or settings["steps"]
    spe = min(args.steps_per_execution, steps)
    steps = math.ceil(steps / spe) * spe  # whole executions per epoch
    data_range = model_class.data_range
    pipeline = load(DATASET, batch_size=BATCH_SIZE, value_range=data_range, drop_remainder=True, seed=0).repeat()
    batches = list(load(DATASET, batch_size=1000, value_range=data_range, shuffle=False))
    array = np.concatenate([x.numpy() for x, _ in batches])
    labels = np.concatenate([y.numpy() for _, y in batches])  # a conditional model's classes

    # 1. The baseline: the Keras examples' way, same networks and initial weights.
    keras.utils.set_random_seed(0)
    baseline = zoo.get_model(name, input_shape=array.shape[1:], **overrides)
    baseline.compile_default(jit_compile=False, steps_per_execution=1)
    baseline_ips, baseline_epochs = benchmark.train_images_per_second(
        baseline, (array, labels), BATCH_SIZE, steps, epochs=settings["epochs"])
    del baseline

    # 2. The zoo's configuration.
    keras.utils.set_random_seed(0)
    with precision_scope(args.precision) as precision:
        model = zoo.get_model(name, input_shape=array.shape[1:], **overrides)
    jit = resolve_jit_compile(True, log=log)
    model.compile_default(jit_compile=jit, steps_per_execution=spe)
    benchmark.reset_peak_memory()
    ours_ips, ours_epochs = benchmark.train_images_per_second(model, pipeline, BATCH_SIZE, steps,
                                                              epochs=settings["epochs"])
    peak_rss = benchmark.peak_memory_mib()

    # 3. Work per step and the share of the peak it reaches.
    flops = benchmark.flops_per_step(model, array[:BATCH_SIZE], labels[:BATCH_SIZE])
    train_gflops = flops * ours_ips / BATCH_SIZE / 1e9

    # 4. Generation: Keras predict, the SavedModel signature, ONNX Runtime.
    result = export.export_model(model, work_dir, name=name, version=1)
    generation = generation_figures(model, result.paths["saved_model"], result.paths["onnx"],
                                    settings["batch_sizes"], settings["budget_s"], settings["min_calls"])
    b1 = generation.get("1", {})
    ratio = None
    if b1:
        ratio = b1["savedmodel"]["median_ms"] / b1["onnxruntime"]["median_ms"]
    return {
        "model": name,
        "config": {"width": model.config.width, "latent_dim": model.latent_dim,
                   "n_critic": getattr(model.config, "n_critic", 1), "data_shape": list(model.data_shape),
                   "parameters": int(sum(np.prod(w.shape) for n in model.network_names
                                         for w in getattr(model, n).trainable_weights))},
        "batch_size": BATCH_SIZE,
        "ours": {"jit_compile": jit, "steps_per_execution": spe, "precision": precision, "pipeline": "zoo.data"},
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
        "ort_vs_savedmodel_batch1": ratio,
    }


def generation_figures(model, saved_model_dir, onnx_path, batch_sizes, budget_s, min_calls):
    """Median ms per call and images per second at each batch size, for each generation path."""
    import numpy as np
    import tensorflow as tf

    from export.runtime import OnnxGenerator
    from zoo.training.benchmark import median_seconds

    signature = tf.saved_model.load(str(saved_model_dir)).signatures["serving_default"]
    ort = OnnxGenerator(onnx_path)
    rng = np.random.default_rng(0)
    figures = {}
    for b in batch_sizes:
        z = rng.standard_normal((b, model.latent_dim)).astype(np.float32)
        if model.conditional:  # each path also gets the classes to draw
            label = (np.arange(b) % model.num_classes).astype(np.int32)
            paths = {
                "keras_predict": lambda: model.predict((z, label), batch_size=b, verbose=0),
                "savedmodel": lambda: signature(z=tf.constant(z), label=tf.constant(label))[model.output_name].numpy(),
                "onnxruntime": lambda: ort.generate(z, label=label),
            }
        else:
            paths = {
                "keras_predict": lambda: model.predict(z, batch_size=b, verbose=0),
                "savedmodel": lambda: signature(z=tf.constant(z))[model.output_name].numpy(),
                "onnxruntime": lambda: ort.generate(z),
            }
        figures[str(b)] = {}
        for path, fn in paths.items():
            seconds = median_seconds(fn, min_calls=min_calls, budget_s=budget_s)
            figures[str(b)][path] = {"median_ms": seconds * 1e3, "images_per_s": b / seconds}
    return figures


def table(results, peak_gflops):
    """The README's table: training, then generation, one row per model."""
    lines = [
        f"fp32 matmul peak measured in this run: {peak_gflops:.1f} GFLOP/s",
        "",
        "| model | ours img/s | baseline img/s | speedup | GFLOP/step | GFLOP/s | % of peak | peak RSS MiB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        rss = f"{r['peak_rss_mib']:.0f}" if r["peak_rss_mib"] is not None else "n/a"
        lines.append(f"| {r['model']} | {r['train_images_per_s']:.1f} | {r['baseline_images_per_s']:.1f} | "
                     f"{r['speedup']:.2f}x | {r['flops_per_step'] / 1e9:.2f} | {r['train_gflops']:.1f} | "
                     f"{100 * r['peak_fraction']:.1f}% | {rss} |")
    batch_sizes = list(results[0]["generation"]) if results else []
    header = " | ".join(f"{p} b{b}" for b in batch_sizes for p in ("Keras", "SavedModel", "ORT"))
    lines += ["", "Generation, median ms per call (images/s at the largest batch in brackets):", "",
              f"| model | {header} | ORT / SavedModel at b1 |",
              "|---|" + "---|" * (3 * len(batch_sizes) + 1)]
    for r in results:
        cells = []
        for b in batch_sizes:
            for p in ("keras_predict", "savedmodel", "onnxruntime"):
                f = r["generation"][b][p]
                cell = f"{f['median_ms']:.2f}"
                if b == batch_sizes[-1]:
                    cell += f" ({f['images_per_s']:.0f}/s)"
                cells.append(cell)
        ratio = r["ort_vs_savedmodel_batch1"]
        ratio_cell = f"{ratio:.1f}x" if ratio else "n/a"
        lines.append(f"| {r['model']} | " + " | ".join(cells) + f" | {ratio_cell} |")
    return "\n".join(lines)


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    from zoo.training import benchmark
    from zoo.fileio import atomic_write_json
    from zoo.precision import PRECISIONS
    from zoo.registry import list_models

    names = args.models or list_models()
    unknown = [n for n in names if n not in list_models()]
    if unknown:
        parser.error(f"unknown model(s) {', '.join(map(repr, unknown))}; known: {', '.join(list_models())}")
    if args.precision not in ("auto", *PRECISIONS):
        parser.error(f"unknown precision {args.precision!r}; expected auto or one of {', '.join(PRECISIONS)}")
    settings = QUICK if args.quick else FULL
    start = time.perf_counter()
    peak = benchmark.matmul_peak_gflops(n=settings["matmul_n"])
    print(f"fp32 matmul peak: {peak:.1f} GFLOP/s")
    results = []
    with tempfile.TemporaryDirectory(prefix="genzoo-bench-") as work_dir:
        for name in names:
            t0 = time.perf_counter()
            results.append(bench_model(name, settings, args, peak, work_dir))
            r = results[-1]
            print(f"{name}: {r['train_images_per_s']:.1f} img/s vs baseline {r['baseline_images_per_s']:.1f} "
                  f"({r['speedup']:.2f}x), {100 * r['peak_fraction']:.1f}% of peak "
                  f"[{time.perf_counter() - t0:.0f} s]", flush=True)
    report = {
        "quick": args.quick,
        "machine": benchmark.cpu_description(),
        "matmul_peak_gflops": peak,
        "matmul_size": settings["matmul_n"],
        "dataset": DATASET,
        "wall_time_s": time.perf_counter() - start,
        "models": results,
    }
    atomic_write_json(args.out, report)
    print()
    print(table(results, peak))
    print(f"\nwrote {args.out} ({report['wall_time_s']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

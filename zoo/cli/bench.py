"""Benchmark every registered model: ``python -m tools.bench [--quick] [--out bench.json]``.

For each model, in one process on one machine (so the ratios compare like with like):

- training images per second of the zoo's configuration (XLA, ``--steps-per-execution``, the
  ``zoo.data`` pipeline: decoded once, cached, vectorized, prefetched; precision ``auto``) against a
  baseline that trains the same networks (same initial weights, same ``train_step``) the way the
  official Keras examples do: ``jit_compile=False`` (a plain ``tf.function``),
  ``steps_per_execution=1``, and the NumPy array handed to ``fit``. ``speedup`` is their ratio.
  Both are timed over whole epochs after an untimed first epoch (compilation and warm-up).
- achieved training GFLOP/s (FLOPs per step from TensorFlow's graph profiler, see
  ``zoo.training.benchmark``) against the float32 matmul peak measured in the same run;
- peak resident memory of the process while the configuration trains;
- generation: median wall time of one call at batch 1, 64 and 1,024 through Keras ``predict``,
  the exported SavedModel's ``serving_default`` signature and ONNX Runtime (the model exported by
  ``export.export_model``, parity-checked as any export).

Prints a table and writes ``bench.json``. ``--quick`` is a smoke test (tiny networks, a few
steps, in under 2 minutes); its figures mean nothing.
"""

import argparse
import tempfile
import time

from zoo.cli.common import fail, positive_int, start
from zoo.options import PRECISIONS

PROG = "python -m tools.bench"
# The benchmark's two sizes: the measured one, and a smoke test.
FULL = dict(batch_sizes=(1, 64, 1024), steps=40, epochs=3, width=None, budget_s=2.0, min_calls=20, matmul_n=2048)
QUICK = dict(batch_sizes=(1, 64), steps=4, epochs=2, width=4, budget_s=0.05, min_calls=3, matmul_n=512)


def build_parser():
    # fmt: off
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    p.add_argument("--models", nargs="+", default=None, help="registry names (default: every registered model)")
    p.add_argument("--out", default="bench.json", help="where the JSON results go (default: bench.json)")
    p.add_argument("--quick", action="store_true", help="a reduced run for smoke testing (figures meaningless)")
    p.add_argument("--steps", type=positive_int, default=None,
                   help=f"timed train steps per epoch (default: {FULL['steps']}; --quick: {QUICK['steps']})")
    p.add_argument("--steps-per-execution", type=positive_int, default=4,
                   help="steps_per_execution of the zoo's configuration (default: 4)")
    p.add_argument("--precision", choices=["auto", *PRECISIONS], default="auto",
                   help="precision of the zoo's configuration (default: auto)")
    p.add_argument("--recipes", action="store_true",
                   help="instead: each model's recipe for --family (zoo.recipes; the zoo one, else the paper's): ms "
                        "per step with and without XLA at its batch size, %% of the matmul peak, the pipeline's ms "
                        "per batch and the phases of an adversarial step (default models: those with a recipe)")
    p.add_argument("--family", choices=["mnist", "cifar10"], default="mnist",
                   help="with --recipes: the recipes of 28x28 grey images (mnist, timed on the embedded sample) or "
                        "of 32x32 colour images (cifar10, on the folder of --data-dir, else on random images "
                        "with no pipeline figure); default: mnist")
    p.add_argument("--data-dir", default=None,
                   help="with --recipes --family cifar10: a CIFAR-10 folder (../shared/data/cifar10's layout)")
    # fmt: on
    return p


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    start()
    import zoo
    from zoo.training import benchmark

    known = zoo.list_models()
    names = args.models or known
    unknown = [n for n in names if n not in known]
    if unknown:
        parser.error(f"unknown model(s) {', '.join(map(repr, unknown))}; known: {', '.join(known)}")
    settings = QUICK if args.quick else FULL
    if args.recipes:
        return bench_recipes(args, names if args.models else None, settings)
    begin = time.perf_counter()
    peak = benchmark.matmul_peak_gflops(n=settings["matmul_n"])
    print(f"fp32 matmul peak: {peak:.1f} GFLOP/s")
    results = []
    with tempfile.TemporaryDirectory(prefix="genzoo-bench-") as work_dir:
        for name in names:
            t0 = time.perf_counter()
            r = benchmark.bench_model(
                name,
                peak_gflops=peak,
                work_dir=work_dir,
                steps=args.steps or settings["steps"],
                epochs=settings["epochs"],
                width=settings["width"],
                batch_sizes=settings["batch_sizes"],
                budget_s=settings["budget_s"],
                min_calls=settings["min_calls"],
                steps_per_execution=args.steps_per_execution,
                precision=args.precision,
            )
            results.append(r)
            print(
                f"{name}: {r['train_images_per_s']:.1f} img/s vs baseline {r['baseline_images_per_s']:.1f} "
                f"({r['speedup']:.2f}x), {100 * r['peak_fraction']:.1f}% of peak "
                f"[{time.perf_counter() - t0:.0f} s]",
                flush=True,
            )
    return write_report(args, settings, begin, peak, "models", results, benchmark.results_table(results, peak))


def bench_recipes(args, names, settings):
    """``--recipes``: ``zoo.training.benchmark.bench_recipe`` for each model's recipe of ``--family``."""
    from zoo import recipes
    from zoo.training import benchmark

    chosen = {}
    for recipe in recipes.all_recipes():
        if recipe.family == args.family and (names is None or recipe.model in names):
            chosen.setdefault(recipe.model, recipe)  # the zoo recipe comes before the paper's
    missing = sorted(set(names or ()) - set(chosen))
    what = {"mnist": "28x28", "cifar10": "32x32 colour"}[args.family]
    if missing:
        return fail(PROG, f"no {what} recipe for {', '.join(missing)} (zoo.recipes); drop --recipes to bench them")
    if args.data_dir is not None and args.family != "cifar10":
        return fail(PROG, "--data-dir is for --recipes --family cifar10 (the mnist recipes are timed on the sample)")
    dataset = benchmark.DATASET if args.family == "mnist" else "random 32x32x3 images (no pipeline figure)"
    if args.family == "cifar10" and args.data_dir is not None:
        from zoo import data
        from zoo.provenance import portable_path

        try:  # a bad folder is refused before anything is timed or written
            data.info("cifar10", data_dir=args.data_dir)
        except ValueError as err:
            return fail(PROG, f"--data-dir: {err}")
        dataset = f"cifar10 at {portable_path(args.data_dir)}"
    begin = time.perf_counter()
    peak = benchmark.matmul_peak_gflops(n=settings["matmul_n"])
    print(f"fp32 matmul peak: {peak:.1f} GFLOP/s")
    results = []
    for name, recipe in chosen.items():
        r = benchmark.bench_recipe(
            name, recipe, peak, steps=args.steps or (4 if args.quick else 20), data_dir=args.data_dir
        )
        results.append(r)
        print(f"{name} ({recipe.name}): {r['ms_per_step']}, {100 * r['peak_fraction']:.1f}% of peak", flush=True)
    table = benchmark.recipes_table(results, peak)
    return write_report(args, settings, begin, peak, "recipes", results, table, dataset=dataset)


def write_report(args, settings, begin, peak, key, results, table, dataset=None):
    """Write ``bench.json`` (the machine, the peak, the results under ``key``) and print the table."""
    from zoo.fileio import atomic_write_json
    from zoo.training import benchmark

    report = {
        "quick": args.quick,
        "machine": benchmark.cpu_description(),
        "matmul_peak_gflops": peak,
        "matmul_size": settings["matmul_n"],
        "dataset": dataset or benchmark.DATASET,
        "wall_time_s": time.perf_counter() - begin,
        key: results,
    }
    atomic_write_json(args.out, report)
    print()
    print(table)
    print(f"\nwrote {args.out} ({report['wall_time_s']:.0f} s)")
    return 0

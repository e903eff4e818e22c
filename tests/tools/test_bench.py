"""python -m tools.bench --quick: every registered model gets every figure, consistent with each other."""

import json
import math

import numpy as np
import pytest
import tensorflow as tf

import zoo
from zoo.cli import bench
from zoo.training import benchmark


def test_quick_benchmark_covers_every_model(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert bench.main(["--quick", "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["quick"] is True and report["matmul_peak_gflops"] > 0
    entries = {e["model"]: e for e in report["models"]}
    assert sorted(entries) == zoo.list_models()
    for name, e in entries.items():
        for key in ("train_images_per_s", "baseline_images_per_s", "train_gflops", "peak_fraction", "flops_per_step"):
            assert math.isfinite(e[key]) and e[key] > 0, (name, key, e[key])
        assert e["speedup"] == pytest.approx(e["train_images_per_s"] / e["baseline_images_per_s"])
        assert e["peak_fraction"] == pytest.approx(e["train_gflops"] / report["matmul_peak_gflops"])
        assert e["ours"]["jit_compile"] is True and e["baseline"]["jit_compile"] is False
        assert e["baseline"]["steps_per_execution"] == 1
        assert set(e["generation"]) == {"1", "64"}
        for figures in e["generation"].values():
            assert set(figures) == {"keras_predict", "savedmodel", "onnxruntime"}
            assert all(f["median_ms"] > 0 for f in figures.values())
        assert e["ort_vs_savedmodel_batch1"] == pytest.approx(
            e["generation"]["1"]["savedmodel"]["median_ms"] / e["generation"]["1"]["onnxruntime"]["median_ms"]
        )
    assert "| model | ours img/s | baseline img/s | speedup |" in capsys.readouterr().out


def test_unknown_model_is_refused_before_any_work(tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        bench.main(["--quick", "--models", "nope", "--out", str(tmp_path / "b.json")])
    assert exit_info.value.code == 2
    assert not (tmp_path / "b.json").exists()


def test_flops_per_step_counts_every_critic_update():
    # The critic updates are unrolled in one step: each adds the same work, so the count is
    # linear in n_critic with a positive slope.
    import numpy as np

    x = np.random.default_rng(0).uniform(-1, 1, (8, 8, 8, 1)).astype(np.float32)
    counts = []
    for n_critic in (1, 2, 3):
        model = zoo.get_model("wgan_gp", input_shape=(8, 8, 1), latent_dim=4, width=4, n_critic=n_critic)
        model.compile_default(jit_compile=False)
        counts.append(benchmark.flops_per_step(model, x))
    assert counts[1] - counts[0] == counts[2] - counts[1] > 0


def test_matmul_peak_and_memory_figures_are_measured():
    assert benchmark.matmul_peak_gflops(n=256, repeats=2) > 0
    benchmark.reset_peak_memory()
    peak = benchmark.peak_memory_mib()
    assert peak is None or peak > 0


def test_a_recipe_step_is_timed_with_and_without_xla_and_its_phases_add_up():
    from zoo.recipes import Recipe

    recipe = Recipe("wgan_gp", "mnist", "test", {"batch_size": 8, "width": 2, "config": ("n_critic=2",)}, {})
    r = benchmark.bench_recipe("wgan_gp", recipe, peak_gflops=100.0, steps=2, epochs=2)
    assert r["batch_size"] == 8 and set(r["ms_per_step"]) == {"xla", "no_xla"}
    assert all(v > 0 for v in r["ms_per_step"].values()) and r["flops_per_step"] > 0
    assert math.isclose(r["xla_speedup"], r["ms_per_step"]["no_xla"] / r["ms_per_step"]["xla"])
    phases = r["phases_ms"]
    assert set(phases) == {"critic_update", "critic_update_without_penalty", "generator_update", "step"}
    assert all(v > 0 for v in phases.values()) and r["pipeline_ms_per_batch"] > 0
    table = benchmark.recipes_table([r], 100.0)
    assert "| wgan_gp (test) | 8 |" in table and "critic update without penalty" in table


def test_recipes_without_a_28x28_recipe_are_refused(tmp_path, capsys):
    code = bench.main(["--recipes", "--models", "vgan", "--out", str(tmp_path / "b.json")])
    assert code == 2 and "no 28x28 recipe for vgan" in capsys.readouterr().err
    assert not (tmp_path / "b.json").exists()


def cifar_folder(root, per_class=3):
    """A tiny folder in ../shared/data/cifar10's layout: train/ and test/ with class subfolders of PNGs."""
    from PIL import Image

    for split in ("train", "test"):
        for c, name in enumerate(("airplane", "cat")):
            (root / split / name).mkdir(parents=True)
            for i in range(per_class):
                pixels = np.full((32, 32, 3), 30 * c + 10 * i, np.uint8)
                Image.fromarray(pixels).save(root / split / name / f"{i}.png")
    return root


def test_a_colour_recipe_is_timed_on_its_folder_with_the_pipeline_images_per_second(tmp_path):
    from zoo.recipes import Recipe

    recipe = Recipe("gan", "cifar10", "test", {"batch_size": 4, "width": 2, "config": ('nets="dcgan"',)}, {})
    folder = cifar_folder(tmp_path / "cifar10")
    r = benchmark.bench_recipe("gan", recipe, peak_gflops=100.0, steps=1, epochs=2, phases=False, data_dir=folder)
    assert r["family"] == "cifar10" and r["pipeline_ms_per_batch"] > 0
    assert r["pipeline_images_per_s"] == pytest.approx(4000 / r["pipeline_ms_per_batch"])
    assert r["step_images_per_s"] == pytest.approx(4000 / min(r["ms_per_step"].values()))
    assert "/s) |" in benchmark.recipes_table([r], 100.0)  # images per second beside the ms
    batches, source = benchmark.recipe_batches("cifar10", 4, (-1.0, 1.0))  # no folder: random images
    x, _ = next(iter(batches))
    assert tuple(x.shape) == (4, 32, 32, 3) and source is None and float(tf.reduce_min(x)) >= -1.0
    with pytest.raises(ValueError, match="recipe family 'points'"):
        benchmark.recipe_batches("points", 4, (-1.0, 1.0))


@pytest.mark.parametrize(
    "args, message",
    [
        (["--data-dir", "somewhere"], "--data-dir is for --recipes --family cifar10"),
        (["--family", "cifar10", "--data-dir", "MISSING"], "--data-dir:"),
        (["--family", "cifar10", "--models", "aae"], "no 32x32 colour recipe for aae"),
    ],
)
def test_colour_recipe_arguments_are_checked_before_anything_is_timed(tmp_path, capsys, args, message):
    args = [str(tmp_path / "missing") if a == "MISSING" else a for a in args]
    code = bench.main(["--recipes", *args, "--out", str(tmp_path / "b.json")])
    assert code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "b.json").exists()

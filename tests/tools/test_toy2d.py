"""The 2-D benchmark tool on a tiny configuration: its files, its resume, its aggregate, its bad input.

Nothing here asserts that a GAN learns anything: 20 steps of a tiny network only exercise the path.
"""

import json
import math

import pytest

from tool_runner import assert_refused, call
from zoo.cli import toy2d as tool
from zoo.evaluation import toy2d

TINY = [
    *"--models gan --datasets ring8 --seeds 1 --steps 20 --width 2 --batch-size 64 --no-jit --recipe none".split(),
]
PACGAN_RING_GAN = "| published (PacGAN, Table 1) | GAN | 6.3 | 98.2 | 0.45 |"
PACGAN_GRID_GAN = "| published (PacGAN, Table 1) | GAN | 17.3 | 94.8 | 0.70 |"


def test_a_tiny_benchmark_writes_scores_plots_and_the_aggregate_then_resumes(tmp_path):
    out = tmp_path / "bench"
    code, stdout, _ = call(tool.main, [*TINY, "--out", str(out)])
    assert code == 0
    result_file = out / "gan-ring8-seed0.json"
    result = json.loads(result_file.read_text())
    keys = ("model", "dataset", "seed", "settings", "model_config", "learning_rate", "coverage", "train_metrics")
    assert {*keys, "train_time_s", "wall_time_s", "samples_png"} <= set(result)
    assert (result["model"], result["dataset"], result["seed"]) == ("gan", "ring8", 0)
    assert result["settings"]["steps"] == 20 and result["settings"]["batch_size"] == 64
    assert result["settings"]["num_samples"] == 2500 and result["model_config"]["width"] == 2
    coverage = result["coverage"]
    assert set(coverage) == {"modes", "num_modes", "high_quality", "reverse_kl", "counts"}
    assert coverage["num_modes"] == 8 and len(coverage["counts"]) == 8
    assert coverage["modes"] == sum(c > 0 for c in coverage["counts"])
    assert sum(coverage["counts"]) == round(coverage["high_quality"] * 2500)
    assert set(result["train_metrics"]) >= {"d_loss", "g_loss"}
    assert all(math.isfinite(v) for v in result["train_metrics"].values())
    assert 0 < result["train_time_s"] < result["wall_time_s"]
    png = out / result["samples_png"]
    assert png == out / "samples" / "gan-ring8-seed0.png" and png.read_bytes().startswith(b"\x89PNG")

    markdown = (out / "results.md").read_text()
    assert "| ours | gan |" in markdown and "| 1 | 20 | 2 | 64 |" in markdown
    assert PACGAN_RING_GAN in markdown and PACGAN_GRID_GAN in markdown
    assert "published (VEEGAN, Table 1)" in markdown and "published (GDPP, Table 1) | WGAN-GP | 6.8 | 59.6" in markdown
    assert markdown in stdout  # the table is printed at the end
    aggregate = json.loads((out / "results.json").read_text())
    (group,) = aggregate["ours"]
    assert group["seeds"] == [0] and group["modes"] == {"mean": coverage["modes"], "se": None, "n": 1}
    assert len(aggregate["published"]) == len(toy2d.PUBLISHED)
    assert not list(out.rglob(".*tmp*")), "temporary files left behind"

    # Again: the finished run is skipped (its files untouched) and the aggregate is rebuilt.
    mtimes = {p: p.stat().st_mtime_ns for p in (result_file, png)}
    (out / "results.md").unlink()
    (out / "results.json").unlink()
    code, stdout, _ = call(tool.main, [*TINY, "--out", str(out)])
    assert code == 0 and "gan-ring8-seed0: skipped" in stdout and "0 run(s) trained, 1 skipped" in stdout
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes
    assert PACGAN_RING_GAN in (out / "results.md").read_text() and (out / "results.json").exists()

    # More seeds: only the new one trains, and the aggregate covers both.
    code, stdout, _ = call(tool.main, [*TINY, "--seeds", "2", "--out", str(out)])
    assert code == 0 and "1 run(s) trained, 1 skipped" in stdout
    assert result_file.stat().st_mtime_ns == mtimes[result_file]
    (group,) = json.loads((out / "results.json").read_text())["ours"]
    assert group["seeds"] == [0, 1] and group["modes"]["n"] == 2 and group["high_quality_percent"]["se"] is not None
    assert "| ours | gan |" in (out / "results.md").read_text()

    # Other settings on the same directory are refused; --overwrite recomputes.
    code, _, err = call(tool.main, [*TINY, "--steps", "10", "--out", str(out)])
    assert code == 2 and "steps: was 20, now 10" in err and "--overwrite" in err
    assert result_file.stat().st_mtime_ns == mtimes[result_file]
    code, stdout, _ = call(tool.main, [*TINY, "--steps", "10", "--out", str(out), "--overwrite"])
    assert code == 0 and json.loads(result_file.read_text())["settings"]["steps"] == 10
    # seed 1 still holds its 20-step result: the two settings are reported as separate rows.
    rows = json.loads((out / "results.json").read_text())["ours"]
    assert sorted((g["settings"]["steps"], g["seeds"][0]) for g in rows) == [(10, 0), (20, 1)]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--models", "nope"], "unknown model 'nope'; known: "),
        (["--models", "gan,nope"], "unknown model 'nope'"),
        (["--models", " , "], "expected at least one"),
        (["--datasets", "swissroll"], "unknown dataset 'swissroll'; expected a toy Gaussian mixture: ring8, grid25"),
        (["--steps", "0"], "expected a positive integer"),
        (["--seeds", "-1"], "expected a positive integer"),
        (["--width", "0"], "expected a positive integer"),
        (["--batch-size", "x"], "expected a positive integer"),
        (["--learning-rate", "0"], "expected a positive number"),
        (["--set", "steps=0"], "--set steps=0: argument --steps: expected a positive integer"),
        (["--set", "lr_schedule=cosine"], "--set lr_schedule=cosine: argument --lr-schedule: invalid choice"),
        (["--set", "gan.batch_size=8"], "batch_size is a run setting of every model"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(tmp_path, args, message):
    out = tmp_path / "bench"
    assert_refused(tool.main, [*TINY, *args, "--out", out], message, untouched=out)


def test_an_out_path_that_is_a_file_is_refused(tmp_path):
    out = tmp_path / "bench"
    out.write_text("not a directory")
    code, _, err = call(tool.main, [*TINY, "--out", str(out)])
    assert code == 2 and "is not a directory" in err
    assert out.read_text() == "not a directory"


def test_mean_and_standard_error():
    summary = toy2d.mean_se([1.0, 2.0, 3.0])
    assert summary["mean"] == 2.0 and summary["n"] == 3
    assert summary["se"] == pytest.approx(1.0 / math.sqrt(3))  # sample std 1, divided by sqrt(3)
    assert toy2d.mean_se([4.0, None, float("nan")]) == {"mean": 4.0, "se": None, "n": 1}
    assert toy2d.mean_se([]) == {"mean": None, "se": None, "n": 0}


def fake_result(seed, modes, high_quality, reverse_kl, steps=100):
    return {
        "model": "wgan_gp",
        "dataset": "grid25",
        "seed": seed,
        "settings": {
            "steps": steps,
            "batch_size": 8,
            "width": None,
            "latent_dim": None,
            "learning_rate": None,
            "train_examples": 100,
            "num_samples": 2500,
        },
        "model_config": {"width": 32, "latent_dim": 64},
        "learning_rate": 1e-4,
        "coverage": {
            "modes": modes,
            "num_modes": 25,
            "high_quality": high_quality,
            "reverse_kl": reverse_kl,
            "counts": [],
        },
        "train_time_s": 9.0,
        "wall_time_s": 10.0,
    }


def test_the_aggregate_summarizes_seeds_and_leaves_out_runs_without_reverse_kl():
    results = [
        fake_result(0, 20, 0.5, 0.2),
        fake_result(1, 24, 0.7, None),
        fake_result(2, 25, 0.9, 0.4),
        fake_result(0, 3, 0.1, 1.0, steps=5),
    ]
    aggregate = toy2d.aggregate_results(results)
    full, short = sorted(aggregate["ours"], key=lambda g: -g["settings"]["steps"])
    assert full["seeds"] == [0, 1, 2] and short["seeds"] == [0]
    assert full["modes"]["mean"] == 23.0 and full["modes"]["se"] == pytest.approx(math.sqrt(7 / 3))
    assert full["high_quality_percent"]["mean"] == pytest.approx(70.0)
    assert full["reverse_kl"]["n"] == 2 and full["reverse_kl"]["mean"] == pytest.approx(0.3)
    markdown = toy2d.results_markdown(aggregate)
    assert "## grid25 (25 modes, sigma 0.05)" in markdown
    assert (
        "| ours | wgan_gp | 23.0 ± 1.5 | 70.0 ± 11.5 | 0.300 ± 0.100 (2/3 seeds) | 3 | 100 | 32 | 8 | z 64, lr 0.0001 constant | 10 s |"
        in markdown
    )
    assert "| ours | wgan_gp | 3.0 | 10.0 | 1.000 | 1 | 5 | 32 | 8 | z 64, lr 0.0001 constant | 10 s |" in markdown
    assert PACGAN_GRID_GAN in markdown and PACGAN_RING_GAN in markdown


def test_named_networks_take_the_networks_column_not_a_width():
    result = fake_result(0, 25, 0.9, 0.1)
    result["model_config"] = {"width": 32, "latent_dim": 2, "nets": "pacgan"}
    result["settings"]["config"] = ['nets="pacgan"', "ema_decay=0.999", "gan.n_critic=2"]
    (row,) = [
        line
        for line in toy2d.results_markdown(toy2d.aggregate_results([result])).splitlines()
        if line.startswith("| ours")
    ]
    # the unused width is not shown, the networks are not repeated, another model's item is left out
    assert "| 100 | pacgan | 8 | z 2, lr 0.0001 constant, ema_decay=0.999 |" in row


def test_config_overrides_apply_per_model_and_are_part_of_the_settings(tmp_path):
    out = tmp_path / "bench"
    args = [
        *(
            "--models wgan_gp --datasets ring8 --seeds 1 --steps 4 --batch-size 32 --width 2 --recipe none --set "
            "wgan_gp.gp_weight=0.1 --set latent_dim=2 --no-jit --out"
        ).split(),
        str(out),
    ]
    assert call(tool.main, args)[0] == 0
    result = json.loads(next(out.glob("*-seed*.json")).read_text())
    assert result["model_config"]["gp_weight"] == 0.1 and result["model_config"]["latent_dim"] == 2
    row = next(line for line in (out / "results.md").read_text().splitlines() if line.startswith("| ours"))
    assert (
        "gp_weight=0.1" in row
        and "latent_dim=2" in row
        and result["settings"]["config"]
        == [
            "gp_weight=0.1",
            "latent_dim=2",
        ]
    )
    assert (
        toy2d.settings_text(
            {
                "model": "gan",
                "latent_dim": 2,
                "learning_rate": 2e-4,
                "settings": {"config": ["wgan_gp.gp_weight=0.1"], "lr_schedule": "linear"},
            }
        )
        == "z 2, lr 0.0002 linear"
    )
    code, stdout, _ = call(tool.main, args)  # the same settings resume (skip) ...
    assert code == 0 and "skipped" in stdout
    code, _, err = call(tool.main, [*args[:-2], "--set", "wgan_gp.n_critic=2", "--out", str(out)])
    assert code == 2 and "other settings" in err  # ... others do not
    for bad in (["--set", "gp_weight"], ["--set", "gan.gp_weight=1"], ["--set", "wgan_gp.nope=1"]):
        code, _, err = call(tool.main, ["--models", "wgan_gp", "--out", str(tmp_path / "x"), *bad])
        assert code == 2 and "python -m tools.toy2d: error:" in err
    assert not (tmp_path / "x").exists()


def test_every_registered_model_is_benchmarked_by_default_with_its_rates_decayed(tmp_path):
    import zoo

    args = tool.build_parser().parse_args(["--seeds", "1", "--out", str(tmp_path / "bench")])
    _, runs, _ = tool.plan(args)
    assert sorted({run.model for run in runs}) == zoo.list_models()  # the VAE makes 2-D points too
    # A single-optimizer model takes a linear decay as well (the schedule counts its own updates).
    out = tmp_path / "vae"
    code, _, _ = call(tool.main, [*TINY, "--models", "vae", "--lr-schedule", "linear", "--out", str(out)])
    assert code == 0
    result = json.loads((out / "vae-ring8-seed0.json").read_text())
    assert result["settings"]["lr_schedule"] == "linear" and result["coverage"]["num_modes"] == 8


def test_the_protocol_checks_its_plan_without_the_command_line(tmp_path):
    from zoo.errors import BadInput, RunError

    settings = toy2d.Settings(steps=4, batch_size=8, width=2, latent_dim=None, learning_rate=None)
    runs = toy2d.plan(["gan", "wgan"], ["ring8"], 2, settings, tmp_path / "bench")
    assert [run.name for run in runs] == ["gan-ring8-seed0", "gan-ring8-seed1", "wgan-ring8-seed0", "wgan-ring8-seed1"]
    with pytest.raises(BadInput, match="unknown dataset 'swissroll'"):
        toy2d.plan(["gan"], ["swissroll"], 1, settings, tmp_path / "bench")
    (tmp_path / "file").write_text("x")
    with pytest.raises(RunError, match="is not a directory"):
        toy2d.plan(["gan"], ["ring8"], 1, settings, tmp_path / "file")
    assert toy2d.config_items(["wgan_gp.loss=minimax", "gp_weight=1"], ["wgan_gp"]) == [
        'wgan_gp.loss="minimax"',
        "gp_weight=1",
    ]
    with pytest.raises(BadInput, match="not among the models"):
        toy2d.config_items(["gan.gp_weight=1"], ["wgan_gp"])
    assert not (tmp_path / "bench").exists()


def test_kept_models_are_run_directories_that_evaluate_and_export(tmp_path):
    from zoo.cli import evaluate as evaluate_tool
    from zoo.cli import export as export_tool

    out, kept = tmp_path / "bench", tmp_path / "kept"
    args = [*TINY, "--models", "wgan_gp", "--set", "latent_dim=2", "--out", str(out), "--keep-models", str(kept)]
    assert call(tool.main, args)[0] == 0
    run_dir = kept / "wgan_gp-ring8-seed0"
    result = json.loads((out / "wgan_gp-ring8-seed0.json").read_text())
    code, stdout, err = call(evaluate_tool.main, ["--run", str(run_dir), "--num-samples", "500"])
    assert code == 0, err
    figures = json.loads((run_dir / "eval" / "metrics.json").read_text())
    assert figures["dataset"] == "ring8" and "modes" in json.dumps(figures["figures"])
    code, _, err = call(
        export_tool.main, ["--run", str(run_dir), "--name", "wgan_gp-ring8", "--base-dir", str(tmp_path / "served")]
    )
    assert code == 0, err
    card = json.loads((tmp_path / "served" / "wgan_gp-ring8" / "1.json").read_text())
    trained = card["trained_with"]
    assert trained["dataset"] == "ring8" and trained["command"].startswith("python -m tools.toy2d ")
    assert trained["training"]["steps"] == 20 and trained["run"]["seed"] == 0
    assert card["config"] == result["model_config"] and card["output"]["name"] == "samples"
    code, _, err = call(tool.main, [*TINY, "--out", str(tmp_path / "b2"), "--keep-models", str(out / "results.md")])
    assert code == 2 and "--keep-models" in err and not (tmp_path / "b2").exists()


def test_set_takes_the_run_settings_like_their_flags(tmp_path):
    parser = tool.build_parser()
    args = parser.parse_args(
        [*TINY, "--set", "steps=7", "--set", "batch_size=16", "--set", "gan.ema_decay=0.5", "--out", str(tmp_path)]
    )
    tool.apply_run_settings(parser, args)
    settings, runs, _ = tool.plan(args)
    assert (settings["gan"].steps, settings["gan"].batch_size) == (7, 16)
    assert settings["gan"].config == ("ema_decay=0.5",) and len(runs) == 1

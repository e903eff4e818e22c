"""The time-to-quality tool on hand-written run directories (no training: the history is the input)."""

import json

from tool_runner import call
from zoo.cli import curves as tool


def write_run(path, history, model="gan"):
    path.mkdir(parents=True)
    config = {"run": {"recipe": "zoo"}, "command": f"python -m tools.train --model {model}", "model": {"name": model}}
    (path / "config.json").write_text(json.dumps(config))
    (path / "history.json").write_text(json.dumps(history))
    return path


HISTORY = {
    "g_loss": [1.0, 0.9, 0.8],
    "steps": [100.0, 200.0, 300.0],
    "elapsed_s": [60.0, 120.0, 180.0],
    "eval_frechet_distance": [None, 8.0, 2.0],  # evaluated every second epoch and after the last
    "eval_classifier_score": [None, 7.0, 9.0],
    "eval_classes_covered": [None, 10.0, 10.0],
}


def test_curves_of_runs_are_plotted_and_written_as_data(tmp_path):
    a = write_run(tmp_path / "gan-mnist", HISTORY)
    b = write_run(tmp_path / "wgan_gp-mnist", {**HISTORY, "eval_frechet_distance": [None, 20.0, 10.0]}, "wgan_gp")
    out = tmp_path / "results" / "curves.png"
    code, stdout, _ = call(
        tool.main, [str(a), f"WGAN-GP={b}", "--out", str(out), "--reference", "0.2", "--target", "2"]
    )
    assert code == 0 and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads(out.with_suffix(".json").read_text())
    assert (data["reference"], data["target"]) == (0.2, 2.0)
    first, second = data["curves"]
    assert (first["label"], first["model"], first["recipe"]) == ("gan-mnist", "gan", "zoo")
    assert [p["epoch"] for p in first["points"]] == [2, 3] and [p["steps"] for p in first["points"]] == [200, 300]
    assert [p["minutes"] for p in first["points"]] == [2.0, 3.0] and first["points"][1]["frechet_distance"] == 2.0
    assert second["label"] == "WGAN-GP" and second["points"][-1]["frechet_distance"] == 10.0
    assert "last at 300 steps, 3.0 min: Fréchet distance 2.000" in stdout


def test_runs_without_the_curve_s_figures_are_refused_and_nothing_is_written(tmp_path):
    old = write_run(tmp_path / "old", {"g_loss": [1.0], "eval_frechet_distance": [3.0]})
    off = write_run(tmp_path / "off", {**HISTORY, "eval_frechet_distance": [None, None, None]})
    out = tmp_path / "curves.png"
    for argv, message in (
        ([str(old)], "has no steps, elapsed_s"),
        ([str(off)], "no evaluated epoch yet"),
        ([str(tmp_path / "missing")], "is not a run directory"),
    ):
        code, _, err = call(tool.main, [*argv, "--out", str(out)])
        assert code == 2 and message in err and "python -m tools.curves: error:" in err, err
    code, _, err = call(tool.main, [str(off), "--out", str(tmp_path / "curves.svg")])
    assert code == 2 and "expected a .png file" in err
    assert list(tmp_path.glob("curves.*")) == []

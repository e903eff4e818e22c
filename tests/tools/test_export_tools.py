"""tools.export on a finished run directory and tools.sample on its exports (ONNX without TensorFlow)."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper
from PIL import Image

import export
import zoo
from export.runtime import OnnxGenerator
from export.saved_model import SavedModelGenerator
from tool_runner import call
from zoo.cli import export as export_tool
from zoo.cli import sample as sample_tool

ROOT = Path(__file__).resolve().parents[2]
COMMAND = "python -m tools.train --model gan --epochs 1 --latent-dim 4 --width 4"
TEST_METRICS = {"d_loss": 1.25, "g_loss": 0.75}


def tiny_trained(name, input_shape):
    """One eager training step of a tiny model on fixed data."""
    keras.utils.set_random_seed(0)
    model = zoo.get_model(name, input_shape=input_shape, latent_dim=4, width=4)
    model.compile_default(jit_compile=False)
    model.run_eagerly = True
    x = np.random.default_rng(0).uniform(0.0, 1.0, size=(8, *input_shape)).astype(np.float32)
    model.fit(x, batch_size=8, epochs=1, verbose=0)
    return model


EVALUATED = {
    "format": "genzoo-evaluation/1",
    "dataset": "mnist",
    "num_samples": 64,
    "figures": {"frechet_distance": 12.5, "classifier_score": 6.25},
    "reference": {"frechet_distance": 0.5},
    "pictures": {"samples": "samples.png"},
}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A finished run directory as tools.train leaves it (model.keras, config.json, test_metrics.json)."""
    run = tmp_path_factory.mktemp("runs") / "gan-mnist_sample"
    run.mkdir()
    tiny_trained("gan", (8, 8, 1)).save(run / "model.keras")
    config = {
        "run": {"model": "gan", "dataset": "mnist_sample", "epochs": 1, "seed": 0},
        "command": COMMAND,
        "model": {"name": "gan"},
        "versions": {"tensorflow": "2.21.0"},
    }
    (run / "config.json").write_text(json.dumps(config))
    (run / "test_metrics.json").write_text(json.dumps(TEST_METRICS))
    (run / "eval").mkdir()  # as python -m tools.evaluate --run leaves it
    (run / "eval" / "metrics.json").write_text(json.dumps(EVALUATED))
    return run


@pytest.fixture(scope="module")
def exported_run(run_dir, tmp_path_factory):
    base = tmp_path_factory.mktemp("serving")
    code, out, err = call(export_tool.main, ["--run", str(run_dir), "--base-dir", str(base)])
    assert code == 0, err
    return base, out


def test_export_tool_exports_a_finished_run(exported_run, run_dir):
    base, out = exported_run
    assert "exported gan version 1" in out
    assert f"{base / 'gan' / '1.onnx'}" in out and "KiB" in out and "onnx.generate.images:" in out
    assert sorted(p.name for p in (base / "gan").iterdir()) == ["1", "1.json", "1.onnx"]
    card = json.loads((base / "gan" / "1.json").read_text())
    assert card["trained_with"]["dataset"] == "mnist_sample" and card["trained_with"]["command"] == COMMAND
    assert card["trained_with"]["run"]["epochs"] == 1 and card["trained_with"]["run_dir"] == run_dir.as_posix()
    assert card["evaluation"]["test"] == TEST_METRICS
    assert card["evaluation"]["evaluate"]["figures"] == EVALUATED["figures"]
    assert "pictures" not in card["evaluation"]["evaluate"]  # the figures, not the report's files
    assert card["data_attribution"]["license"] == "CC BY-SA 3.0"
    # The model came from model.keras: its optimizers' iterations survived the load.
    assert card["training_steps"] == {"g_optimizer": 1, "d_optimizer": 1}
    assert (base / "models.config").is_file()


def test_export_tool_refuses_an_existing_version(exported_run, run_dir):
    base, _ = exported_run
    code, _, err = call(export_tool.main, ["--run", str(run_dir), "--base-dir", str(base), "--version", "1"])
    assert code == 2 and "version 1 of 'gan' already exists" in err and "--overwrite" in err


@pytest.mark.parametrize(
    "args,message",
    [
        (["--version", "0"], "bad version 0"),
        (["--name", "../up"], "bad model name '../up'"),
    ],
)
def test_export_tool_bad_arguments_exit_2(run_dir, tmp_path, args, message):
    base = tmp_path / "serving"
    code, _, err = call(export_tool.main, ["--run", str(run_dir), "--base-dir", str(base), *args])
    assert code == 2 and message in err
    assert not base.exists()


def test_export_tool_needs_a_finished_run(tmp_path):
    unfinished = tmp_path / "unfinished"
    unfinished.mkdir()
    (unfinished / "config.json").write_text(json.dumps({"run": {"dataset": "mnist_sample"}}))
    base = tmp_path / "serving"
    code, _, err = call(export_tool.main, ["--run", str(unfinished), "--base-dir", str(base)])
    assert code == 2 and "holds no model.keras" in err
    code, _, err = call(export_tool.main, ["--run", str(tmp_path / "absent"), "--base-dir", str(base)])
    assert code == 2 and "is not a directory" in err
    assert not base.exists()


def sample_without_tensorflow(args):
    """Run ``python -m tools.sample ARGS`` in a fresh interpreter that asserts TF was never imported."""
    code = textwrap.dedent(f"""
        import runpy, sys
        sys.argv = ["tools.sample", *{args!r}]
        try:
            runpy.run_module("tools.sample", run_name="__main__", alter_sys=True)
            status = 0
        except SystemExit as stop:
            status = stop.code
        assert "tensorflow" not in sys.modules, "tools.sample imported tensorflow"
        sys.exit(status)
    """)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_sample_tool_onnx_path_never_imports_tensorflow(exported_run, tmp_path):
    base, _ = exported_run
    out = tmp_path / "grid.png"
    result = sample_without_tensorflow(
        ["--model", str(base / "gan" / "1.onnx"), "--n", "6", "--out", str(out), "--seed", "0"]
    )
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stdout
    with Image.open(out) as picture:
        assert picture.size == (3 * 8, 2 * 8) and picture.mode == "L"  # 6 tiles: 3 columns, 2 rows


def test_sample_tool_savedmodel_path_matches_the_onnx_path(exported_run, tmp_path):
    base, _ = exported_run
    pictures = {}
    for kind, model in (("onnx", base / "gan" / "1.onnx"), ("saved_model", base / "gan" / "1")):
        out = tmp_path / f"{kind}.png"
        code, _, err = call(sample_tool.main, ["--model", str(model), "--n", "6", "--out", str(out), "--seed", "3"])
        assert code == 0, err
        pictures[kind] = np.asarray(Image.open(out), dtype=np.int16)
    assert pictures["onnx"].shape == pictures["saved_model"].shape == (16, 24)
    assert np.abs(pictures["onnx"] - pictures["saved_model"]).max() <= 1  # same samples up to rounding


def test_sample_tool_points_scatter_and_npy(tmp_path):
    result = export.to_onnx(tiny_trained("vae", (2,)), tmp_path / "serving")
    model = str(result.paths["onnx"])
    code, _, err = call(sample_tool.main, ["--model", model, "--n", "50", "--out", str(tmp_path / "s.png")])
    assert code == 0, err
    with Image.open(tmp_path / "s.png") as picture:
        assert picture.size == (256, 256) and picture.mode == "RGB"
    code, _, err = call(
        sample_tool.main, ["--model", model, "--n", "50", "--out", str(tmp_path / "s.npy"), "--seed", "1"]
    )
    assert code == 0, err
    assert np.load(tmp_path / "s.npy").shape == (50, 2)


def test_sample_tool_bad_input_exits_2(exported_run, tmp_path):
    base, _ = exported_run
    foreign = tmp_path / "identity.onnx"
    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])],
        "identity",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 4])],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(foreign))
    out = str(tmp_path / "x.png")
    cases = [
        (["--model", str(foreign), "--out", out], "is not a generator exported by genzoo"),
        (["--model", str(tmp_path / "missing.onnx"), "--out", out], "does not exist"),
        (["--model", str(tmp_path), "--out", out], "without saved_model.pb"),
        (["--model", str(base / "gan" / "1.onnx"), "--out", str(tmp_path / "x.jpg")], "expected a .png or .npy"),
        (["--model", str(base / "gan" / "1.onnx"), "--out", out, "--label", "1"], "not conditional"),
    ]
    for args, message in cases:
        code, _, err = call(sample_tool.main, args)
        assert code == 2 and message in err, (args, err)
    assert not Path(out).exists()


def test_sample_tool_refuses_a_non_positive_count(exported_run, tmp_path):
    base, _ = exported_run
    code, _, err = call(sample_tool.main, ["--model", base / "gan" / "1.onnx", "--n", "0", "--out", tmp_path / "x.png"])
    assert code == 2 and "expected a positive integer, got 0" in err


def test_saved_model_generator_draws_the_onnx_generators_samples(exported_run, tmp_path):
    base, _ = exported_run
    saved, onnx_generator = SavedModelGenerator(base / "gan" / "1"), OnnxGenerator(base / "gan" / "1.onnx")
    assert (saved.latent_dim, saved.output_name, saved.is_conditional) == (4, "images", False)
    np.testing.assert_allclose(saved.sample(5, seed=2), onnx_generator.sample(5, seed=2), atol=1e-5)
    with pytest.raises(ValueError, match="not conditional"):
        saved.sample(2, labels=1)
    with pytest.raises(export.NotAZooExport, match="without saved_model.pb"):
        SavedModelGenerator(tmp_path)

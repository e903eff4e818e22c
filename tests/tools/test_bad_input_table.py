"""Bad input to every tool but training (tests/tools/test_train.py has its own table): wrong paths,
wrong types, out-of-range numbers, the wrong kind of model file and labels for an unconditional
model. Each case exits 2 with one ``python -m tools.<tool>: error: ...`` line, and writes nothing.

The model files are the shipped ones (read only); what a case must not write is a path under
``tmp_path``. Every case stops before any training, sampling or download."""

import shutil
from pathlib import Path

import pytest

from tool_runner import assert_refused
from zoo import pretrained
from zoo.cli import bench, evaluate, export, sample, serve_demo, toy2d, train_classifier

ROOT = Path(__file__).resolve().parents[2]
SAVED = ROOT / "saved_models"
VAE = pretrained.locate("vae", directory=SAVED).onnx  # the newest shipped version's
CGAN = pretrained.locate("cgan", directory=SAVED).onnx
CLASSIFIER = ROOT / "zoo" / "classifiers" / "mnist" / "classifier.keras"

TOOLS = {
    "sample": sample,
    "evaluate": evaluate,
    "export": export,
    "bench": bench,
    "toy2d": toy2d,
    "train_classifier": train_classifier,
    "serve_demo": serve_demo,
}

# (tool, what is wrong, arguments ({tmp}: the test's directory, {out}: what must stay unwritten), message)
TABLE = [
    # tools.sample
    ("sample", "missing model file", ["--model", "{tmp}/missing.onnx", "--out", "{out}.png"], "does not exist"),
    (
        "sample",
        "a text file as the model",
        ["--model", "{tmp}/notes.txt", "--out", "{out}.png"],
        "is not a readable ONNX model",
    ),
    (
        "sample",
        "a classifier as the model",
        ["--model", str(CLASSIFIER), "--out", "{out}.png"],
        "is not a readable ONNX model",
    ),
    (
        "sample",
        "an encoder as the model",
        ["--model", str(VAE.with_suffix(".encode.onnx")), "--out", "{out}.png"],
        "not a generator",
    ),
    (
        "sample",
        "a count of 0",
        ["--model", str(VAE), "--n", "0", "--out", "{out}.png"],
        "argument --n: expected a positive integer",
    ),
    (
        "sample",
        "a count that is text",
        ["--model", str(VAE), "--n", "x", "--out", "{out}.png"],
        "expected a positive integer, got 'x'",
    ),
    ("sample", "0 columns", ["--model", str(VAE), "--columns", "0", "--out", "{out}.png"], "argument --columns"),
    (
        "sample",
        "labels for an unconditional model",
        ["--model", str(VAE), "--label", "3", "--out", "{out}.png"],
        "model 'vae' is not conditional",
    ),
    (
        "sample",
        "a label out of range",
        ["--model", str(CGAN), "--label", "12", "--out", "{out}.png"],
        "labels must lie in [0, 10)",
    ),
    (
        "sample",
        "an output that is no image",
        ["--model", str(VAE), "--out", "{out}.txt"],
        "expected a .png or .npy file name",
    ),
    # tools.evaluate
    ("evaluate", "missing run directory", ["--run", "{tmp}/missing", "--out", "{out}"], "is not a directory"),
    ("evaluate", "a file as the run", ["--run", "{tmp}/notes.txt", "--out", "{out}"], "is not a directory"),
    ("evaluate", "a run that never finished", ["--run", "{tmp}/empty", "--out", "{out}"], "holds no model.keras"),
    (
        "evaluate",
        "a text file as the model",
        ["--model", "{tmp}/notes.txt", "--out", "{out}"],
        "expected an exported <base>/<name>/<version>.onnx file",
    ),
    ("evaluate", "0 samples", ["--model", str(VAE), "--num-samples", "0", "--out", "{out}"], "argument --num-samples"),
    ("evaluate", "samples that are text", ["--model", str(VAE), "--num-samples", "ten", "--out", "{out}"], "got 'ten'"),
    ("evaluate", "k of 0 for the bound", ["--model", str(VAE), "--iw-k", "0", "--out", "{out}"], "argument --iw-k"),
    (
        "evaluate",
        "a text file as the classifier",
        ["--model", str(VAE), "--classifier", "{tmp}/notes.txt", "--out", "{out}"],
        "cannot load",
    ),
    (
        "evaluate",
        "an unknown dataset",
        ["--model", str(VAE), "--dataset", "nope", "--out", "{out}"],
        "unknown dataset 'nope'",
    ),
    # tools.export
    ("export", "missing run directory", ["--run", "{tmp}/missing", "--base-dir", "{out}"], "is not a directory"),
    ("export", "a file as the run", ["--run", "{tmp}/notes.txt", "--base-dir", "{out}"], "is not a directory"),
    ("export", "an export as the run", ["--run", str(SAVED / "vae"), "--base-dir", "{out}"], "holds no model.keras"),
    (
        "export",
        "a version that is text",
        ["--run", "{tmp}/empty", "--version", "x", "--base-dir", "{out}"],
        "argument --version",
    ),
    # tools.bench
    ("bench", "an unknown model", ["--models", "nope", "--out", "{out}.json"], "unknown model(s) 'nope'"),
    ("bench", "0 steps", ["--steps", "0", "--out", "{out}.json"], "argument --steps: expected a positive integer"),
    ("bench", "steps that are text", ["--steps", "x", "--out", "{out}.json"], "got 'x'"),
    (
        "bench",
        "an unknown precision",
        ["--precision", "float8", "--out", "{out}.json"],
        "argument --precision: invalid choice",
    ),
    (
        "bench",
        "a missing data folder",
        ["--recipes", "--family", "cifar10", "--data-dir", "{tmp}/missing", "--out", "{out}.json"],
        "is not a directory",
    ),
    # tools.toy2d
    ("toy2d", "an unknown model", ["--models", "nope", "--out", "{out}"], "--models: unknown model 'nope'"),
    ("toy2d", "images as the dataset", ["--datasets", "mnist", "--out", "{out}"], "expected a toy Gaussian mixture"),
    ("toy2d", "0 seeds", ["--seeds", "0", "--out", "{out}"], "argument --seeds"),
    ("toy2d", "negative steps", ["--steps", "-5", "--out", "{out}"], "argument --steps: expected a positive integer"),
    (
        "toy2d",
        "an unknown config field",
        ["--models", "gan", "--set", "nope=1", "--out", "{out}"],
        "unknown gan option(s) 'nope'",
    ),
    (
        "toy2d",
        "a file to keep the models in",
        ["--quick", "--keep-models", "{tmp}/notes.txt", "--out", "{out}"],
        "--keep-models",
    ),
    ("toy2d", "a file as the output", ["--quick", "--out", "{tmp}/notes.txt"], "exists and is not a directory"),
    # tools.train_classifier
    ("train_classifier", "an unknown dataset", ["--dataset", "nope", "--out", "{out}"], "unknown dataset 'nope'"),
    (
        "train_classifier",
        "a missing data folder",
        ["--dataset", "mnist", "--data-dir", "{tmp}/missing", "--out", "{out}"],
        "is not a directory",
    ),
    ("train_classifier", "0 epochs", ["--epochs", "0", "--out", "{out}"], "argument --epochs"),
    ("train_classifier", "a negative rate", ["--learning-rate", "-1", "--out", "{out}"], "expected a positive number"),
    (
        "train_classifier",
        "points, not images",
        ["--dataset", "ring8", "--out", "{out}"],
        "needs images of one fixed size",
    ),
    ("train_classifier", "a file as the output", ["--out", "{tmp}/notes.txt"], "exists and is not a directory"),
    # tools.serve_demo
    ("serve_demo", "no page in the web folder", ["--web", "{tmp}/empty", "--port", "0"], "no demo page at"),
    ("serve_demo", "a port that is text", ["--port", "http"], "argument --port"),
    (
        "serve_demo",
        "a models folder that does not exist",
        ["--models", "{out}", "--web", "{tmp}/web", "--port", "0"],
        "is not a directory of shipped models",
    ),
]


@pytest.fixture
def workdir(tmp_path):
    (tmp_path / "notes.txt").write_text("not a model\n")
    (tmp_path / "empty").mkdir()
    web = tmp_path / "web"
    (web / serve_demo.ORT_DIST).mkdir(parents=True)
    shutil.copy2(ROOT / "web" / "index.html", web / "index.html")
    (web / serve_demo.ORT_DIST / "ort.wasm.min.mjs").write_text("export {};")
    return tmp_path


@pytest.mark.parametrize("tool, what, args, message", TABLE, ids=[f"{t}: {w}" for t, w, _, _ in TABLE])
def test_bad_input_exits_2_with_one_message_and_writes_nothing(workdir, tool, what, args, message):
    out = workdir / "out"
    argv = [a.format(tmp=workdir, out=out) for a in args]
    before = sorted(p.relative_to(workdir) for p in workdir.rglob("*"))
    assert_refused(TOOLS[tool].main, argv, message)
    assert not any(Path(str(out) + suffix).exists() for suffix in ("", ".png", ".json", ".txt")), f"{what}: wrote {out}"
    assert sorted(p.relative_to(workdir) for p in workdir.rglob("*")) == before, f"{what}: wrote into {workdir}"


def test_the_table_covers_every_tool_and_every_kind_of_fault():
    assert {tool for tool, *_ in TABLE} == set(TOOLS)
    kinds = " ".join(what for _, what, _, _ in TABLE)
    for kind in ("missing", "text", "0 ", "negative", "a classifier as the model", "unconditional", "a file as"):
        assert kind in kinds, kind

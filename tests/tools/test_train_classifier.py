"""The classifier training tool end to end on a tiny configuration, and its bad-input exits."""

import hashlib
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tool_runner import assert_refused, call
from zoo.cli import train_classifier as tool
from zoo.evaluation.classifier import load_card, load_classifier

ROOT = Path(__file__).resolve().parents[2]
TINY = ["--epochs", "1", "--num-examples", "200", "--batch-size", "100", "--reference-samples", "50"]


def test_end_to_end_writes_the_classifier_and_its_card(tmp_path):
    out = tmp_path / "classifier"
    code, stdout, _ = call(tool.main, [*TINY, "--out", str(out)])
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["card.json", "classifier.keras"]
    card = load_card(out)
    assert card["kind"] == "domain_classifier" and card["dataset"] == "mnist_sample" and card["epochs"] == 1
    assert card["command"] == shlex.join(["python", "-m", "tools.train_classifier", *TINY, "--out", str(out)])
    assert card["num_train"] == 200 and card["num_test"] == 200
    assert card["file_bytes"] == (out / "classifier.keras").stat().st_size < 5_000_000
    assert card["sha256"] == hashlib.sha256((out / "classifier.keras").read_bytes()).hexdigest()
    assert "CC BY-SA 3.0" in card["data_attribution"]["text"]  # a subset of MNIST
    assert card["input_shape"] == [28, 28, 1] and card["num_classes"] == 10 and card["feature_dim"] == 128
    assert set(card["versions"]) >= {"python", "tensorflow", "keras", "numpy"}
    assert f"test accuracy: {card['test_accuracy']:.4f} on 200 test images" in stdout
    reference = card["reference"]
    assert reference["num_samples"] == 50 and reference["num_real"] == 50
    assert reference["frechet_distance"] >= 0 and 1 <= reference["classifier_score"] <= 10
    assert "real-data reference, N = 50" in stdout
    assert load_classifier(out / "classifier.keras").num_classes == 10

    # An existing classifier is not replaced without --overwrite.
    mtime = (out / "classifier.keras").stat().st_mtime_ns
    code, _, err = call(tool.main, [*TINY, "--out", str(out)])
    assert code == 2 and "already holds a classifier" in err and "--overwrite" in err
    assert (out / "classifier.keras").stat().st_mtime_ns == mtime
    code, _, _ = call(tool.main, [*TINY, "--reference-samples", "0", "--seed", "1", "--out", str(out), "--overwrite"])
    assert code == 0 and load_card(out)["reference"] is None and load_card(out)["seed"] == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["--dataset", "ring8"], "images of one fixed size"),
        (["--dataset", "mnist", "--data-dir", "EMPTY"], "train-images-idx3-ubyte"),
        (["--epochs", "0"], "expected a positive integer"),
        (["--reference-samples", "-1"], "expected an integer >= 0"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(tmp_path, args, message):
    (tmp_path / "EMPTY").mkdir()
    args = [str(tmp_path / "EMPTY") if a == "EMPTY" else a for a in args]
    out = tmp_path / "classifier"
    assert_refused(tool.main, [*TINY, *args, "--out", out], message, untouched=out)


def test_out_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "file").write_text("x")
    code, _, err = call(tool.main, [*TINY, "--out", str(tmp_path / "file")])
    assert code == 2 and "is not a directory" in err


def test_default_output_directory_and_exit_code_in_a_subprocess(tmp_path):
    parser = tool.build_parser()
    assert parser.parse_args([]).dataset == "mnist_sample"
    proc = subprocess.run(
        [sys.executable, "-m", "tools.train_classifier", "--dataset", "ring8"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith("python -m tools.train_classifier: error: dataset 'ring8'")
    assert not (tmp_path / "runs").exists()  # the default --out, runs/classifier-ring8, was not created


def test_the_output_directory_is_checked_before_training(tmp_path):
    from zoo.errors import RunError
    from zoo.evaluation.classifier_card import check_out_dir

    check_out_dir(tmp_path / "new")  # absent: fine
    (tmp_path / "classifier.keras").write_bytes(b"")
    with pytest.raises(RunError, match="already holds a classifier"):
        check_out_dir(tmp_path)
    check_out_dir(tmp_path, overwrite=True)

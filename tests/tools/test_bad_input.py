"""Bad input to the tools: each case one clear message, exit code 2, and nothing written.

Data faults are built here on disk (IDX files cut short, with a wrong magic number or with
disagreeing counts, images that do not decode, an empty folder); the checks behind them are
tested at the library level in tests/zoo/test_data.py.
"""

import json

import keras
import numpy as np
import pytest
from PIL import Image

from tool_runner import assert_refused, call
from zoo.cli import export as export_tool
from zoo.cli import train as train_tool

TINY = [
    *(
        "--epochs 1 --steps-per-epoch 1 --batch-size 4 --latent-dim 2 --width 2 --samples 4 "
        "--no-export --eval-every 0 --no-validation"
    ).split(),
]
IDX = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def idx_bytes(array, magic):
    header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def idx_dir(root, n_images=6, n_labels=6, image_magic=0x803, cut=0):
    """Four IDX files; the training images optionally with another magic number or ``cut`` bytes short."""
    root.mkdir()
    for split, (image_stem, label_stem) in IDX.items():
        images = idx_bytes(np.zeros((n_images, 28, 28)), image_magic if split == "train" else 0x803)
        if split == "train" and cut:
            images = images[:-cut]
        (root / image_stem).write_bytes(images)
        (root / label_stem).write_bytes(idx_bytes(np.zeros(n_labels if split == "train" else n_images), 0x801))
    return root


def image_folder(root, broken=False):
    (root / "a").mkdir(parents=True)
    for i in range(3):
        Image.fromarray(np.full((8, 8), 40 * i, np.uint8)).save(root / "a" / f"{i}.png")
    if broken:
        (root / "a" / "broken.png").write_bytes(b"not a png at all")
    return root


CASES = {
    "truncated IDX": (
        lambda d: ["--dataset", "mnist", "--data-dir", idx_dir(d / "idx", cut=100)],
        "train-images-idx3-ubyte",
    ),
    "corrupt IDX (magic)": (
        lambda d: ["--dataset", "mnist", "--data-dir", idx_dir(d / "idx", image_magic=0x802)],
        "train-images-idx3-ubyte",
    ),
    "IDX counts disagree": (
        lambda d: ["--dataset", "mnist", "--data-dir", idx_dir(d / "idx", n_labels=5)],
        "train-labels-idx1-ubyte",
    ),
    "image that does not decode": (
        lambda d: ["--dataset", "image_folder", "--data-dir", image_folder(d / "img", broken=True)],
        "broken.png",
    ),
    "empty dataset": (
        lambda d: ["--dataset", "image_folder", "--data-dir", (d / "empty").mkdir() or d / "empty"],
        "holds no images",
    ),
    "batch larger than the data with --drop-remainder": (
        lambda d: [
            "--dataset",
            "image_folder",
            "--data-dir",
            image_folder(d / "img"),
            "--batch-size",
            "8",
            "--drop-remainder",
        ],
        "batch_size=8 with drop_remainder=True",
    ),
    "batch size 0": (lambda d: ["--batch-size", "0"], "expected a positive integer"),
    "latent size 0": (lambda d: ["--latent-dim", "-1"], "expected a positive integer"),
    "epochs 0": (lambda d: ["--epochs", "0"], "expected a positive integer"),
    "unknown precision": (lambda d: ["--precision", "fp8"], "invalid choice: 'fp8'"),
    "unknown strategy": (lambda d: ["--strategy", "tpu"], "invalid choice: 'tpu'"),
    "multiworker without TF_CONFIG": (lambda d: ["--strategy", "multiworker"], "needs the TF_CONFIG"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_training_tool_refuses_with_exit_2_and_writes_nothing(case, tmp_path, monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    make_args, message = CASES[case]
    out = tmp_path / "run"
    assert_refused(train_tool.main, [*TINY, *make_args(tmp_path), "--out", out], message, untouched=out)


def test_a_keras_file_that_is_not_a_zoo_model_is_refused(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"run": {"dataset": "mnist_sample"}}))
    plain = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    plain.save(run / "model.keras")
    base = tmp_path / "serving"
    code, _, err = call(export_tool.main, ["--run", run, "--base-dir", base])
    assert code == 2 and "expected a zoo model" in err, err
    assert not base.exists()

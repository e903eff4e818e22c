"""zoo.pretrained: the shipped generators by name, as Keras models and as ONNX sessions, found in the
checkout's saved_models/, a directory given or $GENZOO_MODELS, and refused when a file changed."""

import json
import shutil
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from export.runtime import OnnxGenerator
from zoo import pretrained
from zoo.integrity import DamagedArtifact

ROOT = Path(__file__).resolve().parents[2]
SAVED = ROOT / "saved_models"
NAMES = sorted(p.parent.name for p in SAVED.glob("*/*.json") if p.stem.isdigit())


def test_list_names_every_shipped_generator_and_no_classifier():
    rows = pretrained.list()
    assert [row["name"] for row in rows] == NAMES
    assert not any(row["name"].startswith("classifier") for row in rows)
    ring = next(row for row in rows if row["name"] == "wgan_gp-ring8")
    assert ring["model"] == "wgan_gp" and ring["dataset"] == "ring8" and ring["latent_dim"] == 2


@pytest.mark.parametrize("name", NAMES)
def test_load_gives_the_keras_model_that_draws_what_the_shipped_onnx_file_draws(name):
    model = pretrained.load(name, compile=False)
    onnx = OnnxGenerator(name)  # the same name opens the ONNX file, without TensorFlow
    z = np.random.default_rng(3).standard_normal((5, onnx.latent_dim)).astype(np.float32)
    if onnx.is_conditional:
        labels = np.arange(5, dtype=np.int32) % onnx.num_classes
        keras_out, onnx_out = model.generate(z, labels), onnx.generate(z, labels)
    else:
        keras_out, onnx_out = model.generate(z), onnx.generate(z)
    np.testing.assert_allclose(np.asarray(keras_out), onnx_out, atol=1e-4)
    assert onnx.version == pretrained.list()[NAMES.index(name)]["version"]


def test_a_loaded_generator_fine_tunes(tmp_path):
    model = pretrained.load("wgan_gp-ring8")  # compiled with its default optimizers
    before = [w.numpy().copy() for w in model.generator.weights]
    points = np.random.default_rng(0).standard_normal((64, 2)).astype(np.float32)
    ds = tf.data.Dataset.from_tensor_slices((points, np.zeros(64, np.int32))).batch(32)
    history = model.fit(ds, epochs=1, verbose=0).history
    assert all(np.isfinite(v).all() for v in history.values())
    assert any(not np.array_equal(b, w.numpy()) for b, w in zip(before, model.generator.weights))
    model.save(tmp_path / "tuned.keras")  # and saves as any zoo model does
    assert isinstance(keras.saving.load_model(tmp_path / "tuned.keras"), type(model))


@pytest.fixture
def shipped_copy(tmp_path):
    root = tmp_path / "models"
    shutil.copytree(SAVED / "wgan_gp-ring8", root / "wgan_gp-ring8")
    return root


def test_a_directory_given_or_named_by_the_environment_is_searched(shipped_copy, monkeypatch):
    assert [row["name"] for row in pretrained.list(shipped_copy)] == ["wgan_gp-ring8"]
    monkeypatch.setenv(pretrained.ENV_VAR, str(shipped_copy))
    assert [row["name"] for row in pretrained.list()] == ["wgan_gp-ring8"]
    assert OnnxGenerator("wgan_gp-ring8").path == shipped_copy / "wgan_gp-ring8" / "1.onnx"
    with pytest.raises(pretrained.UnknownModel, match="no shipped model 'wgan_gp'.*shipped: wgan_gp-ring8"):
        pretrained.load("wgan_gp")
    monkeypatch.setenv(pretrained.ENV_VAR, str(shipped_copy / "nothing"))
    with pytest.raises(pretrained.UnknownModel, match="GENZOO_MODELS"):
        pretrained.list()


def test_unknown_names_and_versions_are_refused_with_what_exists(shipped_copy):
    with pytest.raises(pretrained.UnknownModel, match="has no version 7.*versions: \\[1\\]"):
        pretrained.load("wgan_gp-ring8", version=7, directory=shipped_copy)
    with pytest.raises(pretrained.UnknownModel, match="no shipped model '../wgan_gp-ring8'"):
        pretrained.locate("../wgan_gp-ring8", directory=shipped_copy)


def test_a_changed_file_or_a_card_that_does_not_describe_the_files_is_refused(shipped_copy):
    model_dir = shipped_copy / "wgan_gp-ring8"
    onnx = model_dir / "1.onnx"
    data = bytearray(onnx.read_bytes())
    data[-10] ^= 0xFF
    onnx.write_bytes(bytes(data))
    for opener in (
        lambda: pretrained.load("wgan_gp-ring8", directory=shipped_copy),
        lambda: OnnxGenerator("wgan_gp-ring8", directory=shipped_copy),
    ):
        with pytest.raises(DamagedArtifact, match="1.onnx has sha256"):
            opener()
    shutil.copy2(SAVED / "wgan_gp-ring8" / "1.onnx", onnx)
    card = json.loads((model_dir / "1.json").read_text())
    card["config"]["width"] = card["config"]["width"] * 2  # a card edited by hand: the wrong network
    (model_dir / "1.json").write_text(json.dumps(card))
    with pytest.raises(DamagedArtifact, match="do not match their card"):
        pretrained.load("wgan_gp-ring8", directory=shipped_copy)


@pytest.mark.parametrize("doc", ["README.md", "docs/library.md"])
def test_the_documented_one_liner_runs(doc):
    import re

    blocks = re.findall(r"```python\n(.*?)```", (ROOT / doc).read_text(), flags=re.S)
    (example,) = [b for b in blocks if "zoo.pretrained.load(" in b]
    namespace = {}
    exec(example, namespace)
    assert np.asarray(namespace["images"]).shape == (64, 28, 28, 1)

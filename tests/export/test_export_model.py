"""export_model as a whole: the card, versions, refusals of bad input and all-or-nothing writing."""

import hashlib
import json
import shutil

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

import export
import zoo
from conftest import EVALUATION, TRAINED_WITH, tiny_model
from export import bundle, contract, layout, onnx_export
from export.card import build_card
from export.runtime import OnnxGenerator
from export_fixtures import leftovers, tree_snapshot
from zoo.integrity import verify_version

# -- the card ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", zoo.list_models())
def test_card_describes_the_export(exported, name):
    e = exported(name)
    card_path = e.model_dir / "1.json"
    card = json.loads(card_path.read_text())
    assert card == e.result.card
    assert card["name"] == name and card["version"] == 1 and card["model"] == name
    assert card["config"] == {
        k: list(v) if isinstance(v, tuple) else v for k, v in e.model.get_config()["config"].items()
    }
    assert card["latent_dim"] == 4 and card["data_shape"] == [8, 8, 1]
    assert card["output"] == {"name": "images", "dtype": "float32", "shape": ["batch", 8, 8, 1], "range": [0.0, 1.0]}
    inputs = {"z": {"dtype": "float32", "shape": ["batch", 4]}}
    if e.model.conditional:  # the class of each code, too
        inputs["label"] = {"dtype": "int32", "shape": ["batch"], "num_classes": 10}
    assert card["inputs"] == inputs and card["num_classes"] == (10 if e.model.conditional else None)
    assert card["signatures"]["serving_default"]["inputs"] == list(inputs)
    assert set(card["signatures"]) == ({"serving_default", "encode"} if e.model.has_encoder else {"serving_default"})
    assert card["trained_with"] == TRAINED_WITH and card["evaluation"] == EVALUATION
    assert card["data_attribution"]["text"] == (
        "MNIST by Yann LeCun, Corinna Cortes and Christopher J. C. Burges, CC BY-SA 3.0"
    )
    assert card["data_attribution"]["license_url"] == "https://creativecommons.org/licenses/by-sa/3.0/"
    assert all(card["training_steps"][n] >= 1 for n in e.model.optimizer_names)
    for package in ("python", "tensorflow", "keras", "tf2onnx", "onnx", "onnxruntime", "numpy", "genzoo"):
        assert card["packages"][package], package
    parity = card["parity"]
    assert parity["inputs"] == 64 and parity["tolerance"] == 1e-5
    figures = parity["max_abs_diff"]
    assert {
        "saved_model.session.serving_default.images",
        "saved_model.function.serving_default.images",
        "onnx.generate.images",
    } <= set(figures)
    assert all(0.0 <= v <= 1e-5 for v in figures.values())

    # sha256 of every artifact file, and of nothing else.
    on_disk = sorted(
        p.relative_to(e.model_dir).as_posix() for p in e.model_dir.rglob("*") if p.is_file() and p != card_path
    )
    assert sorted(card["files"]) == on_disk
    assert "1/saved_model.pb" in on_disk and "1/assets.extra/tf_serving_warmup_requests" in on_disk
    for relative, digest in card["files"].items():
        assert hashlib.sha256((e.model_dir / relative).read_bytes()).hexdigest() == digest
    assert verify_version(card_path) == card


def test_card_of_a_flat_model(exported):
    card = exported("vae", "points").result.card
    assert card["output"] == {"name": "samples", "dtype": "float32", "shape": ["batch", 2], "range": None}
    assert set(card["signatures"]) == {"serving_default", "encode"}
    assert card["signatures"]["encode"] == {"inputs": ["samples"], "outputs": ["mean", "log_var"]}


@pytest.mark.parametrize("trained_with", [None, {"dataset": "ring8"}, {"command": "python -m tools.train"}])
def test_no_attribution_for_other_or_unknown_data(trained_with):
    card = build_card(name="m", version=1, model_info={}, files={}, parity={}, trained_with=trained_with)
    assert card["data_attribution"] is None and card["trained_with"] == trained_with


# -- versions ----------------------------------------------------------------------------------


def copy_of(exported_model, tmp_path):
    base = tmp_path / "serving"
    shutil.copytree(exported_model.base_dir, base)
    return base


def test_versions_count_up_never_overwrite_and_overwrite_on_request(exported, tmp_path, monkeypatch):
    e = exported("gan")
    base = copy_of(e, tmp_path)
    placed = []

    def place(source, target):  # records what appears in <base>/gan, in order, and whether it is complete
        placed.append((target.name, source.is_file() or (source / "saved_model.pb").is_file()))
        place_for_real(source, target)

    place_for_real = layout._place
    monkeypatch.setattr(layout, "_place", place)
    result = export.export_model(e.model, base)
    assert result.version == 2
    assert placed == [("2.onnx", True), ("2.json", True), ("2", True)]  # the numeric directory last
    monkeypatch.undo()
    assert sorted(p.name for p in (base / "gan").iterdir()) == ["1", "1.json", "1.onnx", "2", "2.json", "2.onnx"]

    before = tree_snapshot(base)
    for version in (1, 2):
        with pytest.raises(export.ExportError, match=f"version {version} of 'gan' already exists.*overwrite"):
            export.export_model(e.model, base, version=version)
    assert tree_snapshot(base) == before and not leftovers(base)

    result = export.export_model(e.model, base, version=1, overwrite=True, trained_with={"dataset": "other"})
    assert result.version == 1
    card = json.loads((base / "gan" / "1.json").read_text())
    assert card["trained_with"] == {"dataset": "other"}
    assert verify_version(base / "gan" / "1.json") == card
    assert tree_snapshot(base)["gan/2.json"] == before["gan/2.json"]
    assert not leftovers(base)


def test_next_version_counts_every_artifact_kind(tmp_path):
    model_dir = tmp_path / "m"
    model_dir.mkdir()
    assert layout.next_version(model_dir) == 1
    (model_dir / "3.json").write_text("{}")
    (model_dir / ".tmp-9-abc").mkdir()  # staging directories are not versions
    (model_dir / "notes.txt").write_text("")
    assert layout.next_version(model_dir) == 4
    (model_dir / "5.onnx").write_bytes(b"")
    assert layout.next_version(model_dir) == 6


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a/b", "..", ".", "", "../escape", "a b", ".hidden", "x\\y", "é"])
def test_bad_names_are_refused_before_anything_is_written(exported, tmp_path, name):
    base = tmp_path / "serving"
    with pytest.raises(export.ExportError, match="bad model name"):
        export.export_model(exported("gan").model, base, name=name)
    assert not base.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("version", [0, -1, 1.5, "2", True, 2**63])
def test_bad_versions_are_refused(exported, tmp_path, version):
    base = tmp_path / "serving"
    with pytest.raises(export.ExportError, match="bad version"):
        export.export_model(exported("gan").model, base, version=version)
    assert not base.exists()


def test_untrained_unbuilt_and_foreign_models_are_refused(tmp_path):
    base = tmp_path / "serving"
    untrained = zoo.get_model("gan", input_shape=(8, 8, 1), latent_dim=4, width=4)
    with pytest.raises(export.ExportError, match="has not been trained.*allow_untrained"):
        export.export_model(untrained, base)  # never compiled: no optimizers
    untrained.compile_default(jit_compile=False)
    with pytest.raises(export.ExportError, match=r"has not been trained \(optimizer iterations: \{'g_optimizer': 0"):
        export.export_model(untrained, base)
    untrained.built = False
    with pytest.raises(export.ExportError, match="not built"):
        export.export_model(untrained, base, allow_untrained=True)
    with pytest.raises(export.ExportError, match="expected a zoo model"):
        export.export_model(keras.Sequential([keras.layers.Dense(2)]), base, name="dense")
    assert not base.exists()


def test_an_export_while_another_process_exports_into_the_same_root_is_refused(tmp_path, lock_holder):
    base = tmp_path / "serving"
    proc = lock_holder(base)
    with pytest.raises(export.ExportError, match=rf"serving directory .*serving is in use by process {proc.pid}"):
        export.export_model(tiny_model("gan"), base, version=3)
    assert not base.exists()
    with pytest.raises(export.ExportError, match="version 0"):  # bad input is still named first
        export.export_model(tiny_model("gan"), base, version=0)


def test_a_model_with_non_finite_weights_is_never_exported(tmp_path):
    model = tiny_model("gan")
    kernel = model.generator.trainable_weights[0]
    kernel.assign(np.where(np.arange(kernel.shape[-1]) == 0, np.nan, np.asarray(kernel)))
    base = tmp_path / "serving"
    with pytest.raises(export.ExportError, match="non-finite weights"):
        export.export_model(model, base)
    assert not base.exists()


def test_allow_untrained_exports_an_untrained_model(tmp_path):
    model = tiny_model("wgan", trained=False)
    result = export.to_onnx(model, tmp_path, allow_untrained=True)
    assert result.paths == {"onnx": tmp_path / "wgan" / "1.onnx"}
    assert OnnxGenerator(result.paths["onnx"]).sample(2, seed=0).shape == (2, 8, 8, 1)


def test_a_model_loaded_from_keras_file_counts_as_trained(tmp_path):
    trained = tiny_model("gan")
    trained.save(tmp_path / "trained.keras")
    loaded = keras.saving.load_model(tmp_path / "trained.keras", safe_mode=True)
    assert contract.check_exportable(loaded) == {"g_optimizer": 1, "d_optimizer": 1}
    untrained = tiny_model("vae", trained=False)
    untrained.compile_default(jit_compile=False)
    untrained.save(tmp_path / "untrained.keras")
    with pytest.raises(export.ExportError, match="has not been trained"):
        contract.check_exportable(keras.saving.load_model(tmp_path / "untrained.keras"))


# -- all or nothing ----------------------------------------------------------------------------


def fail(*args, **kwargs):
    raise RuntimeError("simulated failure")


def test_a_failure_mid_export_leaves_nothing(exported, tmp_path, monkeypatch):
    monkeypatch.setattr(onnx_export, "convert", fail)  # after the SavedModel was written and checked
    base = tmp_path / "serving"
    with pytest.raises(RuntimeError, match="simulated"):
        export.export_model(exported("vae").model, base)
    assert not base.exists()


def test_a_failure_while_committing_a_new_version_leaves_the_old_ones(exported, tmp_path, monkeypatch):
    e = exported("gan")
    base = copy_of(e, tmp_path)
    before = tree_snapshot(base)
    monkeypatch.setattr(bundle, "write_models_config", fail)  # after every file was placed
    with pytest.raises(RuntimeError, match="simulated"):
        export.export_model(e.model, base)
    assert tree_snapshot(base) == before and not leftovers(base)


def test_a_failed_overwrite_restores_the_old_version(exported, tmp_path, monkeypatch):
    e = exported("gan")
    base = copy_of(e, tmp_path)
    before = tree_snapshot(base)
    monkeypatch.setattr(bundle, "write_models_config", fail)
    with pytest.raises(RuntimeError, match="simulated"):
        export.export_model(e.model, base, version=1, overwrite=True)
    assert tree_snapshot(base) == before and not leftovers(base)


def test_a_parity_failure_is_an_error_and_leaves_nothing(exported, tmp_path, monkeypatch):
    def off_by_1e3(model, *args, **kwargs):
        data = contract.reference_data(model, *args, **kwargs)
        generate = data["generate"]
        outputs = {k: v + 1e-3 for k, v in generate.outputs.items()}
        return {**data, "generate": contract.Reference(generate.inputs, outputs)}

    monkeypatch.setattr(bundle, "reference_data", off_by_1e3)
    base = tmp_path / "serving"
    with pytest.raises(export.ParityError, match="does not reproduce the Keras model within 1e-05"):
        export.export_model(exported("gan").model, base)
    assert not base.exists()


# -- conditional models ------------------------------------------------------------------------


class LabelledGAN(zoo.GAN):
    """A stand-in for the coming conditional models: ``generate(z, label)`` with 3 classes."""

    num_classes = 3

    def generate(self, z, label):
        shift = ops.reshape(ops.cast(label, "float32"), (-1, 1, 1, 1)) * 0.25  # (batch, 1, 1, 1)
        return ops.cast(super().generate(z) * 0.25 + shift, "float32")


def test_a_conditional_model_exports_label_inputs(tmp_path):
    model = tiny_model("gan", model_class=LabelledGAN)
    result = export.export_model(model, tmp_path, name="labelled")
    assert result.card["inputs"]["label"] == {"dtype": "int32", "shape": ["batch"], "num_classes": 3}
    assert "saved_model.session.serving_default.images" in result.parity["max_abs_diff"]

    z = np.random.default_rng(3).standard_normal((6, 4)).astype(np.float32)
    label = np.array([0, 1, 2, 2, 1, 0], np.int32)
    expected = np.asarray(model.generate(z, label))
    generator = OnnxGenerator(result.paths["onnx"])
    assert generator.num_classes == 3
    np.testing.assert_allclose(generator.generate(z, label), expected, atol=1e-5)
    with pytest.raises(ValueError, match="is conditional: pass label"):
        generator.generate(z)
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\)"):
        generator.generate(z, np.full(6, 3))
    signature = tf.saved_model.load(str(result.paths["saved_model"])).signatures["serving_default"]
    np.testing.assert_allclose(signature(z=tf.constant(z), label=tf.constant(label))["images"], expected, atol=1e-5)


def test_to_onnx_with_overwrite_replaces_only_the_onnx_file(exported, tmp_path):
    e = exported("gan")
    base = copy_of(e, tmp_path)
    before = tree_snapshot(base)
    result = export.to_onnx(e.model, base, version=1, overwrite=True)
    after = tree_snapshot(base)
    assert set(result.paths) == {"onnx"} and not leftovers(base)
    assert set(after) == set(before)  # the SavedModel directory and the card are still there
    assert {k for k in before if before[k] != after[k]} <= {"gan/1.onnx"}

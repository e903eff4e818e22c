"""The SavedModel TF Serving loads: signatures and tensor names, parity with Keras, warmup, models.config.

Every check loads the exported files independently of the exporter's own checks, on inputs
drawn from another seed than the exporter's.
"""

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from google.protobuf import text_format
from tensorflow.core.protobuf import saved_model_pb2
from tensorflow_serving.apis import prediction_log_pb2
from tensorflow_serving.config import model_server_config_pb2

import export
import zoo
from conftest import ROOT

CASES = [(name, "image") for name in zoo.list_models()] + [("vae", "points")]
TOLERANCE = 1e-5


def keras_reference(model, n=64, seed=7):
    """Inputs and Keras outputs per signature: {signature: (inputs, outputs)}."""
    rng = np.random.default_rng(seed)
    inputs = {"z": rng.standard_normal((n, model.latent_dim)).astype(np.float32)}
    if model.conditional:  # a class per code, on both signatures
        inputs["label"] = rng.integers(0, model.num_classes, size=n).astype(np.int32)
    generated = np.asarray(model.generate(*inputs.values()))
    reference = {"serving_default": (inputs, {model.output_name: generated})}
    if model.has_encoder:
        encode_inputs = {model.output_name: generated, **({"label": inputs["label"]} if model.conditional else {})}
        mean, log_var = model.encode_outputs(*encode_inputs.values())
        outputs = {"mean": np.asarray(mean), "log_var": np.asarray(log_var)}
        reference["encode"] = (encode_inputs, outputs)
    return reference


def load_tf1(path):
    """(session, meta_graph) of a SavedModel loaded the way TF Serving loads it."""
    graph = tf.Graph()
    session = tf.compat.v1.Session(graph=graph)
    with graph.as_default():
        meta_graph = tf.compat.v1.saved_model.loader.load(session, ["serve"], str(path))
    return session, meta_graph


@pytest.mark.parametrize("name,shape_kind", CASES)
def test_signatures_have_the_contract_names_and_reproduce_keras(exported, name, shape_kind):
    e = exported(name, shape_kind)
    model, path = e.model, e.version_dir
    assert path == e.base_dir / name / "1"
    assert (path / "saved_model.pb").is_file() and (path / "variables").is_dir()
    reference = keras_reference(model)
    expected_signatures = {"serving_default", "encode"} if model.has_encoder else {"serving_default"}

    # 1. The TF1 loader, feeding and fetching the SignatureDef's tensor names.
    session, meta_graph = load_tf1(path)
    with session:
        assert set(meta_graph.signature_def) - {"__saved_model_init_op"} == expected_signatures
        for signature_name, (inputs, outputs) in reference.items():
            signature = meta_graph.signature_def[signature_name]
            assert set(signature.inputs) == set(inputs) and set(signature.outputs) == set(outputs)
            assert signature.method_name == "tensorflow/serving/predict"
            for key, info in (*signature.inputs.items(), *signature.outputs.items()):
                assert info.dtype == (tf.int32 if key == "label" else tf.float32).as_datatype_enum
                assert info.tensor_shape.dim[0].size == -1  # dynamic batch
            results = session.run(
                {k: signature.outputs[k].name for k in outputs},
                {signature.inputs[k].name: v for k, v in inputs.items()},
            )
            for key, value in outputs.items():
                assert results[key].shape == value.shape
                assert np.max(np.abs(results[key] - value)) <= TOLERANCE, (signature_name, key)

    # 2. tf.saved_model.load, calling the signatures by keyword.
    loaded = tf.saved_model.load(str(path))
    for signature_name, (inputs, outputs) in reference.items():
        results = loaded.signatures[signature_name](**{k: tf.constant(v) for k, v in inputs.items()})
        assert set(results) == set(outputs)
        for key, value in outputs.items():
            assert results[key].dtype == tf.float32
            assert np.max(np.abs(results[key].numpy() - value)) <= TOLERANCE, (signature_name, key)
    if shape_kind == "image":
        images = reference["serving_default"][1]["images"]
        assert images.min() >= 0.0 and images.max() <= 1.0


@pytest.mark.parametrize("name,shape_kind", CASES)
def test_warmup_requests_are_prediction_logs_the_signatures_accept(exported, name, shape_kind):
    e = exported(name, shape_kind)
    warmup = e.version_dir / "assets.extra" / "tf_serving_warmup_requests"
    loaded = tf.saved_model.load(str(e.version_dir))
    batches = {}
    for record in tf.data.TFRecordDataset(str(warmup)):
        log = prediction_log_pb2.PredictionLog.FromString(record.numpy())
        request = log.predict_log.request
        assert request.model_spec.name == name
        signature = loaded.signatures[request.model_spec.signature_name]
        inputs = {k: tf.make_ndarray(v) for k, v in request.inputs.items()}
        results = signature(**{k: tf.constant(v) for k, v in inputs.items()})
        batch = len(next(iter(inputs.values())))
        assert all(v.shape[0] == batch for v in results.values())
        batches.setdefault(request.model_spec.signature_name, []).append(batch)
    assert sorted(batches["serving_default"]) == [1, 8]
    assert ("encode" in batches) == e.model.has_encoder


@pytest.mark.parametrize("name", ["gan", "vae"])
def test_the_saved_model_carries_only_the_serving_networks(exported, name):
    # A GAN's critic and the optimizers' state would more than double the file, and each weight must
    # be stored once; TF Serving needs nothing else.
    e = exported(name)
    reader = tf.train.load_checkpoint(str(e.version_dir / "variables" / "variables"))
    stored = sum(
        int(np.prod(shape))
        for key, shape in reader.get_variable_to_shape_map().items()
        if key != "_CHECKPOINTABLE_OBJECT_GRAPH"
    )
    serving = [getattr(e.model, n) for n in {"gan": ["generator"], "vae": ["encoder", "decoder"]}[name]]
    expected = sum(int(np.prod(w.shape)) for net in serving for w in net.weights)
    assert stored == expected


def test_serving_functions_are_not_xla_compiled(exported):
    e = exported("vae")
    saved = saved_model_pb2.SavedModel.FromString((e.version_dir / "saved_model.pb").read_bytes())
    functions = saved.meta_graphs[0].graph_def.library.function
    flags = {f.signature.name: f.attr["_XlaMustCompile"].b for f in functions if "_XlaMustCompile" in f.attr}
    assert flags, "the serving functions should carry an explicit _XlaMustCompile=false"
    assert not any(flags.values()), flags


def test_models_config_lists_every_exported_model(exported):
    e = exported("vae")
    config = text_format.Parse((e.base_dir / "models.config").read_text(), model_server_config_pb2.ModelServerConfig())
    entries = [(c.name, c.base_path, c.model_platform) for c in config.model_config_list.config]
    assert entries == [("vae", "/models/vae", "tensorflow")]


def test_saved_model_cli_shows_both_signatures(exported):
    e = exported("vae")
    result = subprocess.run(
        [sys.executable, "-m", "tensorflow.python.tools.saved_model_cli", "show", "--all", "--dir", str(e.version_dir)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "signature_def['serving_default']" in out and "signature_def['encode']" in out
    assert "inputs['z'] tensor_info" in out and "outputs['images'] tensor_info" in out
    assert "inputs['images'] tensor_info" in out and "outputs['log_var'] tensor_info" in out
    assert "shape: (-1, 4)" in out and "shape: (-1, 8, 8, 1)" in out


def test_to_saved_model_writes_the_version_and_lists_every_model_in_models_config(exported, tmp_path):
    base = tmp_path / "serving"
    shutil.copytree(exported("vae").base_dir, base)
    (base / "README.md").write_text("not a model")
    (base / "drafts").mkdir()  # no numeric version: not listed
    result = export.to_saved_model(exported("wgan").model, base, name="critic.v1")
    assert result.version == 1 and result.card is None
    assert [p.name for p in (base / "critic.v1").iterdir()] == ["1"]
    assert set(result.parity["max_abs_diff"]) == {
        "saved_model.session.serving_default.images",
        "saved_model.function.serving_default.images",
    }
    config = text_format.Parse((base / "models.config").read_text(), model_server_config_pb2.ModelServerConfig())
    assert [(c.name, c.base_path) for c in config.model_config_list.config] == [
        ("critic.v1", "/models/critic.v1"),
        ("vae", "/models/vae"),
    ]


def test_variables_are_written_in_shards_that_tf_serving_loads(tmp_path, monkeypatch):
    # Shipped versions keep every file under 5 MB: the variables go in shards of MAX_SHARD_BYTES.
    from export import saved_model

    monkeypatch.setattr(saved_model, "MAX_SHARD_BYTES", 64 * 1024)
    keras_seed = np.random.default_rng(0).standard_normal((4, 8)).astype(np.float32)
    model = zoo.get_model("vae", input_shape=(28, 28, 1), latent_dim=8, width=8)
    model.compile_default()
    result = export.to_saved_model(model, tmp_path, name="vae", version=1, allow_untrained=True)
    shards = sorted((result.paths["saved_model"] / "variables").glob("variables.data-*"))
    assert len(shards) > 2 and max(p.stat().st_size for p in shards) <= 64 * 1024
    session, meta_graph = load_tf1(result.paths["saved_model"])
    with session:
        signature = meta_graph.signature_def["serving_default"]
        served = session.run(signature.outputs["images"].name, {signature.inputs["z"].name: keras_seed})
    np.testing.assert_allclose(served, np.asarray(model.generate(keras_seed)), atol=TOLERANCE)

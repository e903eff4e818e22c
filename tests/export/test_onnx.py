"""The ONNX files: contract names, opset, the dynamic batch axis named "batch", metadata, and
ONNX Runtime outputs equal to the Keras model's."""

import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest

import zoo

CASES = [(name, "image") for name in zoo.list_models()] + [("vae", "points")]
TOLERANCE = 1e-5


def dims(value_info):
    return [d.dim_param or d.dim_value for d in value_info.type.tensor_type.shape.dim]


def run(path, feeds):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(names, feeds)))


@pytest.mark.parametrize("name,shape_kind", CASES)
def test_generator_file_has_the_contract_and_reproduces_keras(exported, name, shape_kind):
    e = exported(name, shape_kind)
    model = e.model
    path = e.model_dir / "1.onnx"
    assert e.result.paths["onnx"] == path
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto)
    assert max(o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")) >= 17
    data_dims = list(model.data_shape)
    expected_inputs = [("z", ["batch", 4])] + ([("label", ["batch"])] if model.conditional else [])
    assert [(i.name, dims(i)) for i in proto.graph.input] == expected_inputs
    assert [(o.name, dims(o)) for o in proto.graph.output] == [(model.output_name, ["batch", *data_dims])]
    assert proto.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    assert proto.graph.output[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    metadata = {p.key: p.value for p in proto.metadata_props}
    assert metadata["name"] == name and metadata["version"] == "1" and metadata["role"] == "generate"
    assert metadata["latent_dim"] == "4" and metadata["output_name"] == model.output_name
    assert json.loads(metadata["data_shape"]) == data_dims
    assert json.loads(metadata["output_range"]) == ([0.0, 1.0] if shape_kind == "image" else None)

    rng = np.random.default_rng(11)
    inputs = {"z": rng.standard_normal((64, 4)).astype(np.float32)}
    if model.conditional:
        assert proto.graph.input[1].type.tensor_type.elem_type == onnx.TensorProto.INT32
        assert metadata["num_classes"] == "10" and metadata["inputs"] == "z,label"
        inputs["label"] = rng.integers(0, 10, size=64).astype(np.int32)
    outputs = run(path, inputs)
    expected = np.asarray(model.generate(*inputs.values()))
    assert outputs[model.output_name].shape == expected.shape
    assert np.max(np.abs(outputs[model.output_name] - expected)) <= TOLERANCE
    # The batch axis is dynamic: one example works as well as 64.
    assert run(path, {k: v[:1] for k, v in inputs.items()})[model.output_name].shape == (1, *data_dims)


@pytest.mark.parametrize("shape_kind", ["image", "points"])
def test_encoder_file_has_the_contract_and_reproduces_keras(exported, shape_kind):
    e = exported("vae", shape_kind)
    model = e.model
    path = e.model_dir / "1.encode.onnx"
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto)
    assert [(i.name, dims(i)) for i in proto.graph.input] == [(model.output_name, ["batch", *model.data_shape])]
    assert sorted((o.name, tuple(dims(o))) for o in proto.graph.output) == [
        ("log_var", ("batch", 4)),
        ("mean", ("batch", 4)),
    ]
    metadata = {p.key: p.value for p in proto.metadata_props}
    assert metadata["role"] == "encode" and metadata["name"] == "vae"

    z = np.random.default_rng(12).standard_normal((64, 4)).astype(np.float32)
    data = np.asarray(model.generate(z))
    outputs = run(path, {model.output_name: data})
    mean, log_var = (np.asarray(t) for t in model.encode_outputs(data))
    assert np.max(np.abs(outputs["mean"] - mean)) <= TOLERANCE
    assert np.max(np.abs(outputs["log_var"] - log_var)) <= TOLERANCE


def test_models_without_an_encoder_have_no_encoder_file(exported):
    e = exported("gan")
    assert not (e.model_dir / "1.encode.onnx").exists() and "encode_onnx" not in e.result.paths


@pytest.mark.parametrize("nets", ["dcgan", "resnet"])
@pytest.mark.parametrize("size", [28, 32, 64, 128])
def test_every_network_family_converts_at_every_size_with_parity(nets, size):
    from export.onnx_export import convert

    model = zoo.get_model("gan", input_shape=(size, size, 3), nets=nets, width=2, latent_dim=4)
    proto = convert(model, "generate", name=f"gan-{nets}", version=1)
    z = np.random.default_rng(size).standard_normal((3, 4)).astype(np.float32)
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {"z": z})
    expected = np.asarray(model.generate(z))
    assert got.shape == expected.shape == (3, size, size, 3)
    assert np.max(np.abs(got - expected)) <= TOLERANCE

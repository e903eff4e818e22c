"""ONNX export: ``<base_dir>/<name>/<version>.onnx`` (and ``<version>.encode.onnx``), opset 17.

The same named ``tf.function`` that becomes the SavedModel's signature (``contract.
serving_function``) is converted with ``tf2onnx.convert.from_function``; ``tf2onnx.convert.
from_keras`` does not handle Keras 3 models. tf2onnx names the inputs and outputs after the
``TensorSpec`` names and the keys of the returned dict, i.e. the contract's ``z`` / ``images``;
it names the dynamic batch dimension ``unk__<n>``, which is renamed ``batch`` here. The contract
travels in ``metadata_props`` (``export.runtime.REQUIRED_METADATA``).

tf2onnx converts with ``continue_on_error=True``: an op it cannot convert is left in the graph
rather than reported. ``onnx.checker`` and the ONNX Runtime parity check catch such graphs.
"""

import json

import numpy as np

from export import contract, runtime
from export.contract import OUTPUT_RANGES, SIGNATURES, input_specs, num_classes, output_names, serving_function
from export.errors import ExportError
from export.layout import StagedVersion

OPSET = 17
BATCH = "batch"

ONNX_KEYS = {"generate": "onnx", "encode": "encode_onnx"}  # role -> artifact key (layout.artifact_names)


def convert(model, role="generate", *, name, version, opset=OPSET):
    """Convert one role of a model to a checked ONNX ``ModelProto``.

    Args:
        model: a zoo model (``contract.check_exportable``).
        role: ``"generate"`` (z -> images / samples) or ``"encode"`` (images -> mean, log_var).
        name: export name, recorded in the metadata.
        version: integer version, recorded in the metadata.
        opset: ONNX opset (17 by default, the contract's).

    Returns:
        ``onnx.ModelProto`` with inputs/outputs named by the contract, batch dimensions named
        ``batch`` and the contract in ``metadata_props``.

    Raises:
        ExportError: the converted graph does not have the contract's inputs and outputs, or
            fails ``onnx.checker``.
    """
    import onnx
    import tf2onnx

    specs = input_specs(model, role)
    proto, _ = tf2onnx.convert.from_function(serving_function(model, role), input_signature=specs, opset=opset)
    inputs = [i.name for i in proto.graph.input]
    outputs = [o.name for o in proto.graph.output]
    if inputs != [s.name for s in specs] or sorted(outputs) != sorted(output_names(model, role)):
        raise ExportError(
            f"tf2onnx produced inputs {inputs} and outputs {outputs} for {role}; "
            f"expected {[s.name for s in specs]} and {output_names(model, role)}"
        )
    name_batch_dimension(proto)
    metadata = contract_metadata(model, role, name=name, version=version)
    del proto.metadata_props[:]
    for key, value in metadata.items():
        proto.metadata_props.add(key=key, value=value)
    proto.doc_string = f"genzoo {name} version {version}: {role} ({SIGNATURES[role]})"
    try:
        onnx.checker.check_model(proto)
    except onnx.checker.ValidationError as err:
        raise ExportError(f"the ONNX graph of {name} {role} fails onnx.checker: {err}") from None
    return proto


def contract_metadata(model, role, *, name, version):
    """The ``metadata_props`` of an exported file: ``runtime.REQUIRED_METADATA`` (+ ``num_classes``)."""
    metadata = {
        runtime.FORMAT_KEY: runtime.FORMAT_VERSION,
        "name": name,
        "version": str(int(version)),
        "role": role,
        "latent_dim": str(int(model.latent_dim)),
        "output_name": model.output_name,
        "data_shape": json.dumps([int(d) for d in model.data_shape]),
        "output_range": json.dumps(OUTPUT_RANGES[model.output_name]),
        "inputs": ",".join(s.name for s in input_specs(model, role)),
        "outputs": ",".join(output_names(model, role)),
    }
    if num_classes(model) is not None:
        metadata["num_classes"] = str(int(num_classes(model)))
    return metadata


def name_batch_dimension(proto):
    """Name the first dimension of every graph input and output ``batch`` (in place).

    tf2onnx writes dynamic dimensions as ``unk__<n>`` symbols; the symbols of the batch axes
    are replaced everywhere they occur (inputs, outputs and intermediate ``value_info``).

    Raises:
        ExportError: a graph input or output has a fixed batch size.
    """
    symbols = set()
    for value in (*proto.graph.input, *proto.graph.output):
        dims = value.type.tensor_type.shape.dim
        if not dims or dims[0].HasField("dim_value"):
            raise ExportError(f"ONNX tensor {value.name!r} has a fixed batch size; expected a dynamic batch axis")
        if dims[0].dim_param:
            symbols.add(dims[0].dim_param)
        dims[0].dim_param = BATCH
    for value in proto.graph.value_info:
        for dim in value.type.tensor_type.shape.dim:
            if dim.dim_param in symbols:
                dim.dim_param = BATCH


def check_onnx(path, reference, role):
    """ONNX Runtime's outputs vs the Keras model's on the reference inputs.

    Args:
        path: the ``.onnx`` file.
        reference: ``contract.Reference`` for ``role``.
        role: ``"generate"`` or ``"encode"``.

    Returns:
        ``{"onnx.<role>.<output>": max abs diff}``.
    """
    import onnxruntime as ort

    session = ort.InferenceSession(
        str(path), sess_options=runtime.session_options(), providers=["CPUExecutionProvider"]
    )
    names = [o.name for o in session.get_outputs()]
    if sorted(names) != sorted(reference.outputs):
        raise ExportError(f"{path} has outputs {names}; expected {sorted(reference.outputs)}")
    results = session.run(list(reference.outputs), {k: np.asarray(v) for k, v in reference.inputs.items()})
    return {
        f"onnx.{role}.{k}": contract.max_abs_diff(r, reference.outputs[k]) for k, r in zip(reference.outputs, results)
    }


def write_onnx(model, stage, name, reference):
    """Convert, write into the stage and check every role of ``model``; returns the parity figures."""
    from zoo.fileio import atomic_write_bytes

    figures = {}
    for role in contract.roles(model):
        path = stage.path(ONNX_KEYS[role])
        proto = convert(model, role, name=name, version=stage.version)
        atomic_write_bytes(path, proto.SerializeToString())
        figures.update(check_onnx(path, reference[role], role))
    contract.check_parity(figures, f"the ONNX export of {name} version {stage.version}")
    return figures


def to_onnx(model, base_dir, *, name=None, version=None, overwrite=False, allow_untrained=False):
    """Export a model as ``<base_dir>/<name>/<version>.onnx`` (+ ``<version>.encode.onnx``).

    Written under a temporary name and renamed into place only after ``onnx.checker`` and the
    ONNX Runtime parity check (max abs diff <= 1e-5 on 64 seeded inputs) passed; on any failure
    nothing is left. ``export.export_model`` writes this together with the SavedModel and card.

    Args:
        model: a trained zoo model.
        base_dir: the serving root, e.g. ``"saved_models"``.
        name: export name (default: ``model.registry_name``).
        version: integer version (default: the next one).
        overwrite: replace an existing version's artifacts.
        allow_untrained: export a model whose optimizers took no step.

    Returns:
        ``contract.ExportResult`` (``card`` None).

    Raises:
        ExportError: bad model, name or version, an existing version, or a failed check.
    """
    contract.check_exportable(model, allow_untrained)  # first: a non-zoo model is named as such
    model = contract.exported_model(model)
    name = contract.export_name(model, name)
    stage = StagedVersion(base_dir, name, version, overwrite)
    with stage:
        figures = write_onnx(model, stage, name, contract.reference_data(model))
        paths = stage.commit()
    return contract.ExportResult(name, stage.version, paths, contract.parity_record(figures))

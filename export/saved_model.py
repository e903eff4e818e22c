"""SavedModel export for TF Serving.

The SavedModel is written with ``keras.export.ExportArchive`` (``tf.saved_model.save`` on a
Keras 3 model loses the input names). Each role becomes one endpoint, a ``tf.function`` with
``jit_compile=False`` (TF Serving runs the graph as is; an XLA-compiled function would compile
per batch size on first use):

    serving_default:  z [batch, latent_dim] (+ label [batch])  ->  images | samples
    encode:           images | samples                         ->  mean, log_var   (encoders only)

``assets.extra/tf_serving_warmup_requests`` holds PredictRequests for batch 1 and 8 (and one for
``encode``), which TF Serving replays when it loads the version. Before the version is put in
place it is loaded back twice, the way TF Serving does (TF1 loader, SignatureDef tensor names)
and the TF2 way (``tf.saved_model.load(...).signatures``), and both must reproduce the Keras
model within 1e-5 on 64 seeded inputs.

``SavedModelGenerator`` runs an exported version directory's ``serving_default`` signature with
the interface of ``export.runtime.OnnxGenerator`` (``python -m tools.sample`` uses both).
"""

import contextlib
from pathlib import Path

import numpy as np

from export.contract import (
    SIGNATURES,
    ExportResult,
    check_exportable,
    check_parity,
    export_name,
    exported_model,
    max_abs_diff,
    num_classes,
    parity_record,
    reference_data,
    roles,
    serving_function,
)
from export.errors import ExportError, NotAZooExport
from export.layout import MODELS_CONFIG, StagedVersion, write_models_config
from export.runtime import _renamed

WARMUP_FILE = "assets.extra/tf_serving_warmup_requests"
WARMUP_BATCHES = (1, 8)
WARMUP_SEED = 1
# The variables are written in shards of at most this size (TF Serving and every SavedModel loader
# read sharded variables), so that no file of a shipped version is over the repository's 5 MB.
MAX_SHARD_BYTES = 4 * 1024 * 1024


def warmup_examples(model, seed=WARMUP_SEED):
    """The inputs of the warmup requests: ``serving_default`` at batch 1 and 8, ``encode`` at 8.

    Returns:
        list of ``(signature name, {input name: numpy array})``.
    """
    rng = np.random.default_rng(seed)
    examples = []
    for batch in WARMUP_BATCHES:
        inputs = {"z": rng.standard_normal((batch, model.latent_dim)).astype(np.float32)}
        if num_classes(model) is not None:
            inputs["label"] = (np.arange(batch) % num_classes(model)).astype(np.int32)
        examples.append((SIGNATURES["generate"], inputs))
    if "encode" in roles(model):
        inputs = examples[-1][1]
        generated = model.generate(*inputs.values())  # data in the encoder's input range
        encode_inputs = {model.output_name: np.asarray(generated, np.float32)}
        if "label" in inputs:
            encode_inputs["label"] = inputs["label"]
        examples.append((SIGNATURES["encode"], encode_inputs))
    return examples


def write_warmup_requests(saved_model_dir, name, examples):
    """Write ``assets.extra/tf_serving_warmup_requests``: PredictionLog records TF Serving replays
    through the model when it loads a version, before serving traffic.

    Args:
        saved_model_dir: the (staged) SavedModel directory.
        name: the model name for ``model_spec.name``.
        examples: list of ``(signature_name, {input name: numpy array})``.

    Returns:
        The path of the file written.
    """
    import tensorflow as tf
    from tensorflow_serving.apis import predict_pb2, prediction_log_pb2

    path = Path(saved_model_dir) / WARMUP_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with tf.io.TFRecordWriter(str(path)) as writer:
        for signature_name, inputs in examples:
            request = predict_pb2.PredictRequest()
            request.model_spec.name = name
            request.model_spec.signature_name = signature_name
            for key, value in inputs.items():
                request.inputs[key].CopyFrom(tf.make_tensor_proto(value))
            log = prediction_log_pb2.PredictionLog(predict_log=prediction_log_pb2.PredictLog(request=request))
            writer.write(log.SerializeToString())
    return path


def write_saved_model(model, path, name):
    """Write the SavedModel of ``model`` (all its signatures) and its warmup requests to ``path``.

    Not atomic by itself: ``to_saved_model`` and ``export_model`` call it on a staging directory.

    Args:
        model: a zoo model.
        path: the directory to create.
        name: the model name the warmup requests address.
    """
    import keras

    archive = keras.export.ExportArchive()
    # No archive.track(): the endpoints carry the variables they use, and nothing else (not a
    # GAN's critic, not the optimizers' state). Tracking a Keras network as well would store
    # every weight twice (once per KerasVariable, once per underlying tf.Variable).
    for role in roles(model):
        archive.add_endpoint(SIGNATURES[role], serving_function(model, role))
    archive.write_out(str(path), options=_sharded_save_options(), verbose=False)
    write_warmup_requests(path, name, warmup_examples(model))


def _sharded_save_options():
    """``tf.saved_model.SaveOptions`` that split the variables into files of at most
    ``MAX_SHARD_BYTES`` (``variables.data-0000k-of-0000n``)."""
    import tensorflow as tf
    from tensorflow.python.checkpoint.sharding.sharding_policies import MaxShardSizePolicy

    return tf.saved_model.SaveOptions(experimental_sharding_callback=MaxShardSizePolicy(max_shard_size=MAX_SHARD_BYTES))


@contextlib.contextmanager
def _quiet_tf_logging():
    # The TF1 loader logs a deprecation notice on every call.
    import tensorflow as tf

    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")
    try:
        yield
    finally:
        logger.setLevel(level)


def check_saved_model(path, reference):
    """Load a SavedModel back both ways and compare it with the Keras model's outputs.

    1. The TF1 loader in a fresh graph (what TF Serving does): the SignatureDef's tensor names
       are fed and fetched in a ``tf.compat.v1.Session``.
    2. ``tf.saved_model.load(path).signatures[...]``, called with keyword arguments.

    Args:
        path: SavedModel directory.
        reference: ``contract.reference_data(model)``.

    Returns:
        ``{"saved_model.<session|function>.<signature>.<output>": max abs diff}``.

    Raises:
        ExportError: a signature lacks the contract's inputs or outputs.
        ParityError: a figure exceeds the tolerance.
    """
    import tensorflow as tf

    figures = {}
    graph = tf.Graph()
    with _quiet_tf_logging(), graph.as_default(), tf.compat.v1.Session(graph=graph) as session:
        meta_graph = tf.compat.v1.saved_model.loader.load(session, [tf.saved_model.SERVING], str(path))
        for role, ref in reference.items():
            signature_name = SIGNATURES[role]
            if signature_name not in meta_graph.signature_def:
                raise ExportError(
                    f"{path} has no signature {signature_name!r}; it has {sorted(meta_graph.signature_def)}"
                )
            signature = meta_graph.signature_def[signature_name]
            if set(signature.inputs) != set(ref.inputs) or set(signature.outputs) != set(ref.outputs):
                raise ExportError(
                    f"signature {signature_name!r} of {path} maps {sorted(signature.inputs)} -> "
                    f"{sorted(signature.outputs)}; expected {sorted(ref.inputs)} -> {sorted(ref.outputs)}"
                )
            fetches = {k: signature.outputs[k].name for k in ref.outputs}
            feeds = {signature.inputs[k].name: v for k, v in ref.inputs.items()}
            results = session.run(fetches, feeds)
            for key, value in results.items():
                figures[f"saved_model.session.{signature_name}.{key}"] = max_abs_diff(value, ref.outputs[key])
    loaded = tf.saved_model.load(str(path))
    for role, ref in reference.items():
        signature_name = SIGNATURES[role]
        results = loaded.signatures[signature_name](**{k: tf.constant(v) for k, v in ref.inputs.items()})
        for key, value in ref.outputs.items():
            figures[f"saved_model.function.{signature_name}.{key}"] = max_abs_diff(results[key].numpy(), value)
    check_parity(figures, f"SavedModel {path}")
    return figures


def to_saved_model(model, base_dir, *, name=None, version=None, overwrite=False, allow_untrained=False):
    """Export a model as ``<base_dir>/<name>/<version>/`` for TF Serving, and regenerate
    ``<base_dir>/models.config``.

    The version is written under ``<base_dir>/<name>/.tmp-<version>-<random>``, checked
    (``check_saved_model``) and renamed into place; on any failure nothing is left.

    Args:
        model: a trained zoo model.
        base_dir: the serving root, e.g. ``"saved_models"``.
        name: export name (default: ``model.registry_name``).
        version: integer version (default: the next one: highest existing + 1, from 1).
        overwrite: replace an existing version.
        allow_untrained: export a model whose optimizers took no step.

    Returns:
        ``ExportResult`` (``card`` None).

    Raises:
        ExportError: bad model, name or version, an existing version without ``overwrite``.
        ParityError: the SavedModel does not reproduce the Keras model.
    """
    check_exportable(model, allow_untrained)  # first: a non-zoo model is named as such
    model = exported_model(model)
    name = export_name(model, name)
    stage = StagedVersion(base_dir, name, version, overwrite)
    with stage:
        path = stage.path("saved_model")
        write_saved_model(model, path, name)
        figures = check_saved_model(path, reference_data(model))
        paths = stage.commit(then=lambda: write_models_config(base_dir))
    return ExportResult(
        name, stage.version, {**paths, "models_config": stage.base_dir / MODELS_CONFIG}, parity_record(figures)
    )


class SavedModelGenerator:
    """The ``serving_default`` signature of a SavedModel version directory, with the sampling
    interface of ``export.runtime.OnnxGenerator``: ``latent_dim``, ``output_name``,
    ``is_conditional``, ``generate(z, labels)`` and ``sample(n, seed, labels)`` (TensorFlow is
    imported when one is opened).

    Args:
        path: ``<base_dir>/<name>/<version>``, as written by ``export.to_saved_model``.

    Raises:
        NotAZooExport: not a SavedModel directory, or its signature is not a generator's.
        zoo.integrity.DamagedArtifact: a file differs from the card beside the directory.
    """

    def __init__(self, path):
        self.path = Path(path)
        if not (self.path / "saved_model.pb").is_file():
            raise NotAZooExport(
                f"{self.path} is a directory without saved_model.pb; expected a SavedModel version "
                "directory such as saved_models/vae/1"
            )
        from zoo.integrity import verify_export

        self.card = verify_export(self.path)  # files that differ from the card are never loaded
        import tensorflow as tf

        self._tf = tf
        try:
            self.signature = tf.saved_model.load(str(self.path)).signatures[SIGNATURES["generate"]]
        except Exception as err:  # TensorFlow's OpErrors, protobuf DecodeError, KeyError...
            raise NotAZooExport(f"{self.path} is not a SavedModel with a serving_default signature: {err}") from None
        inputs = self.signature.structured_input_signature[1]
        outputs = self.signature.structured_outputs
        if "z" not in inputs or len(outputs) != 1 or inputs["z"].shape.rank != 2:
            raise NotAZooExport(
                f"{self.path}: serving_default maps {sorted(inputs)} -> {sorted(outputs)}; "
                "expected z (batch, latent_dim) -> images or samples"
            )
        self.latent_dim = int(inputs["z"].shape[1])
        self.output_name = next(iter(outputs))
        self.is_conditional = "label" in inputs

    def generate(self, z, labels=None, *, label=None):
        """Generate from given codes: (batch, latent_dim) ``z``, and class ids (an int or
        (batch,) ints) for a conditional model. Raises ValueError for a missing or unexpected label."""
        z = np.asarray(z, dtype=np.float32)
        labels = _renamed(labels, label)
        feeds = {"z": self._tf.constant(z)}
        if self.is_conditional:
            if labels is None:
                raise ValueError(f"{self.path} is conditional: pass labels, class ids")
            feeds["label"] = self._tf.constant(np.broadcast_to(np.asarray(labels, np.int32), (len(z),)))
        elif labels is not None:
            raise ValueError(f"{self.path} is not conditional; got labels={labels!r}, expected None")
        return self.signature(**feeds)[self.output_name].numpy()

    def sample(self, n, seed=None, labels=None, *, label=None):
        """Generate from ``n`` codes ``zoo.codes.seeded_codes(n, latent_dim, seed)`` (the codes
        ``OnnxGenerator.sample`` draws)."""
        from zoo.codes import seeded_codes

        return self.generate(seeded_codes(n, self.latent_dim, seed), _renamed(labels, label))

"""Exports of trained generators and decoders: a SavedModel laid out for TF Serving and an ONNX file.

The exporters (``export.to_saved_model``, ``export.to_onnx``) and their checks against the Keras
model are the export issue's work and are not written yet; the layout they will write is
described in ``saved_models/README.md``. This package must stay importable without TensorFlow:
the ONNX Runtime path lives here and is used in services that have no TensorFlow.
"""

"""Exports of trained generators and decoders: a SavedModel laid out for TF Serving, ONNX files
and a model card, all or nothing, each checked against the Keras model.

Public API::

    export.export_model(model, "saved_models", trained_with={...}, evaluation={...})
        # -> ExportResult: <name>/<version>/ (SavedModel), <version>.onnx, <version>.json, models.config
    export.export_run("runs/NAME", "saved_models")  # a finished tools.train run, with its figures
    export.to_saved_model(model, base_dir, ...)   # the SavedModel version (+ models.config) only
    export.to_onnx(model, base_dir, ...)          # the ONNX file(s) only
    export.ExportError                            # bad input; nothing was written
    from export.runtime import OnnxGenerator      # ONNX Runtime, no TensorFlow

The layout is in ``export.layout``, the tensor contract in ``export.contract``, both summed up in
``saved_models/README.md``.

Importing this package does not import TensorFlow: ``export.runtime`` is used in services that
have none. The exporters are loaded on first use (module ``__getattr__``).
"""

from export.errors import ExportError, NotAZooExport, ParityError, VersionExists
from zoo.lazy import lazy_attributes

# public name -> submodule that defines it, imported on first access (these import TensorFlow)
_LAZY = {
    "export_model": "export.bundle",
    "export_run": "export.bundle",
    "to_saved_model": "export.saved_model",
    "to_onnx": "export.onnx_export",
    "ExportResult": "export.contract",
}

__all__ = ["ExportError", "NotAZooExport", "ParityError", "VersionExists", *_LAZY]

__getattr__, __dir__ = lazy_attributes(__name__, _LAZY)

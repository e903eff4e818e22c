"""Evaluation: the metrics (``metrics``, NumPy), the domain classifier (``classifier``), the
Inception figures (``inception``), the likelihood bounds (``likelihood``), the protocol that opens
a run or an exported file and scores it (``protocol``), its report (``report``) and the 2-D
mode-coverage benchmark (``toy2d``).

Its defaults (``defaults``: the classifier file, N, the IW bound's k) are TF-free, for the tools'
``--help``; ``zoo.evaluation.evaluate`` (``protocol.evaluate``) is loaded on first use.
"""

from zoo.evaluation.defaults import DEFAULT_CLASSIFIER, DEFAULT_IW_K, DEFAULT_NUM_SAMPLES  # noqa: F401
from zoo.lazy import lazy_attributes

_LAZY = {
    "evaluate": "zoo.evaluation.protocol",
    "open_run": "zoo.evaluation.protocol",
    "open_onnx": "zoo.evaluation.protocol",
    "Source": "zoo.evaluation.protocol",
    "Evaluation": "zoo.evaluation.protocol",
}

__getattr__, __dir__ = lazy_attributes(__name__, _LAZY)

"""Evaluation: the metrics (``metrics``, NumPy), the domain classifier (``classifier``), the
Inception figures (``inception``), the likelihood bounds (``likelihood``), the protocol that opens
a run or an exported file and scores it (``protocol``), its report (``report``) and the 2-D
mode-coverage benchmark (``toy2d``).

The defaults below are here, TF-free, so that the tools' ``--help`` can show them without
importing TensorFlow; ``zoo.evaluation.evaluate`` (``protocol.evaluate``) is loaded on first use.
"""

import importlib
from pathlib import Path

# The shipped MNIST domain classifier (python -m tools.train_classifier), in the source checkout.
DEFAULT_CLASSIFIER = str(Path(__file__).resolve().parents[2] / "saved_models" / "classifier-mnist" / "classifier.keras")
DEFAULT_NUM_SAMPLES = 10_000  # N: the size of the MNIST test split, the reference every metric is against
DEFAULT_IW_K = 1000  # importance samples per example: within ~1 nat of L_5000 on MNIST VAEs (Burda et al.)

_LAZY = {"evaluate": "zoo.evaluation.protocol", "open_run": "zoo.evaluation.protocol",
         "open_onnx": "zoo.evaluation.protocol", "Source": "zoo.evaluation.protocol",
         "Evaluation": "zoo.evaluation.protocol"}


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'zoo.evaluation' has no attribute {name!r}")

"""Training runs: the run directory filled epoch by epoch and resumed (``run``), the callbacks that
write it (``callbacks``), the XLA and input-placement policy (``compute``) and the speed
measurements (``benchmark``).

``zoo.training.train(spec)`` and ``zoo.training.RunSpec`` are loaded on first use.
"""

import importlib

_LAZY = {"train": "zoo.training.run", "RunSpec": "zoo.training.run", "RunResult": "zoo.training.run"}
__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'zoo.training' has no attribute {name!r}")

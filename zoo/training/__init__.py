"""Training runs: the run directory filled epoch by epoch and resumed (``run``), the callbacks that
write it (``callbacks``), the XLA and input-placement policy (``compute``) and the speed
measurements (``benchmark``).

``zoo.training.train(spec)`` and ``zoo.training.RunSpec`` are loaded on first use.
"""

from zoo.lazy import lazy_attributes

_LAZY = {"train": "zoo.training.run", "RunSpec": "zoo.training.run", "RunResult": "zoo.training.run"}
__all__ = sorted(_LAZY)

__getattr__, __dir__ = lazy_attributes(__name__, _LAZY)

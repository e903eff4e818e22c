"""Names of a package that load on first use (PEP 562): a package ``__init__`` lists them in a
``_LAZY`` table (name -> module that defines it) and sets
``__getattr__, __dir__ = lazy_attributes(__name__, _LAZY)``. So ``import zoo`` or ``import export``
costs no TensorFlow until a name that needs it is touched."""

import importlib
import sys


def lazy_attributes(package, table):
    """``(__getattr__, __dir__)`` for the module ``package``, loading the names of ``table``."""

    def __getattr__(name):
        if name not in table:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(table[name]), name)
        setattr(sys.modules[package], name, value)  # the next access finds it without __getattr__
        return value

    def __dir__():
        return sorted({*vars(sys.modules[package]), *table})

    return __getattr__, __dir__

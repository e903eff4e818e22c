"""The names of the choices that several layers accept, in one TF-free place: the library checks
them, the command-line parsers offer them (``--help`` imports no TensorFlow); and the parser of
the ``FIELD=VALUE`` settings they take."""

import json
import sys

PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")  # zoo.precision; "auto" picks one
STRATEGIES = ("default", "mirrored", "multiworker")  # zoo.distribute
BINARIZE = ("static", "dynamic")  # zoo.data.load(binarize=...)
LR_SCHEDULES = ("constant", "linear")  # zoo.optimizers: linear decays every rate to 1% over the run


def split_setting(item):
    """``"[target.]field=value"`` -> ``(key, target, field, value)``, the value parsed as JSON, else
    the bare string (``minimax``); None when the item has no ``=`` or no field. The one parser of the
    ``--set`` / ``--opt`` items of model configs and optimizers (each caller words its own error)."""
    key, sep, text = str(item).partition("=")
    key = key.strip()
    target, _, field = key.rpartition(".")
    if not sep or not field:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = text.strip()
    return key, target, field, value


def fit_verbosity(verbose="auto", stream=None):
    """The ``verbose`` for ``keras.Model.fit``: ``"auto"`` is Keras' progress bar (1) on a terminal
    and one line per epoch (2) otherwise, so that a log file holds one line an epoch, not thousands
    of redraws of the bar. Any other value is returned as given."""
    if verbose != "auto":
        return verbose
    stream = sys.stdout if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return 1 if isatty is not None and isatty() else 2

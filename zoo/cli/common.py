"""What the command-line tools share (standard library only, so that ``--help`` imports no
TensorFlow): the argparse types, the start of a run (the library's log lines on stderr, TensorFlow's
start-up chatter held back), the recorded command line and the one-line error exit.

TensorFlow's C++ start-up lines (the absl "before InitializeLog" banner, "Could not find cuda
drivers", "failed call to cuInit" on a machine without a GPU) are held back: ``TF_CPP_MIN_LOG_LEVEL``
is set to 2 unless the user set it, and what TensorFlow writes to stderr while it is imported is
replayed without the lines below that level. ``TF_CPP_MIN_LOG_LEVEL=0`` (or 1) shows them all.
"""

import argparse
import contextlib
import logging
import os
import re
import shlex
import sys
import tempfile

QUIET_LEVEL = "2"  # TensorFlow's C++ INFO and WARNING lines off; errors still show
# C++ log lines: absl's "I0000 00:00:1796185431.040153    8783 file.cc:31] ..." and TensorFlow's
# "2026-01-01 12:00:00.000000: I tensorflow/core/file.cc:31] ...".
_CPP_LINE = re.compile(r"^(?:([IWEF])\d{4} [\d:. ]+\d+ |\d{4}-\d\d-\d\d [\d:.]+: ([IWEF]) )[\w./-]+:\d+\] ")
_CPP_BANNER = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"
# Errors TensorFlow logs on every start on a machine without a usable GPU; it runs on the CPU.
_NO_GPU = (
    "failed call to cuInit",
    "Unable to register cuDNN factory",
    "Unable to register cuFFT factory",
    "Unable to register cuBLAS factory",
)


def _number(convert, accepts, expected):
    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if not accepts(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {value}")
        return value

    return parse


positive_int = _number(int, lambda v: v >= 1, "a positive integer")
positive_float = _number(float, lambda v: v > 0, "a positive number")  # NaN is not > 0
non_negative_int = _number(int, lambda v: v >= 0, "an integer >= 0")


def recorded_command(prog, argv=None):
    """The command line as a run records it: the tool's name (its ``PROG``: ``python -m tools.train``,
    or ``genzoo train`` under the installed command) and the arguments."""
    return shlex.join([*shlex.split(prog), *(sys.argv[1:] if argv is None else argv)])


def fail(prog, message, code=2):
    """Print ``<prog>: error: <message>`` on stderr (argparse's form) and return ``code``: 2 for bad
    input (nothing was written), 1 for a run that failed (a divergence, a failed export)."""
    print(f"{prog}: error: {message}", file=sys.stderr)
    return code


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is when a line is logged (a test may have replaced it)."""

    def emit(self, record):
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:  # logging's contract: report, never raise
            self.handleError(record)


class _PlainFormatter(logging.Formatter):
    def format(self, record):
        text = super().format(record)
        return text if record.levelno < logging.WARNING else f"{record.levelname.lower()}: {text}"


def show_library_log(level=logging.INFO):
    """The ``zoo`` logger's lines (resuming, fallbacks, divergences) on stderr, plainly: INFO lines
    as they are, warnings and errors prefixed ``warning:`` / ``error:``. Idempotent."""
    logger = logging.getLogger("zoo")
    logger.setLevel(level)
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(_PlainFormatter("%(message)s"))
        logger.addHandler(handler)


def _quiet():
    """Whether TensorFlow's C++ lines below errors are to be held back (the user's level, else ours)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", QUIET_LEVEL)
    try:
        return int(os.environ["TF_CPP_MIN_LOG_LEVEL"]) >= int(QUIET_LEVEL)
    except ValueError:
        return True


def _start_up_noise(line):
    if line.strip() == _CPP_BANNER:
        return True
    match = _CPP_LINE.match(line)
    return bool(match) and ((match.group(1) or match.group(2)) in "IW" or any(text in line for text in _NO_GPU))


@contextlib.contextmanager
def held_back_start_up():
    """Hold back TensorFlow's C++ start-up lines while the block imports TensorFlow (or loads a
    SavedModel): file descriptor 2 goes to a temporary file, which is then replayed on stderr
    without the start-up noise. Does nothing once TensorFlow is imported, or when the user asked
    for TensorFlow's lines (``TF_CPP_MIN_LOG_LEVEL`` 0 or 1)."""
    if not _quiet() or "tensorflow" in sys.modules:
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no file descriptor 2 (an embedding application)
        yield
        return
    with tempfile.TemporaryFile(mode="w+b") as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            lines = held.read().decode(errors="replace").splitlines(keepends=True)
            sys.stderr.write("".join(line for line in lines if not _start_up_noise(line)))
            sys.stderr.flush()


def start(tensorflow=True):
    """What every tool's ``main`` does once its arguments are parsed, before the library: the
    library's log lines on stderr, and TensorFlow imported with its start-up chatter held back
    (``tensorflow=False``: not imported, for a tool that may run without it)."""
    show_library_log()
    if tensorflow:
        with held_back_start_up():
            import tensorflow as tf

            tf.config.list_physical_devices()  # loads the device plugins: CUDA's lines come here

"""The errors every layer of the zoo and every tool share (standard library only).

- ``BadInput``: an argument, the data or a file cannot be used; nothing was written. Tools turn it
  into one message and exit code 2.
- ``RunError``: a run directory is not in a state the requested run can use (a ``BadInput``).
- ``DivergedError``: training produced non-finite values more often than allowed; the run
  directory keeps its last good checkpoint and no model file. Tools exit with code 1.

The messages name what was wrong and what was expected in the library's terms (arguments and
fields, not command-line flags): the tools add the flag where it helps.
"""


class BadInput(ValueError):
    """An argument, the data or a file cannot be used; nothing was written."""


class RunError(BadInput):
    """The run directory is not in a state the requested run can use."""


class DivergedError(RuntimeError):
    """Training produced non-finite values more often than ``max_retries`` allows; the run
    directory keeps its last good checkpoint and no model file."""

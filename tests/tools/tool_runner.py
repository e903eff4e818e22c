"""Running a tool's ``main`` in the test process: its exit code and what it printed."""

import contextlib
import io
from pathlib import Path


def call(main, args):
    """``(exit code, stdout, stderr)`` of ``main(args)``; argparse's own errors (``SystemExit``) included.

    The tools log through ``logging`` to whatever ``sys.stderr`` is when a line is written, so the
    library's lines (resuming, fallbacks) land in the stderr returned here.
    """
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as stop:
            code = stop.code
    return code, out.getvalue(), err.getvalue()


def assert_refused(main, args, message, untouched=None):
    """``main(args)`` (of ``zoo.cli.<tool>``) exits 2 with one line ``python -m tools.<tool>: error: ...``
    holding ``message`` last on stderr (argparse prints its usage first), and ``untouched`` was not
    created. Returns stderr."""
    code, _, err = call(main, args)
    assert code == 2, err
    last = err.strip().splitlines()[-1] if err.strip() else ""
    prog = f"python -m tools.{main.__module__.rpartition('.')[2]}"
    assert last.startswith(f"{prog}: error:") and message in last, err
    if untouched is not None:
        assert not Path(untouched).exists(), f"{untouched} was written"
    return err

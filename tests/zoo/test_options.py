"""zoo.options: the TF-free helpers that several tools share."""

import io

from zoo.options import fit_verbosity


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_fit_shows_a_progress_bar_on_a_terminal_and_one_line_per_epoch_elsewhere():
    assert fit_verbosity("auto", _Terminal()) == 1
    assert fit_verbosity("auto", io.StringIO()) == 2  # a log file, a pipe
    assert fit_verbosity("auto", object()) == 2  # a stream without isatty
    assert fit_verbosity(0, _Terminal()) == 0 and fit_verbosity(1, io.StringIO()) == 1  # as asked

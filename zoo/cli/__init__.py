"""The command-line tools: one module per tool, each ``build_parser()`` and ``main(argv) -> int``
(0: done, 1: a run that failed, 2: bad input, nothing written); ``python -m tools.NAME`` calls
``zoo.cli.NAME.main``.

Every module imports no TensorFlow at the top, so that ``--help`` answers at once; ``main`` calls
``common.start()`` once the arguments are parsed, which shows the library's log lines on stderr and
imports TensorFlow with its C++ start-up lines held back (``TF_CPP_MIN_LOG_LEVEL=0`` shows them).
The work itself is the library's: ``zoo.training``, ``zoo.evaluation``, ``export``.
"""

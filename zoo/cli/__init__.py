"""The command-line tools: one module per tool, each ``build_parser()`` and ``main(argv)``.

Every module imports no TensorFlow at the top, so that ``--help`` answers at once; ``main`` imports
the library when it runs. ``python -m tools.NAME`` calls ``zoo.cli.NAME.main``.
"""

"""The theory guide's figures: ``python -m tools.figures [--stage draw|train|all]``.

The parser and ``main`` are in ``zoo.cli.figures``.
"""

from zoo.cli.figures import main

if __name__ == "__main__":
    raise SystemExit(main())

"""Export a finished training run: ``python -m tools.export --run runs/NAME [--name N] [--version V]``.

The parser and ``main`` are in ``zoo.cli.export``.
"""

from zoo.cli.export import main

if __name__ == "__main__":
    raise SystemExit(main())

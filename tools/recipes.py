"""The recipe table: ``python -m tools.recipes [--out docs/recipes.md]``.

The parser and ``main`` are in ``zoo.cli.recipes``.
"""

from zoo.cli.recipes import main

if __name__ == "__main__":
    raise SystemExit(main())

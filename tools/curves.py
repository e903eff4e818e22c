"""Time-to-quality curves: ``python -m tools.curves RUN [RUN ...] --out FILE.png``.

The parser and ``main`` are in ``zoo.cli.curves``.
"""

from zoo.cli.curves import main

if __name__ == "__main__":
    raise SystemExit(main())

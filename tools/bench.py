"""Benchmark every registered model: ``python -m tools.bench [--quick] [--out bench.json]``.

The parser and ``main`` are in ``zoo.cli.bench``.
"""

from zoo.cli.bench import main

if __name__ == "__main__":
    raise SystemExit(main())

"""Evaluate a trained model: ``python -m tools.evaluate --run runs/NAME`` (or ``--model <base>/<name>/<version>.onnx``).

The parser and ``main`` are in ``zoo.cli.evaluate``.
"""

from zoo.cli.evaluate import main

if __name__ == "__main__":
    raise SystemExit(main())

"""Sample an exported model: ``python -m tools.sample --model saved_models/vae/2.onnx --n 64 --out grid.png``.

The parser and ``main`` are in ``zoo.cli.sample``.
"""

from zoo.cli.sample import main

if __name__ == "__main__":
    raise SystemExit(main())

"""Train a zoo model: ``python -m tools.train [--model vae] [--dataset mnist_sample] ...``.

The parser and ``main`` are in ``zoo.cli.train``.
"""

from zoo.cli.train import main

if __name__ == "__main__":
    raise SystemExit(main())

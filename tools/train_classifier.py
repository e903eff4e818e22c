"""Train the domain classifier of the image evaluation: ``python -m tools.train_classifier [--dataset mnist_sample]``.

The parser and ``main`` are in ``zoo.cli.train_classifier``.
"""

from zoo.cli.train_classifier import main

if __name__ == "__main__":
    raise SystemExit(main())

"""The 2-D mode-collapse benchmark: ``python -m tools.toy2d [--models gan,wgan,wgan_gp] ...``.

The parser and ``main`` are in ``zoo.cli.toy2d``.
"""

from zoo.cli.toy2d import main

if __name__ == "__main__":
    raise SystemExit(main())

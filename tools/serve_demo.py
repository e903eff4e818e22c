"""Serve the demo page: ``python -m tools.serve_demo [--port 8000]``, then open http://127.0.0.1:8000/.

The parser and ``main`` are in ``zoo.cli.serve_demo``.
"""

from zoo.cli.serve_demo import main

if __name__ == "__main__":
    raise SystemExit(main())

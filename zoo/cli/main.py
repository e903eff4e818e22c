"""The ``genzoo`` command: ``genzoo <command> [options]``, one command per tool of ``tools/``.

``genzoo train ...`` is ``python -m tools.train ...`` (both run ``zoo.cli.train.main``), and so on;
``genzoo <command> --help`` gives the tool's options. This module imports no tool until one is
asked for, and no tool imports TensorFlow before its arguments are parsed, so ``genzoo --help``
answers at once. Installed as a console script with the package (``pyproject.toml``).
"""

import contextlib
import importlib
import sys

# command -> (module of zoo.cli, one line for the overview)
COMMANDS = {
    "train": ("train", "train a model (recipes per model and data family)"),
    "evaluate": ("evaluate", "score a run or an exported model (classifier figures, likelihoods, 2-D modes)"),
    "export": ("export", "export a finished run: SavedModel for TF Serving, ONNX for ONNX Runtime"),
    "sample": ("sample", "draw samples of an exported or shipped model into a grid image"),
    "bench": ("bench", "time every model's step, its pipeline and ONNX Runtime against the SavedModel"),
    "toy2d": ("toy2d", "the 2-D mode-coverage benchmark (ring8, grid25)"),
    "train-classifier": ("train_classifier", "train a domain classifier for the image evaluation"),
    "curves": ("curves", "time-to-quality curves of runs: Fréchet distance against wall-clock minutes"),
    "recipes": ("recipes", "the recipe table (docs/recipes.md)"),
    "figures": ("figures", "the theory guide's figures (a slow train stage, a quick draw stage)"),
    "serve-demo": ("serve_demo", "serve the demo page: the shipped generators in the browser (onnxruntime-web)"),
}
PROG = "genzoo"


def usage():
    width = max(map(len, COMMANDS))
    lines = [
        f"usage: {PROG} <command> [options]   ({PROG} <command> --help: the command's options)",
        "",
        "A generative model zoo on TensorFlow/Keras 3. Commands:",
        *(f"  {name:<{width}}  {line}" for name, (_, line) in COMMANDS.items()),
        "",
        "Each is also `python -m tools.<module>` in a source checkout (e.g. `python -m tools.train_classifier`).",
    ]
    return "\n".join(lines)


@contextlib.contextmanager
def _named(module, name):
    """The tool's usage, errors and recorded command say ``genzoo <name>`` while it runs."""
    before = module.PROG
    module.PROG = f"{PROG} {name}"
    try:
        yield
    finally:
        module.PROG = before


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(usage(), file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    if argv[0] == "--version":
        from zoo.provenance import package_version

        print(f"{PROG} {package_version('genzoo') or 'unknown (not installed)'}")
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"{PROG}: error: unknown command {name!r}; expected one of {', '.join(COMMANDS)}", file=sys.stderr)
        return 2
    module = importlib.import_module(f"zoo.cli.{COMMANDS[name][0]}")
    with _named(module, name):
        return module.main(rest)


if __name__ == "__main__":
    raise SystemExit(main())

"""The shape of the house, checked from the source: the import graph has no circle and no import
against the layer order, and the modules meant to be TensorFlow-free are.

The graph is built from the AST of every module of ``zoo/``, ``export/`` and ``tools/``: every
``import`` and ``from ... import`` statement wherever it stands (module level, inside functions,
under ``if``), plus the targets of the lazy ``_LAZY`` tables that package ``__init__`` files import
on first use. ``from zoo import losses`` is an edge to the module ``zoo.losses``; ``from
zoo.evaluation import DEFAULT_CLASSIFIER`` one to the package ``zoo.evaluation``.
"""

import ast
import subprocess
import sys

import pytest

from conftest import ROOT

PACKAGES = ("zoo", "export", "tools")

# The layers from the bottom up: a module may import modules of its own layer or below, never above.
LAYERS = (
    (
        "leaves",
        (
            "zoo.lazy",
            "zoo.errors",
            "zoo.options",
            "zoo.fileio",
            "zoo.codes",
            "zoo.pictures",
            "zoo.provenance",
            "zoo.registry",
            "zoo.losses",
            "zoo.divergences",
            "zoo.likelihoods",
            "zoo.precision",
            "zoo.distribute",
            "zoo.data",
            "zoo.optimizers",
            "zoo.recipes",
            "zoo.locks",
            "zoo.integrity",
        ),
    ),
    ("nets", ("zoo.nets",)),
    ("models", ("zoo.models",)),
    ("public API", ("zoo",)),
    ("run directories", ("zoo.runs",)),
    ("export", ("export",)),
    ("evaluation", ("zoo.evaluation",)),
    ("training", ("zoo.training",)),
    ("command line", ("zoo.cli",)),
    ("tools", ("tools",)),
)

# Modules that must import without TensorFlow (or Keras): the public package, the leaves that need
# none, the run-directory reader, the ONNX runtime path, and every command-line parser (--help).
TF_FREE = (
    "zoo",
    "zoo.lazy",
    "zoo.errors",
    "zoo.options",
    "zoo.fileio",
    "zoo.codes",
    "zoo.pictures",
    "zoo.provenance",
    "zoo.registry",
    "zoo.recipes",
    "zoo.locks",
    "zoo.integrity",
    "zoo.pretrained",
    "zoo.runs",
    "zoo.evaluation",
    "zoo.evaluation.defaults",
    "zoo.training",
    "zoo.cli",
    "zoo.data",
    "zoo.data.base",
    "zoo.data.idx",
    "zoo.data.toy",
    "zoo.data.embedded",
    "export",
    "export.errors",
    "export.card",
    "export.layout",
    "export.runtime",
)


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_modules():
    return {module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


def imports_of(path, modules):
    """The project modules that ``path`` imports, anywhere in its code."""
    found = set()

    def add(name):
        while name and name not in modules:  # zoo.data.load -> zoo.data
            name = name.rpartition(".")[0]
        if name:
            found.add(name)

    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                add(full if full in modules else node.module)
        elif isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "_LAZY" for t in node.targets):
            for value in ast.walk(node.value):
                if isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value in modules:
                    add(value.value)
    return found


def layer_of(module):
    best = None
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > best[1]:
                    best = (index, len(prefix))
    assert best is not None, f"{module} is in no layer: add it to LAYERS"
    return best[0]


@pytest.fixture(scope="module")
def graph():
    modules = source_modules()
    return {name: imports_of(path, modules) - {name} for name, path in modules.items()}


def test_the_graph_sees_lazy_and_function_level_imports(graph):
    # Guards against a parser that reads only module-level imports: these edges exist only inside
    # functions or in a _LAZY table.
    assert "zoo.models" in graph["zoo"]  # the lazy public API
    assert "zoo.models" in graph["zoo.runs"]  # load_run_model registers the classes when called
    assert "zoo.evaluation.protocol" in graph["zoo.evaluation"]


def test_no_import_goes_up_the_layers(graph):
    upward = [
        f"{a} ({LAYERS[layer_of(a)][0]}) imports {b} ({LAYERS[layer_of(b)][0]})"
        for a, targets in sorted(graph.items())
        for b in sorted(targets)
        if layer_of(b) > layer_of(a)
    ]
    assert not upward, "\n".join(upward)


def test_the_import_graph_has_no_circle(graph):
    state, stack, circles = {}, [], []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                circles.append(" -> ".join(stack[stack.index(target) :] + [target]))
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not circles, "\n".join(circles)


def test_the_layer_checks_can_fail():
    # A made-up graph with an upward edge and a circle is caught by the same functions.
    assert layer_of("zoo.models.vae") < layer_of("zoo.training.run")
    assert layer_of("zoo.data.idx") == layer_of("zoo.errors") < layer_of("zoo.nets.conv")


def tf_free_modules():
    cli = sorted(m for m in source_modules() if m.startswith(("zoo.cli.", "tools.")))
    return [*TF_FREE, *cli]


def test_tf_free_modules_import_no_tensorflow():
    code = (
        "import importlib, sys\n"
        "bad = {}\n"
        "for name in sys.argv[1:]:\n"
        "    for m in [m for m in sys.modules if m.split('.')[0] in ('zoo', 'export', 'tools')]:\n"
        "        del sys.modules[m]\n"
        "    for heavy in [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')]:\n"
        "        del sys.modules[heavy]\n"
        "    importlib.import_module(name)\n"
        "    loaded = sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras', 'onnx', 'tf2onnx'})\n"
        "    if loaded:\n"
        "        bad[name] = loaded\n"
        "print(bad)\n"
    )
    # One interpreter, each module imported afresh (the project's modules dropped between them; none
    # of them loaded TensorFlow, or the check has already failed).
    out = subprocess.run(
        [sys.executable, "-c", code, *tf_free_modules()], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "{}", f"modules that import TensorFlow, Keras or ONNX: {out.stdout}"


def test_a_module_that_imports_tensorflow_is_caught():
    # The same check on a module known to import TensorFlow must report it, or it proves nothing.
    code = "import sys, zoo.precision; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "True", out.stderr

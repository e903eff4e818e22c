"""Every tool answers ``--help`` at once: exit 0, its usage, and no TensorFlow, Keras or ONNX imported
(the parsers import only TF-free modules; ``main`` imports the library once the arguments are parsed)."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = sorted(p.stem for p in (ROOT / "tools").glob("*.py") if p.stem != "__init__")
HEAVY = ("tensorflow", "keras", "onnx", "onnxruntime", "tf2onnx")


def test_every_tool_is_listed():
    assert {"train", "evaluate", "export", "sample", "bench", "toy2d", "train_classifier"} <= set(TOOLS)


@pytest.mark.parametrize("tool", TOOLS)
def test_help_exits_0_without_importing_tensorflow(tool):
    code = textwrap.dedent(f"""
        import runpy, sys
        sys.argv = ["tools.{tool}", "--help"]
        try:
            runpy.run_module("tools.{tool}", run_name="__main__", alter_sys=True)
            status = None
        except SystemExit as stop:
            status = stop.code
        heavy = sorted({{m.split(".")[0] for m in sys.modules}} & set({HEAVY!r}))
        assert not heavy, f"--help imported {{heavy}}"
        sys.exit(status)
    """)
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"usage: python -m tools.{tool}"), proc.stdout[:200]
    assert proc.stderr == ""


def test_the_genzoo_command_has_every_tool_and_answers_without_importing_tensorflow():
    from zoo.cli.main import COMMANDS

    assert sorted(module for module, _ in COMMANDS.values()) == sorted(
        t for t in TOOLS if t not in ("build_mnist_sample", "soak")
    )
    code = textwrap.dedent(f"""
        import sys
        from zoo.cli.main import main
        for argv in (["--help"], ["train-classifier", "--help"]):
            try:
                main(argv)
            except SystemExit:
                pass
        heavy = sorted({{m.split(".")[0] for m in sys.modules}} & set({HEAVY!r}))
        assert not heavy, f"--help imported {{heavy}}"
    """)
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: genzoo <command>") and "usage: genzoo train-classifier" in proc.stdout

"""The built wheel, installed into a fresh virtual environment, gives the ``genzoo`` command, and
it works from outside the source tree.

The fresh environment reuses the project environment's installed packages through a ``.pth``
file that names its site-packages (``--system-site-packages`` would name the base interpreter's);
the project's own editable install is not picked up that way (a ``.pth`` inside a directory named
by a ``.pth`` is not processed), so the ``zoo`` that runs is the wheel's.
"""

import json
import site
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(args, cwd, timeout=300):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(the fresh environment's bin directory, a working directory outside the checkout)."""
    tmp = tmp_path_factory.mktemp("wheel")
    built = run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            tmp / "dist",
            ROOT,
        ],
        cwd=tmp,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp / "dist").glob("genzoo-*.whl")
    env = tmp / "env"
    assert run([sys.executable, "-m", "venv", "--without-pip", env], cwd=tmp).returncode == 0
    purelib = Path(sysconfig.get_path("purelib", vars={"base": env, "platbase": env}))
    here = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (purelib / "_project_packages.pth").write_text("\n".join(here) + "\n")
    pip = [sys.executable, "-m", "pip", "--python", env / "bin" / "python", "install", "--no-deps", "--no-index"]
    done = run([*pip, "--quiet", wheel], cwd=tmp)
    assert done.returncode == 0, done.stderr
    work = tmp / "work"
    work.mkdir()
    return env / "bin", work


def test_the_wheel_installs_the_command_and_its_zoo(installed):
    bin_dir, work = installed
    found = run([bin_dir / "python", "-c", "import zoo, export; print(zoo.__file__); print(export.__file__)"], work)
    assert found.returncode == 0, found.stderr
    for line in found.stdout.split():
        assert Path(line).is_relative_to(bin_dir.parent) and not Path(line).is_relative_to(ROOT)
    started = time.perf_counter()
    helped = run([bin_dir / "genzoo", "--help"], work)
    took = time.perf_counter() - started
    assert helped.returncode == 0 and "train-classifier" in helped.stdout
    assert took < 2.0, f"genzoo --help took {took:.2f} s"
    wrong = run([bin_dir / "genzoo", "trian"], work)
    assert wrong.returncode == 2 and "unknown command 'trian'" in wrong.stderr


def test_the_installed_command_trains_a_toy_model_outside_the_checkout(installed):
    bin_dir, work = installed
    args = "train --model gan --dataset ring8 --epochs 1 --steps-per-epoch 3 --batch-size 32 --width 2"
    trained = run([bin_dir / "genzoo", *args.split(), "--no-jit", "--no-export", "--out", "run"], work)
    assert trained.returncode == 0, trained.stderr
    config = json.loads((work / "run" / "config.json").read_text())
    assert config["command"].startswith("genzoo train --model gan")  # the command as it was typed
    assert json.loads((work / "run" / "history.json").read_text())["steps"] == [3]
    bad = run([bin_dir / "genzoo", "train", "--epochs", "0", "--out", "bad"], work)
    assert (
        bad.returncode == 2 and "genzoo train: error: argument --epochs" in bad.stderr and not (work / "bad").exists()
    )


def test_the_domain_classifiers_ship_inside_the_installed_package(installed):
    bin_dir, work = installed
    code = (
        "from zoo.evaluation.defaults import classifier_for\n"
        "from zoo.integrity import verify_classifier\n"
        "for dataset in ('mnist', 'cifar10'):\n"
        "    path = classifier_for(dataset)\n"
        "    card = verify_classifier(path)\n"
        "    print(path, card['dataset'])\n"
    )
    found = run([bin_dir / "python", "-c", code], work)
    assert found.returncode == 0, found.stderr
    for line, dataset in zip(found.stdout.splitlines(), ("mnist", "cifar10")):
        path, named = line.split()
        assert named == dataset and Path(path).is_relative_to(bin_dir.parent) and not Path(path).is_relative_to(ROOT)

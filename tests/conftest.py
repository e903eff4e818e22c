"""What the test packages share: the tiny shapes and models every contract check builds, the fixed
data they train on, and the session's exports of them (the ``exported`` fixture).

Every model is tiny (latent_dim 4, width 4), for 8x8x1 images, 32x32x3 colour images (in the contract suite) and 2-D points; inputs come from
fixed seeds, so nothing depends on chance. Test modules import the helpers with
``from conftest import ...`` (this is the only ``conftest.py`` of the tree). This module imports no
TensorFlow at the top: ``tests/zoo/replica_check.py`` imports it before it configures TensorFlow's
devices.
"""

import dataclasses
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHAPES = {"image": (8, 8, 1), "rgb": (32, 32, 3), "points": (2,)}  # rgb: the CIFAR-10 size, three stages
TINY = dict(latent_dim=4, width=4)
BATCH = 8
TRAINED_WITH = {"dataset": "mnist_sample", "command": "python -m tools.train --model X --epochs 1"}
EVALUATION = {"test": {"loss": 123.5}}


def fixed_examples(shape_kind="image", n=BATCH, seed=0, num_classes=10):
    """``(x, y)``: n examples uniform in [0, 1] of ``SHAPES[shape_kind]`` and their int32 classes."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 1.0, size=(n, *SHAPES[shape_kind])).astype(np.float32)
    y = rng.integers(0, num_classes, size=(n,)).astype(np.int32)
    return x, y


def make_model(name, shape_kind="image", compile_kwargs=None, **overrides):
    """A tiny registered model, compiled with its default optimizers (no XLA unless asked)."""
    import zoo

    model = zoo.get_model(name, input_shape=SHAPES[shape_kind], **{**TINY, **overrides})
    model.compile_default(**(compile_kwargs or {"jit_compile": False}))
    return model


def one_critic_step(model_class):
    """The overrides that give an adversarial model one critic update per generator update (the
    fastest step), none for the others."""
    names = {f.name for f in dataclasses.fields(model_class.config_class)}
    return {"n_critic": 1} if "n_critic" in names else {}


def train_tiny(model, shape_kind="image", steps=1, seed=0):
    """Compile and fit ``steps`` batches of 8 fixed random examples, eagerly (no tracing: faster
    for one step of a tiny model)."""
    model.compile_default(jit_compile=False)
    model.run_eagerly = True
    x, y = fixed_examples(shape_kind, BATCH * steps, seed, getattr(model, "num_classes", None) or 10)
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
    return model


def tiny_model(name, shape_kind="image", trained=True, model_class=None):
    """A tiny model from seed 0 (one critic step per generator step), trained one step unless told not to."""
    import keras

    import zoo

    keras.utils.set_random_seed(0)
    model_class = model_class or zoo.get_model_class(name)
    model = model_class.from_shape(SHAPES[shape_kind], **TINY, **one_critic_step(model_class))
    return train_tiny(model, shape_kind) if trained else model


@dataclasses.dataclass
class Exported:
    model: object
    base_dir: Path
    result: object

    @property
    def model_dir(self):
        return self.base_dir / self.result.name

    @property
    def version_dir(self):
        return self.result.paths["saved_model"]


@pytest.fixture(scope="session", autouse=True)
def image_cache(tmp_path_factory):
    """Decoded image folders are cached in a directory of the session, never in the user's home
    (``zoo.data.folder``; subprocesses inherit it)."""
    import os

    path = tmp_path_factory.mktemp("genzoo-cache")
    previous = os.environ.get("GENZOO_CACHE")
    os.environ["GENZOO_CACHE"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("GENZOO_CACHE", None)
    else:
        os.environ["GENZOO_CACHE"] = previous


@pytest.fixture(scope="session")
def exported(tmp_path_factory):
    """``exported(name, shape_kind="image")``: a trained tiny model exported with export_model, once per session."""
    import export

    cache = {}

    def get(name, shape_kind="image"):
        if (name, shape_kind) not in cache:
            model = tiny_model(name, shape_kind)
            base = tmp_path_factory.mktemp(f"serving-{name}-{shape_kind}")
            result = export.export_model(model, base, trained_with=TRAINED_WITH, evaluation=EVALUATION)
            cache[name, shape_kind] = Exported(model, base, result)
        return cache[name, shape_kind]

    return get


_HOLD = (
    "import sys, time\nfrom zoo.locks import exclusive\n"
    "with exclusive(sys.argv[1], command='holder'):\n    print('held', flush=True)\n    time.sleep(120)"
)


@pytest.fixture
def lock_holder():
    """``hold(directory)``: a subprocess that holds ``directory``'s lock (``zoo.locks``) until the
    test ends (or the test kills it: ``proc.kill()``); returns the ``Popen``."""
    import subprocess
    import sys

    procs = []

    def hold(directory):
        proc = subprocess.Popen(
            [sys.executable, "-c", _HOLD, str(directory)], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        procs.append(proc)
        assert proc.stdout.readline().strip() == "held"
        return proc

    yield hold
    for proc in procs:
        proc.kill()
        proc.wait()
        proc.stdout.close()

"""Exports shared by the export tests (the fixture is registered by conftest.py): each tiny model is
trained one step and exported once per session.

Models are built tiny (latent_dim 4, width 4) for 8x8x1 images and for 2-D points, like the
contract suite (tests/zoo/test_contract.py), from fixed seeds and fixed data.
"""

import dataclasses
from pathlib import Path

import keras
import numpy as np
import pytest

import export
import zoo

ROOT = Path(__file__).resolve().parents[2]
SHAPES = {"image": (8, 8, 1), "points": (2,)}
TINY = dict(latent_dim=4, width=4)
TRAINED_WITH = {"dataset": "mnist_sample", "command": "python -m tools.train --model X --epochs 1"}
EVALUATION = {"test": {"loss": 123.5}}


def train_tiny(model, shape_kind="image", steps=1, seed=0):
    """Compile and fit ``steps`` batches of 8 fixed random examples, eagerly (no tracing: faster
    for one step of a tiny model)."""
    model.compile_default(jit_compile=False)
    model.run_eagerly = True
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 1.0, size=(8 * steps, *SHAPES[shape_kind])).astype(np.float32)
    y = rng.integers(0, getattr(model, "num_classes", None) or 10, size=(8 * steps,)).astype(np.int32)
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    return model


def tiny_model(name, shape_kind="image", trained=True, model_class=None):
    """A tiny model (one critic step per generator step for the adversarial ones), trained one step."""
    keras.utils.set_random_seed(0)
    model_class = model_class or zoo.get_model_class(name)
    overrides = dict(TINY)
    if "n_critic" in {f.name for f in dataclasses.fields(model_class.config_class)}:
        overrides["n_critic"] = 1
    model = model_class.from_shape(SHAPES[shape_kind], **overrides)
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


@pytest.fixture(scope="session")
def exported(tmp_path_factory):
    """``exported(name, shape_kind="image")``: a trained tiny model exported with export_model, once per session."""
    cache = {}

    def get(name, shape_kind="image"):
        if (name, shape_kind) not in cache:
            model = tiny_model(name, shape_kind)
            base = tmp_path_factory.mktemp(f"serving-{name}-{shape_kind}")
            result = export.export_model(model, base, trained_with=TRAINED_WITH, evaluation=EVALUATION)
            cache[name, shape_kind] = Exported(model, base, result)
        return cache[name, shape_kind]

    return get


def tree_snapshot(root):
    """{relative path: bytes} of every file under ``root`` (directories implied)."""
    root = Path(root)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def leftovers(root):
    """Hidden staging directories or temporary files anywhere under ``root``."""
    return [p for p in Path(root).rglob("*") if p.name.startswith(".") or p.name.endswith(".tmp")]

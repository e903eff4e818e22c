"""The `mnist_sample` source: 6,000 training and 1,000 test MNIST digits (600 / 100 per class)
embedded in the package (`zoo/sample_data/mnist_sample.npz`, provenance in
`zoo/sample_data/README.md`), so that the tests and the quick examples need no download."""

import functools
from pathlib import Path

import numpy as np

from zoo.data.base import DatasetError, DatasetInfo, image_raw, image_shape, require_split
from zoo.data.idx import IDX_FILES, NUM_CLASSES

__all__ = ["SAMPLE_PATH", "info", "load"]

SAMPLE_PATH = Path(__file__).parent.parent / "sample_data" / "mnist_sample.npz"


@functools.lru_cache(maxsize=1)
def _arrays():
    if not SAMPLE_PATH.exists():
        raise DatasetError(
            f"the embedded MNIST sample {SAMPLE_PATH} is missing; expected it in the package "
            "(rebuild it with `python -m tools.build_mnist_sample`)"
        )
    with np.load(SAMPLE_PATH) as npz:
        arrays = {key: npz[key] for key in npz.files}
    for array in arrays.values():
        array.setflags(write=False)
    return arrays


def load(name, split, opts):
    """The `_Source.load` of the embedded sample: its "train" or "test" split."""
    arrays = _arrays()
    require_split(name, split, IDX_FILES)
    return image_raw(arrays[f"x_{split}"][..., None], arrays[f"y_{split}"], opts)


def info(name, opts):
    """The `_Source.info` of the embedded sample."""
    arrays = _arrays()
    return DatasetInfo(
        name=name,
        kind="image",
        shape=image_shape(arrays["x_train"].shape[1:3], 1, opts),
        num_classes=NUM_CLASSES,
        splits={split: len(arrays[f"y_{split}"]) for split in IDX_FILES},
        source="embedded",
    )

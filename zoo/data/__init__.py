"""Every dataset becomes a `tf.data.Dataset` here, and nowhere else.

The contract: `load(name, ...)` returns a dataset of `(x, y)` batches.

* Images: `x` is float32 NHWC, `(batch, height, width, channels)`, scaled from the uint8 range
  [0, 255] to `value_range` (default (0, 1)); `y` is the int32 class index, shape `(batch,)`,
  or -1 where the dataset has no class label.
* Toy 2-D mixtures: `x` is float32 `(batch, 2)` in the toy's own coordinates; `y` is the int32
  index of the mixture component that drew the point, or -1 for the swiss roll.

Sources, looked up by name (`list_datasets()`):

* `mnist_sample`: 6,000 training and 1,000 test MNIST digits (600 / 100 per class) embedded in
  the package (`zoo/sample_data/mnist_sample.npz`, provenance in `zoo/sample_data/README.md`).
  Needs no download and no `data_dir`: it is what the tests and the quick examples use.
* `mnist`, `fashion_mnist` with `data_dir=DIR`: the four IDX files of the original distribution
  (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`,
  `t10k-labels-idx1-ubyte`, each raw or `.gz`) read from DIR, without TFDS.
* `image_folder` with `data_dir=DIR`: every png/jpg/jpeg/bmp/gif under DIR, recursively;
  `train/` and `test/` subfolders are the splits, class subfolders give the labels (0 when
  there are none); decoded once, centre-cropped and resized to `image_size`, cached
  (`zoo.data.folder`).
* `cifar10` with `data_dir=DIR`: CIFAR-10 as such a folder (`train/` and `test/`, then one
  folder per class, as `../shared/data/cifar10` is); without `data_dir`, TFDS' `cifar10`.
* `ring8`, `grid25`, `swissroll`: 2-D toy distributions generated in-process from a seed
  (`toy_modes` gives the mixtures' means and sigma, for mode-coverage metrics).
* Any other name (and `mnist` / `fashion_mnist` without `data_dir`): the TensorFlow Datasets
  image dataset of that name, prepared in `tfds_dir` (TFDS' default directory when None) and
  downloaded there first if needed.

The pipeline, in order:

    source -> map(decode, resize, scale; static binarization) -> cache -> shuffle -> batch
           -> map(dynamic binarization) -> prefetch

Binarization draws x_bin ~ Bernoulli(x) per pixel, x being the intensity in [0, 1], then maps
{0, 1} to `value_range`. "static" draws once per example from a fixed seed (stateless, keyed by
the example's position in the split, so every epoch, every run and every `seed` sees the same
binary image, with or without the cache); "dynamic" draws afresh each time a batch is read.

The modules: this one holds the public API, the table of sources and the argument checks;
`zoo.data.base` what the sources share (`DatasetError`, `DatasetInfo`, TensorFlow-free);
`zoo.data.pipeline` the tf.data pipeline; one module per source: `embedded`, `idx`, `folder`,
`toy` and `tfds`. The sources import `base` and `pipeline`, never this package, which imports them.
`import zoo.data` imports no TensorFlow: `pipeline`, `folder` and `tfds` (the modules that do) are
imported on first use; `base`, `embedded`, `idx` and `toy` need only NumPy.
"""

import dataclasses
import importlib
import math
import numbers

from zoo.data import embedded, idx, toy
from zoo.data.base import DatasetError, DatasetInfo, Options
from zoo.data.idx import (
    IDX_FILES,
    IDX_NAMES,
    find_idx_file,
    read_idx,
    read_idx_bytes,
    read_mnist_idx,
)
from zoo.data.toy import (
    GRID25_MEANS,
    GRID25_SIGMA,
    RING8_MEANS,
    RING8_SIGMA,
    SWISSROLL_NOISE,
    SWISSROLL_SCALE,
    toy_modes,
)
from zoo.options import BINARIZE

__all__ = [
    "DatasetError",
    "DatasetInfo",
    "GRID25_MEANS",
    "GRID25_SIGMA",
    "IDX_FILES",
    "RING8_MEANS",
    "RING8_SIGMA",
    "SWISSROLL_NOISE",
    "SWISSROLL_SCALE",
    "find_idx_file",
    "info",
    "list_datasets",
    "load",
    "read_idx",
    "read_idx_bytes",
    "read_mnist_idx",
    "toy_modes",
]


# ----------------------------------------------------------------------------------------------
# The sources, looked up by name

# The modules that import TensorFlow, imported on first use (by `_lazy`).
_LAZY = {"pipeline": "zoo.data.pipeline", "folder": "zoo.data.folder", "tfds": "zoo.data.tfds"}


def _lazy(module, function, **bound):
    """A function that calls `function` of `_LAZY[module]`, with `bound` keyword arguments,
    importing the module on the first call."""

    def call(*args, **kwargs):
        return getattr(importlib.import_module(_LAZY[module]), function)(*args, **bound, **kwargs)

    return call


@dataclasses.dataclass(frozen=True)
class _Source:
    load: object  # (name, split, Options) -> base.Raw
    info: object  # (name, Options) -> DatasetInfo
    uses: frozenset = frozenset()  # which of data_dir, tfds_dir, image_size, channels it takes


_IMAGE_OPTIONS = frozenset({"image_size", "channels"})
_SOURCES = {
    "mnist_sample": _Source(embedded.load, embedded.info, _IMAGE_OPTIONS),
    **{name: _Source(toy.load, toy.info) for name in toy.NAMES},
    "image_folder": _Source(_lazy("folder", "load"), _lazy("folder", "info"), _IMAGE_OPTIONS | {"data_dir"}),
}
# TFDS datasets that, with data_dir, are read from a folder of images laid out as
# ../shared/data/cifar10 is (train/ and test/, then one folder per class; zoo.data.folder).
FOLDER_NAMES = ("cifar10",)
_FOLDER_SOURCE = _Source(_lazy("folder", "load"), _lazy("folder", "info"), _IMAGE_OPTIONS | {"data_dir"})
_LOCAL_NAMES = (*_SOURCES, *IDX_NAMES)
# "mnist" and "fashion_mnist" with data_dir; TFDS for every other name (its message about an
# unknown name lists the local ones).
_IDX_SOURCE = _Source(idx.load, idx.info, _IMAGE_OPTIONS | {"data_dir"})
_TFDS_SOURCE = _Source(
    _lazy("tfds", "load", known=_LOCAL_NAMES),
    _lazy("tfds", "info", known=_LOCAL_NAMES),
    _IMAGE_OPTIONS | {"tfds_dir"},
)
_build = _lazy("pipeline", "build")


# ----------------------------------------------------------------------------------------------
# Public entry points


def list_datasets():
    """Names `load` knows without asking TFDS.

    Any TFDS image dataset name (`tfds.list_builders()`, e.g. "cifar10", "celeb_a") is accepted
    as well; "mnist" and "fashion_mnist" also read IDX files from `data_dir`.

    Returns:
        List of names.
    """
    return list(_LOCAL_NAMES)


def load(
    name,
    split="train",
    batch_size=128,
    data_dir=None,
    *,
    tfds_dir=None,
    value_range=(0.0, 1.0),
    binarize=None,
    shuffle=True,
    seed=None,
    drop_remainder=False,
    cache=True,
    image_size=None,
    channels=None,
    num_examples=None,
    download=True,
):
    """Loads a dataset as batches of (x, y).

    Args:
        name: a name from `list_datasets()` or any TFDS image dataset name.
        split: "train" or "test" for the local sources; any split of a TFDS dataset (TFDS'
            slicing syntax such as "train[:10%]" included).
        batch_size: examples per batch, an int >= 1.
        data_dir: directory of the four MNIST IDX files (for "mnist" and "fashion_mnist") or of
            the images (for "image_folder"). Not used by any other source.
        tfds_dir: TFDS data directory (TFDS' default when None); only for TFDS datasets.
        value_range: (lo, hi) with lo < hi: pixel values 0 and 255 map to lo and hi, e.g. (0, 1)
            for a Bernoulli decoder, (-1, 1) for a tanh generator. Ignored by the toys.
        binarize: None, "static" or "dynamic" (see the module docstring); images only.
        shuffle: shuffle the examples, with a buffer holding the whole dataset for in-memory
            sources and 10,000 examples for TFDS; reshuffled each epoch.
        seed: seed of the shuffle and of dynamic binarization (nondeterministic when None),
            and of the toys' generator (a fixed default when None).
        drop_remainder: drop the last, smaller batch.
        cache: cache the decoded examples in memory after the first epoch.
        image_size: (height, width) to resize the images to (bilinear, antialiased); default:
            the dataset's own size (for "image_folder": the size of the first image).
        channels: 1 or 3 to convert the images to grayscale or RGB; default: the dataset's own
            (for "image_folder": the first image's, with any alpha channel dropped).
        num_examples: use only the first `num_examples` examples of the split (for the toys:
            how many to generate; default 100,000 for "train" and 10,000 for "test").
        download: for TFDS datasets, download and prepare the data when `tfds_dir` lacks it.

    Returns:
        A `tf.data.Dataset` of (x, y): x float32 (batch, height, width, channels) for images or
        (batch, 2) for toys, y int32 (batch,).

    Raises:
        DatasetError: for every problem with the arguments or the data.
    """
    opts = Options(
        data_dir=data_dir,
        tfds_dir=tfds_dir,
        image_size=_check_image_size(image_size),
        channels=_check_channels(channels),
        num_examples=_check_num_examples(num_examples),
        seed=seed,
        download=download,
    )
    batch_size = _check_batch_size(batch_size)
    value_range = _check_value_range(value_range)
    if binarize is not None and binarize not in BINARIZE:
        raise DatasetError(f"binarize={binarize!r}; expected None or one of {', '.join(map(repr, BINARIZE))}")
    source = _resolve(name, opts)
    raw = source.load(name, split, opts)
    if raw.kind == "points" and binarize is not None:
        raise DatasetError(
            f"binarize={binarize!r} for the toy dataset {name!r}; binarization applies to images "
            "only: pass binarize=None"
        )
    if raw.num_examples == 0:
        raise DatasetError(f"dataset {name!r} split {split!r} is empty; expected >= 1 example")
    if drop_remainder and raw.num_examples is not None and batch_size > raw.num_examples:
        raise DatasetError(
            f"batch_size={batch_size} with drop_remainder=True but {name!r} split {split!r} has "
            f"only {raw.num_examples} examples: it would yield no batch; expected batch_size <= "
            f"{raw.num_examples} or drop_remainder=False"
        )
    return _build(raw, batch_size, value_range, binarize, shuffle, seed, drop_remainder, cache)


def info(name, data_dir=None, tfds_dir=None, image_size=None, channels=None):
    """Metadata of a dataset, without building its pipeline where possible.

    Reads the IDX headers, the first image of an image folder, the embedded sample or the TFDS
    builder's info (which does not download anything).

    Args:
        name: as for `load`.
        data_dir: as for `load`.
        tfds_dir: as for `load`.
        image_size: as for `load`: (height, width) the images would be resized to.
        channels: as for `load`: 1 or 3.

    Returns:
        A `DatasetInfo`.
    """
    opts = Options(
        data_dir=data_dir,
        tfds_dir=tfds_dir,
        image_size=_check_image_size(image_size),
        channels=_check_channels(channels),
    )
    return _resolve(name, opts).info(name, opts)


# ----------------------------------------------------------------------------------------------
# Name resolution and argument checks


def _resolve(name, opts):
    """The source for `name`: a local one from _SOURCES, IDX files, or TFDS."""
    if not isinstance(name, str) or not name:
        raise DatasetError(f"dataset name {name!r}; expected a non-empty string")
    source = _SOURCES.get(name)
    if source is None:
        source = _TFDS_SOURCE
        if opts.data_dir is not None and name in IDX_NAMES:
            source = _IDX_SOURCE
        elif opts.data_dir is not None and name in FOLDER_NAMES:
            source = _FOLDER_SOURCE
    given = {field for field in ("data_dir", "tfds_dir", "image_size", "channels") if getattr(opts, field) is not None}
    unused = sorted(given - source.uses)
    if unused:
        hints = {
            "data_dir": "data_dir is read only by 'image_folder' (a folder of images), by "
            f"{' and '.join(map(repr, IDX_NAMES))} (their four IDX files) and by "
            f"{', '.join(map(repr, FOLDER_NAMES))} (a folder of its images)"
            + (
                f"; for the TFDS dataset {name!r} pass tfds_dir=DIR holding prepared TFDS data"
                if source is _TFDS_SOURCE
                else ""
            ),
            "tfds_dir": "tfds_dir is read only for TFDS datasets",
            "image_size": "image_size applies to images only",
            "channels": "channels applies to images only",
        }
        raise DatasetError(
            f"dataset {name!r} does not take {', '.join(unused)}: " + "; ".join(hints[field] for field in unused)
        )
    return source


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_batch_size(batch_size):
    if not _is_int(batch_size) or batch_size < 1:
        raise DatasetError(f"batch_size={batch_size!r}; expected an int >= 1")
    return int(batch_size)


def _check_num_examples(num_examples):
    if num_examples is not None and (not _is_int(num_examples) or num_examples < 1):
        raise DatasetError(f"num_examples={num_examples!r}; expected None or an int >= 1")
    return None if num_examples is None else int(num_examples)


def _check_value_range(value_range):
    try:
        lo, hi = (float(v) for v in value_range)
    except (TypeError, ValueError):
        raise DatasetError(f"value_range={value_range!r}; expected a pair (lo, hi) of numbers") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise DatasetError(f"value_range={value_range!r}; expected finite lo < hi")
    return lo, hi


def _check_image_size(image_size):
    if image_size is None:
        return None
    if (
        not isinstance(image_size, (tuple, list))
        or len(image_size) != 2
        or not all(_is_int(v) and v >= 1 for v in image_size)
    ):
        raise DatasetError(f"image_size={image_size!r}; expected None or (height, width) ints >= 1")
    return tuple(int(v) for v in image_size)


def _check_channels(channels):
    if channels is not None and channels not in (1, 3):
        raise DatasetError(f"channels={channels!r}; expected None, 1 or 3")
    return channels

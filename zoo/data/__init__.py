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
* `image_folder` with `data_dir=DIR`: every png/jpg/jpeg/bmp/gif under DIR, recursively. The
  label is the index of the sorted immediate subdirectory that holds the file (0 when DIR has
  no subdirectories).
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
"""

import dataclasses
import functools
import gzip
import logging
import math
import numbers
import re
import zlib
from pathlib import Path

import numpy as np
import tensorflow as tf

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

_log = logging.getLogger(__name__)


class DatasetError(ValueError):
    """A dataset cannot be loaded as asked: bad argument, missing or malformed file, failed
    download. The message says what was received and what was expected."""


@dataclasses.dataclass(frozen=True)
class DatasetInfo:
    """Cheap metadata about a dataset, as `load` with the same arguments would produce it.

    Attributes:
        name: the dataset name passed to `info`.
        kind: "image" (x is (height, width, channels)) or "points" (x is (2,)).
        shape: shape of one example x, e.g. (28, 28, 1) or (2,). A TFDS dataset whose images
            vary in size reports None for height and width unless `image_size` is given.
        num_classes: number of class labels, or None when the labels are all -1.
        splits: split name -> number of examples (None where unknown before preparation; empty
            for a TFDS dataset that is not prepared yet).
        source: where the data comes from: "embedded", "idx", "image_folder", "toy" or "tfds".
    """

    name: str
    kind: str
    shape: tuple
    num_classes: int | None
    splits: dict
    source: str


# ----------------------------------------------------------------------------------------------
# Constants

# The MNIST-format IDX files, per split: (images, labels), without the optional ".gz".
IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_IDX_IMAGES_MAGIC = 0x00000803  # unsigned bytes (0x08), 3 dimensions: (count, rows, cols)
_IDX_LABELS_MAGIC = 0x00000801  # unsigned bytes (0x08), 1 dimension: (count,)
_IDX_NAMES = ("mnist", "fashion_mnist")  # the names that read IDX files from data_dir
_IDX_NUM_CLASSES = 10

_SAMPLE_PATH = Path(__file__).parent / "sample_data" / "mnist_sample.npz"

_IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")

# ring8: 8 Gaussians on the unit circle, mean i at angle 2 pi i / 8 (i = 0..7), std 0.01.
RING8_SIGMA = 0.01
RING8_MEANS = np.stack(
    [np.cos(2 * np.pi * np.arange(8) / 8), np.sin(2 * np.pi * np.arange(8) / 8)], axis=1
)  # (8, 2)
# grid25: 25 Gaussians on {-4, -2, 0, 2, 4}^2, std 0.05; mean 5 i + j is (grid[i], grid[j]).
GRID25_SIGMA = 0.05
GRID25_MEANS = np.array(
    [(a, b) for a in (-4.0, -2.0, 0.0, 2.0, 4.0) for b in (-4.0, -2.0, 0.0, 2.0, 4.0)]
)  # (25, 2)
# swissroll: sklearn's make_swiss_roll (x, z) with noise 0.25, divided by 7.5 -> about [-2, 2].
SWISSROLL_NOISE = 0.25
SWISSROLL_SCALE = 1.0 / 7.5
for _a in (RING8_MEANS, GRID25_MEANS):
    _a.setflags(write=False)
del _a

_TOY_MIXTURES = {
    "ring8": (RING8_MEANS, RING8_SIGMA),
    "grid25": (GRID25_MEANS, GRID25_SIGMA),
}
_TOY_SPLIT_SIZES = {"train": 100_000, "test": 10_000}
_TOY_SPLIT_STREAMS = {"train": 0, "test": 1}  # train and test draw from different seeds
_DEFAULT_TOY_SEED = 0

_BINARIZE_MODES = (None, "static", "dynamic")
_STATIC_BINARIZATION_SEED = 0  # fixed on purpose: "static" is one fixed binary dataset
_TFDS_SHUFFLE_BUFFER = 10_000
_CHUNK = 1024  # in-memory images are decoded and scaled this many at a time


# ----------------------------------------------------------------------------------------------
# Public entry points


def list_datasets():
    """Names `load` knows without asking TFDS.

    Any TFDS image dataset name (`tfds.list_builders()`, e.g. "cifar10", "celeb_a") is accepted
    as well; "mnist" and "fashion_mnist" also read IDX files from `data_dir`.

    Returns:
        List of names.
    """
    return [*_SOURCES, *_IDX_NAMES]


def toy_modes(name):
    """Means and standard deviation of a toy Gaussian mixture (for mode-coverage metrics).

    Args:
        name: "ring8" or "grid25".

    Returns:
        (means, sigma): read-only float64 array of shape (k, 2), whose row i is the mean of the
        component labelled i, and the per-coordinate standard deviation shared by all components.
    """
    if name not in _TOY_MIXTURES:
        raise DatasetError(
            f"toy_modes: {name!r} is not a toy Gaussian mixture; expected one of "
            f"{', '.join(_TOY_MIXTURES)}"
        )
    return _TOY_MIXTURES[name]


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
    opts = _Options(
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
    if binarize not in _BINARIZE_MODES:
        raise DatasetError(
            f"binarize={binarize!r}; expected one of {', '.join(map(repr, _BINARIZE_MODES))}"
        )
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
    return _pipeline(raw, batch_size, value_range, binarize, shuffle, seed, drop_remainder, cache)


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
    opts = _Options(
        data_dir=data_dir,
        tfds_dir=tfds_dir,
        image_size=_check_image_size(image_size),
        channels=_check_channels(channels),
    )
    return _resolve(name, opts).info(name, opts)


# ----------------------------------------------------------------------------------------------
# Sources: each returns a _Raw (in-memory arrays or a TFDS stream) and a DatasetInfo


@dataclasses.dataclass(frozen=True)
class _Options:
    data_dir: object = None
    tfds_dir: object = None
    image_size: tuple | None = None
    channels: int | None = None
    num_examples: int | None = None
    seed: int | None = None
    download: bool = True


@dataclasses.dataclass
class _Raw:
    """One split before the pipeline. Exactly one of `arrays` and `dataset` is set.

    `arrays` is (x, y) in memory: uint8 images (n, h, w, c) or float32 points (n, 2), y int32
    (n,). `dataset` streams (uint8 image (h, w, c), int label). The pipeline's map resizes the
    images to `image_size` and converts them from `source_channels` to `channels` where those
    are set (image_folder does both while decoding and leaves them None).
    """

    kind: str
    num_examples: int | None
    arrays: tuple | None = None
    dataset: tf.data.Dataset | None = None
    image_size: tuple | None = None
    source_channels: int | None = None
    channels: int | None = None


@dataclasses.dataclass(frozen=True)
class _Source:
    load: object  # (name, split, _Options) -> _Raw
    info: object  # (name, _Options) -> DatasetInfo
    uses: frozenset = frozenset()  # which of data_dir, tfds_dir, image_size, channels it takes


def _resolve(name, opts):
    """The source for `name`: a local one from _SOURCES, IDX files, or TFDS."""
    if not isinstance(name, str) or not name:
        raise DatasetError(f"dataset name {name!r}; expected a non-empty string")
    source = _SOURCES.get(name)
    if source is None:
        source = _IDX_SOURCE if (name in _IDX_NAMES and opts.data_dir is not None) else _TFDS_SOURCE
    given = {
        field
        for field in ("data_dir", "tfds_dir", "image_size", "channels")
        if getattr(opts, field) is not None
    }
    unused = sorted(given - source.uses)
    if unused:
        hints = {
            "data_dir": "data_dir is read only by 'image_folder' (a folder of images) and by "
            f"{' and '.join(map(repr, _IDX_NAMES))} (their four IDX files)"
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
            f"dataset {name!r} does not take {', '.join(unused)}: "
            + "; ".join(hints[field] for field in unused)
        )
    return source


def _require_split(name, split, splits):
    if split not in splits:
        raise DatasetError(
            f"dataset {name!r} has no split {split!r}; available splits: {', '.join(splits)}"
        )


def _take(arrays, num_examples):
    return arrays if num_examples is None else tuple(a[:num_examples] for a in arrays)


def _image_raw(x, y, opts):
    """_Raw for uint8 images (n, h, w, c) in memory; resize and channels are left to the map."""
    x, y = _take((x, y), opts.num_examples)
    return _Raw(
        kind="image",
        num_examples=len(x),
        arrays=(x, y.astype(np.int32)),
        image_size=opts.image_size,
        source_channels=x.shape[-1],
        channels=opts.channels,
    )


def _image_shape(height_width, source_channels, opts):
    height, width = opts.image_size or height_width
    return (height, width, opts.channels or source_channels)


# -- mnist_sample --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _sample_arrays():
    if not _SAMPLE_PATH.exists():
        raise DatasetError(
            f"the embedded MNIST sample {_SAMPLE_PATH} is missing; expected it in the package "
            "(rebuild it with `python -m tools.build_mnist_sample`)"
        )
    with np.load(_SAMPLE_PATH) as npz:
        arrays = {key: npz[key] for key in npz.files}
    for array in arrays.values():
        array.setflags(write=False)
    return arrays


def _load_sample(name, split, opts):
    arrays = _sample_arrays()
    _require_split(name, split, IDX_FILES)
    return _image_raw(arrays[f"x_{split}"][..., None], arrays[f"y_{split}"], opts)


def _info_sample(name, opts):
    arrays = _sample_arrays()
    return DatasetInfo(
        name=name,
        kind="image",
        shape=_image_shape(arrays["x_train"].shape[1:3], 1, opts),
        num_classes=_IDX_NUM_CLASSES,
        splits={split: len(arrays[f"y_{split}"]) for split in IDX_FILES},
        source="embedded",
    )


# -- MNIST-format IDX files ------------------------------------------------------------------------


def find_idx_file(data_dir, stem):
    """Path of the IDX file `stem` in `data_dir`, raw or gzip-compressed (raw preferred).

    Args:
        data_dir: directory to look in.
        stem: file name without ".gz", e.g. "train-images-idx3-ubyte".

    Returns:
        `pathlib.Path` of the file.
    """
    data_dir = Path(data_dir).expanduser()
    if not data_dir.is_dir():
        raise DatasetError(
            f"data_dir {str(data_dir)!r} is not a directory; expected a directory holding the "
            f"MNIST IDX files {', '.join(s for pair in IDX_FILES.values() for s in pair)} "
            "(raw or .gz)"
        )
    for candidate in (data_dir / stem, data_dir / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    raise DatasetError(
        f"missing IDX file {stem} (or {stem}.gz) in {str(data_dir)!r}; expected the four MNIST "
        f"files {', '.join(s for pair in IDX_FILES.values() for s in pair)}, each raw or .gz"
    )


def read_idx_bytes(path):
    """The uncompressed bytes of an IDX file, gunzipped when the name ends in ".gz".

    Args:
        path: the file.

    Returns:
        bytes.
    """
    path = Path(path)
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as f:
                return f.read()
        return path.read_bytes()
    except (OSError, EOFError, zlib.error) as e:
        raise DatasetError(
            f"cannot read IDX file {str(path)!r} ({type(e).__name__}: {_first_line(e)}); "
            "expected a readable file, gzip-compressed if its name ends in .gz"
        ) from e


def read_idx(path, magic):
    """Reads an IDX file of unsigned bytes, checking its header against its content.

    The format: a big-endian uint32 magic number 0x000008NN (0x08: unsigned bytes, NN: number of
    dimensions), NN big-endian uint32 sizes, then the data, row-major.

    Args:
        path: the file, raw or ".gz".
        magic: the expected magic number: 0x00000803 for images, 0x00000801 for labels.

    Returns:
        uint8 array of the shape the header gives, e.g. (count, rows, cols) or (count,).
    """
    path = Path(path)
    data = read_idx_bytes(path)
    ndim = magic & 0xFF
    header_size = 4 * (1 + ndim)
    if len(data) < header_size:
        raise DatasetError(
            f"IDX file {str(path)!r} is truncated: {len(data)} bytes; expected a header of "
            f"{header_size} bytes (magic number and {ndim} dimension sizes)"
        )
    found = int.from_bytes(data[:4], "big")
    if found != magic:
        raise DatasetError(
            f"IDX file {str(path)!r} has magic number 0x{found:08x}; expected 0x{magic:08x} "
            f"(unsigned bytes, {ndim} dimension{'s' if ndim > 1 else ''})"
        )
    shape = tuple(int.from_bytes(data[4 * i : 4 * i + 4], "big") for i in range(1, ndim + 1))
    expected = header_size + math.prod(shape)
    if len(data) != expected:
        raise DatasetError(
            f"IDX file {str(path)!r} is {'truncated' if len(data) < expected else 'too long'}: "
            f"{len(data)} bytes; expected {expected} (a {header_size}-byte header and data of "
            f"shape {shape})"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header_size).reshape(shape)


def _idx_header(path, magic):
    """The shape an IDX file's header declares, reading only the header (for `info`)."""
    ndim = magic & 0xFF
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            header = f.read(4 * (1 + ndim))
    except (OSError, EOFError, zlib.error) as e:
        raise DatasetError(
            f"cannot read IDX file {str(path)!r} ({type(e).__name__}: {_first_line(e)})"
        ) from e
    if len(header) < 4 * (1 + ndim) or int.from_bytes(header[:4], "big") != magic:
        raise DatasetError(
            f"IDX file {str(path)!r} does not start with magic number 0x{magic:08x} and "
            f"{ndim} dimension sizes"
        )
    return tuple(int.from_bytes(header[4 * i : 4 * i + 4], "big") for i in range(1, ndim + 1))


def read_mnist_idx(data_dir, split):
    """Reads one split of an MNIST-format dataset from its IDX files.

    Args:
        data_dir: directory holding the IDX files of `IDX_FILES` (raw or ".gz").
        split: "train" (train-*) or "test" (t10k-*).

    Returns:
        (images, labels): uint8 arrays of shapes (n, rows, cols) and (n,).
    """
    _require_split(f"IDX files in {str(data_dir)!r}", split, IDX_FILES)
    image_stem, label_stem = IDX_FILES[split]
    image_path = find_idx_file(data_dir, image_stem)
    label_path = find_idx_file(data_dir, label_stem)
    images = read_idx(image_path, _IDX_IMAGES_MAGIC)
    labels = read_idx(label_path, _IDX_LABELS_MAGIC)
    if len(images) != len(labels):
        raise DatasetError(
            f"IDX file {str(image_path)!r} holds {len(images)} images but {str(label_path)!r} "
            f"holds {len(labels)} labels; expected the same count"
        )
    if len(labels) and labels.max() >= _IDX_NUM_CLASSES:
        raise DatasetError(
            f"IDX file {str(label_path)!r} holds label {labels.max()}; expected labels in "
            f"0..{_IDX_NUM_CLASSES - 1}"
        )
    return images, labels


def _load_idx(name, split, opts):
    _require_split(name, split, IDX_FILES)
    images, labels = read_mnist_idx(opts.data_dir, split)
    return _image_raw(images[..., None], labels, opts)


def _info_idx(name, opts):
    splits = {}
    for split, (image_stem, label_stem) in IDX_FILES.items():
        image_shape = _idx_header(find_idx_file(opts.data_dir, image_stem), _IDX_IMAGES_MAGIC)
        find_idx_file(opts.data_dir, label_stem)
        splits[split] = image_shape[0]
    return DatasetInfo(
        name=name,
        kind="image",
        shape=_image_shape(image_shape[1:], 1, opts),
        num_classes=_IDX_NUM_CLASSES,
        splits=splits,
        source="idx",
    )


# -- image_folder -------------------------------------------------------------------------------


def _folder_files(name, data_dir):
    """(files, labels, class_names) of an image folder, in sorted order."""
    if data_dir is None:
        raise DatasetError(
            f"dataset {name!r} needs data_dir=DIR, a folder of images "
            f"({', '.join(_IMAGE_EXTENSIONS)}), optionally in one subfolder per class"
        )
    root = Path(data_dir).expanduser()
    if not root.is_dir():
        raise DatasetError(f"data_dir {str(root)!r} is not a directory; expected a folder of images")

    def images_under(folder):
        return sorted(
            p
            for p in folder.rglob("*")
            if p.is_file()
            and p.suffix.lower() in _IMAGE_EXTENSIONS
            and not any(part.startswith(".") for part in p.relative_to(root).parts)
        )

    class_dirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not class_dirs:
        files = images_under(root)
        labels = [0] * len(files)
    else:
        loose = [p for p in root.iterdir() if p.is_file() and p.suffix.lower() in _IMAGE_EXTENSIONS]
        if loose:
            raise DatasetError(
                f"image folder {str(root)!r} has class subfolders but also images directly in it "
                f"(e.g. {loose[0].name!r}); expected either one subfolder per class or no "
                "subfolders at all"
            )
        files, labels = [], []
        for label, class_dir in enumerate(class_dirs):
            found = images_under(class_dir)
            files += found
            labels += [label] * len(found)
    if not files:
        raise DatasetError(
            f"image folder {str(root)!r} holds no images; expected files ending in "
            f"{', '.join(_IMAGE_EXTENSIONS)} (searched recursively)"
        )
    return files, labels, [p.name for p in class_dirs]


def _decode_file(path):
    """Decodes one image file to a uint8 (h, w, c) tensor, or raises DatasetError naming it."""
    try:
        return tf.io.decode_image(path.read_bytes(), expand_animations=False)
    except (tf.errors.OpError, ValueError, OSError) as e:
        raise DatasetError(
            f"cannot decode image file {str(path)!r} ({type(e).__name__}: {_first_line(e)}); "
            f"expected a valid {', '.join(_IMAGE_EXTENSIONS)} image"
        ) from e


def _opaque_channels(channels):
    """Channels once any alpha is dropped: 1 (gray), 2 (gray+alpha) -> 1, 3, 4 (RGBA) -> 3."""
    return 1 if channels <= 2 else 3


def _load_folder(name, split, opts):
    _require_split(name, split, ("train",))
    files, labels, _ = _folder_files(name, opts.data_dir)
    if opts.num_examples is not None:
        files, labels = files[: opts.num_examples], labels[: opts.num_examples]
    first = _decode_file(files[0])
    size = tuple(opts.image_size or first.shape[:2])
    channels = opts.channels or _opaque_channels(first.shape[-1])
    images = np.empty((len(files), *size, channels), dtype=np.uint8)
    for i, path in enumerate(files):
        image = _decode_file(path) if i else first
        if image.shape[-1] != channels or tuple(image.shape[:2]) != size:
            image = _convert_channels(tf.cast(image, tf.float32), image.shape[-1], channels)
            if tuple(image.shape[:2]) != size:
                image = tf.image.resize(image, size, antialias=True)
            image = tf.cast(tf.round(tf.clip_by_value(image, 0.0, 255.0)), tf.uint8)
        images[i] = image.numpy()
    return _Raw(
        kind="image",
        num_examples=len(images),
        arrays=(images, np.asarray(labels, dtype=np.int32)),
    )


def _info_folder(name, opts):
    files, _, class_names = _folder_files(name, opts.data_dir)
    first = _decode_file(files[0])
    return DatasetInfo(
        name=name,
        kind="image",
        shape=_image_shape(first.shape[:2], _opaque_channels(first.shape[-1]), opts),
        num_classes=max(len(class_names), 1),
        splits={"train": len(files)},
        source="image_folder",
    )


# -- toys ---------------------------------------------------------------------------------------


def _toy_rng(split, opts):
    seed = _DEFAULT_TOY_SEED if opts.seed is None else opts.seed
    return np.random.default_rng([seed, _TOY_SPLIT_STREAMS[split]])


def _mixture_points(name, rng, n):
    means, sigma = _TOY_MIXTURES[name]
    labels = rng.integers(0, len(means), size=n)
    points = means[labels] + sigma * rng.standard_normal((n, 2))  # (n, 2)
    return points, labels


def _swissroll_points(name, rng, n):
    # sklearn.datasets.make_swiss_roll: t ~ 1.5 pi (1 + 2 U[0, 1]), (x, z) = (t cos t, t sin t).
    t = 1.5 * np.pi * (1.0 + 2.0 * rng.random(n))
    points = np.stack([t * np.cos(t), t * np.sin(t)], axis=1)  # (n, 2)
    points += SWISSROLL_NOISE * rng.standard_normal((n, 2))
    return points * SWISSROLL_SCALE, np.full(n, -1)


def _load_toy(name, split, opts):
    _require_split(name, split, _TOY_SPLIT_SIZES)
    n = opts.num_examples or _TOY_SPLIT_SIZES[split]
    points, labels = _TOY_GENERATORS[name](name, _toy_rng(split, opts), n)
    return _Raw(
        kind="points",
        num_examples=n,
        arrays=(points.astype(np.float32), labels.astype(np.int32)),
    )


def _info_toy(name, opts):
    return DatasetInfo(
        name=name,
        kind="points",
        shape=(2,),
        num_classes=len(_TOY_MIXTURES[name][0]) if name in _TOY_MIXTURES else None,
        splits=dict(_TOY_SPLIT_SIZES),
        source="toy",
    )


_TOY_GENERATORS = {
    "ring8": _mixture_points,
    "grid25": _mixture_points,
    "swissroll": _swissroll_points,
}


# -- TFDS ---------------------------------------------------------------------------------------


def _import_tfds():
    import tensorflow_datasets as tfds  # slow to import: only on the TFDS path

    return tfds


def _tfds_builder(name, opts):
    tfds = _import_tfds()
    tfds_dir = None if opts.tfds_dir is None else str(Path(opts.tfds_dir).expanduser())
    try:
        return tfds.builder(name, data_dir=tfds_dir)
    except tfds.core.DatasetNotFoundError:
        raise DatasetError(
            f"unknown dataset {name!r}; known: {', '.join(list_datasets())}, or any TFDS image "
            "dataset name (tfds.list_builders(), e.g. 'cifar10')"
        ) from None
    except Exception as e:  # bad config or version: TFDS raises ValueError or AssertionError
        raise DatasetError(
            f"cannot build TFDS dataset {name!r} ({type(e).__name__}: {_first_line(e)})"
        ) from e


def _tfds_keys(name, builder):
    """(image feature key, label feature key or None) of a TFDS image dataset."""
    tfds = _import_tfds()
    features = builder.info.features
    keys = builder.info.supervised_keys
    image_key = keys[0] if isinstance(keys, tuple) and isinstance(keys[0], str) else "image"
    if image_key not in features or not isinstance(features[image_key], tfds.features.Image):
        raise DatasetError(
            f"TFDS dataset {name!r} is not an image dataset: it has no Image feature "
            f"{image_key!r} (features: {', '.join(features.keys())}); expected an image dataset"
        )
    label_key = keys[1] if isinstance(keys, tuple) and isinstance(keys[1], str) else "label"
    if label_key not in features or not isinstance(features[label_key], tfds.features.ClassLabel):
        label_key = None  # unlabelled: y is -1
    return image_key, label_key


def _tfds_download_failed(name, builder, error):
    if name in _IDX_NAMES:
        files = ", ".join(s for pair in IDX_FILES.values() for s in pair)
        local = f"pass data_dir=DIR where DIR holds the four IDX files {files} (raw or .gz), or "
    else:
        local = ""
    return DatasetError(
        f"download failed for TFDS dataset {name!r} into {builder.data_dir!r} "
        f"({type(error).__name__}: {_first_line(error)}). Without internet access, "
        f"{local}pass tfds_dir=DIR where DIR is a TFDS data directory in which {name!r} is "
        f"already prepared (e.g. by tfds.builder({name!r}, data_dir=DIR).download_and_prepare() "
        "on a machine that is online); 'mnist_sample' is embedded and needs no download"
    )


def _split_names(split):
    """The split names in a TFDS split expression: "train[:10%]+test" -> ["train", "test"]."""
    return [re.sub(r"\[.*\]$", "", part.strip()) for part in str(split).split("+")]


def _load_tfds(name, split, opts):
    builder = _tfds_builder(name, opts)
    image_key, label_key = _tfds_keys(name, builder)
    height, width, source_channels = builder.info.features[image_key].shape
    if opts.image_size is None and (height is None or width is None):
        raise DatasetError(
            f"TFDS dataset {name!r} has images of varying size ({height}, {width}); pass "
            "image_size=(height, width) to resize them"
        )
    if not builder.is_prepared():
        if not opts.download:
            raise DatasetError(
                f"TFDS dataset {name!r} is not prepared in {builder.data_dir!r} and "
                "download=False; expected prepared data there (pass tfds_dir=DIR) or "
                "download=True"
            )
        _log.info("downloading and preparing TFDS dataset %r into %s", name, builder.data_dir)
        try:
            builder.download_and_prepare()
        except Exception as e:  # anything on the download path: network, disk, checksums
            raise _tfds_download_failed(name, builder, e) from e
    known = list(builder.info.splits)
    if known:  # empty under tfds.testing.mock_data, which accepts any split
        for base in _split_names(split):
            _require_split(name, base, known)
    try:
        ds = builder.as_dataset(split=split, shuffle_files=False)
    except Exception as e:
        raise DatasetError(
            f"cannot read split {split!r} of TFDS dataset {name!r} ({type(e).__name__}: "
            f"{_first_line(e)})"
        ) from e
    if opts.num_examples is not None:
        ds = ds.take(opts.num_examples)
    if label_key is None:
        ds = ds.map(lambda ex: (ex[image_key], tf.constant(-1, tf.int32)))
    else:
        ds = ds.map(lambda ex: (ex[image_key], ex[label_key]))
    cardinality = int(ds.cardinality())
    return _Raw(
        kind="image",
        num_examples=cardinality if cardinality >= 0 else None,
        dataset=ds,
        image_size=opts.image_size,
        source_channels=source_channels,
        channels=opts.channels,
    )


def _info_tfds(name, opts):
    builder = _tfds_builder(name, opts)
    image_key, label_key = _tfds_keys(name, builder)
    height, width, source_channels = builder.info.features[image_key].shape
    return DatasetInfo(
        name=name,
        kind="image",
        shape=_image_shape((height, width), _opaque_channels(source_channels), opts),
        num_classes=None if label_key is None else builder.info.features[label_key].num_classes,
        splits={split: s.num_examples for split, s in builder.info.splits.items()},
        source="tfds",
    )


_IMAGE_OPTIONS = frozenset({"image_size", "channels"})
_SOURCES = {
    "mnist_sample": _Source(_load_sample, _info_sample, _IMAGE_OPTIONS),
    "ring8": _Source(_load_toy, _info_toy),
    "grid25": _Source(_load_toy, _info_toy),
    "swissroll": _Source(_load_toy, _info_toy),
    "image_folder": _Source(_load_folder, _info_folder, _IMAGE_OPTIONS | {"data_dir"}),
}
_IDX_SOURCE = _Source(_load_idx, _info_idx, _IMAGE_OPTIONS | {"data_dir"})
_TFDS_SOURCE = _Source(_load_tfds, _info_tfds, _IMAGE_OPTIONS | {"tfds_dir"})


# ----------------------------------------------------------------------------------------------
# The pipeline


def _convert_channels(x, source, target):
    """float (..., source) -> (..., target), source in 1..4, target in {1, 3}; alpha dropped."""
    opaque = _opaque_channels(source)
    if opaque != source:
        x = x[..., :opaque]
    if opaque == target:
        return x
    return tf.concat([x, x, x], axis=-1) if target == 3 else tf.image.rgb_to_grayscale(x)


def _to_range(x01, value_range):
    lo, hi = value_range
    return x01 * (hi - lo) + lo


def _bernoulli(x01, seed):
    """{0, 1} float32 with P(1) = x01, drawn statelessly from `seed` (shape (2,))."""
    return tf.cast(tf.random.stateless_uniform(tf.shape(x01), seed=seed) < x01, tf.float32)


def _image_map(raw, value_range, binarize):
    """(x uint8 (..., h, w, c), y, index) -> (x float32 scaled, y int32); rank-agnostic."""

    def prepare(x, y, index):
        x = tf.cast(x, tf.float32)
        if raw.source_channels is not None:
            target = raw.channels or _opaque_channels(raw.source_channels)
            if target != raw.source_channels:
                x = _convert_channels(x, raw.source_channels, target)
        if raw.image_size is not None and tuple(x.shape[-3:-1]) != raw.image_size:
            x = tf.image.resize(x, raw.image_size, antialias=True)
            x = tf.clip_by_value(x, 0.0, 255.0)  # guard: values stay in [0, 255]
        x = x / 255.0
        if binarize == "static":
            x = _bernoulli(x, tf.stack([tf.constant(_STATIC_BINARIZATION_SEED, tf.int64), index]))
        if binarize != "dynamic":  # dynamic maps to value_range after its draw
            x = _to_range(x, value_range)
        return x, tf.cast(y, tf.int32)

    return prepare


def _pipeline(raw, batch_size, value_range, binarize, shuffle, seed, drop_remainder, cache):
    autotune = tf.data.AUTOTUNE
    if raw.dataset is not None:  # TFDS: decoded and scaled one example at a time
        ds = raw.dataset.enumerate().map(
            lambda i, xy: _image_map(raw, value_range, binarize)(xy[0], xy[1], i),
            num_parallel_calls=autotune,
        )
        buffer = _TFDS_SHUFFLE_BUFFER
    else:
        ds = tf.data.Dataset.from_tensor_slices(raw.arrays)
        if raw.kind == "image":  # scaled _CHUNK examples at a time, vectorized
            prepare = _image_map(raw, value_range, binarize)
            ds = (
                ds.batch(_CHUNK)
                .enumerate()
                .map(lambda i, xy: prepare(xy[0], xy[1], i), num_parallel_calls=autotune)
                .unbatch()
            )
        # unbatch() forgets the size; Keras needs it for its progress bar and epoch boundaries.
        ds = ds.apply(tf.data.experimental.assert_cardinality(raw.num_examples))
        buffer = raw.num_examples
    if cache:
        ds = ds.cache()
    if shuffle:
        ds = ds.shuffle(buffer, seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    if binarize == "dynamic":
        draws = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)
        ds = tf.data.Dataset.zip((ds, draws)).map(
            lambda xy, s: (
                _to_range(_bernoulli(xy[0], tf.stack([s, tf.constant(0, tf.int64)])), value_range),
                xy[1],
            ),
            num_parallel_calls=autotune,
        )
    return ds.prefetch(autotune)


# ----------------------------------------------------------------------------------------------
# Argument checks


def _first_line(error):
    message = getattr(error, "message", None) or str(error) or repr(error)
    return message.strip().splitlines()[0] if message.strip() else type(error).__name__


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
        raise DatasetError(
            f"value_range={value_range!r}; expected a pair (lo, hi) of numbers"
        ) from None
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

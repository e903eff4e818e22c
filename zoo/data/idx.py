"""The `mnist` and `fashion_mnist` source with `data_dir`: the four IDX files of the original
distribution, each raw or gzip-compressed. The reader is NumPy only (no TensorFlow).

The format: a big-endian uint32 magic number 0x000008NN (0x08: unsigned bytes, NN: number of
dimensions), NN big-endian uint32 sizes, then the data, row-major.
"""

import gzip
import math
import zlib
from pathlib import Path

import numpy as np

from zoo.data.base import (
    DatasetError,
    DatasetInfo,
    describe_error,
    image_raw,
    image_shape,
    require_split,
)

__all__ = [
    "IDX_FILES",
    "IDX_NAMES",
    "IDX_STEMS",
    "NUM_CLASSES",
    "find_idx_file",
    "info",
    "load",
    "read_idx",
    "read_idx_bytes",
    "read_mnist_idx",
]

# The MNIST-format IDX files, per split: (images, labels), without the optional ".gz".
IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
IDX_STEMS = tuple(stem for pair in IDX_FILES.values() for stem in pair)  # all four
IDX_NAMES = ("mnist", "fashion_mnist")  # the dataset names that read IDX files from data_dir
NUM_CLASSES = 10  # of MNIST and Fashion-MNIST
_IMAGES_MAGIC = 0x00000803  # unsigned bytes (0x08), 3 dimensions: (count, rows, cols)
_LABELS_MAGIC = 0x00000801  # unsigned bytes (0x08), 1 dimension: (count,)


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
            f"MNIST IDX files {', '.join(IDX_STEMS)} (raw or .gz)"
        )
    for candidate in (data_dir / stem, data_dir / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    raise DatasetError(
        f"missing IDX file {stem} (or {stem}.gz) in {str(data_dir)!r}; expected the four MNIST "
        f"files {', '.join(IDX_STEMS)}, each raw or .gz"
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
            f"cannot read IDX file {str(path)!r} ({describe_error(e)}); expected a readable "
            "file, gzip-compressed if its name ends in .gz"
        ) from e


def read_idx(path, magic):
    """Reads an IDX file of unsigned bytes, checking its header against its content.

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
    shape = _sizes(data, ndim)
    expected = header_size + math.prod(shape)
    if len(data) != expected:
        raise DatasetError(
            f"IDX file {str(path)!r} is {'truncated' if len(data) < expected else 'too long'}: "
            f"{len(data)} bytes; expected {expected} (a {header_size}-byte header and data of "
            f"shape {shape})"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header_size).reshape(shape)


def read_mnist_idx(data_dir, split):
    """Reads one split of an MNIST-format dataset from its IDX files.

    Args:
        data_dir: directory holding the IDX files of `IDX_FILES` (raw or ".gz").
        split: "train" (train-*) or "test" (t10k-*).

    Returns:
        (images, labels): uint8 arrays of shapes (n, rows, cols) and (n,).
    """
    require_split(f"IDX files in {str(data_dir)!r}", split, IDX_FILES)
    image_stem, label_stem = IDX_FILES[split]
    image_path = find_idx_file(data_dir, image_stem)
    label_path = find_idx_file(data_dir, label_stem)
    images = read_idx(image_path, _IMAGES_MAGIC)
    labels = read_idx(label_path, _LABELS_MAGIC)
    if len(images) != len(labels):
        raise DatasetError(
            f"IDX file {str(image_path)!r} holds {len(images)} images but {str(label_path)!r} "
            f"holds {len(labels)} labels; expected the same count"
        )
    if len(labels) and labels.max() >= NUM_CLASSES:
        raise DatasetError(
            f"IDX file {str(label_path)!r} holds label {labels.max()}; expected labels in 0..{NUM_CLASSES - 1}"
        )
    return images, labels


def _sizes(header, ndim):
    """The `ndim` dimension sizes that follow the magic number."""
    return tuple(int.from_bytes(header[4 * i : 4 * i + 4], "big") for i in range(1, ndim + 1))


def _header_shape(path, magic):
    """The shape an IDX file's header declares, reading only the header (for `info`)."""
    ndim = magic & 0xFF
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            header = f.read(4 * (1 + ndim))
    except (OSError, EOFError, zlib.error) as e:
        raise DatasetError(f"cannot read IDX file {str(path)!r} ({describe_error(e)})") from e
    if len(header) < 4 * (1 + ndim) or int.from_bytes(header[:4], "big") != magic:
        raise DatasetError(
            f"IDX file {str(path)!r} does not start with magic number 0x{magic:08x} and {ndim} dimension sizes"
        )
    return _sizes(header, ndim)


def load(name, split, opts):
    """The `_Source.load` of the IDX files in `opts.data_dir`."""
    require_split(name, split, IDX_FILES)
    images, labels = read_mnist_idx(opts.data_dir, split)
    return image_raw(images[..., None], labels, opts)


def info(name, opts):
    """The `_Source.info` of the IDX files in `opts.data_dir`: reads the headers only."""
    splits = {}
    for split, (image_stem, label_stem) in IDX_FILES.items():
        shape = _header_shape(find_idx_file(opts.data_dir, image_stem), _IMAGES_MAGIC)
        find_idx_file(opts.data_dir, label_stem)
        splits[split] = shape[0]
    return DatasetInfo(
        name=name,
        kind="image",
        shape=image_shape(shape[1:], 1, opts),
        num_classes=NUM_CLASSES,
        splits=splits,
        source="idx",
    )

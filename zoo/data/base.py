"""What every source of `zoo.data` shares, without TensorFlow: the error, the metadata record, the
options a source receives, the split it hands to the pipeline and a few small helpers.

The sources import this module (and `zoo.data.pipeline`), never the package `zoo.data` itself:
the package imports them.
"""

import dataclasses

import numpy as np

from zoo.errors import BadInput

__all__ = [
    "DatasetError",
    "DatasetInfo",
    "Options",
    "Raw",
    "describe_error",
    "image_raw",
    "image_shape",
    "require_split",
]


class DatasetError(BadInput):
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


@dataclasses.dataclass(frozen=True)
class Options:
    """The checked arguments of `load` / `info` that a source reads."""

    data_dir: object = None
    tfds_dir: object = None
    image_size: tuple | None = None
    channels: int | None = None
    num_examples: int | None = None
    seed: int | None = None
    download: bool = True


@dataclasses.dataclass
class Raw:
    """One split before the pipeline. Exactly one of `arrays` and `dataset` is set.

    `arrays` is (x, y) in memory: uint8 images (n, h, w, c) or float32 points (n, 2), y int32
    (n,). `dataset` is a `tf.data.Dataset` streaming (uint8 image (h, w, c), int label). The
    pipeline's map resizes the images to `image_size` and converts them from `source_channels`
    to `channels` where those are set (image_folder does both while decoding and leaves them
    None).
    """

    kind: str
    num_examples: int | None
    arrays: tuple | None = None
    dataset: object = None
    image_size: tuple | None = None
    source_channels: int | None = None
    channels: int | None = None


def require_split(name, split, splits):
    """Raises DatasetError unless `split` is one of `splits`."""
    if split not in splits:
        raise DatasetError(f"dataset {name!r} has no split {split!r}; available splits: {', '.join(splits)}")


def describe_error(error):
    """The type and first message line of an exception ("OSError: ..."), for a DatasetError."""
    message = (getattr(error, "message", None) or str(error) or repr(error)).strip()
    return f"{type(error).__name__}: {message.splitlines()[0] if message else type(error).__name__}"


def image_raw(x, y, opts):
    """Raw for uint8 images (n, h, w, c) in memory; resize and channels are left to the map."""
    if opts.num_examples is not None:
        x, y = x[: opts.num_examples], y[: opts.num_examples]
    return Raw(
        kind="image",
        num_examples=len(x),
        arrays=(x, y.astype(np.int32)),
        image_size=opts.image_size,
        source_channels=x.shape[-1],
        channels=opts.channels,
    )


def image_shape(height_width, source_channels, opts):
    """(height, width, channels) of the images once `opts.image_size` and `opts.channels` apply."""
    height, width = opts.image_size or height_width
    return (height, width, opts.channels or source_channels)

"""The `image_folder` source: every png/jpg/jpeg/bmp/gif under `data_dir`, recursively, decoded
once into memory. The label is the index of the sorted immediate subdirectory that holds the file
(0 when `data_dir` has no subdirectories)."""

from pathlib import Path

import numpy as np
import tensorflow as tf

from zoo.data.base import DatasetError, DatasetInfo, Raw, describe_error, image_shape, require_split
from zoo.data.pipeline import convert_channels, opaque_channels

__all__ = ["IMAGE_EXTENSIONS", "info", "load"]

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


def _files(name, data_dir):
    """(files, labels, class_names) of an image folder, in sorted order."""
    if data_dir is None:
        raise DatasetError(
            f"dataset {name!r} needs data_dir=DIR, a folder of images "
            f"({', '.join(IMAGE_EXTENSIONS)}), optionally in one subfolder per class"
        )
    root = Path(data_dir).expanduser()
    if not root.is_dir():
        raise DatasetError(f"data_dir {str(root)!r} is not a directory; expected a folder of images")

    def images_under(folder):
        return sorted(
            p
            for p in folder.rglob("*")
            if p.is_file()
            and p.suffix.lower() in IMAGE_EXTENSIONS
            and not any(part.startswith(".") for part in p.relative_to(root).parts)
        )

    class_dirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not class_dirs:
        files = images_under(root)
        labels = [0] * len(files)
    else:
        loose = [p for p in root.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS]
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
            f"{', '.join(IMAGE_EXTENSIONS)} (searched recursively)"
        )
    return files, labels, [p.name for p in class_dirs]


def _decode(path):
    """Decodes one image file to a uint8 (h, w, c) tensor, or raises DatasetError naming it."""
    try:
        return tf.io.decode_image(path.read_bytes(), expand_animations=False)
    except (tf.errors.OpError, ValueError, OSError) as e:
        raise DatasetError(
            f"cannot decode image file {str(path)!r} ({describe_error(e)}); expected a valid "
            f"{', '.join(IMAGE_EXTENSIONS)} image"
        ) from e


def load(name, split, opts):
    """The `_Source.load` of an image folder: decodes, resizes and converts every image to the
    size and channels of `opts` (default: the first image's, alpha dropped)."""
    require_split(name, split, ("train",))
    files, labels, _ = _files(name, opts.data_dir)
    if opts.num_examples is not None:
        files, labels = files[: opts.num_examples], labels[: opts.num_examples]
    first = _decode(files[0])
    size = tuple(opts.image_size or first.shape[:2])
    channels = opts.channels or opaque_channels(first.shape[-1])
    images = np.empty((len(files), *size, channels), dtype=np.uint8)
    for i, path in enumerate(files):
        image = _decode(path) if i else first
        if image.shape[-1] != channels or tuple(image.shape[:2]) != size:
            image = convert_channels(tf.cast(image, tf.float32), image.shape[-1], channels)
            if tuple(image.shape[:2]) != size:
                image = tf.image.resize(image, size, antialias=True)
            image = tf.cast(tf.round(tf.clip_by_value(image, 0.0, 255.0)), tf.uint8)
        images[i] = image.numpy()
    return Raw(
        kind="image",
        num_examples=len(images),
        arrays=(images, np.asarray(labels, dtype=np.int32)),
    )


def info(name, opts):
    """The `_Source.info` of an image folder: lists the files and decodes the first."""
    files, _, class_names = _files(name, opts.data_dir)
    first = _decode(files[0])
    return DatasetInfo(
        name=name,
        kind="image",
        shape=image_shape(first.shape[:2], opaque_channels(first.shape[-1]), opts),
        num_classes=max(len(class_names), 1),
        splits={"train": len(files)},
        source="image_folder",
    )

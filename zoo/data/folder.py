"""Folders of images: the ``image_folder`` source, and ``cifar10`` read from a folder.

A folder ``data_dir`` holds png/jpg/jpeg/bmp/gif files, found recursively, in one of three layouts:

* ``train/`` and (optionally) ``test/`` subfolders: those are the **splits**, not classes; each
  split has the layout below (``../shared/data/cifar10`` is this one: split, then class);
* class subfolders: the label is the index of the sorted subfolder that holds the file (the class
  names of a ``train/`` split give the indices of its ``test/`` split);
* loose images and no subfolders: one class, label 0.

Each split is decoded once, converted to the channels asked for (RGB kept, alpha dropped),
centre-cropped to the aspect of ``image_size`` and resized to it, and **cached**: in memory for the
process, and on disk as one ``.npz`` file under ``$GENZOO_CACHE`` (default
``~/.cache/genzoo``) keyed by the folder, the split, the size, the channels and every file's
name, size and modification time, so a changed folder is decoded again. ``GENZOO_CACHE=off``
turns the disk cache off.
"""

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import tensorflow as tf

from zoo.data.base import DatasetError, DatasetInfo, Raw, describe_error, image_shape, require_split
from zoo.data.pipeline import convert_channels, fit_to_size, opaque_channels

__all__ = ["IMAGE_EXTENSIONS", "SPLITS", "info", "load", "cache_dir"]

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
SPLITS = ("train", "test")  # subfolders with these names are splits
CACHE_ENV = "GENZOO_CACHE"
_MEMORY = {}  # cache key -> (images, labels)


def cache_dir():
    """Where decoded splits are cached on disk, or None when ``GENZOO_CACHE=off``."""
    value = os.environ.get(CACHE_ENV)
    if value == "off":
        return None
    return Path(value).expanduser() if value else Path.home() / ".cache" / "genzoo"


def _root(name, data_dir):
    if data_dir is None:
        raise DatasetError(
            f"dataset {name!r} needs data_dir=DIR, a folder of images "
            f"({', '.join(IMAGE_EXTENSIONS)}), optionally in one subfolder per class, optionally "
            "under train/ and test/ split folders"
        )
    root = Path(data_dir).expanduser()
    if not root.is_dir():
        raise DatasetError(f"data_dir {str(root)!r} is not a directory; expected a folder of images")
    return root


def _subdirs(folder):
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def _is_image(path):
    return path.is_file() and path.suffix.lower() in IMAGE_EXTENSIONS and not path.name.startswith(".")


def _split_folders(root):
    """{split: folder}: root's train/ and test/ when it has them, else {"train": root}."""
    names = {p.name: p for p in _subdirs(root)}
    if "train" not in names:
        if "test" in names:
            raise DatasetError(
                f"image folder {str(root)!r} has a test/ split folder but no train/ one; expected "
                "train/ (and optionally test/), or class subfolders"
            )
        return {"train": root}
    others = sorted(set(names) - set(SPLITS))
    loose = [p for p in root.iterdir() if _is_image(p)]
    if others or loose:
        extra = others[0] + "/" if others else loose[0].name
        raise DatasetError(
            f"image folder {str(root)!r} has split folders (train/, test/) but also {extra!r}; expected "
            "only the split folders beside each other"
        )
    return {split: names[split] for split in SPLITS if split in names}


def _class_names(folder):
    return [p.name for p in _subdirs(folder)]


def _files(folder, class_names):
    """(files, labels) of one split folder, in sorted order; labels index ``class_names``."""

    def images_under(sub):
        return sorted(
            p
            for p in sub.rglob("*")
            if _is_image(p) and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        )

    subdirs = _subdirs(folder)
    if not subdirs:
        files = images_under(folder)
        labels = [0] * len(files)
    else:
        loose = [p for p in folder.iterdir() if _is_image(p)]
        if loose:
            raise DatasetError(
                f"image folder {str(folder)!r} has class subfolders but also images directly in it "
                f"(e.g. {loose[0].name!r}); expected either one subfolder per class or no "
                "subfolders at all"
            )
        unknown = [p.name for p in subdirs if p.name not in class_names]
        if unknown:
            raise DatasetError(
                f"image folder {str(folder)!r} has the class {unknown[0]!r}, which the train split "
                f"does not have; expected classes among {', '.join(class_names)}"
            )
        files, labels = [], []
        for class_dir in subdirs:
            found = images_under(class_dir)
            files += found
            labels += [class_names.index(class_dir.name)] * len(found)
    if not files:
        raise DatasetError(
            f"image folder {str(folder)!r} holds no images; expected files ending in "
            f"{', '.join(IMAGE_EXTENSIONS)} (searched recursively)"
        )
    return files, labels


def _layout(name, data_dir):
    """(split folders, class names of the train split) of a folder."""
    splits = _split_folders(_root(name, data_dir))
    return splits, _class_names(splits["train"])


def _decode(path):
    """Decodes one image file to a uint8 (h, w, c) tensor, or raises DatasetError naming it."""
    try:
        return tf.io.decode_image(path.read_bytes(), expand_animations=False)
    except (tf.errors.OpError, ValueError, OSError) as e:
        raise DatasetError(
            f"cannot decode image file {str(path)!r} ({describe_error(e)}); expected a valid "
            f"{', '.join(IMAGE_EXTENSIONS)} image"
        ) from e


def _cache_key(folder, split, size, channels, files):
    listing = [(p.relative_to(folder).as_posix(), p.stat().st_size, p.stat().st_mtime_ns) for p in files]
    blob = json.dumps([str(folder.resolve()), split, list(size), channels, listing]).encode()
    return hashlib.sha256(blob).hexdigest()[:32]


def _decode_all(files, size, channels, first):
    images = np.empty((len(files), *size, channels), dtype=np.uint8)
    for i, path in enumerate(files):
        image = _decode(path) if i else first
        if image.shape[-1] != channels or tuple(image.shape[:2]) != size:
            image = convert_channels(tf.cast(image, tf.float32), image.shape[-1], channels)
            if tuple(image.shape[:2]) != size:
                image = fit_to_size(image, size)  # centre crop to the aspect, then resize
            image = tf.cast(tf.round(tf.clip_by_value(image, 0.0, 255.0)), tf.uint8)
        images[i] = image.numpy()
    return images


def _read_cache(path):
    try:
        with np.load(path) as cached:
            return cached["images"], cached["labels"]
    except (OSError, ValueError, KeyError):  # absent, or a damaged file: decode again
        return None


def _write_cache(path, images, labels):
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(staging, "wb") as f:
            np.savez(f, images=images, labels=labels)
        os.replace(staging, path)
    except OSError:  # a cache that cannot be written only costs the next run a decode
        pass


def load(name, split, opts):
    """The `_Source.load` of a folder: decodes (or reads from the cache) one split, at the size
    and channels of `opts` (default: the first image's, alpha dropped)."""
    splits, class_names = _layout(name, opts.data_dir)
    require_split(name, split, tuple(splits))
    folder = splits[split]
    files, labels = _files(folder, class_names)
    if opts.num_examples is not None:
        files, labels = files[: opts.num_examples], labels[: opts.num_examples]
    first = _decode(files[0])
    size = tuple(opts.image_size or first.shape[:2])
    channels = opts.channels or opaque_channels(first.shape[-1])
    key = _cache_key(folder, split, size, channels, files)
    cached = _MEMORY.get(key)
    disk = cache_dir()
    if cached is None and disk is not None:
        cached = _read_cache(disk / "image_folder" / f"{key}.npz")
    if cached is None:
        cached = (_decode_all(files, size, channels, first), np.asarray(labels, dtype=np.int32))
        if disk is not None:
            _write_cache(disk / "image_folder" / f"{key}.npz", *cached)
    _MEMORY[key] = cached
    images, labels = cached
    return Raw(kind="image", num_examples=len(images), arrays=(images, labels))


def info(name, opts):
    """The `_Source.info` of a folder: lists the files and decodes the first."""
    splits, class_names = _layout(name, opts.data_dir)
    counts = {split: len(_files(folder, class_names)[0]) for split, folder in splits.items()}
    first = _decode(_files(splits["train"], class_names)[0][0])
    return DatasetInfo(
        name=name,
        kind="image",
        shape=image_shape(first.shape[:2], opaque_channels(first.shape[-1]), opts),
        num_classes=max(len(class_names), 1),
        splits=counts,
        source="image_folder",
    )

"""The TensorFlow Datasets source: any TFDS image dataset, prepared in `tfds_dir` (TFDS' default
directory when None) and downloaded there first if needed. `tensorflow_datasets` is slow to
import, so it is imported on the first use of this source only."""

import logging
import re
from pathlib import Path

import tensorflow as tf

from zoo.data.base import DatasetError, DatasetInfo, Raw, describe_error, image_shape, require_split
from zoo.data.idx import IDX_NAMES, IDX_STEMS
from zoo.data.pipeline import opaque_channels

__all__ = ["info", "load"]

_log = logging.getLogger(__name__)


def _import_tfds():
    import tensorflow_datasets as tfds  # slow to import: only on the TFDS path

    return tfds


def _builder(name, opts, known):
    tfds = _import_tfds()
    tfds_dir = None if opts.tfds_dir is None else str(Path(opts.tfds_dir).expanduser())
    try:
        return tfds.builder(name, data_dir=tfds_dir)
    except tfds.core.DatasetNotFoundError:
        raise DatasetError(
            f"unknown dataset {name!r}; known: {', '.join(known)}, or any TFDS image dataset "
            "name (tfds.list_builders(), e.g. 'cifar10')"
        ) from None
    except Exception as e:  # bad config or version: TFDS raises ValueError or AssertionError
        raise DatasetError(f"cannot build TFDS dataset {name!r} ({describe_error(e)})") from e


def _keys(name, builder):
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


def _download_failed(name, builder, error):
    if name in IDX_NAMES:
        local = f"pass data_dir=DIR where DIR holds the four IDX files {', '.join(IDX_STEMS)} (raw or .gz), or "
    else:
        local = ""
    return DatasetError(
        f"download failed for TFDS dataset {name!r} into {builder.data_dir!r} "
        f"({describe_error(error)}). Without internet access, {local}pass tfds_dir=DIR where "
        f"DIR is a TFDS data directory in which {name!r} is already prepared (e.g. by "
        f"tfds.builder({name!r}, data_dir=DIR).download_and_prepare() on a machine that is "
        "online); 'mnist_sample' is embedded and needs no download"
    )


def _split_names(split):
    """The split names in a TFDS split expression: "train[:10%]+test" -> ["train", "test"]."""
    return [re.sub(r"\[.*\]$", "", part.strip()) for part in str(split).split("+")]


def load(name, split, opts, *, known=()):
    """The `_Source.load` of TFDS: prepares the dataset (downloading it if `opts.download`) and
    streams the split as (uint8 image, int32 label or -1). `known`: the local dataset names, for
    the message about an unknown name."""
    builder = _builder(name, opts, known)
    image_key, label_key = _keys(name, builder)
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
            raise _download_failed(name, builder, e) from e
    splits = list(builder.info.splits)
    if splits:  # empty under tfds.testing.mock_data, which accepts any split
        for base in _split_names(split):
            require_split(name, base, splits)
    try:
        ds = builder.as_dataset(split=split, shuffle_files=False)
    except Exception as e:
        raise DatasetError(f"cannot read split {split!r} of TFDS dataset {name!r} ({describe_error(e)})") from e
    if opts.num_examples is not None:
        ds = ds.take(opts.num_examples)
    if label_key is None:
        ds = ds.map(lambda ex: (ex[image_key], tf.constant(-1, tf.int32)))
    else:
        ds = ds.map(lambda ex: (ex[image_key], ex[label_key]))
    cardinality = int(ds.cardinality())
    return Raw(
        kind="image",
        num_examples=cardinality if cardinality >= 0 else None,
        dataset=ds,
        image_size=opts.image_size,
        source_channels=source_channels,
        channels=opts.channels,
    )


def info(name, opts, *, known=()):
    """The `_Source.info` of TFDS: the builder's info, which downloads nothing."""
    builder = _builder(name, opts, known)
    image_key, label_key = _keys(name, builder)
    height, width, source_channels = builder.info.features[image_key].shape
    return DatasetInfo(
        name=name,
        kind="image",
        shape=image_shape((height, width), opaque_channels(source_channels), opts),
        num_classes=None if label_key is None else builder.info.features[label_key].num_classes,
        splits={split: s.num_examples for split, s in builder.info.splits.items()},
        source="tfds",
    )

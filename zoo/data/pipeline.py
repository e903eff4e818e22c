"""The tf.data pipeline that turns a source's `Raw` split into batches of (x, y) (the order of its
stages and the two binarizations are described in `zoo.data`'s docstring), and the channel
conversions that the image sources share (`opaque_channels`, `convert_channels`)."""

import tensorflow as tf

__all__ = ["build", "convert_channels", "fit_to_size", "opaque_channels"]

_STATIC_BINARIZATION_SEED = 0  # fixed on purpose: "static" is one fixed binary dataset
_TFDS_SHUFFLE_BUFFER = 10_000  # a streamed (TFDS) dataset shuffles this many examples at a time
_CHUNK = 1024  # in-memory images are decoded and scaled this many at a time


def opaque_channels(channels):
    """Channels once any alpha is dropped: 1 (gray), 2 (gray+alpha) -> 1, 3, 4 (RGBA) -> 3."""
    return 1 if channels <= 2 else 3


def convert_channels(x, source, target):
    """float (..., source) -> (..., target), source in 1..4, target in {1, 3}; alpha dropped."""
    opaque = opaque_channels(source)
    if opaque != source:
        x = x[..., :opaque]
    if opaque == target:
        return x
    return tf.concat([x, x, x], axis=-1) if target == 3 else tf.image.rgb_to_grayscale(x)


def fit_to_size(x, size):
    """float (..., h, w, c) -> (..., size[0], size[1], c): the largest centred crop with the aspect
    ratio of ``size``, resized to it (antialiased); a crop of the whole image when the aspects
    match (CelebA's 178x218 faces become a centred 178x178 square, then 64x64)."""
    height, width = size
    shape = tf.shape(x)
    h, w = shape[-3], shape[-2]
    scale = tf.minimum(tf.cast(h, tf.float32) / height, tf.cast(w, tf.float32) / width)
    crop_h = tf.minimum(h, tf.cast(tf.round(height * scale), tf.int32))
    crop_w = tf.minimum(w, tf.cast(tf.round(width * scale), tf.int32))
    top, left = (h - crop_h) // 2, (w - crop_w) // 2
    x = x[..., top : top + crop_h, left : left + crop_w, :]
    return tf.image.resize(x, size, antialias=True)


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
            target = raw.channels or opaque_channels(raw.source_channels)
            if target != raw.source_channels:
                x = convert_channels(x, raw.source_channels, target)
        if raw.image_size is not None and tuple(x.shape[-3:-1]) != raw.image_size:
            x = fit_to_size(x, raw.image_size)
            x = tf.clip_by_value(x, 0.0, 255.0)  # guard: values stay in [0, 255]
        x = x / 255.0
        if binarize == "static":
            x = _bernoulli(x, tf.stack([tf.constant(_STATIC_BINARIZATION_SEED, tf.int64), index]))
        if binarize != "dynamic":  # dynamic maps to value_range after its draw
            x = _to_range(x, value_range)
        return x, tf.cast(y, tf.int32)

    return prepare


def build(raw, batch_size, value_range, binarize, shuffle, seed, drop_remainder, cache):
    """The `tf.data.Dataset` of (x, y) batches of one `Raw` split; the arguments are `load`'s,
    already checked."""
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

"""Class-conditional networks: a class label as a second input (networks only, no losses).

The label enters the way the conditional GAN and the conditional VAE introduced it (Mirza &
Osindero 2014; Sohn et al. 2015), as a one-hot vector:

* into a generator / decoder, concatenated to the code: ``[z, one_hot(label)]`` -> the usual
  decoder with ``latent_dim + num_classes`` inputs;
* into a discriminator / encoder of images, as ``num_classes`` constant feature maps
  concatenated to the image channels (one map is 1, the others 0); of flat data, concatenated
  to the vector.

Every conditional network is a functional ``keras.Model`` with two inputs, ``[data or z,
label]``, the label int32 of shape (batch,); the unconditional body it wraps is one of the
``zoo.nets`` defaults, nested as a layer.
"""

import keras
from keras import ops

from zoo.nets.defaults import default_decoder, default_encoder


@keras.saving.register_keras_serializable(package="zoo")
class OneHot(keras.layers.Layer):
    """int labels (batch,) -> one-hot (batch, num_classes) in the layer's compute dtype.

    A label outside [0, num_classes) gives a row of zeros (``ops.one_hot``); the models check
    their labels before they get here.
    """

    def __init__(self, num_classes, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = int(num_classes)

    def call(self, labels):
        return ops.one_hot(ops.cast(labels, "int32"), self.num_classes, dtype=self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.num_classes)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}


@keras.saving.register_keras_serializable(package="zoo")
class LabelMaps(keras.layers.Layer):
    """Concatenate one-hot labels to images as constant feature maps.

    ``(images (batch, H, W, C), one_hot (batch, K))`` -> ``(batch, H, W, C + K)``.
    """

    def call(self, images, one_hot):
        maps = ops.ones_like(images[..., :1]) * ops.cast(one_hot, images.dtype)[:, None, None, :]  # (batch, H, W, K)
        return ops.concatenate([images, maps], axis=-1)

    def compute_output_shape(self, images_shape, one_hot_shape):
        return (*images_shape[:-1], images_shape[-1] + one_hot_shape[-1])


def label_input(name):
    """The label input of a conditional network: int32, shape (batch,)."""
    return keras.Input(shape=(), dtype="int32", name=name)


def conditional_decoder(latent_dim, num_classes, output_shape, width=32, name="decoder", **kwargs):
    """``[z (batch, latent_dim), label (batch,)]`` -> ``default_decoder`` on ``[z, one_hot(label)]``.

    ``kwargs`` (normalization, output_activation, ...) go to ``zoo.nets.default_decoder``.
    """
    body = default_decoder(latent_dim + num_classes, output_shape, width=width, name=f"{name}_body", **kwargs)
    z = keras.Input(shape=(latent_dim,), name=f"{name}_z")
    label = label_input(f"{name}_label")
    h = keras.layers.Concatenate()([z, OneHot(num_classes)(label)])  # (batch, latent_dim + num_classes)
    return keras.Model([z, label], body(h), name=name)


def conditional_encoder(input_shape, num_classes, output_dim, width=32, name="encoder", **kwargs):
    """``[x (batch, *input_shape), label (batch,)]`` -> ``default_encoder`` on x with the label
    attached: as feature maps for images, concatenated for flat data.

    ``kwargs`` (activation, normalization) go to ``zoo.nets.default_encoder``.
    """
    input_shape = tuple(input_shape)
    x = keras.Input(shape=input_shape, name=f"{name}_x")
    label = label_input(f"{name}_label")
    one_hot = OneHot(num_classes)(label)  # (batch, num_classes)
    if len(input_shape) == 3:
        h = LabelMaps()(x, one_hot)  # (batch, H, W, C + num_classes)
        body_shape = (*input_shape[:2], input_shape[2] + num_classes)
    else:
        flat = keras.layers.Flatten()(x) if len(input_shape) > 1 else x
        h = keras.layers.Concatenate()([flat, one_hot])  # (batch, D + num_classes)
        body_shape = (int(h.shape[-1]),)
    body = default_encoder(body_shape, output_dim, width=width, name=f"{name}_body", **kwargs)
    return keras.Model([x, label], body(h), name=name)

"""Discriminators on joint pairs (x, z) of data and code (networks only: no losses, no training).

ALI / BiGAN (Dumoulin et al. 2016; Donahue et al. 2016) tell encoder pairs (x, E(x)) from
generator pairs (G(z), z), so their discriminator reads both halves of a pair. The ALI layout
(its appendix tables): a branch on x, a branch on z, their features concatenated and a joint
network to one logit. For images the x branch is the DCGAN discriminator's stride-2 convolutions
and a dense layer; for flat data (2-D points, flat vectors) one MLP reads the concatenation
[x, z] directly.

The network is a functional ``keras.Model`` with two inputs ``[x, z]`` (x first), called as
``discriminator([x, z])``.
"""

import keras

from zoo.nets.conv import check_divisible
from zoo.nets.defaults import dcgan_filters, is_conv_shape
from zoo.nets.layers import activation_layer
from zoo.precision import output_dtype


def joint_discriminator(data_shape, latent_dim, width=32, activation="leaky_relu", name="discriminator"):
    """The default joint discriminator for ``data_shape``: conv branch on images, MLP otherwise.

    Images: x -> Conv(width, /2) -> Conv(2 width, /2) -> Dense(8 width); z -> Dense(8 width) twice;
    [x features, z features] -> Dense(16 width) -> Dense(1). Flat data: [x, z] -> three Dense(16
    width) -> Dense(1), the depth of the zoo's default 2-D MLPs.

    Args:
        data_shape: one example's shape, ``(height, width, channels)`` or ``(dim,)``.
        latent_dim: size of z.
        width: network size, as for ``zoo.nets.default_encoder``.
        activation: hidden activation (``"leaky_relu"``: DCGAN's and ALI's discriminators).
        name: model name.

    Returns:
        A ``keras.Model`` from ``[x (batch, *data_shape), z (batch, latent_dim)]`` to (batch, 1) logits.
    """
    if is_conv_shape(data_shape):
        return conv_joint_discriminator(
            data_shape,
            latent_dim,
            filters=dcgan_filters(data_shape, width),
            hidden_units=8 * width,
            joint_units=(16 * width,),
            activation=activation,
            name=name,
        )
    return mlp_joint_discriminator(
        data_shape, latent_dim, hidden_units=(16 * width,) * 3, activation=activation, name=name
    )


def conv_joint_discriminator(
    image_shape,
    latent_dim,
    filters=(32, 64),
    hidden_units=256,
    joint_units=(512,),
    kernel_size=4,
    activation="leaky_relu",
    name="discriminator",
):
    """Conv branch on images, dense branch on codes, joint dense layers to one logit.

    Args:
        image_shape: ``(height, width, channels)``; divisible by ``2 ** len(filters)``.
        latent_dim: size of z.
        filters: channels of each stride-2 convolution of the x branch.
        hidden_units: width of the x branch's dense layer and of the z branch's two layers.
        joint_units: widths of the joint layers on the concatenated features.
        kernel_size: convolution kernel size.
        activation: hidden activation.
        name: model name.

    Returns:
        A ``keras.Model`` from ``[x (batch, H, W, C), z (batch, latent_dim)]`` to (batch, 1).
    """
    check_divisible(image_shape, len(filters))
    x = keras.Input(shape=tuple(image_shape), name=f"{name}_x")
    z = keras.Input(shape=(latent_dim,), name=f"{name}_z")
    # x branch
    h = x
    for f in filters:
        h = keras.layers.Conv2D(f, kernel_size, strides=2, padding="same")(h)
        h = activation_layer(activation)(h)
    h = keras.layers.Flatten()(h)  # (batch, H / 2**n * W / 2**n * filters[-1])
    h = activation_layer(activation)(keras.layers.Dense(hidden_units)(h))  # (batch, hidden_units)
    # z branch
    g = z
    for _ in range(2):
        g = activation_layer(activation)(keras.layers.Dense(hidden_units)(g))  # (batch, hidden_units)
    # joint
    j = keras.layers.Concatenate()([h, g])  # (batch, 2 * hidden_units)
    for units in joint_units:
        j = activation_layer(activation)(keras.layers.Dense(units)(j))
    logits = keras.layers.Dense(1, dtype=output_dtype())(j)  # float32 under a mixed policy
    return keras.Model([x, z], logits, name=name)


def mlp_joint_discriminator(
    data_shape, latent_dim, hidden_units=(512, 512, 512), activation="leaky_relu", name="discriminator"
):
    """One MLP on the concatenation [flatten(x), z].

    Args:
        data_shape: one example's shape; flattened.
        latent_dim: size of z.
        hidden_units: widths of the hidden layers.
        activation: hidden activation.
        name: model name.

    Returns:
        A ``keras.Model`` from ``[x (batch, *data_shape), z (batch, latent_dim)]`` to (batch, 1).
    """
    x = keras.Input(shape=tuple(data_shape), name=f"{name}_x")
    z = keras.Input(shape=(latent_dim,), name=f"{name}_z")
    flat = keras.layers.Flatten()(x) if len(data_shape) > 1 else x
    h = keras.layers.Concatenate()([flat, z])  # (batch, prod(data_shape) + latent_dim)
    for units in hidden_units:
        h = activation_layer(activation)(keras.layers.Dense(units)(h))
    logits = keras.layers.Dense(1, dtype=output_dtype())(h)  # float32 under a mixed policy
    return keras.Model([x, z], logits, name=name)

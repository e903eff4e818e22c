"""Residual networks for images: the CIFAR-10 networks of WGAN-GP and SNGAN (networks only).

Gulrajani et al. 2017 (igul222/improved_wgan_training, gan_cifar_resnet.py) and Miyato et al. 2018
(SNGAN, its Table 4) use the same layout, which these builders follow at any size the stride-2
stages fit (``zoo.nets.defaults.conv_stages``):

* generator: z -> dense -> (base, base, channels) -> ``stages`` up blocks -> norm, act ->
  conv 3x3 to the image channels (tanh, sigmoid or logits);
* up block: norm, act, upsample x2, conv 3x3, norm, act, conv 3x3; shortcut upsample x2, conv 1x1;
* discriminator / encoder: ``stages`` down blocks (the first without the leading activation,
  SNGAN's "optimized" block) -> act -> global average pooling -> dense to the outputs;
* down block: [act], conv 3x3, [norm], act, conv 3x3, average pool /2; shortcut conv 1x1 and pool
  (the first block: pool, then conv, as in SNGAN).

``channels`` is constant through the blocks (128 in both papers: width 32 here).
"""

import keras

from zoo.nets.conv import check_divisible
from zoo.nets.layers import activation_layer, bias_before, normalization_layer, weight_layer
from zoo.precision import output_dtype


def _up_block(h, channels, activation, normalization):
    shortcut = keras.layers.Conv2D(channels, 1)(keras.layers.UpSampling2D(2)(h))
    h = activation_layer(activation)(normalization_layer(normalization)(h))
    h = keras.layers.UpSampling2D(2)(h)
    h = keras.layers.Conv2D(channels, 3, padding="same", use_bias=bias_before(normalization))(h)
    h = activation_layer(activation)(normalization_layer(normalization)(h))
    h = keras.layers.Conv2D(channels, 3, padding="same")(h)
    return keras.layers.Add()([h, shortcut])  # (batch, 2 H, 2 W, channels)


def _down_block(h, channels, activation, normalization, spectral, first):
    if first:  # SNGAN's optimized first block: the image itself, no activation before it
        shortcut = weight_layer(keras.layers.Conv2D(channels, 1), spectral)(keras.layers.AveragePooling2D(2)(h))
    else:
        shortcut = keras.layers.AveragePooling2D(2)(weight_layer(keras.layers.Conv2D(channels, 1), spectral)(h))
        h = activation_layer(activation)(h)
    h = weight_layer(keras.layers.Conv2D(channels, 3, padding="same", use_bias=bias_before(normalization)), spectral)(h)
    h = activation_layer(activation)(normalization_layer(normalization)(h))
    h = weight_layer(keras.layers.Conv2D(channels, 3, padding="same"), spectral)(h)
    h = keras.layers.AveragePooling2D(2)(h)
    return keras.layers.Add()([h, shortcut])  # (batch, H / 2, W / 2, channels)


def resnet_encoder(
    input_shape,
    output_dim,
    channels=128,
    stages=3,
    activation="relu",
    normalization=None,
    output_bias=True,
    spectral=False,
    name="encoder",
):
    """Residual down blocks, then a dense head: images -> ``output_dim`` values.

    Args:
        input_shape: ``(height, width, channels)``, sides divisible by ``2 ** stages``.
        output_dim: size of the output vector (1 for a discriminator, ``2 * latent_dim`` for a
            Gaussian encoder).
        channels: feature maps of every block.
        stages: down blocks, each halving the size.
        activation: hidden activation (ReLU in both papers; ``"leaky_relu"`` works too).
        normalization: None (SNGAN, WGAN-GP's critic), ``"layer"`` or ``"batch"`` inside the blocks.
        output_bias: whether the output layer has a bias (not for a Wasserstein critic).
        spectral: spectral normalization of every convolution and of the output layer (SNGAN).
        name: model name.

    Returns:
        A ``keras.Model`` from (batch, height, width, channels) to (batch, output_dim).
    """
    check_divisible(input_shape, stages)
    inputs = keras.Input(shape=tuple(input_shape), name=f"{name}_input")
    h = inputs
    for i in range(stages):
        h = _down_block(h, channels, activation, normalization, spectral, first=i == 0)
    h = keras.layers.GlobalAveragePooling2D()(activation_layer(activation)(h))  # (batch, channels)
    dense = keras.layers.Dense(output_dim, use_bias=output_bias, dtype=output_dtype())  # float32 under a mixed policy
    return keras.Model(inputs, weight_layer(dense, spectral)(h), name=name)


def resnet_decoder(
    latent_dim,
    output_shape,
    channels=128,
    stages=3,
    activation="relu",
    normalization="batch",
    output_activation=None,
    name="decoder",
):
    """A dense projection to the base map, then residual up blocks: ``latent_dim`` -> images.

    Args:
        latent_dim: size of the input code z.
        output_shape: ``(height, width, channels)`` of the generated image.
        channels: feature maps of every block.
        stages: up blocks, each doubling the size, from the base map ``output_shape / 2 ** stages``.
        activation: hidden activation.
        normalization: ``"batch"`` (both papers' generators), None or ``"layer"``.
        output_activation: None for logits, ``"tanh"`` for [-1, 1], ``"sigmoid"`` for [0, 1].
        name: model name.

    Returns:
        A ``keras.Model`` from (batch, latent_dim) to (batch, height, width, channels).
    """
    h0, w0 = check_divisible(output_shape, stages)
    inputs = keras.Input(shape=(latent_dim,), name=f"{name}_input")
    h = keras.layers.Dense(h0 * w0 * channels)(inputs)
    h = keras.layers.Reshape((h0, w0, channels))(h)  # (batch, h0, w0, channels)
    for _ in range(stages):
        h = _up_block(h, channels, activation, normalization)
    h = activation_layer(activation)(normalization_layer(normalization)(h))
    outputs = keras.layers.Conv2D(
        output_shape[-1], 3, padding="same", activation=output_activation, dtype=output_dtype()
    )(h)  # (batch, height, width, channels), float32 under a mixed policy
    return keras.Model(inputs, outputs, name=name)

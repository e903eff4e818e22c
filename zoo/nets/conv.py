"""DCGAN-style convolutional encoders and decoders for images (networks only).

The encoder halves the spatial size ``len(filters)`` times with stride-2 convolutions; the
decoder mirrors it with stride-2 transposed convolutions, so an image size must be divisible by
``2 ** len(filters)`` (28 = 7 * 4 and 32 = 8 * 4 work with two stages).
"""

import keras

from zoo.nets.layers import activation_layer, bias_before, normalization_layer, weight_layer
from zoo.precision import output_dtype


def check_divisible(image_shape, stages):
    height, width = image_shape[:2]
    factor = 2**stages
    if height % factor or width % factor:
        raise ValueError(
            f"image size {height}x{width} is not divisible by {factor} "
            f"(= 2 ** {stages} stride-2 stages); expected a multiple of {factor}, or fewer filters"
        )
    return height // factor, width // factor


def conv_encoder(
    input_shape,
    output_dim,
    filters=(32, 64),
    hidden_units=256,
    kernel_size=4,
    activation="relu",
    normalization=None,
    output_bias=True,
    spectral=False,
    name="encoder",
):
    """Stride-2 convolutions, then a dense head: images -> ``output_dim`` values.

    Args:
        input_shape: ``(height, width, channels)``.
        output_dim: size of the output vector (e.g. ``2 * latent_dim`` for a Gaussian encoder,
            1 for a discriminator).
        filters: channels of each stride-2 convolution.
        hidden_units: width of the dense layer before the output (0 or None: none).
        kernel_size: convolution kernel size (4 avoids the checkerboard of stride 2 with 3x3).
        activation: hidden activation (``"leaky_relu"`` for DCGAN discriminators).
        normalization: None, ``"batch"`` or ``"layer"`` after every convolution but the first.
        output_bias: whether the output layer has a bias (not for a Wasserstein critic, where it
            cancels out of every loss and gets no gradient).
        spectral: spectral normalization of every convolution and dense layer (a critic's option).
        name: model name.

    Returns:
        A ``keras.Model`` from (batch, height, width, channels) to (batch, output_dim).
    """
    check_divisible(input_shape, len(filters))
    inputs = keras.Input(shape=tuple(input_shape), name=f"{name}_input")
    h = inputs
    for i, f in enumerate(filters):
        h = weight_layer(
            keras.layers.Conv2D(
                f, kernel_size, strides=2, padding="same", use_bias=i == 0 or bias_before(normalization)
            ),
            spectral,
        )(h)
        if i > 0:
            h = normalization_layer(normalization)(h)
        h = activation_layer(activation)(h)
    h = keras.layers.Flatten()(h)  # (batch, h / 2**n * w / 2**n * filters[-1])
    if hidden_units:
        h = weight_layer(keras.layers.Dense(hidden_units), spectral)(h)
        h = activation_layer(activation)(h)
    # float32 under a mixed policy
    outputs = weight_layer(keras.layers.Dense(output_dim, use_bias=output_bias, dtype=output_dtype()), spectral)(h)
    return keras.Model(inputs, outputs, name=name)


def conv_decoder(
    latent_dim,
    output_shape,
    filters=(64, 32),
    kernel_size=4,
    activation="relu",
    normalization=None,
    output_activation=None,
    name="decoder",
):
    """A dense projection, then stride-2 transposed convolutions: ``latent_dim`` -> images.

    Args:
        latent_dim: size of the input code z.
        output_shape: ``(height, width, channels)`` of the generated image.
        filters: channels of the projected feature map, then of each following stage; the last
            stage outputs ``channels``.
        kernel_size: transposed-convolution kernel size.
        activation: hidden activation.
        normalization: None, ``"batch"`` or ``"layer"`` after every hidden layer.
        output_activation: None for logits, ``"tanh"`` for [-1, 1], ``"sigmoid"`` for [0, 1].
        name: model name.

    Returns:
        A ``keras.Model`` from (batch, latent_dim) to (batch, height, width, channels).
    """
    h0, w0 = check_divisible(output_shape, len(filters))
    inputs = keras.Input(shape=(latent_dim,), name=f"{name}_input")
    h = keras.layers.Dense(h0 * w0 * filters[0], use_bias=bias_before(normalization))(inputs)
    h = normalization_layer(normalization)(h)
    h = activation_layer(activation)(h)
    h = keras.layers.Reshape((h0, w0, filters[0]))(h)  # (batch, h0, w0, filters[0])
    for f in filters[1:]:
        h = keras.layers.Conv2DTranspose(
            f, kernel_size, strides=2, padding="same", use_bias=bias_before(normalization)
        )(h)
        h = normalization_layer(normalization)(h)
        h = activation_layer(activation)(h)
    outputs = keras.layers.Conv2DTranspose(
        output_shape[-1],
        kernel_size,
        strides=2,
        padding="same",
        activation=output_activation,
        dtype=output_dtype(),  # float32 under a mixed policy
    )(h)  # (batch, height, width, channels)
    return keras.Model(inputs, outputs, name=name)

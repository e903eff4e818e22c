"""Multi-layer perceptrons for flat inputs and 2-D points (networks only: no losses, no training)."""

import math

import keras

from zoo.nets.layers import Maxout, activation_layer, bias_before, normalization_layer, weight_layer
from zoo.precision import output_dtype


def mlp(
    input_shape,
    output_shape,
    hidden_units=(512, 512),
    activation="relu",
    normalization=None,
    output_activation=None,
    output_bias=True,
    maxout=1,
    spectral=False,
    name="mlp",
):
    """A functional MLP mapping ``input_shape`` to ``output_shape``.

    Args:
        input_shape: shape of one input without the batch axis; flattened first.
        output_shape: int or shape of one output; the last Dense layer has ``prod(output_shape)``
            units and is reshaped to it.
        hidden_units: widths of the hidden layers.
        activation: hidden activation, a Keras name or ``"leaky_relu"`` (slope 0.2).
        normalization: None, ``"batch"`` or ``"layer"`` after every hidden Dense layer.
        output_activation: activation of the output layer (None: linear logits).
        output_bias: whether the output layer has a bias (not for a Wasserstein critic).
        maxout: pieces per hidden unit; above 1, every hidden layer is a maxout layer (a Dense layer
            of ``units * maxout`` features, then ``Maxout``) and ``activation`` is not used.
        spectral: spectral normalization of every Dense layer (a critic's option).
        name: model name.

    Returns:
        A ``keras.Model`` from (batch, *input_shape) to (batch, *output_shape).
    """
    output_shape = (output_shape,) if isinstance(output_shape, int) else tuple(output_shape)
    inputs = keras.Input(shape=tuple(input_shape), name=f"{name}_input")
    h = keras.layers.Flatten()(inputs) if len(input_shape) > 1 else inputs
    for units in hidden_units:
        h = weight_layer(keras.layers.Dense(units * maxout, use_bias=bias_before(normalization)), spectral)(h)
        h = normalization_layer(normalization)(h)
        h = Maxout(maxout)(h) if maxout > 1 else activation_layer(activation)(h)
    # float32 under a mixed policy: logits, losses and samples keep float32's range.
    h = weight_layer(
        keras.layers.Dense(
            math.prod(output_shape), activation=output_activation, use_bias=output_bias, dtype=output_dtype()
        ),
        spectral,
    )(h)
    if len(output_shape) > 1:
        h = keras.layers.Reshape(output_shape, dtype=output_dtype())(h)  # (batch, *output_shape)
    return keras.Model(inputs, h, name=name)

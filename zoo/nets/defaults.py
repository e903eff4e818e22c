"""The choice of default networks for a data shape: conv nets for images whose size fits the
stride-2 stages, MLPs for everything else (flat vectors, 2-D points)."""

from zoo.nets.conv import conv_decoder, conv_encoder
from zoo.nets.mlp import mlp

CONV_STAGES = 2
MLP_LAYERS = 3  # hidden layers of the default MLPs: the depth of the 2-D toy networks in the GAN literature


def is_conv_shape(shape):
    """True for (height, width, channels) shapes that the default conv nets can handle."""
    return len(shape) == 3 and shape[0] % 2**CONV_STAGES == 0 and shape[1] % 2**CONV_STAGES == 0


def default_encoder(input_shape, output_dim, width=32, name="encoder", **kwargs):
    """Conv encoder (filters width, 2*width; dense 8*width) or MLP (three layers of 16*width).

    ``kwargs`` (activation, normalization) go to the chosen builder.
    """
    if is_conv_shape(input_shape):
        return conv_encoder(
            input_shape, output_dim, filters=(width, 2 * width), hidden_units=8 * width, name=name, **kwargs
        )
    return mlp(input_shape, output_dim, hidden_units=(16 * width,) * MLP_LAYERS, name=name, **kwargs)


def default_decoder(latent_dim, output_shape, width=32, name="decoder", **kwargs):
    """Conv decoder mirroring ``default_encoder`` or an MLP (three layers of 16*width)."""
    if is_conv_shape(output_shape):
        return conv_decoder(latent_dim, output_shape, filters=(2 * width, width), name=name, **kwargs)
    return mlp((latent_dim,), output_shape, hidden_units=(16 * width,) * MLP_LAYERS, name=name, **kwargs)

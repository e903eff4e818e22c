"""The choice of default networks for a data shape: conv nets for images whose size fits the
stride-2 stages, MLPs for everything else (flat vectors, 2-D points)."""

from zoo.nets.conv import conv_decoder, conv_encoder
from zoo.nets.mlp import mlp

CONV_STAGES = 2
MLP_LAYERS = 3  # hidden layers of the default MLPs: the depth of the 2-D toy networks in the GAN literature
# Named network choices for vector data (``nets=``): "default" sizes the MLPs by width; "pacgan" is
# the pair of PacGAN's 2-D experiments (Lin et al. 2018; fjxmlzn/PacGAN, synthetic_data_experiments):
# a generator of 4 x 400 units (with the caller's normalization and activation: batch norm and
# ReLU for the GANs) and a discriminator of 3 x 200 maxout units of 5 pieces. ``width`` is unused.
NETS = ("default", "pacgan")
PACGAN_GENERATOR = (400,) * 4
PACGAN_DISCRIMINATOR = (200,) * 3
PACGAN_MAXOUT = 5


def check_nets(nets, shape):
    """Raise a ValueError for an unknown choice, or "pacgan" for data that are not vectors."""
    if nets not in NETS:
        raise ValueError(f"unknown nets {nets!r}; expected one of {', '.join(NETS)}")
    if nets == "pacgan" and len(shape) != 1:
        raise ValueError(f"nets 'pacgan' (PacGAN's 2-D networks) takes vectors, not data of shape {tuple(shape)}")


def is_conv_shape(shape):
    """True for (height, width, channels) shapes that the default conv nets can handle."""
    return len(shape) == 3 and shape[0] % 2**CONV_STAGES == 0 and shape[1] % 2**CONV_STAGES == 0


def default_encoder(input_shape, output_dim, width=32, name="encoder", nets="default", **kwargs):
    """Conv encoder (filters width, 2*width; dense 8*width) or MLP (three layers of 16*width); with
    ``nets="pacgan"``, PacGAN's maxout discriminator.

    ``kwargs`` (activation, normalization) go to the chosen builder.
    """
    check_nets(nets, input_shape)
    if nets == "pacgan":
        return mlp(
            input_shape, output_dim, hidden_units=PACGAN_DISCRIMINATOR, maxout=PACGAN_MAXOUT, name=name, **kwargs
        )
    if is_conv_shape(input_shape):
        return conv_encoder(
            input_shape, output_dim, filters=(width, 2 * width), hidden_units=8 * width, name=name, **kwargs
        )
    return mlp(input_shape, output_dim, hidden_units=(16 * width,) * MLP_LAYERS, name=name, **kwargs)


def default_decoder(latent_dim, output_shape, width=32, name="decoder", nets="default", **kwargs):
    """Conv decoder mirroring ``default_encoder`` or an MLP (three layers of 16*width); with
    ``nets="pacgan"``, PacGAN's generator (four layers of 400)."""
    check_nets(nets, (output_shape,) if isinstance(output_shape, int) else output_shape)
    if nets == "pacgan":
        return mlp((latent_dim,), output_shape, hidden_units=PACGAN_GENERATOR, name=name, **kwargs)
    if is_conv_shape(output_shape):
        return conv_decoder(latent_dim, output_shape, filters=(2 * width, width), name=name, **kwargs)
    return mlp((latent_dim,), output_shape, hidden_units=(16 * width,) * MLP_LAYERS, name=name, **kwargs)

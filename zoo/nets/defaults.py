"""The choice of networks for a data shape: the families of ``nets`` (a config string).

* ``"dcgan"``: DCGAN-style conv nets whose number of stride-2 stages follows the image size
  (``conv_stages``: a base map of 4 to 7 pixels, 28 -> 7x7, 32 -> 4x4, 64 -> 4x4, 128 -> 4x4) with
  channels doubling on the way down (width, 2 * width, ...) and halving on the way up;
* ``"resnet"``: residual up / down blocks, the CIFAR-10 networks of WGAN-GP and SNGAN
  (``zoo.nets.resnet``), with the same stages;
* ``"mlp"``: three hidden layers of 16 * width units, on flattened data;
* ``"pacgan"``: PacGAN's 2-D pair (Lin et al. 2018; fjxmlzn/PacGAN, synthetic_data_experiments): a
  generator of 4 x 400 units (with the caller's normalization and activation: batch norm and ReLU
  for the GANs) and a discriminator of 3 x 200 maxout units of 5 pieces; vectors only, ``width``
  unused;
* ``"default"``: ``"dcgan"`` for images that have at least one stage, ``"mlp"`` for everything
  else (flat vectors, 2-D points).

At 28x28 the DCGAN family is the zoo's original pair (filters width, 2 * width and a dense layer of
8 * width), so the MNIST recipes' networks are unchanged.
"""

from zoo.nets.conv import conv_decoder, conv_encoder
from zoo.nets.mlp import mlp

MLP_LAYERS = 3  # hidden layers of the default MLPs: the depth of the 2-D toy networks in the GAN literature
NETS = ("default", "dcgan", "resnet", "mlp", "pacgan")
IMAGE_NETS = ("dcgan", "resnet")
PACGAN_GENERATOR = (400,) * 4
PACGAN_DISCRIMINATOR = (200,) * 3
PACGAN_MAXOUT = 5
MIN_BASE = 4  # the smallest feature map the stride-2 stages stop at


def conv_stages(shape):
    """Stride-2 stages for an image shape: the most halvings that keep both sides whole and the
    smaller side at least ``MIN_BASE`` pixels (28 -> 2, 32 -> 3, 64 -> 4, 128 -> 5); 0 for data
    that are not images or cannot be halved."""
    if len(shape) != 3:
        return 0
    height, width = int(shape[0]), int(shape[1])
    stages = 0
    while height % 2 == 0 and width % 2 == 0 and min(height, width) // 2 >= MIN_BASE:
        height, width, stages = height // 2, width // 2, stages + 1
    return stages


def check_nets(nets, shape):
    """Raise a ValueError for an unknown family, or one that does not take data of ``shape``."""
    if nets not in NETS:
        raise ValueError(f"unknown nets {nets!r}; expected one of {', '.join(NETS)}")
    if nets == "pacgan" and len(shape) != 1:
        raise ValueError(f"nets 'pacgan' (PacGAN's 2-D networks) takes vectors, not data of shape {tuple(shape)}")
    if nets in IMAGE_NETS and not conv_stages(shape):
        raise ValueError(
            f"nets {nets!r} takes images (height, width, channels) with sides divisible by 2 and at "
            f"least {2 * MIN_BASE} pixels, not data of shape {tuple(shape)}; expected 'mlp' for it"
        )


def family(nets, shape):
    """The family ``nets`` names for data of ``shape``: ``"default"`` resolved, others checked."""
    check_nets(nets, shape)
    if nets == "default":
        return "dcgan" if conv_stages(shape) else "mlp"
    return nets


def is_conv_shape(shape):
    """True for (height, width, channels) shapes that the conv families can handle."""
    return conv_stages(shape) > 0


def dcgan_filters(shape, width):
    """The encoder's channels, one per stage: width, 2 * width, 4 * width, ..."""
    return tuple(width * 2**i for i in range(conv_stages(shape)))


def default_encoder(input_shape, output_dim, width=32, name="encoder", nets="default", spectral=False, **kwargs):
    """The network of ``nets`` from data to ``output_dim`` values: the DCGAN encoder (filters
    ``dcgan_filters``, a dense layer of 8 * width), the ResNet one (``zoo.nets.resnet``), an MLP
    (three layers of 16 * width) or PacGAN's maxout discriminator.

    ``spectral`` wraps every weight layer in spectral normalization (a critic's option);
    ``kwargs`` (activation, normalization, output_bias) go to the chosen builder.
    """
    chosen = family(nets, (input_shape,) if isinstance(input_shape, int) else input_shape)
    if chosen == "pacgan":
        return mlp(
            input_shape,
            output_dim,
            hidden_units=PACGAN_DISCRIMINATOR,
            maxout=PACGAN_MAXOUT,
            name=name,
            spectral=spectral,
            **kwargs,
        )
    if chosen == "dcgan":
        filters = dcgan_filters(input_shape, width)
        return conv_encoder(
            input_shape, output_dim, filters=filters, hidden_units=8 * width, name=name, spectral=spectral, **kwargs
        )
    if chosen == "resnet":
        from zoo.nets.resnet import resnet_encoder

        return resnet_encoder(
            input_shape, output_dim, channels=4 * width, stages=conv_stages(input_shape), name=name,
            spectral=spectral, **kwargs,
        )  # fmt: skip
    return mlp(input_shape, output_dim, hidden_units=(16 * width,) * MLP_LAYERS, name=name, spectral=spectral, **kwargs)


def default_decoder(latent_dim, output_shape, width=32, name="decoder", nets="default", **kwargs):
    """The network of ``nets`` from codes to data, mirroring ``default_encoder``: the DCGAN decoder
    (a projection to the base map, then channels halving to width), the ResNet one, an MLP or
    PacGAN's generator (four layers of 400)."""
    shape = (output_shape,) if isinstance(output_shape, int) else tuple(output_shape)
    chosen = family(nets, shape)
    if chosen == "pacgan":
        return mlp((latent_dim,), output_shape, hidden_units=PACGAN_GENERATOR, name=name, **kwargs)
    if chosen == "dcgan":
        filters = tuple(reversed(dcgan_filters(shape, width)))
        return conv_decoder(latent_dim, output_shape, filters=filters, name=name, **kwargs)
    if chosen == "resnet":
        from zoo.nets.resnet import resnet_decoder

        return resnet_decoder(
            latent_dim, output_shape, channels=4 * width, stages=conv_stages(shape), name=name, **kwargs
        )
    return mlp((latent_dim,), output_shape, hidden_units=(16 * width,) * MLP_LAYERS, name=name, **kwargs)

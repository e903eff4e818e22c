"""Conditional GAN (Mirza & Osindero, "Conditional Generative Adversarial Nets", 2014).

The GAN of ``zoo.models.gan`` with a class label c given to both players: the generator models
p(x | c) as G(z, c), z ~ N(0, I), and the discriminator D(x, c) tells real pairs (x, c) of the data
from generated pairs (G(z, c), c):

    L_D = -E_(x,c) log D(x, c) - E_(z,c) log(1 - D(G(z, c), c))     (zoo.losses.minimax_discriminator_loss)
    L_G = -E_(z,c) log D(G(z, c), c)                               (non_saturating_generator_loss)

with c for the fakes taken from the real batch, so both sides of D see the same classes. At the
optimal D the generator minimizes E_c JS(p_data(x | c), p_G(x | c)): one GAN per class, sharing
weights (docs/theory.md, the conditional models). The label enters as a one-hot vector
concatenated to z, and to the image as constant feature maps (``zoo.nets.conditional``).
"""

import dataclasses

import keras

from zoo.models.conditional import ConditionalConfig, ConditionalMixin
from zoo.models.gan import GAN, GANConfig
from zoo.registry import register_model


@dataclasses.dataclass(frozen=True)
class CGANConfig(ConditionalConfig, GANConfig):
    """Hyper-parameters of the conditional GAN: those of ``GANConfig`` and ``num_classes``
    (``ConditionalConfig``)."""


@register_model("cgan")
@keras.saving.register_keras_serializable(package="zoo")
class CGAN(ConditionalMixin, GAN):
    """The GAN conditioned on a class label (``sample(n, labels)``; exports take ``z`` and ``label``)."""

    config_class = CGANConfig

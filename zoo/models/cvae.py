"""Conditional VAE (Sohn, Lee & Yan, "Learning Structured Output Representation using Deep
Conditional Generative Models", NeurIPS 2015; Kingma et al. 2014's M2 with labels observed).

The VAE of ``zoo.models.vae`` with a class label c given to the encoder and the decoder: q(z | x, c) =
N(mean(x, c), diag(exp(log_var(x, c)))), p(x | z, c) and the prior p(z | c) = N(0, I), so the
loss is the negative conditional ELBO, a bound on -log p(x | c):

    loss(x, c) = E_{q(z|x,c)}[-log p(x | z, c)] + beta * KL(q(z | x, c) || N(0, I))

(``VAE.loss_terms`` with ``labels``). The code z then carries what the label does not (style:
slant, thickness), and ``sample(n, labels)`` draws digits of the requested classes. The label
enters both networks as a one-hot vector (``zoo.nets.conditional``). docs/theory.md, the
conditional models, derives the bound.
"""

import dataclasses

import keras
from keras import ops

from zoo.models.conditional import ConditionalConfig, ConditionalMixin
from zoo.models.vae import VAE, VAEConfig
from zoo.registry import register_model


@dataclasses.dataclass(frozen=True)
class CVAEConfig(ConditionalConfig, VAEConfig):
    """Hyper-parameters of the conditional VAE: those of ``VAEConfig`` and ``num_classes``
    (``ConditionalConfig``)."""


@register_model("cvae")
@keras.saving.register_keras_serializable(package="zoo")
class CVAE(ConditionalMixin, VAE):
    """The VAE conditioned on a class label (``sample(n, labels)``; exports take ``z`` and ``label``,
    the encoder export ``label`` beside the images)."""

    config_class = CVAEConfig

    def call(self, x, labels=None, training=False):
        # A VAE's call reconstructs; the conditional one needs the labels of x.
        return self.reconstruct(x, self.class_labels(ops.shape(x)[0], labels))

"""GAN (Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014).

A discriminator D(x) = sigmoid(l(x)) learns to tell data from samples G(z), z ~ N(0, I):

    L_D = -E_x log D(x) - E_z log(1 - D(G(z)))                (zoo.losses.minimax_discriminator_loss)

and the generator either minimizes the minimax objective E_z log(1 - D(G(z)))
(``minimax_generator_loss``), which at the optimal D is 2 JS(p_data, p_G) - 2 log 2, or the
non-saturating -E_z log D(G(z)) (``non_saturating_generator_loss``), the paper's own fix for the
vanishing gradient when D confidently rejects early samples. docs/theory.md derives both.
"""

import dataclasses

import keras

from zoo import losses
from zoo.models.adversarial import AdversarialConfig, AdversarialModel
from zoo.models.base import check_choice
from zoo.registry import register_model

GENERATOR_LOSSES = {
    "minimax": losses.minimax_generator_loss,
    "non_saturating": losses.non_saturating_generator_loss,
}


@dataclasses.dataclass(frozen=True)
class GANConfig(AdversarialConfig):
    """Hyper-parameters of the GAN (and those of ``AdversarialConfig``).

    Attributes:
        generator_loss: "non_saturating" (the default in practice: strong early gradients) or
            "minimax" (the objective as analysed; saturates when D wins).
    """

    generator_loss: str = "non_saturating"

    def __post_init__(self):
        super().__post_init__()
        check_choice(self, "generator_loss", GENERATOR_LOSSES)


@register_model("gan")
@keras.saving.register_keras_serializable(package="zoo")
class GAN(AdversarialModel):
    """The original GAN on discriminator logits (DCGAN networks for images)."""

    config_class = GANConfig
    default_learning_rate = 2e-4

    def make_optimizers(self, learning_rate=None):
        # DCGAN (Radford et al. 2016): Adam 2e-4 with beta_1 = 0.5 for both players.
        lr = learning_rate or self.default_learning_rate
        return keras.optimizers.Adam(lr, beta_1=0.5), keras.optimizers.Adam(lr, beta_1=0.5)

    def discriminator_loss(self, real, fake, x_real, x_fake, critic_noise=None):
        return losses.minimax_discriminator_loss(real, fake), {}

    def generator_loss(self, fake_outputs):
        return GENERATOR_LOSSES[self.config.generator_loss](fake_outputs)

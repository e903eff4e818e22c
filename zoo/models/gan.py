"""GAN (Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014).

A discriminator D(x) = sigmoid(l(x)) learns to tell data from samples G(z), z ~ N(0, I):

    L_D = -E_x log D(x) - E_z log(1 - D(G(z)))                (zoo.losses.minimax_discriminator_loss)

and the generator either minimizes the minimax objective E_z log(1 - D(G(z)))
(``minimax_generator_loss``), which at the optimal D is 2 JS(p_data, p_G) - 2 log 2, or the
non-saturating -E_z log D(G(z)) (``non_saturating_generator_loss``), the paper's own fix for the
vanishing gradient when D confidently rejects early samples. docs/theory.md derives both.

Optionally the discriminator's loss gets the R1 penalty of Mescheder et al. ("Which Training
Methods for GANs do actually Converge?", ICML 2018), (gamma / 2) E_x ||grad_x l(x)||^2 on the real
data only: it pushes D's gradient to zero where the data is, which makes the game converge
locally, and is the regularizer of StyleGAN and most GANs since.
"""

import dataclasses

import keras
import tensorflow as tf
from keras import ops

from zoo import losses
from zoo.models.adversarial import AdversarialConfig, AdversarialModel
from zoo.models.base import check_choice, check_non_negative, check_positive_ints, network_inputs
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
        pack: examples the discriminator judges at once (PacGAN, Lin et al. 2018): 1 is the
            plain GAN; with m > 1 it sees m real or m generated examples concatenated along the
            last axis (a vector of m * d values, or an image of m * channels) and gives one logit
            for the m, so a generator that covers too few modes is told apart by the lack of
            variety inside a pack. The losses are unchanged (the same cross-entropy, on packs).
            A batch is cut to a multiple of m.
        r1_weight: gamma of the R1 penalty (gamma / 2) E ||grad_x l(x)||^2 on real data
            (Mescheder et al. 2018); 0 (the default) leaves the GAN as it was. Its double
            backward costs about what WGAN-GP's penalty does; the ``r1`` metric is the mean
            squared gradient norm before the weight.
    """

    generator_loss: str = "non_saturating"
    pack: int = 1
    r1_weight: float = 0.0

    def __post_init__(self):
        super().__post_init__()
        check_choice(self, "generator_loss", GENERATOR_LOSSES)
        check_positive_ints(self, "pack")
        check_non_negative(self, "r1_weight")


@register_model("gan")
@keras.saving.register_keras_serializable(package="zoo")
class GAN(AdversarialModel):
    """The original GAN on discriminator logits (DCGAN networks for images)."""

    config_class = GANConfig
    default_learning_rate = 2e-4

    def __init__(self, generator, discriminator, config=None, **kwargs):
        super().__init__(generator, discriminator, config=config, **kwargs)
        if self.config.r1_weight > 0:  # the penalty's own metric, only when it is on
            self.tracker_names = (*self.tracker_names, "r1")
            self._trackers.append(keras.metrics.Mean(name="r1"))

    def discriminator_terms(self, x_real, z, training, critic_noise=None, labels=None):
        if not self.config.r1_weight:
            return super().discriminator_terms(x_real, z, training, critic_noise, labels)
        x_fake = ops.cast(self.generator(network_inputs(z, labels), training=training), "float32")
        x_real = tf.cast(x_real, tf.float32)
        with tf.GradientTape() as tape:
            tape.watch(x_real)
            real = self.judge(x_real, labels, training)  # (batch, 1), or one value per pack
        grads = tape.gradient(real, x_real)  # (batch, ...): of the sum, so each judgement's own inputs
        # E ||grad_x l(x)||^2 over the judgements (an example, or a pack of them).
        r1 = tf.reduce_sum(tf.square(grads)) / tf.cast(tf.shape(real)[0], tf.float32)
        loss, extras = self.discriminator_loss(real, self.judge(x_fake, labels, training), x_real, x_fake, critic_noise)
        return loss + 0.5 * self.config.r1_weight * r1, {**extras, "r1": r1}

    def make_optimizers(self, learning_rate=None):
        # DCGAN (Radford et al. 2016): Adam 2e-4 with beta_1 = 0.5 for both players.
        lr = learning_rate or self.default_learning_rate
        return keras.optimizers.Adam(lr, beta_1=0.5), keras.optimizers.Adam(lr, beta_1=0.5)

    def discriminator_loss(self, real, fake, x_real, x_fake, critic_noise=None):
        return losses.minimax_discriminator_loss(real, fake), {}

    def generator_loss(self, fake_outputs):
        return GENERATOR_LOSSES[self.config.generator_loss](fake_outputs)

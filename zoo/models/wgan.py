"""WGAN (Arjovsky, Chintala & Bottou, "Wasserstein GAN", ICML 2017).

The critic f estimates the Wasserstein-1 distance through the Kantorovich-Rubinstein duality,

    W(p_data, p_G) = sup_{||f||_L <= 1} E_x f(x) - E_z f(G(z)),

with L_D = E f(G(z)) - E f(x) (``zoo.losses.wasserstein_discriminator_loss``) and
L_G = -E f(G(z)) (``wasserstein_generator_loss``). The Lipschitz constraint is enforced crudely by
clipping every critic weight to [-c, c] after each critic step; the paper's recipe is c = 0.01,
RMSprop with learning rate 5e-5 and n_critic = 5. The tracker ``wasserstein`` reports the
critic's estimate E f(x) - E f(G(z)) = -L_D (up to the unknown Lipschitz constant).
"""

import dataclasses

import keras
import tensorflow as tf

from zoo import losses
from zoo.models.adversarial import AdversarialConfig, AdversarialModel
from zoo.registry import register_model


@dataclasses.dataclass(frozen=True)
class WGANConfig(AdversarialConfig):
    """Hyper-parameters of the weight-clipped WGAN (and those of ``AdversarialConfig``).

    Attributes:
        n_critic: critic steps per generator step (5 in the paper: the critic must stay near its
            optimum for its value to estimate the distance).
        clip_value: c, the critic's weights are clipped to [-c, c] (0.01 in the paper).
    """

    n_critic: int = 5
    clip_value: float = 0.01

    def __post_init__(self):
        super().__post_init__()
        if not self.clip_value > 0:
            raise ValueError(f"clip_value must be > 0, got {self.clip_value!r}")


@register_model("wgan")
@keras.saving.register_keras_serializable(package="zoo")
class WGAN(AdversarialModel):
    """WGAN with weight clipping."""

    config_class = WGANConfig
    tracker_names = ("d_loss", "g_loss", "wasserstein")
    default_learning_rate = 5e-5
    # No output bias: it cancels out of E f(x) - E f(G(z)) and would only collect round-off.
    discriminator_options = {"activation": "leaky_relu", "output_bias": False}

    def make_optimizers(self, learning_rate=None):
        # The paper: RMSprop (momentum-based optimizers made the critic unstable), lr 5e-5.
        lr = learning_rate or self.default_learning_rate
        return keras.optimizers.RMSprop(lr), keras.optimizers.RMSprop(lr)

    def discriminator_loss(self, real, fake, x_real, x_fake, critic_noise=None):
        d_loss = losses.wasserstein_discriminator_loss(real, fake)
        return d_loss, {"wasserstein": -d_loss}

    def generator_loss(self, fake_outputs):
        return losses.wasserstein_generator_loss(fake_outputs)

    def after_discriminator_step(self):
        c = self.config.clip_value
        for w in self.discriminator.trainable_weights:
            w.assign(tf.clip_by_value(w, -c, c))

"""WGAN-GP (Gulrajani et al., "Improved Training of Wasserstein GANs", NeurIPS 2017).

The WGAN losses with a soft Lipschitz constraint instead of weight clipping: the critic's
gradient norm is pulled to 1 on random interpolates between real and generated examples,

    L_D = E f(G(z)) - E f(x) + lambda E_xhat (||grad_xhat f(xhat)||_2 - 1)^2,
    xhat = a x + (1 - a) G(z),  a ~ U[0, 1] per example,

(``zoo.losses.gradient_penalty``), lambda = 10, n_critic = 5, Adam(1e-4, beta_1 = 0.5,
beta_2 = 0.9). The penalty is per example, so the critic has no batch normalization (layer
normalization is the paper's suggested replacement; the default networks use none). Trackers:
``d_loss``, ``g_loss``, ``gp`` (the penalty before the lambda weight) and ``wasserstein`` (the
critic's estimate E f(x) - E f(G(z))).
"""

import dataclasses

import keras
from keras import ops

from zoo import losses
from zoo.models.adversarial import AdversarialConfig, AdversarialModel
from zoo.models.base import check_non_negative
from zoo.registry import register_model


@dataclasses.dataclass(frozen=True)
class WGANGPConfig(AdversarialConfig):
    """Hyper-parameters of WGAN-GP (and those of ``AdversarialConfig``).

    Attributes:
        n_critic: critic steps per generator step (5 in the paper: the critic must stay near its
            optimum for its value to estimate the distance).
        gp_weight: lambda, the weight of the gradient penalty (10 in the paper, for every
            dataset it tried).
    """

    n_critic: int = 5
    gp_weight: float = 10.0

    def __post_init__(self):
        super().__post_init__()
        check_non_negative(self, "gp_weight")


@register_model("wgan_gp")
@keras.saving.register_keras_serializable(package="zoo")
class WGANGP(AdversarialModel):
    """WGAN with a gradient penalty."""

    config_class = WGANGPConfig
    tracker_names = ("d_loss", "g_loss", "gp", "wasserstein")
    default_learning_rate = 1e-4
    uses_interpolation_noise = True  # the interpolation weights a ~ U[0, 1), one per example and critic update
    # No batch normalization anywhere near the critic: the penalty is per example. No output bias:
    # it cancels out of the Wasserstein loss and the penalty, so its gradient is round-off, which
    # Adam scales up to updates of ~1e-5 that differ between one device and two replicas.
    discriminator_options = {"activation": "leaky_relu", "normalization": None, "output_bias": False}

    def make_optimizers(self, learning_rate=None):
        lr = learning_rate or self.default_learning_rate
        return (keras.optimizers.Adam(lr, beta_1=0.5, beta_2=0.9), keras.optimizers.Adam(lr, beta_1=0.5, beta_2=0.9))

    def discriminator_loss(self, real, fake, x_real, x_fake, critic_noise=None):
        wasserstein_loss = losses.wasserstein_discriminator_loss(real, fake)
        weights = None  # drawn inside gradient_penalty
        if critic_noise is not None:  # a, shaped (batch, 1, ..., 1) to broadcast over an example
            weights = ops.reshape(critic_noise, (-1,) + (1,) * (len(x_real.shape) - 1))
        gp = losses.gradient_penalty(self.discriminator, x_real, x_fake, weights=weights)
        return wasserstein_loss + self.config.gp_weight * gp, {"gp": gp, "wasserstein": -wasserstein_loss}

    def generator_loss(self, fake_outputs):
        return losses.wasserstein_generator_loss(fake_outputs)

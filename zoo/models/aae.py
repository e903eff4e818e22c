"""Adversarial autoencoder (Makhzani et al., "Adversarial Autoencoders", ICLR workshop 2016).

An autoencoder whose *aggregate* posterior q(z) = E_{p_data(x)} q(z|x) is pushed to the prior
p(z) = N(0, I) by a discriminator on codes, instead of the VAE's per-example KL(q(z|x) || p(z)).
The encoder is Gaussian, q(z|x) = N(mean(x), diag(exp(log_var(x)))), sampled with the
reparameterization z = mean + exp(log_var / 2) * eps (the paper's "Gaussian posterior"); its
log-variance has a soft floor, log_var = floor + softplus(raw - floor) (``min_log_var``).

One ``train_step`` is two updates on the same batch, z = mean(x) + exp(log_var(x) / 2) * eps:

    1. code discriminator:  theta_D <- grad  -E_{z' ~ p(z)} log D(z') - E_x log(1 - D(z))
    2. autoencoder:         theta_E, theta_G <- grad  E_x [-log p(x | G(z))  +  lambda * -log D(z)]

Step 2 is the paper's reconstruction phase and its "encoder as generator" phase in one weighted
objective (the non-saturating generator loss, weight lambda = ``adversarial_weight``), with one
optimizer: the two terms then share Adam's step size in proportion to their gradients. Run as
separate phases with an optimizer each, Adam rescales every phase's step to its learning rate
however small that phase's loss, so only the learning rates set the balance; on the MNIST sample
that either let the code discriminator win (prior codes decoded to noise) or collapsed the
posterior to the prior (every code decoded to one blurred digit).

At the discriminator's optimum the adversarial term is JS(q(z) || p(z)) up to constants
(docs/theory.md), so after training, decoding z ~ p(z) samples the data. The likelihood is
Bernoulli on logits for images in [0, 1] and a unit-variance Gaussian (a squared error) for flat
data. Trackers: ``loss`` (the autoencoder's objective), ``reconstruction_loss`` (nats),
``d_loss`` and ``g_loss`` (the code discriminator's and the encoder's adversarial losses).
"""

import dataclasses
import math

import keras
import tensorflow as tf
from keras import ops

from zoo import losses
from zoo.distribute import per_replica
from zoo.models.base import LIKELIHOODS, AutoencoderModel, check_choice, check_positive_ints, features
from zoo.nets import default_decoder, default_encoder, mlp
from zoo.nets.defaults import NETS
from zoo.registry import register_model


@dataclasses.dataclass(frozen=True)
class AAEConfig:
    """Hyper-parameters of the adversarial autoencoder.

    Attributes:
        latent_dim: size of z. 8 is the paper's MNIST code; the discriminator has to match the
            aggregate posterior to the prior in this many dimensions, so small is easier.
        width: size of the default encoder and decoder (see ``zoo.nets.default_encoder``); the
            code discriminator is an MLP of two layers of 16 * width.
        likelihood: "bernoulli" (logits; images in [0, 1]) or "gaussian" (unit variance: a
            squared error; flat data such as 2-D points).
        adversarial_weight: lambda, the weight of the encoder's adversarial loss (-log D(z) per
            example) against the reconstruction (nats per example); 3: on the MNIST sample it
            buys better samples than 1 for about a nat of reconstruction, where 10 costs seven.
        min_log_var: soft floor of the posterior log-variance, -6 (a standard deviation of 0.05
            on codes of scale 1); None: none. With no KL term to hold it, the reconstruction
            alone drives the variance to zero for nothing; the floor keeps some posterior noise
            (which smooths q(z), the paper's reason for a Gaussian posterior) and the exported
            log-variances bounded.
        nets: the encoder's and decoder's family (``zoo.nets.defaults``): "default" (DCGAN conv nets for images,
            MLPs otherwise), "dcgan", "resnet", "mlp" or, for vectors, "pacgan".
    """

    latent_dim: int = 8
    width: int = 32
    likelihood: str = "bernoulli"
    adversarial_weight: float = 3.0
    min_log_var: float | None = -6.0
    nets: str = "default"

    def __post_init__(self):
        check_positive_ints(self, "latent_dim", "width")
        check_choice(self, "likelihood", LIKELIHOODS[:2])  # no learned scale for the logistic
        check_choice(self, "nets", NETS)
        if not (self.adversarial_weight >= 0 and math.isfinite(self.adversarial_weight)):
            raise ValueError(f"adversarial_weight must be a finite number >= 0, got {self.adversarial_weight!r}")
        if self.min_log_var is not None and not math.isfinite(self.min_log_var):
            raise ValueError(f"min_log_var must be a finite number or None, got {self.min_log_var!r}")


@register_model("aae")
@keras.saving.register_keras_serializable(package="zoo")
class AAE(AutoencoderModel):
    """Adversarial autoencoder with a Gaussian encoder and a discriminator on codes.

    Args:
        encoder: network from data (batch, *data_shape) to (batch, 2 * latent_dim): the posterior
            mean and log-variance, concatenated.
        decoder: network from (batch, latent_dim) to (batch, *data_shape): Bernoulli logits or the
            Gaussian mean's pre-activation (sigmoid for images, identity otherwise).
        discriminator: network from codes (batch, latent_dim) to (batch, 1) logits: prior sample
            or encoded data?
        config: an ``AAEConfig``.
    """

    config_class = AAEConfig
    network_names = ("encoder", "decoder", "discriminator")
    # The autoencoder's (encoder and decoder, on the weighted objective) and the discriminator's.
    players = {"ae_optimizer": ("encoder", "decoder"), "d_optimizer": ("discriminator",)}
    tracker_names = ("loss", "reconstruction_loss", "d_loss", "g_loss")
    value_range = (0.0, 1.0)

    def __init__(self, encoder, decoder, discriminator, config=None, **kwargs):
        super().__init__(encoder, decoder, discriminator, config=config, **kwargs)
        latent = self.config.latent_dim
        self._check_code_sizes(decoder, "decoder")
        if tuple(discriminator.input_shape[1:]) != (latent,) or discriminator.output_shape[-1] != 1:
            raise ValueError(
                f"discriminator must map codes ({latent},) to one logit; "
                f"got {discriminator.input_shape} -> {discriminator.output_shape}"
            )
        self.data_shape = tuple(decoder.output_shape[1:])
        self.seed_generator = keras.random.SeedGenerator(None)
        self.built = True

    @classmethod
    def from_shape(cls, input_shape, **overrides):
        """Default networks for ``input_shape`` (conv nets for images, MLPs otherwise); flat inputs
        default to the Gaussian likelihood."""
        if len(input_shape) != 3:
            overrides.setdefault("likelihood", "gaussian")
        config = cls.make_config(**overrides)
        encoder = default_encoder(input_shape, 2 * config.latent_dim, width=config.width, nets=config.nets)
        decoder = default_decoder(config.latent_dim, input_shape, width=config.width, nets=config.nets)
        discriminator = mlp(
            (config.latent_dim,),
            1,
            hidden_units=(16 * config.width,) * 2,
            activation="leaky_relu",
            name="discriminator",
        )
        return cls(encoder, decoder, discriminator, config=config)

    def make_optimizers(self, learning_rate=None):
        # Adam 1e-3 for both players (the VAE's rate for the autoencoder); beta_1 = 0.5 for the
        # discriminator, as in DCGAN, so its momentum does not carry it past a moving target.
        lr = learning_rate or self.default_learning_rate
        return keras.optimizers.Adam(lr), keras.optimizers.Adam(lr, beta_1=0.5)

    # -- inference: sample (the decoder's mean of z ~ N(0, I)), decode, reconstruct and encode,
    # with the floor ``min_log_var``, are AutoencoderModel's -------------------------------------

    # -- training ----------------------------------------------------------------------------

    def draw_noise(self, batch_size):
        """``eps`` (batch, latent_dim) for the posterior sample z = mean + exp(log_var / 2) * eps,
        and ``prior_z`` (batch, latent_dim), the discriminator's real codes."""
        latent = self.config.latent_dim
        return {
            "eps": keras.random.normal((batch_size, latent), seed=self.seed_generator),
            "prior_z": keras.random.normal((batch_size, latent), seed=self.seed_generator),
        }

    def _posterior_sample(self, x, eps, training):
        return self.reparameterize(*self.encode(x, training=training), eps)  # (batch, latent_dim)

    def _code_logits(self, z, training):
        return ops.cast(self.discriminator(z, training=training), "float32")[:, 0]  # (batch,)

    def _autoencoder_losses(self, x, noise, training):
        """The posterior sample z ~ q(z|x) (batch, latent_dim) and the two per-example terms of the
        autoencoder's objective, (batch,) each: -log p(x|z) and -log D(z) = softplus(-l(z))."""
        z = self._posterior_sample(x, noise["eps"], training)
        reconstruction = self.reconstruction_nll(x, self.decoder_logits(z, training=training))
        return z, reconstruction, ops.softplus(-self._code_logits(z, training))

    def train_step_with_noise(self, x, noise, labels=None):
        """One step: the code discriminator's update, then the autoencoder's (``labels`` are
        ignored: the model is unconditional)."""
        # 1. Code discriminator: prior samples are "real", encoded data "fake".
        z_fake = ops.stop_gradient(self._posterior_sample(x, noise["eps"], True))
        with tf.GradientTape() as tape:
            d_loss = losses.minimax_discriminator_loss(
                self._code_logits(noise["prior_z"], True), self._code_logits(z_fake, True)
            )
            # Each loss is a batch mean, a replica's share of the global batch's (per_replica);
            # scaled by its own optimizer's loss scale under mixed_float16 (identity otherwise).
            scaled = self.d_optimizer.scale_loss(per_replica(d_loss))
        self.apply_update("d_optimizer", tape, scaled)
        # 2. Autoencoder: -log p(x|z) + lambda * -log D(z) against the updated discriminator.
        with tf.GradientTape() as tape:
            _, reconstruction, fooling = self._autoencoder_losses(x, noise, training=True)
            loss = reconstruction + self.config.adversarial_weight * fooling  # (batch,)
            scaled = self.ae_optimizer.scale_loss(per_replica(ops.mean(loss)))
        self.apply_update("ae_optimizer", tape, scaled)
        return self._update_trackers(reconstruction, d_loss, fooling)

    def test_step(self, data):
        x = features(data)
        noise = self.draw_noise(tf.shape(x)[0])
        z, reconstruction, fooling = self._autoencoder_losses(x, noise, training=False)
        d_loss = losses.minimax_discriminator_loss(
            self._code_logits(noise["prior_z"], False), self._code_logits(z, False)
        )
        return self._update_trackers(reconstruction, d_loss, fooling)

    def _update_trackers(self, reconstruction, d_loss, fooling):
        self.tracker("loss").update_state(reconstruction + self.config.adversarial_weight * fooling)
        self.tracker("reconstruction_loss").update_state(reconstruction)
        self.tracker("d_loss").update_state(d_loss)
        self.tracker("g_loss").update_state(fooling)
        return self.results()

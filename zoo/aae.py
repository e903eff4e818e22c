"""Adversarial autoencoder (Makhzani et al., "Adversarial Autoencoders", ICLR workshop 2016).

An autoencoder whose *aggregate* posterior q(z) = E_{p_data(x)} q(z|x) is pushed to the prior
p(z) = N(0, I) by a discriminator on codes, instead of the VAE's per-example KL(q(z|x) || p(z)).
The encoder is Gaussian, q(z|x) = N(mean(x), diag(exp(log_var(x)))), sampled with the
reparameterization z = mean + exp(log_var / 2) * eps (the paper's "Gaussian posterior" choice). One
``train_step`` is the paper's three phases on the same batch:

    1. reconstruction:  theta_E, theta_G <- grad  E_x [-log p(x | G(z))],  z ~ q(z|x)
    2. regularization, discriminator:
                        theta_D <- grad  -E_{z' ~ p(z)} log D(z') - E_x log(1 - D(z)),  z ~ q(z|x)
    3. regularization, encoder as generator:
                        theta_E <- grad  -E_x log D(z)   (the non-saturating generator loss)

At the discriminator's optimum phase 3 minimizes JS(q(z) || p(z)) (docs/theory.md, section 6, derives
it from the joint KL), so after training, decoding z ~ p(z) samples the data. The likelihood is Bernoulli on
logits for images in [0, 1] and a unit-variance Gaussian (a squared error) for flat data.
Trackers: ``reconstruction_loss`` (nats), ``d_loss`` and ``g_loss`` (the code discriminator's and
the encoder's adversarial losses).
"""

import dataclasses

import keras
import tensorflow as tf
from keras import ops

from zoo import losses
from zoo.adversarial import _per_replica
from zoo.base import GenerativeModel, features, global_batch_mean
from zoo.nets import default_decoder, default_encoder, mlp
from zoo.performance import wrap_optimizer
from zoo.registry import register_model
from zoo.vae import bernoulli_nll, gaussian_nll

LIKELIHOODS = ("bernoulli", "gaussian")


@dataclasses.dataclass(frozen=True)
class AAEConfig:
    """Hyper-parameters of the adversarial autoencoder.

    Attributes:
        latent_dim: size of z. 8 is the paper's MNIST code for likelihood figures; the
            discriminator has to match a distribution in this many dimensions, so small is easier.
        width: size of the default encoder and decoder (see ``zoo.nets.default_encoder``); the
            code discriminator is an MLP of two layers of 16 * width.
        likelihood: "bernoulli" (logits; images in [0, 1]) or "gaussian" (unit variance: a
            squared error; flat data such as 2-D points).
    """

    latent_dim: int = 8
    width: int = 32
    likelihood: str = "bernoulli"

    def __post_init__(self):
        for name in ("latent_dim", "width"):
            value = getattr(self, name)
            if not (isinstance(value, int) and value >= 1):
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if self.likelihood not in LIKELIHOODS:
            raise ValueError(f"unknown likelihood {self.likelihood!r}; expected one of {', '.join(LIKELIHOODS)}")


@register_model("aae")
@keras.saving.register_keras_serializable(package="zoo")
class AAE(GenerativeModel):
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
    # One optimizer per phase: the autoencoder's (encoder and decoder), the discriminator's, and
    # the encoder's as the generator of codes (the paper's separate learning rates per phase).
    optimizer_names = ("ae_optimizer", "d_optimizer", "g_optimizer")
    tracker_names = ("reconstruction_loss", "d_loss", "g_loss")
    data_range = (0.0, 1.0)
    has_encoder = True

    def __init__(self, encoder, decoder, discriminator, config=None, **kwargs):
        super().__init__(config=config, **kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.discriminator = discriminator
        latent = self.config.latent_dim
        if encoder.output_shape[-1] != 2 * latent or decoder.input_shape[-1] != latent:
            raise ValueError(
                f"encoder must output 2 * latent_dim = {2 * latent} values and decoder take {latent}; "
                f"got {encoder.output_shape} and {decoder.input_shape}"
            )
        if tuple(discriminator.input_shape[1:]) != (latent,):
            raise ValueError(f"discriminator must take codes of shape ({latent},); got {discriminator.input_shape}")
        self.data_shape = tuple(decoder.output_shape[1:])
        self.seed_generator = keras.random.SeedGenerator(None)
        self.ae_optimizer = self.d_optimizer = self.g_optimizer = None
        self.built = True

    @classmethod
    def from_shape(cls, input_shape, **overrides):
        """Default networks for ``input_shape`` (conv nets for images, MLPs otherwise); flat inputs
        default to the Gaussian likelihood."""
        if len(input_shape) != 3:
            overrides.setdefault("likelihood", "gaussian")
        config = cls.make_config(**overrides)
        encoder = default_encoder(input_shape, 2 * config.latent_dim, width=config.width)
        decoder = default_decoder(config.latent_dim, input_shape, width=config.width)
        discriminator = mlp((config.latent_dim,), 1, hidden_units=(16 * config.width,) * 2,
                            activation="leaky_relu", name="discriminator")
        return cls(encoder, decoder, discriminator, config=config)

    # -- compile -----------------------------------------------------------------------------

    def make_optimizers(self, learning_rate=None):
        # Adam 1e-3 for the reconstruction; the adversarial pair slower, with beta_1 = 0.5 as in
        # DCGAN, so that the code discriminator does not overpower the encoder.
        lr = learning_rate or 1e-3
        return (keras.optimizers.Adam(lr), keras.optimizers.Adam(lr / 5, beta_1=0.5),
                keras.optimizers.Adam(lr / 5, beta_1=0.5))

    @property
    def updates_per_step(self):
        return (1, 1, 1)

    def compile(self, ae_optimizer, d_optimizer, g_optimizer, jit_compile=True, steps_per_execution=1, **kwargs):
        """One optimizer per phase, each built on its variables before training."""
        super().compile(optimizer=None, jit_compile=jit_compile, steps_per_execution=steps_per_execution, **kwargs)
        self.ae_optimizer = wrap_optimizer(ae_optimizer, self.precision)
        self.d_optimizer = wrap_optimizer(d_optimizer, self.precision)
        self.g_optimizer = wrap_optimizer(g_optimizer, self.precision)
        self.ae_optimizer.build(self._autoencoder_variables())
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.encoder.trainable_variables)

    def compile_optimizers(self, optimizers, jit_compile=True, steps_per_execution=1):
        self.compile(*optimizers, jit_compile=jit_compile, steps_per_execution=steps_per_execution)

    def get_compile_config(self):
        if self.ae_optimizer is None:
            return {}
        return {n: keras.optimizers.serialize(getattr(self, n)) for n in self.optimizer_names}

    def compile_from_config(self, config):
        if config:
            self.compile(*(keras.optimizers.deserialize(config[n]) for n in self.optimizer_names))

    def _autoencoder_variables(self):
        return self.encoder.trainable_variables + self.decoder.trainable_variables

    # -- inference ---------------------------------------------------------------------------

    def encode(self, x, training=False):
        """Posterior parameters ``(mean, log_var)`` of q(z|x), each (batch, latent_dim)."""
        h = ops.cast(self.encoder(x, training=training), "float32")  # (batch, 2 * latent_dim)
        mean, log_var = ops.split(h, 2, axis=-1)
        return mean, log_var

    def _decoder_mean(self, logits):
        if self.config.likelihood == "bernoulli" or len(self.data_shape) == 3:
            return ops.sigmoid(logits)
        return logits

    def sample(self, n_or_z, seed=None):
        """Decode z ~ N(0, I) (or the given codes): (n, *data_shape) float32, images in [0, 1]."""
        return self._decoder_mean(ops.cast(self.decoder(self._codes(n_or_z, seed)), "float32"))

    def encode_outputs(self, x):
        mean, log_var = self.encode(ops.convert_to_tensor(x, dtype="float32"))
        return ops.cast(mean, "float32"), ops.cast(log_var, "float32")

    def call(self, x, training=False):
        mean, _ = self.encode(x)
        return self.sample(mean)

    # -- training ----------------------------------------------------------------------------

    def draw_noise(self, batch_size):
        """``eps`` (batch, latent_dim) for the posterior sample and ``prior_z`` (batch, latent_dim)."""
        latent = self.config.latent_dim
        return {"eps": keras.random.normal((batch_size, latent), seed=self.seed_generator),
                "prior_z": keras.random.normal((batch_size, latent), seed=self.seed_generator)}

    def _posterior_sample(self, x, eps, training):
        mean, log_var = self.encode(x, training=training)
        return mean + ops.exp(0.5 * log_var) * eps  # (batch, latent_dim)

    def _reconstruction(self, x, z, training):
        logits = ops.cast(self.decoder(z, training=training), "float32")  # (batch, *data_shape)
        if self.config.likelihood == "bernoulli":
            return bernoulli_nll(x, logits)
        return gaussian_nll(x, self._decoder_mean(logits), 0.0)

    def _code_logits(self, z, training):
        return ops.cast(self.discriminator(z, training=training), "float32")

    def train_step_with_noise(self, x, noise):
        # 1. Reconstruction phase: encoder and decoder on -log p(x | z), z ~ q(z|x).
        with tf.GradientTape() as tape:
            reconstruction = self._reconstruction(x, self._posterior_sample(x, noise["eps"], True), True)
            scaled = self.ae_optimizer.scale_loss(global_batch_mean(reconstruction))
        variables = self._autoencoder_variables()
        self.ae_optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        # 2. Regularization, discriminator: prior samples are "real", encoded data "fake".
        z_fake = self._posterior_sample(x, noise["eps"], True)
        with tf.GradientTape() as tape:
            d_loss = losses.minimax_discriminator_loss(self._code_logits(noise["prior_z"], True),
                                                       self._code_logits(z_fake, True))
            scaled = self.d_optimizer.scale_loss(_per_replica(d_loss))
        variables = self.discriminator.trainable_variables
        self.d_optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        # 3. Regularization, encoder as the generator of codes: make q(z) look like p(z).
        with tf.GradientTape() as tape:
            g_loss = losses.non_saturating_generator_loss(
                self._code_logits(self._posterior_sample(x, noise["eps"], True), True))
            scaled = self.g_optimizer.scale_loss(_per_replica(g_loss))
        variables = self.encoder.trainable_variables
        self.g_optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        return self._update_trackers(reconstruction, d_loss, g_loss)

    def test_step(self, data):
        x = features(data)
        noise = self.draw_noise(tf.shape(x)[0])
        z = self._posterior_sample(x, noise["eps"], False)
        reconstruction = self._reconstruction(x, z, False)
        d_loss = losses.minimax_discriminator_loss(self._code_logits(noise["prior_z"], False),
                                                   self._code_logits(z, False))
        g_loss = losses.non_saturating_generator_loss(self._code_logits(z, False))
        return self._update_trackers(reconstruction, d_loss, g_loss)

    def _update_trackers(self, reconstruction, d_loss, g_loss):
        self.tracker("reconstruction_loss").update_state(reconstruction)
        self.tracker("d_loss").update_state(d_loss)
        self.tracker("g_loss").update_state(g_loss)
        return self.results()

"""Variational autoencoder (Kingma & Welling, "Auto-Encoding Variational Bayes", ICLR 2014).

An encoder gives a per-example Gaussian posterior q(z|x) = N(mean(x), diag(exp(log_var(x)))), a
decoder gives the likelihood p(x|z), and the prior is p(z) = N(0, I). Training minimizes the
negative evidence lower bound, one reparameterized sample z per example:

    loss(x) = E_{q(z|x)}[-log p(x|z)] + beta * KL(q(z|x) || N(0, I))
            ~ -log p(x | z = mean + exp(log_var / 2) * eps) + beta * gaussian_kl(mean, log_var),
      eps ~ N(0, I).

With beta = 1 the loss is -ELBO >= -log p(x), in nats per example; beta > 1 is the beta-VAE
(Higgins et al., ICLR 2017). The likelihood is Bernoulli on logits (binary or [0, 1] pixels),
Gaussian with one learned variance shared by all pixels, or, for 8-bit (colour) images, the
discretized logistic with a learned scale per pixel and channel, whose NLL in bits per dimension is
the unit of CIFAR-10 results. docs/theory.md derives every term.
"""

import dataclasses

import keras
import tensorflow as tf
from keras import ops

from zoo.distribute import global_batch_mean
from zoo.divergences import gaussian_kl
from zoo.likelihoods import Sampling
from zoo.models.base import (
    LIKELIHOODS,
    AutoencoderModel,
    check_choice,
    check_non_negative,
    check_positive_ints,
    features,
    labels_of,
)
from zoo.nets.defaults import NETS
from zoo.registry import register_model


@dataclasses.dataclass(frozen=True)
class VAEConfig:
    """Hyper-parameters of the VAE.

    Attributes:
        latent_dim: size of z. 32 is ample for MNIST-like data (a 2-D z is only good for plots).
        beta: weight of the KL term. 1 gives the true ELBO; > 1 trades reconstructions for a
            more factorized code (beta-VAE).
        likelihood: "bernoulli" (logits; the standard choice for [0, 1] pixels and the one
            likelihood bounds on MNIST are reported for), "gaussian" (learned shared variance;
            for real-valued data such as 2-D points) or "logistic" (the discretized logistic of
            8-bit images, a learned log-scale per pixel and channel: a true probability of the
            256 levels, reported in bits per dimension; images only).
        width: size of the default networks: conv channels (width, 2 * width, ... one per stage)
            and a dense layer of 8 * width for images; hidden layers of 16 * width for flat inputs.
        nets: the network family (``zoo.nets.defaults``): "default" (DCGAN conv nets for images,
            MLPs otherwise), "dcgan", "resnet", "mlp" or, for vectors, "pacgan".
    """

    latent_dim: int = 32
    beta: float = 1.0
    likelihood: str = "bernoulli"
    width: int = 32
    nets: str = "default"

    def __post_init__(self):
        check_positive_ints(self, "latent_dim", "width")
        check_non_negative(self, "beta")
        check_choice(self, "likelihood", LIKELIHOODS)
        check_choice(self, "nets", NETS)


@register_model("vae")
@keras.saving.register_keras_serializable(package="zoo")
class VAE(AutoencoderModel):
    """Variational autoencoder with a Gaussian posterior and a Bernoulli or Gaussian decoder.

    One player: ``optimizer`` (Keras' own attribute) trains every variable, the networks and the
    Gaussian likelihood's learned variance or the logistic's learned scales.

    Args:
        encoder: network from images (batch, *data_shape) to (batch, 2 * latent_dim): the
            posterior mean and log-variance, concatenated.
        decoder: network from (batch, latent_dim) to (batch, *data_shape): Bernoulli logits, or
            the pre-activation of the Gaussian mean (sigmoid for images, identity otherwise).
        config: a ``VAEConfig``.
    """

    config_class = VAEConfig
    network_names = ("encoder", "decoder")
    tracker_names = ("loss", "reconstruction_loss", "kl_loss")
    value_range = (0.0, 1.0)
    has_likelihood = True

    def __init__(self, encoder, decoder, config=None, **kwargs):
        super().__init__(encoder, decoder, config=config, **kwargs)
        # (A conditional decoder's first input is z, its second the labels: zoo.nets.conditional.)
        self._check_code_sizes(decoder, "decoder")
        self.data_shape = tuple(decoder.output_shape[1:])
        # Its seed generator draws eps (the layer's name is in saved files and checkpoints).
        self.sampler = Sampling(name="sampling", dtype="float32")
        if self.config.likelihood == "gaussian":
            # One learned variance shared by every output value ("sigma-VAE"): the maximum-
            # likelihood noise level instead of a hand-set reconstruction weight.
            self.decoder_log_var = self.add_weight(shape=(), initializer="zeros", name="decoder_log_var")
        elif self.config.likelihood == "logistic":
            if len(self.data_shape) != 3:
                raise ValueError(
                    f"likelihood='logistic' is the discretized logistic of 8-bit images (height, width, "
                    f"channels), got data of shape {self.data_shape}: use 'gaussian' for real-valued data"
                )
            # One log-scale per pixel and channel, independent of z; it starts at a scale of about
            # 12 grey levels (e^-3 = 0.05) and is floored at e^-7 in the NLL.
            self.decoder_log_scale = self.add_weight(
                shape=self.data_shape, initializer=keras.initializers.Constant(-3.0), name="decoder_log_scale"
            )
        self.built = True

    @classmethod
    def from_shape(cls, input_shape, **overrides):
        """Default networks for ``input_shape``: conv nets for images, MLPs otherwise.

        Flat inputs (e.g. 2-D points) default to the Gaussian likelihood.
        """
        if len(input_shape) != 3:
            overrides.setdefault("likelihood", "gaussian")
        config = cls.make_config(**overrides)
        encoder = cls.encoder_network(config, input_shape, 2 * config.latent_dim, width=config.width, nets=config.nets)
        decoder = cls.decoder_network(config, config.latent_dim, input_shape, width=config.width, nets=config.nets)
        return cls(encoder, decoder, config=config)

    # -- inference: sample (the decoder's mean of z ~ N(0, I)), decode, decoder_logits, encode
    # and reconstruct are AutoencoderModel's ----------------------------------------------------

    # -- training ----------------------------------------------------------------------------

    def _likelihood_log_var(self):
        return self.decoder_log_var  # the learned one

    def _likelihood_log_scale(self):
        return self.decoder_log_scale  # the learned one

    def loss_terms(self, x, eps=None, training=False, labels=None):
        """Per-example reconstruction and KL terms of the negative ELBO.

        Args:
            x: data, (batch, *data_shape).
            eps: optional fixed noise (batch, latent_dim) for the reparameterization (drawn
                here when None).
            training: forwarded to the networks.
            labels: (batch,) class ids, for a conditional model only (the conditional ELBO).

        Returns:
            ``(reconstruction, kl)``, each (batch,), nats.
        """
        # 1. Encode: q(z|x) = N(mean, exp(log_var))
        mean, log_var = self.encode(x, training=training, labels=labels)  # (batch, latent_dim) each
        # 2. Reparameterize: z = mean + exp(log_var / 2) * eps
        if eps is None:
            eps = self.draw_noise(ops.shape(mean)[0])["eps"]
        z = self.reparameterize(mean, log_var, eps)
        # 3. Decode: logits of p(x|z)
        logits = self.decoder_logits(z, labels, training=training)  # (batch, *data_shape)
        # 4. Reconstruction term: -log p(x|z)
        reconstruction = self.reconstruction_nll(x, logits)
        # 5. KL term: KL(q(z|x) || N(0, I))
        kl = gaussian_kl(mean, log_var)
        return reconstruction, kl

    def _update_trackers(self, reconstruction, kl):
        self.tracker("loss").update_state(reconstruction + self.config.beta * kl)
        self.tracker("reconstruction_loss").update_state(reconstruction)
        self.tracker("kl_loss").update_state(kl)
        return self.results()

    def draw_noise(self, batch_size):
        """``eps`` (batch, latent_dim): the reparameterization's noise."""
        return {"eps": keras.random.normal((batch_size, self.config.latent_dim), seed=self.sampler.seed_generator)}

    def train_step_with_noise(self, x, noise, labels=None):
        with tf.GradientTape() as tape:
            reconstruction, kl = self.loss_terms(x, eps=noise["eps"], training=True, labels=labels)
            # 6. Loss = reconstruction + beta * KL, averaged over the batch
            # (over the global batch under tf.distribute: the optimizer sums replicas' gradients).
            loss = global_batch_mean(reconstruction + self.config.beta * kl)
            # 7. Scaled by the optimizer's loss scale under mixed_float16 (identity otherwise);
            # apply_gradients divides it back out.
            scaled = self.optimizer.scale_loss(loss)
        self.apply_update("optimizer", tape, scaled)
        return self._update_trackers(reconstruction, kl)

    def test_step(self, data):
        labels = labels_of(data) if self.conditional else None
        reconstruction, kl = self.loss_terms(features(data), training=False, labels=labels)
        return self._update_trackers(reconstruction, kl)

"""Likelihoods of the decoders and the reparameterized Gaussian posterior sample.

Bernoulli on logits, Gaussian, and the discretized logistic of 8-bit images. Shared by the VAE and
cVAE (training), the AAE (its reconstruction term), ALI (its encoder's
sample) and the importance-weighted bound (``zoo.evaluation.likelihood``). Every negative
log-likelihood is summed over all non-batch axes: nats per example.
"""

import math

import keras
import tensorflow as tf
from keras import ops


def bernoulli_nll(x, logits):
    """-log Bernoulli(x | sigmoid(logits)), summed over all non-batch axes.

    Equals the sigmoid cross-entropy; x may be binary or a probability in [0, 1].

    Args:
        x: targets, shape (batch, ...).
        logits: decoder outputs, same shape.

    Returns:
        Tensor of shape (batch,), nats.
    """
    nll = tf.nn.sigmoid_cross_entropy_with_logits(labels=x, logits=logits)
    return tf.reduce_sum(tf.reshape(nll, [tf.shape(nll)[0], -1]), axis=-1)


def gaussian_nll(x, mean, log_var):
    """-log N(x | mean, exp(log_var)), summed over all non-batch axes.

    Args:
        x: targets, shape (batch, ...).
        mean: decoder means, same shape.
        log_var: log-variance, broadcastable to x (a scalar for a shared variance).

    Returns:
        Tensor of shape (batch,), nats.
    """
    nll = 0.5 * (tf.square(x - mean) * tf.exp(-log_var) + log_var + math.log(2.0 * math.pi))
    return tf.reduce_sum(tf.reshape(nll, [tf.shape(nll)[0], -1]), axis=-1)


# The discretized logistic: 8-bit data, a floor on the log-scale (PixelCNN++'s -7).
LEVELS = 256
MIN_LOG_SCALE = -7.0


def discretized_logistic_nll(x, mean, log_scale, levels=LEVELS):
    """-log P(x | mean, scale) of the discretized logistic, summed over all non-batch axes.

    For data of ``levels`` grey levels k / (levels - 1) in [0, 1] (8-bit images: levels 256), the
    probability of a level is the logistic's mass on its bin of width 1 / (levels - 1) centred on
    it, the two end bins reaching to -inf and +inf (Salimans et al., PixelCNN++, ICLR 2017; Kingma
    et al., IAF, NeurIPS 2016). Each pixel's probabilities over the levels sum to 1, so the NLL is
    of a discrete variable and ``nll / (D log 2)`` is bits per dimension.

    x is first rounded to the nearest level, so data resized off the grid is scored as the level
    it is nearest to. log_scale is floored at ``MIN_LOG_SCALE``. Where a bin's mass underflows in
    float32 (a scale far below the bin width), its log is the density at the centre times the
    bin width, as in PixelCNN++.

    Args:
        x: targets in [0, 1], shape (batch, ...).
        mean: the logistic's location, same shape (the decoder's sigmoid mean).
        log_scale: log of its scale, broadcastable to x (one per pixel and channel, or a scalar).
        levels: number of levels of the data (>= 2).

    Returns:
        Tensor of shape (batch,), nats.
    """
    half_bin = 0.5 / (levels - 1)
    x = tf.round(tf.clip_by_value(x, 0.0, 1.0) * (levels - 1)) / (levels - 1)
    log_scale = tf.maximum(tf.cast(log_scale, x.dtype), MIN_LOG_SCALE)
    inv_scale = tf.exp(-log_scale)
    centred = x - mean
    upper = inv_scale * (centred + half_bin)  # standardized bin edges
    lower = inv_scale * (centred - half_bin)
    log_cdf_upper = upper - tf.nn.softplus(upper)  # log sigmoid(upper): the bottom bin's mass
    log_survival_lower = -tf.nn.softplus(lower)  # log (1 - sigmoid(lower)): the top bin's mass
    mass = tf.sigmoid(upper) - tf.sigmoid(lower)
    middle = inv_scale * centred
    log_density_mid = middle - log_scale - 2.0 * tf.nn.softplus(middle)  # log logistic pdf at x
    log_mass = tf.where(
        mass > 1e-5,
        tf.math.log(tf.maximum(mass, 1e-12)),
        log_density_mid + math.log(2.0 * half_bin),
    )
    log_prob = tf.where(x < half_bin, log_cdf_upper, tf.where(x > 1.0 - half_bin, log_survival_lower, log_mass))
    nll = -log_prob
    return tf.reduce_sum(tf.reshape(nll, [tf.shape(nll)[0], -1]), axis=-1)


def reparameterize(mean, log_var, eps):
    """z = mean + exp(log_var / 2) * eps: a sample of N(mean, diag(exp(log_var))) for eps ~ N(0, I)
    that is a differentiable function of mean and log_var (the reparameterization trick).

    Args:
        mean, log_var: (batch, latent_dim) posterior parameters.
        eps: (batch, latent_dim) standard normal draws; cast to mean's dtype.

    Returns:
        (batch, latent_dim) codes.
    """
    return mean + ops.exp(0.5 * log_var) * ops.cast(eps, mean.dtype)


@keras.saving.register_keras_serializable(package="zoo")
class Sampling(keras.layers.Layer):
    """The reparameterization trick: z = mean + exp(log_var / 2) * eps, eps ~ N(0, I).

    The randomness enters as the input eps, so z is a differentiable function of mean and
    log_var and the gradient of the loss flows back into the encoder.
    """

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, mean, log_var, eps=None):
        if eps is None:
            eps = keras.random.normal(ops.shape(mean), dtype=mean.dtype, seed=self.seed_generator)
        return reparameterize(mean, log_var, eps)  # (batch, latent_dim)

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}

"""Likelihoods of the decoders and the reparameterized Gaussian posterior sample.

Shared by the VAE and cVAE (training), the AAE (its reconstruction term), ALI (its encoder's
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

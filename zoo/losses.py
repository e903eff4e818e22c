"""Adversarial losses as pure functions on discriminator logits / critic outputs.

Named ``<family>_generator_loss(fake_outputs)`` and ``<family>_discriminator_loss(real_outputs,
fake_outputs)`` in TF-GAN's order; each returns the batch mean. With D(x) = sigmoid(l(x)):

    minimax:         L_D = -E log D(x) - E log(1 - D(G(z)))
                         = E softplus(-l(x)) + E softplus(l(G(z)))
                     L_G =  E log(1 - D(G(z))) = -E softplus(l(G(z)))      (Goodfellow et al. 2014)
    non-saturating:  L_G = -E log D(G(z)) = E softplus(-l(G(z)))           (same paper, section 3)
    wasserstein:     L_D = E f(G(z)) - E f(x),   L_G = -E f(G(z))           (Arjovsky et al. 2017)
    gradient penalty: E_xhat (||grad f(xhat)||_2 - 1)^2,
                     xhat = a x + (1 - a) G(z), a ~ U[0, 1] per example    (Gulrajani et al. 2017)

docs/theory.md, section 5, derives them.
"""

import keras
import tensorflow as tf

GRADIENT_NORM_EPSILON = 1e-12  # inside the square root: the norm's gradient is finite at 0


def _mean(x):
    return tf.reduce_mean(tf.cast(x, tf.float32))


def minimax_discriminator_loss(real_outputs, fake_outputs):
    """-E log D(x) - E log(1 - D(G(z))): the binary cross-entropy of real = 1, fake = 0.

    Args:
        real_outputs: discriminator logits on real data, (batch, ...).
        fake_outputs: discriminator logits on generated data, (batch, ...).

    Returns:
        Scalar: the sum of the two batch means.
    """
    return _mean(tf.nn.softplus(-real_outputs)) + _mean(tf.nn.softplus(fake_outputs))


def minimax_generator_loss(fake_outputs):
    """E log(1 - D(G(z))), minimized by the generator; saturates when D rejects the fakes.

    Args:
        fake_outputs: discriminator logits on generated data, (batch, ...).

    Returns:
        Scalar batch mean (<= 0).
    """
    return -_mean(tf.nn.softplus(fake_outputs))


def non_saturating_generator_loss(fake_outputs):
    """-E log D(G(z)): same fixed point as minimax, strong gradients when D rejects the fakes.

    Its discriminator loss is ``minimax_discriminator_loss``.

    Args:
        fake_outputs: discriminator logits on generated data, (batch, ...).

    Returns:
        Scalar batch mean (>= 0).
    """
    return _mean(tf.nn.softplus(-fake_outputs))


def wasserstein_discriminator_loss(real_outputs, fake_outputs):
    """E f(G(z)) - E f(x): minus the critic's estimate of the Wasserstein-1 distance.

    Args:
        real_outputs: critic values on real data, (batch, ...).
        fake_outputs: critic values on generated data, (batch, ...).

    Returns:
        Scalar.
    """
    return _mean(fake_outputs) - _mean(real_outputs)


def wasserstein_generator_loss(fake_outputs):
    """-E f(G(z)).

    Args:
        fake_outputs: critic values on generated data, (batch, ...).

    Returns:
        Scalar batch mean.
    """
    return -_mean(fake_outputs)


def interpolation_weights(batch_size, rank, seed=None):
    """a ~ U[0, 1], one per example, shaped (batch, 1, ..., 1) to broadcast over an example.

    Args:
        batch_size: number of examples (an int or a scalar tensor).
        rank: rank of the data tensors (4 for images, 2 for vectors).
        seed: a ``keras.random.SeedGenerator`` (stateless draws that XLA keeps reproducible),
            an int, or None.

    Returns:
        float32 tensor of shape (batch_size, 1, ..., 1) with ``rank`` axes.
    """
    return keras.random.uniform((batch_size, *([1] * (rank - 1))), seed=seed)


def gradient_penalty(critic, real, fake, weights=None, training=True, seed=None):
    """E (||grad_xhat f(xhat)||_2 - 1)^2 on xhat = a real + (1 - a) fake, a ~ U[0, 1] per example.

    The norm is taken per example over all non-batch axes, with ``GRADIENT_NORM_EPSILON`` inside
    the square root.

    Args:
        critic: callable from data to critic values (batch, 1).
        real: real data, (batch, ...).
        fake: generated data, same shape.
        weights: optional interpolation weights a, (batch, 1, ..., 1); drawn from U[0, 1] when
            None (pass them to fix the random draw, e.g. to compare two executions).
        training: forwarded to the critic.
        seed: seed of the weights' draw when ``weights`` is None (see ``interpolation_weights``).

    Returns:
        Scalar batch mean of the squared deviation of the gradient norm from 1.
    """
    real = tf.convert_to_tensor(real)
    fake = tf.cast(fake, real.dtype)
    if weights is None:
        weights = interpolation_weights(tf.shape(real)[0], real.shape.rank, seed=seed)
    weights = tf.cast(weights, real.dtype)
    interpolates = weights * real + (1.0 - weights) * fake
    with tf.GradientTape() as tape:
        tape.watch(interpolates)
        values = critic(interpolates, training=training)
    grads = tape.gradient(values, interpolates)  # (batch, ...)
    squared = tf.reduce_sum(tf.reshape(tf.square(grads), [tf.shape(grads)[0], -1]), axis=-1)
    norms = tf.sqrt(squared + GRADIENT_NORM_EPSILON)  # (batch,)
    return _mean(tf.square(norms - 1.0))

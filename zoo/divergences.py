"""Information-theoretic quantities the zoo's objectives are built from.

Discrete distributions are tensors whose last axis holds probabilities that sum to one; every
function is batched over the leading axes and returns values in nats (natural logarithm):

    H(p)      = -sum_i p_i log p_i                                   (entropy)
    H(p, q)   = -sum_i p_i log q_i                                   (cross_entropy)
    KL(p||q)  =  sum_i p_i log(p_i / q_i) = H(p, q) - H(p)           (kl_divergence)
    JS(p, q)  =  KL(p||m)/2 + KL(q||m)/2,  m = (p + q)/2             (js_divergence)

with the convention 0 log 0 = 0 (terms where p_i = 0 contribute nothing, also to the gradient).

The VAE's regularizer is the KL from a diagonal Gaussian posterior to the standard normal prior,
in closed form (derivation in docs/theory.md, "The KL to N(0, I)"):

    KL(N(mu, diag(sigma^2)) || N(0, I)) = 1/2 sum_j (mu_j^2 + sigma_j^2 - log sigma_j^2 - 1)

(gaussian_kl), summed over the last (latent) axis.
"""

import tensorflow as tf


def _xlogy(x, y):
    """x * log(y), defined as 0 where x == 0 (tf.math.xlogy, with a safe gradient)."""
    return tf.math.xlogy(x, tf.where(tf.equal(x, 0.0), tf.ones_like(y), y))


def entropy(p):
    """Shannon entropy H(p) = -sum p log p over the last axis, in nats.

    Args:
        p: probabilities, shape (..., k), summing to one over the last axis.

    Returns:
        Tensor of shape (...).
    """
    p = tf.convert_to_tensor(p, dtype_hint=tf.float32)
    return -tf.reduce_sum(_xlogy(p, p), axis=-1)


def cross_entropy(p, q):
    """Cross-entropy H(p, q) = -sum p log q over the last axis, in nats.

    Infinite where q_i = 0 for some p_i > 0: no finite code for an event q rules out.

    Args:
        p: probabilities of the true distribution, shape (..., k).
        q: probabilities of the model distribution, same shape (or broadcastable).

    Returns:
        Tensor of shape (...).
    """
    p = tf.convert_to_tensor(p, dtype_hint=tf.float32)
    q = tf.convert_to_tensor(q, dtype=p.dtype)
    return -tf.reduce_sum(_xlogy(p, q), axis=-1)


def kl_divergence(p, q):
    """Kullback-Leibler divergence KL(p || q) = sum p log(p / q) over the last axis, in nats.

    Computed as sum p (log p - log q) rather than H(p, q) - H(p) so that it is exactly zero for
    p == q and suffers less cancellation. For p close to q the terms have both signs and their
    rounded sum can come out slightly negative (about -1e-7 in float32): clamp with max(., 0)
    where a sign matters.

    Args:
        p: probabilities, shape (..., k).
        q: probabilities, same shape (or broadcastable).

    Returns:
        Tensor of shape (...): >= 0 in exact arithmetic (Gibbs), 0 where p == q, and up to float
        rounding below 0 where p is close to q.
    """
    p = tf.convert_to_tensor(p, dtype_hint=tf.float32)
    q = tf.convert_to_tensor(q, dtype=p.dtype)
    return tf.reduce_sum(_xlogy(p, p) - _xlogy(p, q), axis=-1)


def js_divergence(p, q):
    """Jensen-Shannon divergence JS(p, q) = KL(p || m)/2 + KL(q || m)/2 with m = (p + q)/2.

    Symmetric and bounded by log 2 (reached for distributions with disjoint supports): the
    divergence an optimal GAN discriminator makes the generator minimize (docs/theory.md).

    Args:
        p: probabilities, shape (..., k).
        q: probabilities, same shape (or broadcastable).

    Returns:
        Tensor of shape (...), in [0, log 2].
    """
    p = tf.convert_to_tensor(p, dtype_hint=tf.float32)
    q = tf.convert_to_tensor(q, dtype=p.dtype)
    m = 0.5 * (p + q)
    return 0.5 * kl_divergence(p, m) + 0.5 * kl_divergence(q, m)


def gaussian_kl(mean, log_var):
    """KL(N(mean, diag(exp(log_var))) || N(0, I)), summed over the last axis, in nats.

    The closed form 1/2 sum (mean^2 + exp(log_var) - log_var - 1); see docs/theory.md for the
    derivation.

    Args:
        mean: posterior means, shape (..., latent_dim).
        log_var: posterior log-variances, same shape.

    Returns:
        Tensor of shape (...).
    """
    mean = tf.convert_to_tensor(mean, dtype_hint=tf.float32)
    log_var = tf.convert_to_tensor(log_var, dtype=mean.dtype)
    return 0.5 * tf.reduce_sum(tf.square(mean) + tf.exp(log_var) - log_var - 1.0, axis=-1)

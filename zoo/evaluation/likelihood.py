"""Likelihood bounds of the models that have one (``GenerativeModel.has_likelihood``: the VAE and
the cVAE), in nats per example: the ELBO and the importance-weighted bound.

The ELBO
--------

    ELBO(x) = E_q(z|x)[log p(x|z)] - KL(q(z|x) || p(z)) <= log p(x)

with the analytic KL term and one reparameterized sample z = mean + exp(log_var / 2) eps per
example (``VAE.loss_terms``); for beta = 1 it is the model's -loss.

The importance-weighted bound
-----------------------------

Burda et al., "Importance Weighted Autoencoders" (ICLR 2016): with z_1..z_k ~ q(z|x),

    L_k(x) = log (1/k) sum_i w_i,   w_i = p(x|z_i) p(z_i) / q(z_i|x)
           = logsumexp_i(log w_i) - log k

is a lower bound on log p(x) that increases with k (in expectation) and reaches log p(x) as
k -> inf; L_1 is the one-sample ELBO. When q(z|x) is the exact posterior, every w_i equals p(x)
and L_k = log p(x) for every k. ``importance_weighted_bound`` returns L_k per example in nats;
-mean(L_k) is the usual "test NLL <= ..." figure.

On a test split (``likelihood_metrics``, what ``zoo.evaluation.protocol.evaluate`` records):
the Bernoulli likelihood's data is binarized once with the seed (x ~ Bernoulli(pixel), NumPy),
the data of the published MNIST bounds; the discretized logistic's is scored at its 256 levels
(``zoo.likelihoods.discretized_logistic_nll``); the Gaussian likelihood's is taken as given. The
ELBO is on the whole split, the IW bound on its first ``iw_examples``.

Bits per dimension
------------------

Where the data is discrete (binarized pixels, or 8-bit levels under the logistic) the bounds are
bounds on a probability, and ``-bound / (D log 2)`` over the D = H * W * C values of an example is
the NLL in bits per dimension, the unit of CIFAR-10 and ImageNet results. A Gaussian's density of
continuous data has no such reading, so it gets none.
"""

import logging
import math

import numpy as np
import tensorflow as tf

from zoo.likelihoods import bernoulli_nll, discretized_logistic_nll, gaussian_nll

__all__ = [
    "IW_CHUNK",
    "LIKELIHOOD_BATCH",
    "DISCRETE_LIKELIHOODS",
    "binarize",
    "bits_per_dim",
    "elbo",
    "importance_weighted_bound",
    "likelihood_metrics",
    "standard_error",
]

# Likelihoods of discrete data, whose bounds read as bits per dimension.
DISCRETE_LIKELIHOODS = ("bernoulli", "logistic")
LIKELIHOOD_BATCH = 500  # examples per ELBO step
IW_CHUNK = 500  # examples per call of importance_weighted_bound (one progress line each)

_log = logging.getLogger(__name__)


def likelihood_metrics(model, x, iw_k, iw_examples=None, seed=0, labels=None, log=None):
    """The ELBO on all of ``x`` and the IW bound on its first ``iw_examples``, nats per example.

    Args:
        model: a model with ``has_likelihood`` (``loss_terms``, ``encode``, ``config.likelihood``).
        x: (n, *model.data_shape) test data in the model's ``value_range``; binarized here for the
            Bernoulli likelihood.
        iw_k: importance samples per example, >= 1.
        iw_examples: examples of the IW bound (None: all of ``x``).
        seed: seed of the binarization and of the noise of both bounds.
        labels: (n,) class ids of a conditional model (the bounds are then on log p(x | c)).
        log: callable taking one line of progress (default: this module's logger).

    Returns:
        The ``likelihood`` dict of ``metrics.json``: ``elbo``, ``elbo_standard_error``,
        ``elbo_num_examples``, ``iw_bound``, ``iw_bound_standard_error``, ``iw_k``,
        ``iw_num_examples``, ``elbo_on_iw_examples``, ``binarized``, ``binarize_seed``, ``units``,
        and, for discrete data (Bernoulli or logistic), ``elbo_bits_per_dim`` and
        ``iw_bound_bits_per_dim`` (None for the Gaussian).
    """
    log = log or _log.info
    binarized = getattr(model.config, "likelihood", None) == "bernoulli"
    rng = np.random.default_rng(seed)  # the binarization first, then the ELBO's noise
    x = binarize(x, rng) if binarized else np.asarray(x, dtype=np.float32)
    log(f"ELBO on {len(x)} test examples")
    elbos = elbo(model, x, rng, labels=labels)
    m = len(x) if iw_examples is None else min(iw_examples, len(x))
    bounds = np.empty(m)
    for i, start in enumerate(range(0, m, IW_CHUNK)):
        stop = min(start + IW_CHUNK, m)
        log(f"IW bound, k = {iw_k}: examples {start + 1}-{stop} of {m}")
        # One seed per chunk ([seed, i]): the chunks draw independent noise.
        bounds[start:stop] = importance_weighted_bound(
            model, x[start:stop], iw_k, seed=[seed, i], labels=None if labels is None else labels[start:stop]
        )
    dims = int(np.prod(x.shape[1:]))
    discrete = getattr(model.config, "likelihood", None) in DISCRETE_LIKELIHOODS
    return {
        "elbo": float(elbos.mean()),
        "elbo_standard_error": standard_error(elbos),
        "elbo_num_examples": int(len(x)),
        "iw_bound": float(bounds.mean()),
        "iw_bound_standard_error": standard_error(bounds),
        "iw_k": int(iw_k),
        "iw_num_examples": int(m),
        "elbo_on_iw_examples": float(elbos[:m].mean()),
        "binarized": binarized,
        "binarize_seed": int(seed) if binarized else None,
        "units": "nats per example",
        "elbo_bits_per_dim": bits_per_dim(elbos.mean(), dims) if discrete else None,
        "iw_bound_bits_per_dim": bits_per_dim(bounds.mean(), dims) if discrete else None,
    }


def bits_per_dim(log_likelihood, dims):
    """-log_likelihood (nats per example) / (dims * log 2): bits per dimension."""
    return float(-log_likelihood / (dims * math.log(2.0)))


def standard_error(values):
    """Standard error of the mean over examples: std (ddof = 1) / sqrt(n); None for fewer than 2."""
    values = np.asarray(values, dtype=np.float64)
    return float(values.std(ddof=1) / np.sqrt(len(values))) if len(values) > 1 else None


def binarize(x, rng):
    """x ~ Bernoulli(pixel) once, float32: grey levels in [0, 1] as binary data."""
    x = np.asarray(x, dtype=np.float32)
    return (rng.uniform(size=x.shape) < x).astype(np.float32)


def elbo(model, x, rng, labels=None, batch_size=LIKELIHOOD_BATCH):
    """The one-sample ELBO of every example (module docstring), float64 (n,), nats.

    Args:
        model: a model with ``has_likelihood``.
        x: (n, *model.data_shape) data.
        rng: a ``numpy.random.Generator``: the eps of each batch, drawn in order.
        labels: (n,) class ids of a conditional model.
        batch_size: examples per step.
    """
    values = np.empty(len(x))
    for start in range(0, len(x), batch_size):
        xb = x[start : start + batch_size]
        eps = rng.standard_normal((len(xb), model.latent_dim)).astype(np.float32)  # (b, latent_dim)
        lb = None if labels is None else tf.constant(labels[start : start + batch_size], tf.int32)
        reconstruction, kl = model.loss_terms(tf.constant(xb), eps=tf.constant(eps), training=False, labels=lb)
        values[start : start + len(xb)] = -(np.asarray(reconstruction, np.float64) + np.asarray(kl, np.float64))
    return values


def importance_weighted_bound(model, x, k, batch_size=100, max_decoder_batch=10_000, seed=0, labels=None):
    """The IWAE bound L_k(x) <= log p(x) of a zoo VAE, per example, in nats (module docstring).

    The k samples are drawn in chunks of ``max_decoder_batch // batch_size`` so that the decoder
    never sees more than ``max_decoder_batch`` codes at once: k = 5,000 costs time, not memory.
    log q(z|x) and log p(z) are computed in float64 from eps; the decoder's log-likelihood in the
    model's own precision; the log-sum-exp over the k weights in float64.

    The bound is on the density of ``x`` as given: for the Bernoulli likelihood the published
    MNIST figures use binarized images (with grey levels in [0, 1], -log p(x|z) is a
    cross-entropy, not a negative log-likelihood of a discrete variable).

    Args:
        model: a ``zoo.models.vae.VAE`` or ``CVAE`` (``encode``, ``decoder``, ``config.likelihood``).
        x: (n, *model.data_shape) data in the model's ``value_range``.
        k: importance samples per example, >= 1 (1 gives a one-sample ELBO).
        batch_size: examples encoded at a time.
        max_decoder_batch: codes decoded at a time (examples x samples).
        seed: seed of the eps ~ N(0, I) draws (the result depends on it and on the batch sizes).
        labels: (n,) class ids, for a conditional model (the bound is then on log p(x | c)).

    Returns:
        float64 (n,): L_k of every example; ``-mean`` is the NLL bound in nats per example.

    Raises:
        ValueError: a model without an encoder and likelihood, data of the wrong shape, or a
            non-positive k or batch size.
    """
    log_likelihood = _check_bound_arguments(model, k, batch_size, max_decoder_batch)
    x = np.asarray(x, dtype=np.float32)
    if x.shape[1:] != tuple(model.data_shape) or len(x) == 0:
        raise ValueError(f"x must have shape (n, {', '.join(map(str, model.data_shape))}) with n >= 1, got {x.shape}")
    rng = np.random.default_rng(seed)
    chunk = max(1, min(k, max_decoder_batch // batch_size))
    bounds = np.empty(len(x))
    for start in range(0, len(x), batch_size):
        xb = x[start : start + batch_size]  # (b, *data_shape)
        lb = None if labels is None else tf.constant(labels[start : start + batch_size], tf.int32)  # (b,)
        mean, log_var = (
            np.asarray(t, dtype=np.float64) for t in model.encode(tf.constant(xb), labels=lb)
        )  # (b, latent)
        log_weights = []
        for done in range(0, k, chunk):
            eps = rng.standard_normal((min(chunk, k - done), *mean.shape))  # (kc, b, latent)
            log_weights.append(_log_weights(model, log_likelihood, xb, lb, mean, log_var, eps))
        log_weights = np.concatenate(log_weights)  # (k, b)
        peak = log_weights.max(axis=0)  # (b,): log-sum-exp, stably
        bounds[start : start + len(xb)] = peak + np.log(np.mean(np.exp(log_weights - peak), axis=0))
    return bounds


def _check_bound_arguments(model, k, batch_size, max_decoder_batch):
    """The model's log-likelihood function, or a ValueError for what cannot be bounded."""
    likelihood = getattr(getattr(model, "config", None), "likelihood", None)
    if not getattr(model, "has_likelihood", False) or likelihood not in _LOG_LIKELIHOODS:
        raise ValueError(
            f"importance_weighted_bound needs a zoo VAE (has_likelihood, with a likelihood in "
            f"{', '.join(_LOG_LIKELIHOODS)}), got {type(model).__name__}"
        )
    for name, value in (("k", k), ("batch_size", batch_size), ("max_decoder_batch", max_decoder_batch)):
        if not (isinstance(value, (int, np.integer)) and value >= 1):
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return _LOG_LIKELIHOODS[likelihood]


def _log_weights(model, log_likelihood, xb, lb, mean, log_var, eps):
    """log w = log p(x|z) + log p(z) - log q(z|x) of kc draws z = mean + sigma eps per example.

    Args:
        xb: (b, *data_shape) examples; lb: their (b,) labels or None.
        mean, log_var: (b, latent) float64 posterior of each example.
        eps: (kc, b, latent) standard normal draws.

    Returns:
        float64 (kc, b).
    """
    kc, b = eps.shape[:2]
    z = mean + np.exp(0.5 * log_var) * eps
    log_q = -0.5 * np.sum(eps**2 + log_var + math.log(2 * math.pi), axis=-1)  # (kc, b)
    log_prior = -0.5 * np.sum(z**2 + math.log(2 * math.pi), axis=-1)  # (kc, b)
    x_rep = tf.reshape(tf.tile(xb[None], [kc] + [1] * xb.ndim), (kc * b, *xb.shape[1:]))  # (kc * b, ...)
    z_flat = tf.constant(z.reshape(kc * b, -1), dtype=tf.float32)  # row i * b + j is (sample i, example j)
    l_rep = None if lb is None else tf.tile(lb, [kc])  # (kc * b,), row i * b + j is example j's
    log_lik = np.asarray(log_likelihood(model, x_rep, z_flat, l_rep), dtype=np.float64).reshape(kc, b)
    return log_lik + log_prior - log_q


def _bernoulli_log_likelihood(model, x, z, labels=None):
    return -bernoulli_nll(x, model.decoder_logits(z, labels))


def _gaussian_log_likelihood(model, x, z, labels=None):
    return -gaussian_nll(x, model.decode(z, labels), model.decoder_log_var)  # the loss's own Gaussian mean


def _logistic_log_likelihood(model, x, z, labels=None):
    return -discretized_logistic_nll(x, model.decode(z, labels), model.decoder_log_scale)


_LOG_LIKELIHOODS = {
    "bernoulli": _bernoulli_log_likelihood,
    "gaussian": _gaussian_log_likelihood,
    "logistic": _logistic_log_likelihood,
}

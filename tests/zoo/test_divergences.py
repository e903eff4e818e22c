"""The identities the theory guide rests on (docs/theory.md, sections 2 and 4)."""

import math

import numpy as np
import pytest
import tensorflow as tf

from zoo.divergences import cross_entropy, entropy, gaussian_kl, js_divergence, kl_divergence

RNG = np.random.default_rng(1234)


def random_dists(n, k, zeros=False):
    p = RNG.dirichlet(np.ones(k), size=n).astype(np.float32)
    if zeros:
        p[:, 0] = 0.0
        p /= p.sum(axis=-1, keepdims=True)
    return p


def test_golden_values_by_hand():
    # H([1/2, 1/2]) = log 2; KL([1, 0] || [1/2, 1/2]) = log 2; a fair coin vs a 0.9 coin.
    np.testing.assert_allclose(entropy([0.5, 0.5]), math.log(2), rtol=1e-6)
    np.testing.assert_allclose(kl_divergence([1.0, 0.0], [0.5, 0.5]), math.log(2), rtol=1e-6)
    expected = 0.5 * math.log(0.5 / 0.9) + 0.5 * math.log(0.5 / 0.1)
    np.testing.assert_allclose(kl_divergence([0.5, 0.5], [0.9, 0.1]), expected, rtol=1e-6)
    np.testing.assert_allclose(cross_entropy([0.25, 0.75], [0.5, 0.5]), math.log(2), rtol=1e-6)
    assert float(entropy([1.0, 0.0, 0.0])) == 0.0  # 0 log 0 = 0


def test_batched_over_leading_axes():
    p = random_dists(12, 5).reshape(3, 4, 5)
    assert entropy(p).shape == (3, 4)
    assert kl_divergence(p, p[::-1]).shape == (3, 4)
    np.testing.assert_allclose(entropy(p)[1, 2], entropy(p[1, 2]), rtol=1e-6)


@pytest.mark.parametrize("zeros", [False, True])
def test_cross_entropy_is_entropy_plus_kl(zeros):
    p, q = random_dists(64, 7, zeros=zeros), random_dists(64, 7)
    np.testing.assert_allclose(cross_entropy(p, q), entropy(p) + kl_divergence(p, q), rtol=1e-5, atol=1e-6)


def test_kl_nonnegative_and_zero_only_for_equal():
    p, q = random_dists(256, 6), random_dists(256, 6)
    kl = kl_divergence(p, q).numpy()
    assert (kl > 1e-6).all()  # distinct random distributions
    assert np.abs(kl_divergence(p, p).numpy()).max() == 0.0


def test_kl_is_not_symmetric():
    p, q = np.array([0.5, 0.5], np.float32), np.array([0.9, 0.1], np.float32)
    forward, backward = float(kl_divergence(p, q)), float(kl_divergence(q, p))
    assert abs(forward - backward) > 0.1  # 0.511 vs 0.368 nats
    np.testing.assert_allclose(backward, 0.9 * math.log(0.9 / 0.5) + 0.1 * math.log(0.1 / 0.5), rtol=1e-6)


def test_js_symmetric_and_bounded_by_log2():
    p, q = random_dists(256, 6), random_dists(256, 6)
    js = js_divergence(p, q).numpy()
    np.testing.assert_allclose(js, js_divergence(q, p).numpy(), rtol=1e-6)
    assert (js >= 0).all() and (js <= math.log(2) + 1e-6).all()
    # Disjoint supports reach the bound, identical distributions give 0.
    np.testing.assert_allclose(js_divergence([1.0, 0.0], [0.0, 1.0]), math.log(2), rtol=1e-6)
    assert float(js_divergence(p[0], p[0])) == 0.0


def test_kl_gradient_is_finite_with_zero_probabilities():
    p = tf.constant([[0.0, 0.3, 0.7]])
    q = tf.Variable([[0.2, 0.3, 0.5]])
    with tf.GradientTape() as tape:
        kl = kl_divergence(p, q)
    assert np.isfinite(tape.gradient(kl, q).numpy()).all()


def test_gaussian_kl_closed_form_matches_monte_carlo():
    mean = np.array([[0.5, -1.0, 2.0], [0.0, 0.0, 0.0]], np.float32)
    log_var = np.array([[0.0, -1.0, 0.7], [0.0, 0.0, 0.0]], np.float32)
    closed = gaussian_kl(mean, log_var).numpy()
    assert closed[1] == 0.0  # N(0, I) against itself
    # Monte Carlo: E_q[log q(z) - log p(z)] with 400k samples per row.
    rng = np.random.default_rng(0)
    std = np.exp(0.5 * log_var)
    eps = rng.standard_normal((400_000, *mean.shape))
    z = mean + std * eps
    log_q = -0.5 * (eps**2 + log_var + math.log(2 * math.pi))
    log_p = -0.5 * (z**2 + math.log(2 * math.pi))
    mc = (log_q - log_p).sum(-1).mean(0)
    np.testing.assert_allclose(closed, mc, atol=0.02)
    # And against the discrete KL's definition per dimension: 1/2 (mu^2 + s^2 - log s^2 - 1).
    by_hand = 0.5 * (0.25 + 1 - 0 - 1) + 0.5 * (1 + math.exp(-1) + 1 - 1) + 0.5 * (4 + math.exp(0.7) - 0.7 - 1)
    np.testing.assert_allclose(closed[0], by_hand, rtol=1e-5)

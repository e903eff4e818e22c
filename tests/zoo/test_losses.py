"""Golden values you can check with a pencil, and the gradient penalty on linear critics."""

import math

import keras
import numpy as np
import tensorflow as tf

from zoo import losses

REAL = np.array([-5.0, 1.4, 12.5, 2.7], np.float32)  # TF-GAN's _LossesTest vectors
FAKE = np.array([10.0, 4.4, -5.5, 3.6], np.float32)


def softplus(x):
    return np.log1p(np.exp(x))


def test_wasserstein_golden_values():
    # mean(FAKE) = 12.5 / 4 = 3.125, mean(REAL) = 11.6 / 4 = 2.9
    np.testing.assert_allclose(losses.wasserstein_generator_loss(FAKE), -3.125, rtol=1e-6)
    np.testing.assert_allclose(losses.wasserstein_discriminator_loss(REAL, FAKE), 0.225, rtol=1e-5)


def test_minimax_and_non_saturating_golden_values():
    # On logits 0 (D = 1/2 everywhere) each term is log 2.
    zeros = np.zeros(4, np.float32)
    np.testing.assert_allclose(losses.minimax_discriminator_loss(zeros, zeros), 2 * math.log(2), rtol=1e-6)
    np.testing.assert_allclose(losses.minimax_generator_loss(zeros), -math.log(2), rtol=1e-6)
    np.testing.assert_allclose(losses.non_saturating_generator_loss(zeros), math.log(2), rtol=1e-6)
    # On the TF-GAN vectors, against the definitions written with numpy.
    d = softplus(-REAL).mean() + softplus(FAKE).mean()
    np.testing.assert_allclose(losses.minimax_discriminator_loss(REAL, FAKE), d, rtol=1e-5)
    np.testing.assert_allclose(losses.minimax_generator_loss(FAKE), -softplus(FAKE).mean(), rtol=1e-5)
    np.testing.assert_allclose(losses.non_saturating_generator_loss(FAKE), softplus(-FAKE).mean(), rtol=1e-5)


def test_minimax_generator_saturates_where_non_saturating_does_not():
    # D confidently rejects the fakes (logit -10): the minimax gradient all but vanishes.
    fake = tf.Variable([-10.0])
    with tf.GradientTape(persistent=True) as tape:
        mm = losses.minimax_generator_loss(fake)
        ns = losses.non_saturating_generator_loss(fake)
    assert abs(float(tape.gradient(mm, fake)[0])) < 1e-4
    assert abs(float(tape.gradient(ns, fake)[0])) > 0.99


def linear_critic(weight):
    critic = keras.Sequential([keras.Input((len(weight),)), keras.layers.Dense(1, use_bias=True)])
    critic.layers[0].set_weights([np.asarray(weight, np.float32)[:, None], np.array([0.3], np.float32)])
    return critic


def test_gradient_penalty_of_linear_critics():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(16, 2)).astype(np.float32)
    fake = rng.normal(size=(16, 2)).astype(np.float32)
    unit = linear_critic([0.6, 0.8])  # ||w|| = 1: the gradient norm is 1 everywhere
    assert float(losses.gradient_penalty(unit, real, fake)) < 1e-6
    double = linear_critic([1.2, 1.6])  # ||w|| = 2: (2 - 1)^2 = 1
    np.testing.assert_allclose(losses.gradient_penalty(double, real, fake), 1.0, atol=1e-4)


def test_gradient_penalty_interpolates_per_example_on_images():
    # A critic whose gradient norm at x is 2 ||x||: the penalty then depends on where each
    # interpolate lies, so fixed weights a give a value we can compute by hand.
    critic = lambda x, training=True: tf.reduce_sum(tf.square(x), axis=[1, 2, 3])[:, None]  # noqa: E731
    real = np.ones((2, 2, 2, 1), np.float32)
    fake = np.zeros((2, 2, 2, 1), np.float32)
    weights = np.array([0.25, 0.5], np.float32).reshape(2, 1, 1, 1)
    # xhat = a everywhere (4 pixels): ||grad|| = 2 * a * sqrt(4) = 4a -> (4a - 1)^2 = 0 and 1.
    np.testing.assert_allclose(losses.gradient_penalty(critic, real, fake, weights=weights), 0.5, rtol=1e-5)
    drawn = losses.interpolation_weights(1000, 4, seed=12).numpy()
    assert drawn.shape == (1000, 1, 1, 1)
    assert 0.0 <= drawn.min() and drawn.max() <= 1.0 and abs(drawn.mean() - 0.5) < 0.05  # U[0, 1], not N(0, 1)


def test_gradient_penalty_is_finite_where_the_gradient_vanishes():
    # f(x) = ||x||^2 has gradient 2x, which is 0 at x = 0: the norm's square root sits at 0 there.
    critic = lambda x, training=True: tf.reduce_sum(tf.square(x), axis=1, keepdims=True)  # noqa: E731
    x = tf.Variable(np.zeros((3, 2), np.float32))
    with tf.GradientTape() as tape:
        gp = losses.gradient_penalty(critic, x, x)
    np.testing.assert_allclose(gp, 1.0, rtol=1e-5)  # (0 - 1)^2
    assert np.isfinite(tape.gradient(gp, x).numpy()).all()  # epsilon inside the square root

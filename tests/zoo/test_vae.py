"""VAE-specific checks: the loss is the formula of docs/theory.md, term by term."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

import zoo
from zoo.divergences import gaussian_kl
from zoo.models.vae import VAEConfig
from zoo.likelihoods import Sampling, bernoulli_nll, gaussian_nll

RNG = np.random.default_rng(7)


def tiny_vae(shape=(8, 8, 1), **overrides):
    return zoo.get_model("vae", input_shape=shape, **{"latent_dim": 3, "width": 4, **overrides})


def test_reparameterization_is_exact_and_differentiable():
    mean = tf.Variable([[0.5, -1.0]])
    log_var = tf.Variable([[0.0, math.log(4.0)]])
    eps = tf.constant([[1.0, -0.5]])
    with tf.GradientTape(persistent=True) as tape:
        z = Sampling()(mean, log_var, eps=eps)
    np.testing.assert_allclose(z, [[1.5, -2.0]], rtol=1e-6)  # mean + exp(log_var / 2) * eps
    np.testing.assert_allclose(tape.gradient(z, mean), [[1.0, 1.0]])
    # dz/dlog_var = exp(log_var / 2) * eps / 2
    np.testing.assert_allclose(tape.gradient(z, log_var), [[0.5, 0.5 * 2.0 * -0.5]], rtol=1e-6)


def test_sampling_without_eps_has_the_posterior_moments():
    mean = tf.fill((20000, 2), 1.5)
    log_var = tf.fill((20000, 2), math.log(0.25))
    z = Sampling(seed=1)(mean, log_var).numpy()
    np.testing.assert_allclose(z.mean(0), [1.5, 1.5], atol=0.02)
    np.testing.assert_allclose(z.std(0), [0.5, 0.5], atol=0.02)


def test_likelihoods_match_their_densities():
    x = np.array([[1.0, 0.0, 0.25]], np.float32)
    logits = np.array([[2.0, -1.0, 0.5]], np.float32)
    p = 1 / (1 + np.exp(-logits))
    expected = -(x * np.log(p) + (1 - x) * np.log(1 - p)).sum()
    np.testing.assert_allclose(bernoulli_nll(x, logits), [expected], rtol=1e-5)
    mean, log_var = np.array([[0.5, 0.0, 1.0]], np.float32), math.log(0.5)
    expected = -sum(math.log(1 / math.sqrt(2 * math.pi * 0.5)) - (a - b) ** 2 / (2 * 0.5) for a, b in zip(x[0], mean[0]))
    np.testing.assert_allclose(gaussian_nll(x, mean, log_var), [expected], rtol=1e-5)


@pytest.mark.parametrize("beta", [1.0, 4.0])
def test_loss_is_reconstruction_plus_beta_kl(beta):
    model = tiny_vae(beta=beta)
    x = (RNG.uniform(size=(6, 8, 8, 1)) > 0.5).astype(np.float32)
    eps = RNG.standard_normal((6, 3)).astype(np.float32)
    reconstruction, kl = model.loss_terms(x, eps=eps)
    # The same quantities written out from the networks.
    mean, log_var = model.encode(x)
    z = mean + np.exp(0.5 * log_var) * eps
    logits = model.decoder(z)
    np.testing.assert_allclose(reconstruction, bernoulli_nll(x, logits), rtol=1e-5)
    np.testing.assert_allclose(kl, gaussian_kl(mean, log_var), rtol=1e-5)
    model.compile_default(jit_compile=False)
    results = model.evaluate(x, verbose=0, batch_size=6, return_dict=True)
    # evaluate draws its own eps; the identity between the trackers holds for any draw.
    np.testing.assert_allclose(results["loss"], results["reconstruction_loss"] + beta * results["kl_loss"], rtol=1e-5)


def test_encode_decode_reconstruct_and_sample():
    model = tiny_vae()
    x = RNG.uniform(size=(4, 8, 8, 1)).astype(np.float32)
    mean, log_var = model.encode(x)
    assert mean.shape == log_var.shape == (4, 3)
    recon = np.asarray(model.reconstruct(x))
    assert recon.shape == x.shape and recon.min() >= 0 and recon.max() <= 1
    np.testing.assert_allclose(recon, model.decode(mean), rtol=1e-6)
    np.testing.assert_array_equal(model.sample(5, seed=3), model.sample(5, seed=3))
    assert not np.array_equal(model.sample(5, seed=3), model.sample(5, seed=4))


def test_gaussian_likelihood_learns_its_variance_on_points():
    model = tiny_vae(shape=(2,))
    assert model.config.likelihood == "gaussian"  # the default for flat inputs
    model.compile_default(learning_rate=1e-2, jit_compile=False)
    x = RNG.normal(scale=0.1, size=(256, 2)).astype(np.float32)
    start = float(model.decoder_log_var.numpy())
    model.fit(x, epochs=3, batch_size=64, verbose=0)
    assert float(model.decoder_log_var.numpy()) < start  # data with std 0.1 asks for less than unit variance
    samples = np.asarray(model.sample(10, seed=0))
    assert samples.shape == (10, 2)


def test_training_lowers_the_loss_on_a_fixed_batch():
    # Not a GAN: the VAE minimizes one objective, so 60 Adam steps on 16 fixed images must lower it.
    model = tiny_vae(width=8)
    model.compile_default(learning_rate=3e-3, jit_compile=False)
    prototypes = (RNG.uniform(size=(4, 8, 8, 1)) > 0.5).astype(np.float32)
    x = np.repeat(prototypes, 4, axis=0)  # 16 images, 4 distinct patterns to learn
    first = model.evaluate(x, verbose=0, return_dict=True)["loss"]
    model.fit(x, epochs=60, batch_size=16, verbose=0)
    last = model.evaluate(x, verbose=0, return_dict=True)["loss"]
    assert last < first - 5.0, (first, last)


def test_config_validation_and_registry_errors():
    with pytest.raises(ValueError, match="likelihood"):
        VAEConfig(likelihood="poisson")
    with pytest.raises(ValueError, match="latent_dim"):
        VAEConfig(latent_dim=0)
    with pytest.raises(ValueError, match="known: latent_dim, beta, likelihood, width"):
        zoo.get_model("vae", hidden=3)
    with pytest.raises(ValueError, match=r"unknown model 'vea'; known: .*vae"):
        zoo.get_model("vea")
    with pytest.raises(ValueError, match="not divisible by 4"):
        zoo.nets.conv_encoder((30, 30, 1), 4)


def test_default_networks_follow_the_shape():
    conv = tiny_vae(shape=(28, 28, 1))
    assert any(isinstance(layer, keras.layers.Conv2D) for layer in conv.encoder.layers)
    flat = tiny_vae(shape=(2,))
    assert not any(isinstance(layer, keras.layers.Conv2D) for layer in flat.encoder.layers)
    assert "vae" in zoo.list_models()

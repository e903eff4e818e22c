"""VAE-specific checks: the loss is the formula of docs/theory.md, term by term; the one optimizer
(Keras' own ``optimizer``) and the files older code saved."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

import zoo
from zoo.divergences import gaussian_kl
from zoo.likelihoods import Sampling, bernoulli_nll, discretized_logistic_nll, gaussian_nll
from zoo.models.base import GenerativeModel
from zoo.models.vae import VAE, VAEConfig

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
    expected = -sum(
        math.log(1 / math.sqrt(2 * math.pi * 0.5)) - (a - b) ** 2 / (2 * 0.5) for a, b in zip(x[0], mean[0])
    )
    np.testing.assert_allclose(gaussian_nll(x, mean, log_var), [expected], rtol=1e-5)


@pytest.mark.parametrize("mean, log_scale", [(0.5, math.log(0.05)), (0.02, math.log(0.01)), (0.9, -7.0), (0.3, -9.0)])
def test_the_discretized_logistic_is_a_distribution_over_the_256_levels(mean, log_scale):
    levels = np.arange(256, dtype=np.float32)[:, None] / 255  # every 8-bit value, one per example
    nll = discretized_logistic_nll(levels, np.full_like(levels, mean), log_scale).numpy()
    assert np.exp(-nll.astype(np.float64)).sum() == pytest.approx(1.0, abs=2e-3)  # the floor: -9 acts as -7
    # Interior bins: the logistic CDF's increase over the bin of width 1/255 around the level.
    s = math.exp(max(log_scale, -7.0))
    cdf = lambda v: 1 / (1 + math.exp(-(v - mean) / s))  # noqa: E731
    k = int(round(mean * 255))
    assert nll[k] == pytest.approx(-math.log(cdf((k + 0.5) / 255) - cdf((k - 0.5) / 255)), rel=1e-3)
    end = np.logaddexp(0.0, -(0.5 / 255 - mean) / s)  # -log sigmoid: the end bin reaches -inf
    assert nll[0] == pytest.approx(end, rel=1e-3, abs=1e-4)
    # Off-grid data is scored as its nearest level.
    off = discretized_logistic_nll(levels[[k]] + 0.3 / 255, np.full((1, 1), mean, np.float32), log_scale)
    assert float(off[0]) == pytest.approx(float(nll[k]), rel=1e-5)


def test_the_logistic_vae_learns_its_scales_and_keeps_the_sigmoid_mean():
    model = tiny_vae(shape=(8, 8, 3), likelihood="logistic")
    assert model.decoder_log_scale.shape == (8, 8, 3)
    x = np.round(RNG.uniform(size=(6, 8, 8, 3)) * 255).astype(np.float32) / 255
    eps = RNG.standard_normal((6, 3)).astype(np.float32)
    reconstruction, _ = model.loss_terms(x, eps=eps)
    mean, log_var = model.encode(x)
    logits = model.decoder(mean + np.exp(0.5 * log_var) * eps)
    expected = discretized_logistic_nll(x, tf.sigmoid(logits), model.decoder_log_scale)
    np.testing.assert_allclose(reconstruction, expected, rtol=1e-5)
    np.testing.assert_allclose(model.decode(mean), tf.sigmoid(model.decoder(mean)), rtol=1e-6)  # the export's means
    model.compile_default(learning_rate=1e-2, jit_compile=False)
    start = model.decoder_log_scale.numpy().copy()
    model.fit(x, epochs=2, batch_size=6, verbose=0)
    assert not np.allclose(model.decoder_log_scale.numpy(), start)  # trained with the networks
    with pytest.raises(ValueError, match="8-bit images"):
        tiny_vae(shape=(2,), likelihood="logistic")
    with pytest.raises(ValueError, match="likelihood"):
        zoo.get_model("aae", input_shape=(8, 8, 3), latent_dim=3, width=4, likelihood="logistic")


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
    keras.utils.set_random_seed(5)  # its own initial weights and data, whatever ran before
    model = tiny_vae(width=8)
    model.compile_default(learning_rate=3e-3, jit_compile=False)
    # Its own generator: the draws of the module's RNG depend on which tests ran before.
    prototypes = (np.random.default_rng(11).uniform(size=(4, 8, 8, 1)) > 0.5).astype(np.float32)
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


def test_the_one_optimizer_is_keras_own_and_compiles_by_position_or_by_name():
    model = tiny_vae(shape=(2,))  # Gaussian: the decoder's variance is a variable of its own
    assert model.optimizer_names == ("optimizer",) and model.updates_per_step == (1,)
    for compile_it in (
        lambda opt: model.compile(opt, jit_compile=False),
        lambda opt: model.compile(optimizer=opt, jit_compile=False),
    ):
        optimizer = keras.optimizers.SGD(0.1)
        compile_it(optimizer)
        assert model.optimizer is optimizer and optimizer.built
        # Built on every trainable variable of the model: the networks' and decoder_log_var.
        built_on = {id(v) for v in optimizer._trainable_variables}
        assert built_on == {id(v) for v in model.trainable_variables} and id(model.decoder_log_var) in built_on
    with pytest.raises(TypeError, match=r"takes 1 optimizer\(s\) \(optimizer\); got 2"):
        model.compile(keras.optimizers.SGD(), keras.optimizers.SGD())
    with pytest.raises(TypeError, match="missing optimizer"):
        model.compile(jit_compile=False)
    with pytest.raises(TypeError, match="both by position and by name"):
        model.compile(keras.optimizers.SGD(), optimizer=keras.optimizers.SGD())


def test_the_compile_config_keeps_the_optimizer_and_the_compile_options(tmp_path):
    model = tiny_vae()
    assert model.get_compile_config() == {}  # not compiled yet
    model.compile(keras.optimizers.SGD(0.25), jit_compile=False, steps_per_execution=3)
    config = model.get_compile_config()
    assert set(config) == {"optimizer", "jit_compile", "steps_per_execution"}
    model.save(tmp_path / "vae.keras")
    loaded = keras.saving.load_model(tmp_path / "vae.keras")
    assert type(loaded.optimizer).__name__ == "SGD" and float(loaded.optimizer.learning_rate) == 0.25
    assert (loaded.jit_compile, loaded.steps_per_execution) == (False, 3)


def test_has_encoder_is_derived_from_encode_outputs_and_cannot_be_set():
    assert VAE.has_encoder and not zoo.get_model_class("gan").has_encoder
    with pytest.raises(TypeError, match="has_encoder, which is derived"):
        type("Claims", (GenerativeModel,), {"has_encoder": True})
    with pytest.raises(TypeError, match="optimizer_names, which is derived"):
        type("Names", (GenerativeModel,), {"optimizer_names": ("a_optimizer",)})

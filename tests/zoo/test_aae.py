"""The adversarial autoencoder: who each update moves, which codes the discriminator calls real,
the losses by hand, and the encoder's outputs. Tiny models on 8x8x1 images, fixed inputs."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

import zoo
from zoo.models.aae import AAE, AAEConfig

SHAPE, TINY, BATCH = (8, 8, 1), dict(latent_dim=4, width=4), 8


def images(seed=0, n=BATCH):
    return np.random.default_rng(seed).uniform(0, 1, (n, *SHAPE)).astype(np.float32)


def tiny(optimizers=None, **overrides):
    keras.utils.set_random_seed(0)
    model = zoo.get_model("aae", input_shape=SHAPE, **{**TINY, **overrides})
    if optimizers is None:
        model.compile_default(jit_compile=False)
    else:
        model.compile_optimizers(optimizers, jit_compile=False)
    return model


def fixed_noise(model):
    return {k: np.asarray(v) for k, v in model.draw_noise(BATCH).items()}


def weights(network):
    return [np.array(w) for w in network.get_weights()]


def same(a, b):
    return all(np.array_equal(u, v) for u, v in zip(a, b))


def test_each_optimizer_is_built_on_its_own_player():
    model = tiny()
    ids = lambda variables: {id(v) for v in variables}  # noqa: E731
    assert ids(model.ae_optimizer._trainable_variables) == ids(
        model.encoder.trainable_variables + model.decoder.trainable_variables
    )
    assert ids(model.d_optimizer._trainable_variables) == ids(model.discriminator.trainable_variables)


@pytest.mark.parametrize("frozen", ["autoencoder", "discriminator"])
def test_each_update_moves_only_its_own_player(frozen):
    # The same start and draws twice; in the second copy one player's learning rate is 0.
    x = images()
    full = tiny()
    noise = fixed_noise(full)
    rates = {"autoencoder": (0.0, 1e-3), "discriminator": (1e-3, 0.0)}[frozen]
    part = tiny([keras.optimizers.Adam(rates[0]), keras.optimizers.Adam(rates[1], beta_1=0.5)])
    part.set_weights(full.get_weights())
    start = {n: weights(getattr(full, n)) for n in full.network_names}
    for model in (full, part):
        model.train_step_with_noise(x, noise)
    for n in full.network_names:
        assert not same(weights(getattr(full, n)), start[n]), f"{n} did not move"
    if frozen == "autoencoder":
        # The discriminator's update does not depend on the autoencoder's, which comes after it.
        assert same(weights(part.encoder), start["encoder"]) and same(weights(part.decoder), start["decoder"])
        assert same(weights(part.discriminator), weights(full.discriminator))
    else:
        assert same(weights(part.discriminator), start["discriminator"])
        assert same(weights(part.decoder), weights(full.decoder))  # trained on its own loss either way


def test_the_adversarial_term_moves_the_encoder_but_not_the_decoder():
    # adversarial_weight 0 against 1 from the same start: the decoder's gradient is the
    # reconstruction's either way; the encoder's differs by lambda * grad(-log D(z)).
    x = images()
    with_adversary, without = tiny(), tiny(adversarial_weight=0.0)
    without.set_weights(with_adversary.get_weights())
    noise = fixed_noise(with_adversary)
    for model in (with_adversary, without):
        model.train_step_with_noise(x, noise)
    assert same(weights(with_adversary.decoder), weights(without.decoder))
    assert not same(weights(with_adversary.encoder), weights(without.encoder))


def linear_discriminator(latent_dim):
    """logit = w . z + b with w = b = 0: an undecided discriminator whose first gradient step is
    checkable by hand."""
    inputs = keras.Input((latent_dim,))
    outputs = keras.layers.Dense(1, kernel_initializer="zeros", bias_initializer="zeros")(inputs)
    return keras.Model(inputs, outputs, name="discriminator")


def test_the_discriminator_calls_prior_samples_real_and_codes_fake():
    # With logits 0, L_D = mean softplus(-w.z_prior) + mean softplus(w.z_code) has gradient
    # dL_D/dw = (mean z_code - mean z_prior) / 2, so one SGD step of rate 1 gives
    # w = (mean z_prior - mean z_code) / 2: the discriminator leans towards the prior's samples.
    built = tiny()
    model = AAE(built.encoder, built.decoder, linear_discriminator(TINY["latent_dim"]), config=AAEConfig(**TINY))
    model.compile_optimizers([keras.optimizers.Adam(0.0), keras.optimizers.SGD(1.0)], jit_compile=False)
    x = images()
    noise = fixed_noise(model)
    noise["eps"] = np.zeros_like(noise["eps"])  # codes = posterior means
    noise["prior_z"] = noise["prior_z"] + 3.0  # well away from the codes
    codes = np.asarray(model.encode_outputs(x)[0])
    model.train_step_with_noise(x, noise)
    kernel, bias = model.discriminator.get_weights()
    expected = (noise["prior_z"].mean(axis=0) - codes.mean(axis=0)) / 2
    np.testing.assert_allclose(kernel[:, 0], expected, rtol=1e-5, atol=1e-6)
    assert bias[0] == pytest.approx(0.0, abs=1e-6)  # equal counts of real and fake: no pull


def test_losses_with_an_undecided_discriminator():
    # Logit 0 everywhere: L_D = 2 log 2, the encoder's -log D(z) = log 2, loss = recon + lambda log 2.
    model = tiny(adversarial_weight=2.5)
    last = model.discriminator.layers[-1]
    last.set_weights([np.zeros_like(w) for w in last.get_weights()])
    logs = model.evaluate(images(), batch_size=BATCH, verbose=0, return_dict=True)
    assert logs["d_loss"] == pytest.approx(2 * math.log(2), rel=1e-6)
    assert logs["g_loss"] == pytest.approx(math.log(2), rel=1e-6)
    assert logs["reconstruction_loss"] > 0
    assert logs["loss"] == pytest.approx(logs["reconstruction_loss"] + 2.5 * math.log(2), rel=1e-6)


def test_labels_are_accepted_and_ignored():
    x = images()
    a, b = tiny(), tiny()
    b.set_weights(a.get_weights())
    noise = fixed_noise(a)
    logs_a = a.train_step_with_noise(x, noise)
    logs_b = b.train_step_with_noise(x, noise, labels=np.arange(BATCH, dtype=np.int32) % 10)
    assert {k: float(v) for k, v in logs_a.items()} == {k: float(v) for k, v in logs_b.items()}
    assert same(a.get_weights(), b.get_weights())


def test_encode_outputs_and_reconstruct():
    model = tiny()
    x = images()
    mean, log_var = model.encode_outputs(x)
    assert mean.shape == log_var.shape == (BATCH, TINY["latent_dim"])
    assert mean.dtype == log_var.dtype == tf.float32
    assert np.all(np.asarray(log_var) >= model.config.min_log_var)  # the soft floor
    reconstructions = np.asarray(model.reconstruct(x))
    assert reconstructions.shape == x.shape and reconstructions.min() >= 0 and reconstructions.max() <= 1
    # The reconstruction decodes the posterior mean.
    np.testing.assert_allclose(reconstructions, np.asarray(model.sample(mean)), rtol=1e-6)


def test_the_log_variance_floor_is_soft():
    # floor + softplus(raw - floor): the raw output well above the floor passes almost unchanged,
    # far below it lands on the floor; None leaves it raw.
    floored, raw = tiny(min_log_var=-2.0), tiny(min_log_var=None)
    last = floored.encoder.layers[-1]
    kernel, bias = last.get_weights()
    bias[TINY["latent_dim"] :] = [-40.0, -2.0, 0.0, 30.0]  # the log-variance half
    last.set_weights([np.zeros_like(kernel), bias])
    raw.set_weights(floored.get_weights())
    x = images()
    np.testing.assert_allclose(np.asarray(raw.encode_outputs(x)[1])[0], [-40.0, -2.0, 0.0, 30.0])
    np.testing.assert_allclose(
        np.asarray(floored.encode_outputs(x)[1])[0],
        [-2.0, -2.0 + math.log(2), -2.0 + math.log1p(math.exp(2)), 30.0],
        rtol=1e-6,
    )


@pytest.mark.parametrize(
    "bad",
    [dict(likelihood="poisson"), dict(adversarial_weight=-1.0), dict(latent_dim=0), dict(min_log_var=float("-inf"))],
)
def test_bad_config_values_are_named(bad):
    (field,) = bad
    with pytest.raises(ValueError, match=field):
        AAEConfig(**bad)


def test_discriminator_must_take_codes():
    built = tiny()
    with pytest.raises(ValueError, match="discriminator"):
        AAE(built.encoder, built.decoder, linear_discriminator(3), config=AAEConfig(**TINY))

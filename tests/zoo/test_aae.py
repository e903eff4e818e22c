"""The adversarial autoencoder's three phases: who each optimizer moves, and the losses by hand."""

import math

import numpy as np
import pytest
import keras
import tensorflow as tf

import zoo

SHAPE, TINY = (8, 8, 1), dict(latent_dim=4, width=4)


def tiny():
    model = zoo.get_model("aae", input_shape=SHAPE, **TINY)
    model.compile_default(jit_compile=False)
    return model


def test_each_phase_has_its_own_optimizer_built_on_its_own_player():
    model = tiny()
    ids = lambda variables: {id(v) for v in variables}  # noqa: E731
    assert ids(model.ae_optimizer._trainable_variables) == ids(
        model.encoder.trainable_variables + model.decoder.trainable_variables)
    assert ids(model.d_optimizer._trainable_variables) == ids(model.discriminator.trainable_variables)
    assert ids(model.g_optimizer._trainable_variables) == ids(model.encoder.trainable_variables)


def test_the_regularization_phases_move_the_discriminator_and_the_encoder_but_not_the_decoder():
    # Two copies from the same start and noise; in the second, phases 2 and 3 have learning rate 0.
    x = np.random.default_rng(0).uniform(0, 1, (8, *SHAPE)).astype(np.float32)
    full = tiny()
    noise = full.draw_noise(8)
    frozen = zoo.get_model("aae", input_shape=SHAPE, **TINY)
    frozen.compile_optimizers([keras.optimizers.Adam(1e-3), keras.optimizers.Adam(0.0), keras.optimizers.Adam(0.0)],
                              jit_compile=False)
    frozen.set_weights(full.get_weights())
    for model in (full, frozen):
        tf.function(model.train_step_with_noise)(x, noise)
    same = lambda a, b: all(np.array_equal(u, v) for u, v in zip(a.get_weights(), b.get_weights()))  # noqa: E731
    assert same(full.decoder, frozen.decoder)  # only phase 1 touches the decoder
    assert not same(full.encoder, frozen.encoder)  # phase 3 moved the encoder
    assert not same(full.discriminator, frozen.discriminator)  # phase 2 moved the discriminator


def test_losses_with_an_undecided_discriminator_are_log_2():
    # A discriminator that outputs logit 0 everywhere: L_D = 2 log 2, L_E = log 2.
    model = tiny()
    last = model.discriminator.layers[-1]
    last.set_weights([np.zeros_like(w) for w in last.get_weights()])
    x = np.random.default_rng(0).uniform(0, 1, (8, *SHAPE)).astype(np.float32)
    logs = model.evaluate(x, batch_size=8, verbose=0, return_dict=True)
    assert logs["d_loss"] == pytest.approx(2 * math.log(2), rel=1e-6)
    assert logs["g_loss"] == pytest.approx(math.log(2), rel=1e-6)
    assert logs["reconstruction_loss"] > 0

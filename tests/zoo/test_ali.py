"""ALI / BiGAN (zoo.models.ali): who each step moves, what the discriminator reads, the two losses'
labels, and the encoder's and the reconstruction's ranges. Tiny models (latent 4, width 4) on
8x8x1 images and 2-D points, fixed inputs and draws, eager calls."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import zoo
from zoo.models.ali import ALI, ALIConfig
from zoo.nets import default_decoder, default_encoder
from zoo.nets.defaults import conv_stages
from zoo.nets.joint import joint_discriminator

IMAGE, POINTS = (8, 8, 1), (2,)
TINY = dict(latent_dim=4, width=4)
BATCH = 8


def tiny(shape=IMAGE):
    keras.utils.set_random_seed(0)
    model = zoo.get_model("ali", input_shape=shape, **TINY)
    model.compile_default(jit_compile=False)
    return model


def data01(shape=IMAGE, seed=0):
    """Fixed data in the output range: images in [0, 1]."""
    return np.random.default_rng(seed).uniform(0.0, 1.0, size=(BATCH, *shape)).astype(np.float32)


def fixed_noise(model, seed=1):
    rng = np.random.default_rng(seed)
    return {k: rng.standard_normal(v.shape).astype(np.float32) for k, v in model.draw_noise(BATCH).items()}


def trainable(net):
    return [w.numpy().copy() for w in net.trainable_weights]


def moved(before, net):
    return [not np.array_equal(b, w.numpy()) for b, w in zip(before, net.trainable_weights)]


def softplus(v):
    return np.logaddexp(0.0, np.asarray(v, np.float64))


def pair_logits(model, x, noise):
    """D(x, z_hat) and D(G(z), z), computed here from the networks (training mode, as in the steps)."""
    h = np.asarray(model.encoder(x, training=True))
    mean, log_var = h[:, : TINY["latent_dim"]], h[:, TINY["latent_dim"] :]
    z_hat = mean + np.exp(0.5 * log_var) * noise["eps"]
    x_fake = np.asarray(model.generator(noise["z"], training=True))
    return (
        np.asarray(model.discriminator([x, z_hat], training=True)),
        np.asarray(model.discriminator([x_fake, noise["z"]], training=True)),
    )


def test_draw_noise_is_the_encoders_eps_and_the_generators_z():
    model = tiny()
    noise = model.draw_noise(BATCH)
    assert set(noise) == {"eps", "z"}
    assert all(tuple(v.shape) == (BATCH, TINY["latent_dim"]) for v in noise.values())


def test_discriminator_step_moves_only_the_discriminator_with_encoder_pairs_labelled_real():
    model = tiny()
    x, noise = 2.0 * data01() - 1.0, fixed_noise(model)
    real, fake = pair_logits(model, x, noise)
    before = {n: trainable(getattr(model, n)) for n in model.network_names}
    d_loss = float(model.discriminator_step(x, noise))
    # -log D(x, E(x)) - log(1 - D(G(z), z)) on the weights before the update
    np.testing.assert_allclose(d_loss, softplus(-real).mean() + softplus(fake).mean(), rtol=1e-5)
    assert all(moved(before["discriminator"], model.discriminator))
    assert not any(moved(before["encoder"], model.encoder))
    assert not any(moved(before["generator"], model.generator))
    assert int(model.d_optimizer.iterations) == 1 and int(model.g_optimizer.iterations) == 0


def test_encoder_generator_step_moves_both_and_not_the_discriminator_with_labels_swapped():
    model = tiny()
    x, noise = 2.0 * data01() - 1.0, fixed_noise(model)
    real, fake = pair_logits(model, x, noise)
    before = {n: trainable(getattr(model, n)) for n in model.network_names}
    g_loss, mean = model.encoder_generator_step(x, noise)
    # -log(1 - D(x, E(x))) - log D(G(z), z): the non-saturating loss of both "generators"
    np.testing.assert_allclose(float(g_loss), softplus(real).mean() + softplus(-fake).mean(), rtol=1e-5)
    assert mean.shape == (BATCH, TINY["latent_dim"])
    for name in ("encoder", "generator"):
        kernels = [
            m
            for m, w in zip(moved(before[name], getattr(model, name)), getattr(model, name).trainable_weights)
            if w.path.endswith("kernel")
        ]
        assert kernels and all(kernels), name
    assert not any(moved(before["discriminator"], model.discriminator))
    assert int(model.g_optimizer.iterations) == 1 and int(model.d_optimizer.iterations) == 0


def test_train_step_is_one_update_of_each_player_and_reports_the_reconstruction_error():
    model = tiny()
    x, noise = 2.0 * data01() - 1.0, fixed_noise(model)
    logs = model.train_step_with_noise(x, noise, labels=np.zeros(BATCH, np.int32))  # labels are ignored
    assert set(logs) == {"d_loss", "g_loss", "reconstruction_error"}
    assert [int(getattr(model, n).iterations) for n in model.optimizer_names] == [1, 1]
    assert all(np.isfinite(float(v)) for v in logs.values())


@pytest.mark.parametrize("shape", [IMAGE, POINTS], ids=["image", "points"])
def test_discriminator_reads_pairs(shape):
    model = tiny(shape)
    d = model.discriminator
    assert [tuple(t.shape[1:]) for t in d.inputs] == [shape, (TINY["latent_dim"],)]
    rng = np.random.default_rng(2)
    x = rng.uniform(-1, 1, size=(BATCH, *shape)).astype(np.float32)
    z1, z2 = (rng.standard_normal((BATCH, TINY["latent_dim"])).astype(np.float32) for _ in range(2))
    out = np.asarray(d([x, z1]))
    assert out.shape == (BATCH, 1)
    # the logit depends on both halves of the pair
    assert not np.allclose(out, np.asarray(d([x, z2])))
    assert not np.allclose(out, np.asarray(d([-x, z1])))


def test_image_joint_discriminator_has_an_x_branch_a_z_branch_and_a_joint_head():
    d = joint_discriminator(IMAGE, 4, width=4)
    kinds = [type(layer).__name__ for layer in d.layers]
    assert kinds.count("Conv2D") == conv_stages(IMAGE) and "Concatenate" in kinds  # one per stride-2 stage
    concat = next(layer for layer in d.layers if type(layer).__name__ == "Concatenate")
    assert concat.output.shape[-1] == 2 * 8 * 4  # x features and z features, 8 * width each


def test_points_joint_discriminator_is_an_mlp_on_the_concatenation():
    d = joint_discriminator(POINTS, 4, width=4)
    kinds = [type(layer).__name__ for layer in d.layers]
    assert "Conv2D" not in kinds and kinds.count("Dense") == 4
    concat = next(layer for layer in d.layers if type(layer).__name__ == "Concatenate")
    assert concat.output.shape[-1] == 2 + 4


def test_encode_outputs_rescales_images_from_the_output_range():
    model = tiny()
    x01 = data01()
    mean, log_var = model.encode_outputs(x01)
    assert mean.dtype == log_var.dtype == tf.float32
    assert mean.shape == log_var.shape == (BATCH, TINY["latent_dim"])
    expected_mean, expected_log_var = model.encode(2.0 * x01 - 1.0)
    np.testing.assert_allclose(mean, expected_mean, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(log_var, expected_log_var, rtol=1e-6, atol=1e-6)
    assert not np.allclose(mean, model.encode(x01)[0])  # the rescaling matters


def test_encode_outputs_takes_points_as_they_are():
    model = tiny(POINTS)
    x = np.random.default_rng(3).normal(size=(BATCH, 2)).astype(np.float32) * 3.0
    np.testing.assert_allclose(model.encode_outputs(x)[0], model.encode(x)[0], rtol=1e-6, atol=1e-6)


def test_reconstruct_decodes_the_posterior_mean_in_the_output_range():
    model = tiny()
    x01 = data01()
    recon = np.asarray(model.reconstruct(x01))
    assert recon.shape == x01.shape and recon.dtype == np.float32
    assert recon.min() >= 0.0 and recon.max() <= 1.0
    np.testing.assert_allclose(recon, np.asarray(model.sample(model.encode_outputs(x01)[0])), atol=1e-6)


def test_reconstruction_error_is_the_mean_squared_error_per_pixel_in_unit_range():
    model = tiny()
    x01 = data01()
    mean, _ = model.encode(2.0 * x01 - 1.0)
    error = np.asarray(model.reconstruction_error(2.0 * x01 - 1.0, mean))
    expected = ((np.asarray(model.reconstruct(x01)) - x01) ** 2).reshape(BATCH, -1).mean(axis=1)
    assert error.shape == (BATCH,)
    np.testing.assert_allclose(error, expected, rtol=1e-5, atol=1e-7)
    # evaluate reports its mean over the examples
    results = model.evaluate(2.0 * x01 - 1.0, batch_size=BATCH, verbose=0, return_dict=True)
    np.testing.assert_allclose(results["reconstruction_error"], expected.mean(), rtol=1e-5)


def test_exports_generate_and_encode():
    model = tiny()
    assert model.has_encoder and model.value_range == (-1.0, 1.0)
    z = np.random.default_rng(4).standard_normal((3, TINY["latent_dim"])).astype(np.float32)
    images = np.asarray(model.generate(z))
    assert images.shape == (3, *IMAGE) and images.min() >= 0.0 and images.max() <= 1.0


def test_networks_and_config_are_checked():
    with pytest.raises(ValueError, match="latent_dim must be a positive integer, got 0"):
        ALIConfig(latent_dim=0)
    with pytest.raises(ValueError, match="unknown ali option"):
        zoo.get_model("ali", input_shape=IMAGE, beta=2.0)
    encoder = default_encoder(IMAGE, 8, width=4)
    generator = default_decoder(4, IMAGE, width=4, output_activation="tanh", name="generator")
    with pytest.raises(ValueError, match=r"discriminator must take \[x \(8, 8, 1\), z \(4,\)\]"):
        ALI(encoder, generator, joint_discriminator(IMAGE, 3, width=4), config=ALIConfig(**TINY))
    with pytest.raises(ValueError, match="encoder must output 2 \\* latent_dim = 8 values"):
        ALI(
            default_encoder(IMAGE, 4, width=4),
            generator,
            joint_discriminator(IMAGE, 4, width=4),
            config=ALIConfig(**TINY),
        )

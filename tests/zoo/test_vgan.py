"""What VGAN adds to the GAN: the pull toward the generator's snapshot, and several generator updates
per snapshot. Tiny models on 8x8 images, fixed weights, data and noise; steps run eagerly so the
tests can see each generator update."""

import numpy as np
import pytest
import tensorflow as tf

import zoo

SHAPE = (8, 8, 1)
TINY = dict(latent_dim=4, width=4)
BATCH = 8


def build(name="vgan", **overrides):
    model = zoo.get_model(name, input_shape=SHAPE, **TINY, **overrides)
    model.compile_default(jit_compile=False)
    return model


def same_weights(model, reference):
    model.generator.set_weights(reference.generator.get_weights())
    model.discriminator.set_weights(reference.discriminator.get_weights())
    return model


def real_batch(seed=0):
    return tf.constant(np.random.default_rng(seed).uniform(-1, 1, (BATCH, *SHAPE)).astype(np.float32))


def record_generator_updates(model):
    """Wrap the generator's optimizer: every update appends (its gradients, the generator's weights
    after it). Works in eager mode only, where the step calls the Python method."""
    updates = []
    apply = model.g_optimizer.apply_gradients

    def recording(grads_and_vars):
        pairs = list(grads_and_vars)
        result = apply(pairs)
        updates.append(([np.array(g) for g, _ in pairs], [np.array(w) for w in model.generator.get_weights()]))
        return result

    model.g_optimizer.apply_gradients = recording
    return updates


def assert_all_close(actual, expected, **kwargs):
    assert len(actual) == len(expected)
    for a, b in zip(actual, expected):
        np.testing.assert_allclose(a, b, **kwargs)


def test_first_generator_update_is_a_plain_gan_update_and_the_second_is_pulled_back():
    x = real_batch()
    vgan = build(reg_weight=100.0)  # strong, so a wrong gradient at the snapshot would show
    noise = {k: np.asarray(v) for k, v in vgan.draw_noise(BATCH).items()}
    assert noise["generator_z"].shape == (BATCH, 2, TINY["latent_dim"])  # one z per generator update
    unregularized = same_weights(build(reg_weight=0.0), vgan)
    gan = same_weights(build("gan"), vgan)
    records = {m: record_generator_updates(m) for m in (vgan, unregularized, gan)}

    logs = vgan.train_step_with_noise(x, noise)
    unregularized.train_step_with_noise(x, noise)
    gan.train_step_with_noise(x, {"critic_z": noise["critic_z"], "generator_z": noise["generator_z"][:, 0]})

    assert [len(records[m]) for m in (vgan, unregularized, gan)] == [2, 2, 1]
    # Update 1: the regularizer and its gradient vanish at the snapshot, so it is the GAN's update.
    (vgan_grads_1, vgan_weights_1), (vgan_grads_2, _) = records[vgan]
    ((gan_grads, gan_weights),) = records[gan]
    assert_all_close(vgan_grads_1, gan_grads, rtol=1e-6, atol=1e-9)
    assert_all_close(vgan_weights_1, gan_weights, rtol=1e-6, atol=1e-9)
    assert_all_close(vgan.discriminator.get_weights(), gan.discriminator.get_weights(), rtol=1e-6, atol=1e-9)
    # Update 2, from the same weights and z: lambda R now moves the gradient.
    (_, unreg_weights_1), (unreg_grads_2, _) = records[unregularized]
    assert_all_close(unreg_weights_1, vgan_weights_1, rtol=1e-6, atol=1e-9)
    differences = [np.abs(a - b).max() / (np.abs(b).max() + 1e-12) for a, b in zip(vgan_grads_2, unreg_grads_2)]
    assert max(differences) > 1e-2, differences
    assert float(logs["g_reg"]) > 0


def test_regularizer_is_zero_with_zero_gradient_at_the_snapshot_and_the_snapshot_has_no_side_effect():
    model = build()
    z = np.random.default_rng(1).standard_normal((BATCH, TINY["latent_dim"])).astype(np.float32)
    statistics = [np.array(w) for w in model.generator.non_trainable_weights]
    assert statistics  # the generator has batch normalization: the snapshot must use batch statistics
    x_old = model.snapshot_outputs(z)
    for before, w in zip(statistics, model.generator.non_trainable_weights):
        np.testing.assert_array_equal(before, w.numpy(), err_msg=w.path)
    with tf.GradientTape() as tape:
        reg = model.regularizer(model.generator(z, training=True), x_old)
    assert float(reg) == 0.0
    for g in tape.gradient(reg, model.generator.trainable_weights):
        np.testing.assert_array_equal(g, np.zeros_like(g))
    # Away from the snapshot it is positive (the check above can fail).
    model.generator.trainable_weights[0].assign_add(0.1 * tf.ones_like(model.generator.trainable_weights[0]))
    assert float(model.regularizer(model.generator(z, training=True), x_old)) > 0


def test_sum_reduction_is_the_squared_norm_and_mean_divides_it_by_the_dimension():
    x = real_batch()
    mean = build(reg_reduction="mean")
    total = same_weights(build(reg_reduction="sum"), mean)
    noise = mean.draw_noise(BATCH)
    # R at the last update is taken after the first, which both make alike (R has no gradient there).
    reg_mean = float(mean.train_step_with_noise(x, noise)["g_reg"])
    reg_sum = float(total.train_step_with_noise(x, noise)["g_reg"])
    assert reg_mean > 0
    np.testing.assert_allclose(reg_sum, np.prod(SHAPE) * reg_mean, rtol=1e-4)


def test_generator_optimizer_counts_generator_steps_per_train_step():
    model = build(generator_steps=3, n_critic=2)
    assert model.updates_per_step == (3, 2)  # optimizer_names order: generator, discriminator
    x = np.random.default_rng(0).uniform(-1, 1, (2 * BATCH, *SHAPE)).astype(np.float32)
    history = model.fit(x, batch_size=BATCH, epochs=1, verbose=0).history
    assert [int(model.g_optimizer.iterations), int(model.d_optimizer.iterations)] == [6, 4]
    assert set(history) == {"d_loss", "g_loss", "g_reg"}
    # The snapshot is no network of its own: only the generator and the discriminator are saved.
    assert set(model.get_config()) == {"name", "config", "generator", "discriminator"}


def test_defaults_follow_su_and_bad_configs_raise():
    config = zoo.VGANConfig()
    assert (config.reg_weight, config.generator_steps, config.reg_reduction) == (5.0, 2, "mean")
    assert config.generator_loss == "non_saturating" and config.n_critic == 1
    for steps in (1, 0, 2.0):
        with pytest.raises(ValueError, match=r"generator_steps must be an integer >= 2, got"):
            zoo.get_model("vgan", generator_steps=steps)
    with pytest.raises(ValueError, match="reg_weight must be >= 0"):
        zoo.get_model("vgan", reg_weight=-1.0)
    with pytest.raises(ValueError, match="unknown reg_reduction 'max'"):
        zoo.get_model("vgan", reg_reduction="max")

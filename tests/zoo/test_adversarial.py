"""What the GAN family adds to the contract: its losses, n_critic, clipping, the penalty; and the
two-player compile every model with several optimizers shares (``GenerativeModel.players``)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import zoo
from zoo import losses

TINY = dict(latent_dim=4, width=4)


def batch(shape=(8, 8, 1), n=8, seed=0):
    x = np.random.default_rng(seed).uniform(-1, 1, size=(n, *shape)).astype(np.float32)
    return tf.data.Dataset.from_tensor_slices((x, np.zeros(n, np.int32))).batch(n)


@pytest.mark.parametrize("name, n_critic", [("gan", 1), ("wgan", 5), ("wgan_gp", 5)])
def test_n_critic_discriminator_steps_per_generator_step(name, n_critic):
    model = zoo.get_model(name, input_shape=(8, 8, 1), **TINY)
    assert model.config.n_critic == n_critic  # the published recipes
    model.compile_default(jit_compile=False)
    model.fit(batch(), epochs=2, verbose=0)
    assert int(model.d_optimizer.iterations) == 2 * n_critic
    assert int(model.g_optimizer.iterations) == 2


def test_published_optimizer_defaults():
    gan, wgan, wgan_gp = (zoo.get_model(n, input_shape=(2,), **TINY) for n in ("gan", "wgan", "wgan_gp"))
    for model in (gan, wgan, wgan_gp):
        model.compile_default(jit_compile=False)
    assert type(wgan.d_optimizer).__name__ == "RMSprop" and np.isclose(float(wgan.d_optimizer.learning_rate), 5e-5)
    opt = wgan_gp.d_optimizer
    assert type(opt).__name__ == "Adam" and np.isclose(float(opt.learning_rate), 1e-4)
    assert np.isclose(opt.beta_1, 0.5) and np.isclose(opt.beta_2, 0.9)
    assert np.isclose(gan.g_optimizer.beta_1, 0.5)
    assert gan.value_range == (-1.0, 1.0)  # tanh images


def test_wgan_clips_every_critic_weight():
    model = zoo.get_model("wgan", input_shape=(8, 8, 1), clip_value=0.01, **TINY)
    model.compile_default(jit_compile=False)
    model.fit(batch(), epochs=1, verbose=0)
    for w in model.discriminator.trainable_weights:
        assert np.abs(w.numpy()).max() <= 0.01 + 1e-7, w.path
    assert any(np.abs(w.numpy()).max() > 0.011 for w in model.generator.trainable_weights)


def test_wgan_gp_critic_has_no_batch_normalization_and_reports_the_penalty():
    model = zoo.get_model("wgan_gp", input_shape=(8, 8, 1), **TINY)
    assert not any("batch_normalization" in layer.name for layer in model.discriminator.layers)
    model.compile_default(jit_compile=False)
    history = model.fit(batch(), epochs=1, verbose=0).history
    assert set(history) == {"d_loss", "g_loss", "gp", "wasserstein"}
    assert history["gp"][0] > 0


def test_discriminator_loss_is_what_the_loss_functions_give():
    model = zoo.get_model("gan", input_shape=(2,), generator_loss="minimax", **TINY)
    real = np.array([[0.5], [-1.0]], np.float32)
    fake = np.array([[2.0], [0.1]], np.float32)
    d_loss, extras = model.discriminator_loss(real, fake, None, None)
    np.testing.assert_allclose(d_loss, losses.minimax_discriminator_loss(real, fake))
    np.testing.assert_allclose(model.generator_loss(fake), losses.minimax_generator_loss(fake))
    assert extras == {}
    with pytest.raises(ValueError, match="generator_loss"):
        zoo.get_model("gan", generator_loss="hinge")


def test_sample_maps_tanh_images_to_unit_range():
    model = zoo.get_model("gan", input_shape=(8, 8, 1), **TINY)
    z = np.random.default_rng(1).standard_normal((6, 4)).astype(np.float32)
    raw = model.generator(z, training=False).numpy()
    assert raw.min() >= -1 and raw.max() <= 1
    np.testing.assert_allclose(model.sample(z), (raw + 1) / 2, rtol=1e-6)


def test_generator_moving_average_is_what_sample_uses(tmp_path):
    model = zoo.get_model("wgan_gp", input_shape=(8, 8, 1), ema_decay=0.5, n_critic=1, **TINY)
    before = [w.numpy() for w in model.generator.trainable_weights]
    np.testing.assert_array_equal(model.ema_generator.get_weights()[0], model.generator.get_weights()[0])
    model.compile_default(jit_compile=False)
    model.fit(batch(), epochs=1, verbose=0)
    trainable = {w.path for w in model.generator.trainable_weights}
    ema = [w for w, g in zip(model.ema_generator.weights, model.generator.weights) if g.path in trainable]
    for averaged, old, new in zip(ema, before, model.generator.trainable_weights):
        np.testing.assert_allclose(averaged.numpy(), 0.5 * old + 0.5 * new.numpy(), rtol=1e-5, atol=1e-7)
    assert not model.ema_generator.trainable_weights  # never trained directly
    z = np.random.default_rng(2).standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_allclose(model.sample(z), (model.ema_generator(z, training=False).numpy() + 1) / 2, rtol=1e-6)
    assert not np.allclose(model.sample(z), (model.generator(z, training=False).numpy() + 1) / 2)
    model.save(tmp_path / "ema.keras")
    loaded = keras.saving.load_model(tmp_path / "ema.keras")
    np.testing.assert_array_equal(loaded.sample(z), model.sample(z))
    with pytest.raises(ValueError, match="ema_decay"):
        zoo.get_model("gan", ema_decay=1.0)


def test_only_wgan_gp_draws_interpolation_noise():
    for name, draws in [("gan", False), ("wgan", False), ("wgan_gp", True)]:
        model = zoo.get_model(name, input_shape=(2,), n_critic=3, **TINY)
        assert model.uses_interpolation_noise is draws
        noise = model.draw_noise(5)
        assert ("critic_noise" in noise) is draws
        assert tuple(noise["critic_z"].shape) == (5, 3, 4) and tuple(noise["generator_z"].shape) == (5, 4)
        if draws:
            assert tuple(noise["critic_noise"].shape) == (5, 3)


def test_two_players_compile_by_position_or_by_name_each_on_its_own_variables():
    model = zoo.get_model("wgan", input_shape=(2,), n_critic=3, **TINY)
    assert model.optimizer_names == ("g_optimizer", "d_optimizer") and model.updates_per_step == (1, 3)
    g, d = keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.2)
    model.compile(g, d, jit_compile=False)
    assert model.g_optimizer is g and model.d_optimizer is d
    ids = lambda variables: {id(v) for v in variables}  # noqa: E731
    assert ids(g._trainable_variables) == ids(model.generator.trainable_variables)
    assert ids(d._trainable_variables) == ids(model.discriminator.trainable_variables)
    g, d = keras.optimizers.SGD(0.3), keras.optimizers.SGD(0.4)
    model.compile(d_optimizer=d, g_optimizer=g, jit_compile=False)
    assert model.g_optimizer is g and model.d_optimizer is d and g.built and d.built
    g, d = keras.optimizers.SGD(0.5), keras.optimizers.SGD(0.6)
    model.compile(g, d_optimizer=d, jit_compile=False)  # the first by position, the second by name
    assert model.g_optimizer is g and model.d_optimizer is d


@pytest.mark.parametrize(
    "arguments, message",
    [
        ((keras.optimizers.SGD(),), "missing d_optimizer"),
        ((keras.optimizers.SGD(),) * 3, "got 3"),
        ((), "not optimizer="),
    ],
)
def test_two_players_refuse_a_wrong_set_of_optimizers(arguments, message):
    model = zoo.get_model("gan", input_shape=(2,), **TINY)
    keywords = {"optimizer": keras.optimizers.SGD()} if not arguments else {}
    with pytest.raises(TypeError, match=rf"GAN.compile takes 2 optimizer\(s\) \(g_optimizer, d_optimizer\).*{message}"):
        model.compile(*arguments, **keywords)


def test_pacgan_networks_are_a_named_choice_for_points_and_refused_for_images(tmp_path):
    from zoo.nets.layers import Maxout

    x = np.arange(12, dtype="float32").reshape(2, 6)
    np.testing.assert_array_equal(Maxout(3)(x), [[2, 5], [8, 11]])  # the largest of each 3 consecutive features
    for name in ("gan", "wgan_gp", "cgan"):
        extra = {"num_classes": 8} if name == "cgan" else {}
        model = zoo.get_model(name, input_shape=(2,), latent_dim=2, nets="pacgan", **extra)
        dense = [layer for layer in model.generator.layers if isinstance(layer, keras.layers.Dense)]
        if name == "cgan":  # the body nested in the conditional wrapper
            body = next(layer for layer in model.generator.layers if isinstance(layer, keras.Model))
            dense = [layer for layer in body.layers if isinstance(layer, keras.layers.Dense)]
        assert [layer.units for layer in dense] == [400, 400, 400, 400, 2]
        d_layers = model.discriminator.layers
        if name == "cgan":
            d_layers = next(layer for layer in d_layers if isinstance(layer, keras.Model)).layers
        assert [layer.units for layer in d_layers if isinstance(layer, keras.layers.Dense)] == [1000, 1000, 1000, 1]
        assert sum(isinstance(layer, Maxout) for layer in d_layers) == 3
    model.save(tmp_path / "pacgan.keras")  # the maxout layer is serializable
    loaded = keras.saving.load_model(tmp_path / "pacgan.keras")
    z = np.random.default_rng(0).standard_normal((4, 2)).astype("float32")
    labels = np.arange(4, dtype="int32")
    np.testing.assert_allclose(loaded.sample(z, labels=labels), model.sample(z, labels=labels), atol=1e-6)
    with pytest.raises(ValueError, match="nets 'pacgan' .* takes vectors"):
        zoo.get_model("gan", input_shape=(28, 28, 1), nets="pacgan")
    with pytest.raises(ValueError, match="unknown nets 'big'"):
        zoo.get_model("gan", input_shape=(2,), nets="big")


def test_packing_judges_m_examples_at_once_and_trains(tmp_path):
    from zoo.models.adversarial import pack_examples

    x = np.arange(2 * 3 * 2, dtype="float32").reshape(6, 2)  # 6 points, d = 2; pack 2 -> 3 packs of 4
    np.testing.assert_array_equal(pack_examples(x, 2), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]])
    np.testing.assert_array_equal(pack_examples(x[:5], 2), [[0, 1, 2, 3], [4, 5, 6, 7]])  # cut to a multiple
    images = np.arange(4 * 2 * 2, dtype="float32").reshape(4, 2, 2, 1)
    packed = np.asarray(pack_examples(images, 2))  # (2, 2, 2, 2): example 2i in channel 0, 2i + 1 in channel 1
    np.testing.assert_array_equal(packed[:, :, :, 0], images[0::2, :, :, 0])
    np.testing.assert_array_equal(packed[:, :, :, 1], images[1::2, :, :, 0])
    for shape, d_input in (((2,), (8,)), ((8, 8, 1), (8, 8, 4))):
        model = zoo.get_model("gan", input_shape=shape, pack=4, **TINY)
        assert tuple(model.discriminator.inputs[0].shape[1:]) == d_input
        model.compile(*model.make_optimizers(), jit_compile=False)
        data = tf.data.Dataset.from_tensor_slices(np.random.default_rng(0).uniform(-1, 1, (10, *shape))).batch(10)
        history = model.fit(data.map(lambda v: tf.cast(v, "float32")), epochs=1, verbose=0)  # 10 -> 2 packs of 4
        assert np.isfinite(history.history["d_loss"][-1])
        x = np.ones((8, *shape), "float32")  # the judge's values: one per pack
        assert tuple(model.judge(x).shape) == (2, 1)
    model.save(tmp_path / "packed.keras")
    assert keras.saving.load_model(tmp_path / "packed.keras").config.pack == 4
    assert zoo.get_model("vgan", input_shape=(2,), pack=2, **TINY).discriminator.inputs[0].shape[1:] == (4,)
    with pytest.raises(ValueError, match="pack must be 1 for a conditional model"):
        zoo.get_model("cgan", input_shape=(2,), pack=2, num_classes=8)
    with pytest.raises(ValueError, match="pack must be a positive integer"):
        zoo.get_model("gan", input_shape=(2,), pack=0)


def test_the_r1_penalty_is_half_gamma_times_the_squared_gradient_on_real_data(tmp_path):
    x = np.random.default_rng(1).uniform(-1, 1, (6, 8, 8, 1)).astype("float32")
    z = np.random.default_rng(2).standard_normal((6, 4)).astype("float32")
    plain = zoo.get_model("gan", input_shape=(8, 8, 1), **TINY)
    model = zoo.get_model("gan", input_shape=(8, 8, 1), r1_weight=3.0, **TINY)
    model.set_weights(plain.get_weights())
    assert "r1" in model.tracker_names and "r1" not in plain.tracker_names  # metric only when on
    base, extras = plain.discriminator_terms(x, z, False)
    loss, extras = model.discriminator_terms(x, z, False)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        logits = model.discriminator(xt, training=False)
    expected = float(tf.reduce_sum(tf.square(tape.gradient(logits, xt)))) / 6  # E ||grad||^2
    assert float(extras["r1"]) == pytest.approx(expected, rel=1e-5) and expected > 0
    assert float(loss) == pytest.approx(float(base) + 1.5 * expected, rel=1e-5)
    model.compile(*model.make_optimizers(), jit_compile=False)
    history = model.fit(batch(), epochs=1, verbose=0).history
    assert np.isfinite(history["r1"][-1]) and history["r1"][-1] > 0
    model.save(tmp_path / "r1.keras")
    assert keras.saving.load_model(tmp_path / "r1.keras").config.r1_weight == 3.0
    for name, extra in (("cgan", {"num_classes": 3}), ("vgan", {}), ("gan", {"pack": 2})):  # labels, VGAN, packs
        other = zoo.get_model(name, input_shape=(8, 8, 1), r1_weight=1.0, **TINY, **extra)
        other.compile(*other.make_optimizers(), jit_compile=False)
        assert np.isfinite(other.fit(batch(), epochs=1, verbose=0).history["r1"][-1])
    with pytest.raises(ValueError, match="r1_weight"):
        zoo.get_model("gan", r1_weight=-1.0)

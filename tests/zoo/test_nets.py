"""The network families (``nets``): stages that follow the image size, each family at each size,
grey and RGB, one training step of a VAE, a GAN and a conditional model on each, the critic's
normalization options. Tiny widths, no XLA (compiles are the cost)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import zoo
from zoo.nets.defaults import conv_stages, default_decoder, default_encoder

SIZES = (28, 32, 64, 128)


@pytest.mark.parametrize(
    "shape, stages",
    [((28, 28, 1), 2), ((32, 32, 3), 3), ((64, 64, 3), 4), ((128, 128, 3), 5), ((8, 8, 1), 1), ((7, 7, 1), 0)],
)
def test_stages_stop_at_a_base_map_of_4_to_7_pixels(shape, stages):
    assert conv_stages(shape) == stages
    if stages:
        assert 4 <= shape[0] // 2**stages <= 7
    assert conv_stages((2,)) == 0 and conv_stages((28, 28)) == 0


def test_at_28x28_the_default_networks_are_the_recipes_dcgan_pair():
    encoder = default_encoder((28, 28, 1), 1, width=32)
    decoder = default_decoder(64, (28, 28, 1), width=32)
    convs = [layer.filters for layer in encoder.layers if isinstance(layer, keras.layers.Conv2D)]
    dense = [layer.units for layer in encoder.layers if isinstance(layer, keras.layers.Dense)]
    assert convs == [32, 64] and dense == [256, 1]
    transposed = [layer.filters for layer in decoder.layers if isinstance(layer, keras.layers.Conv2DTranspose)]
    assert transposed == [32, 1] and decoder.layers[1].units == 7 * 7 * 64
    assert default_encoder((28, 28, 1), 1, nets="dcgan").count_params() == encoder.count_params()


@pytest.mark.parametrize("nets", ["dcgan", "resnet"])
@pytest.mark.parametrize("size", SIZES)
def test_every_family_builds_at_every_size_grey_and_rgb(nets, size):
    for channels in (1, 3):
        shape = (size, size, channels)
        encoder = default_encoder(shape, 6, width=2, nets=nets)
        decoder = default_decoder(3, shape, width=2, nets=nets, normalization="batch", output_activation="tanh")
        assert tuple(encoder.output_shape) == (None, 6)
        assert tuple(decoder.output_shape) == (None, *shape)
    if nets == "dcgan":  # channels double on the way down, halve on the way up; the base map is 4 to 7 px
        convs = [layer.filters for layer in encoder.layers if isinstance(layer, keras.layers.Conv2D)]
        assert convs == [2 * 2**i for i in range(conv_stages(shape))]
        (base,) = [layer.output.shape[1] for layer in decoder.layers if isinstance(layer, keras.layers.Reshape)]
        assert 4 <= base <= 7


@pytest.mark.parametrize("nets", ["dcgan", "resnet"])
@pytest.mark.parametrize("size", SIZES)
def test_a_vae_a_gan_and_a_conditional_model_train_a_step_on_each_family(nets, size):
    shape = (size, size, 3)
    x = np.random.default_rng(0).uniform(0, 1, (4, *shape)).astype("float32")
    labels = np.array([0, 1, 2, 1], "int32")
    for name in ("vae", "gan", "cgan"):
        extra = {"num_classes": 3} if name == "cgan" else {}
        model = zoo.get_model(name, input_shape=shape, nets=nets, width=2, latent_dim=3, **extra)
        model.compile(*model.make_optimizers(), run_eagerly=True)  # one step: tracing would cost more
        data = tf.data.Dataset.from_tensor_slices((x * 2 - 1 if name != "vae" else x, labels)).batch(4)
        history = model.fit(data, epochs=1, verbose=0)
        assert all(np.isfinite(v[-1]) for v in history.history.values()), (name, history.history)
        z = np.zeros((2, 3), "float32")
        sampled = np.asarray(model.sample(z, labels=labels[:2]) if model.conditional else model.sample(z))
        assert sampled.shape == (2, *shape)


def test_mlp_family_takes_images_too_and_families_refuse_what_they_cannot_take():
    model = zoo.get_model("gan", input_shape=(8, 8, 1), nets="mlp", width=2, latent_dim=2)
    assert not any(isinstance(layer, keras.layers.Conv2D) for layer in model.discriminator.layers)
    assert np.asarray(model.sample(np.zeros((2, 2), "float32"))).shape == (2, 8, 8, 1)
    with pytest.raises(ValueError, match="nets 'resnet' takes images"):
        zoo.get_model("vae", input_shape=(2,), nets="resnet")
    with pytest.raises(ValueError, match="unknown nets 'big'; expected one of default, dcgan, resnet, mlp, pacgan"):
        zoo.get_model("vae", input_shape=(28, 28, 1), nets="big")


def test_critic_normalization_options(tmp_path):
    spectral = zoo.get_model("gan", input_shape=(32, 32, 3), critic_norm="spectral", width=2, latent_dim=2)
    wrapped = [
        layer for layer in spectral.discriminator.layers if isinstance(layer, keras.layers.SpectralNormalization)
    ]
    assert len(wrapped) == 5  # three convolutions, the dense layer and the output
    layer_norm = zoo.get_model("wgan_gp", input_shape=(32, 32, 3), nets="resnet", critic_norm="layer", width=2)
    assert any(isinstance(layer, keras.layers.LayerNormalization) for layer in layer_norm.discriminator.layers)
    assert not any(isinstance(layer, keras.layers.LayerNormalization) for layer in layer_norm.generator.layers)
    x = np.random.default_rng(0).uniform(-1, 1, (4, 32, 32, 3)).astype("float32")
    spectral.compile(*spectral.make_optimizers(), jit_compile=False)
    spectral.fit(tf.data.Dataset.from_tensor_slices(x).batch(4), epochs=1, verbose=0)
    spectral.save(tmp_path / "sn.keras")  # the wrapped layers save and load
    loaded = keras.saving.load_model(tmp_path / "sn.keras")
    z = np.zeros((2, 2), "float32")
    np.testing.assert_allclose(loaded.sample(z), spectral.sample(z), atol=1e-6)
    with pytest.raises(ValueError, match="unknown critic_norm 'batch'; expected one of none, layer, spectral"):
        zoo.get_model("gan", input_shape=(2,), critic_norm="batch")

"""The domain classifier: its network, the batched wrapper, training, and the .keras round trip."""

import numpy as np
import pytest
import tensorflow as tf

import zoo
from zoo.errors import BadInput
from zoo.evaluation.classifier import (
    ClassifierConfig,
    DomainClassifier,
    _flip_randomly,
    _shift_randomly,
    load_classifier,
    save_classifier,
    train_classifier,
)
from zoo.evaluation.classifier_config import DOMAIN_CONFIGS, config_for
from zoo.nets.classifier import FEATURES_LAYER, LOGITS_LAYER, conv_classifier

TINY = ClassifierConfig(filters=(4, 8), hidden_units=16, epochs=1, batch_size=64)


@pytest.fixture(scope="module")
def trained():
    """One tiny classifier trained for one epoch on 256 examples, shared by the tests that need training."""
    return train_classifier("mnist_sample", config=TINY, num_examples=256, seed=1, verbose=0)


def tiny_network(input_shape=(28, 28, 1), num_classes=10):
    tf.keras.utils.set_random_seed(0)
    return TINY.network(input_shape, num_classes)


def images(n, seed=0, shape=(28, 28, 1)):
    return np.random.default_rng(seed).uniform(size=(n, *shape)).astype(np.float32)


def test_network_has_named_features_and_logits():
    net = conv_classifier((28, 28, 1), 10, filters=(4, 8), hidden_units=16)
    assert net.output_shape == (None, 10)
    assert net.get_layer(FEATURES_LAYER).output.shape[-1] == 16
    assert net.get_layer(LOGITS_LAYER).output is net.outputs[0]
    # Two 2x2 pools: 28 -> 14 -> 7, so the dense layer sees 7 * 7 * 8 inputs.
    assert net.get_layer(FEATURES_LAYER).input.shape[-1] == 16
    assert any(layer.output.shape[1:] == (7, 7, 8) for layer in net.layers)
    default = conv_classifier()
    assert default.count_params() < 1_000_000  # small enough to ship (4 bytes a weight)


def test_each_domain_has_its_classifier_and_cifar10_gets_vgg_pairs_small_enough_to_ship():
    assert config_for("mnist") == config_for("a_folder_of_photos") == ClassifierConfig()
    cifar = config_for("cifar10")
    assert cifar is DOMAIN_CONFIGS["cifar10"] and cifar.convs_per_block == 2 and cifar.flip and cifar.max_shift == 4
    net = cifar.network((32, 32, 3), 10)
    convs = [layer for layer in net.layers if isinstance(layer, tf.keras.layers.Conv2D)]
    assert [c.filters for c in convs] == [32, 32, 64, 64, 128, 128]
    assert any(layer.output.shape[1:] == (4, 4, 128) for layer in net.layers)  # three pools: 32 -> 4
    assert net.count_params() * 4 < 5e6  # a .keras file under the 5 MB a shipped file may have
    with pytest.raises(ValueError, match="convs_per_block"):
        ClassifierConfig(convs_per_block=0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(input_shape=(3, 3, 1)), "too small"),
        (dict(input_shape=(28, 28)), "height, width, channels"),
        (dict(num_classes=1), "num_classes"),
        (dict(dropout=1.0), "dropout"),
        (dict(filters=()), "filters"),
        (dict(normalization="group"), "normalization"),
    ],
)
def test_network_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        conv_classifier(**kwargs)


def test_wrapper_gives_features_and_probabilities_in_batches():
    net = tiny_network()
    x = images(7)
    small = DomainClassifier(net, batch_size=3)
    features, probabilities = small.features_and_probabilities(x)
    assert features.shape == (7, 16) and probabilities.shape == (7, 10)
    assert small.feature_dim == 16 and small.num_classes == 10 and small.input_shape == (28, 28, 1)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-12)
    # The same as one pass through the network (inference mode) and its features layer.
    logits = net(x, training=False).numpy()
    np.testing.assert_allclose(probabilities, tf.nn.softmax(logits).numpy(), atol=1e-6)
    feature_model = tf.keras.Model(net.input, net.get_layer(FEATURES_LAYER).output)
    np.testing.assert_allclose(features, feature_model(x, training=False), rtol=1e-5, atol=1e-6)
    big = DomainClassifier(net, batch_size=500)
    np.testing.assert_allclose(big.features(x), features, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(big.probabilities(x), probabilities, rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(big.predict_classes(x), logits.argmax(axis=1))


def test_wrapper_takes_a_model_whose_input_and_output_are_lists():
    # What keras.saving.load_model gives for a model built as keras.Model([input], [output]).
    net = tiny_network()
    listed = tf.keras.Model(net.inputs, net.outputs)
    x = images(3)
    expected = DomainClassifier(net).features_and_probabilities(x)
    for a, b in zip(DomainClassifier(listed).features_and_probabilities(x), expected):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize(
    "x, message",
    [
        (np.zeros((2, 28, 28), np.float32), r"shape \(n, 28, 28, 1\)"),
        (np.zeros((0, 28, 28, 1), np.float32), "n >= 1"),
        (np.full((2, 28, 28, 1), -1.0, np.float32), r"\[0, 1\]"),
        (np.full((2, 28, 28, 1), 255.0, np.float32), r"\[0, 1\]"),
        (np.full((2, 28, 28, 1), np.nan, np.float32), "non-finite"),
    ],
)
def test_wrapper_rejects_images_it_cannot_measure(x, message):
    with pytest.raises(ValueError, match=message):
        DomainClassifier(tiny_network()).features(x)


def test_save_and_load_give_identical_outputs_without_optimizer_state(tmp_path, trained):
    result = trained  # compiled and trained: it has an optimizer with state
    size = save_classifier(result.classifier, tmp_path / "classifier.keras")
    assert size == (tmp_path / "classifier.keras").stat().st_size
    assert not list(tmp_path.glob(".*tmp*")), "temporary file left behind"
    loaded = load_classifier(tmp_path)  # a directory holding classifier.keras
    assert getattr(loaded.network, "optimizer", None) is None
    x = images(5, seed=1)
    for a, b in zip(loaded.features_and_probabilities(x), result.classifier.features_and_probabilities(x)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_loading_something_else_fails_clearly(tmp_path):
    vae = zoo.get_model("vae", input_shape=(28, 28, 1), latent_dim=2, width=2)
    vae.save(tmp_path / "vae.keras")
    with pytest.raises(ValueError, match="not a domain classifier"):
        load_classifier(tmp_path / "vae.keras")
    (tmp_path / "junk.keras").write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match="cannot load"):
        load_classifier(tmp_path / "junk.keras")
    with pytest.raises(FileNotFoundError, match="no classifier file"):
        load_classifier(tmp_path / "missing.keras")
    with pytest.raises(ValueError, match="not a domain classifier"):
        DomainClassifier(vae.decoder)


def test_training_reports_the_accuracy_of_the_returned_classifier(trained):
    result = trained
    assert result.num_train == 256 and result.num_test == 256 and result.dataset == "mnist_sample"
    assert set(result.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 1 for v in result.history.values())
    x, y = next(iter(zoo.data.load("mnist_sample", split="test", batch_size=256, num_examples=256, shuffle=False)))
    predicted = result.classifier.predict_classes(x.numpy())
    assert result.test_accuracy == pytest.approx(float(np.mean(predicted == y.numpy())), abs=1e-6)
    assert result.history["val_accuracy"][-1] == pytest.approx(result.test_accuracy, abs=1e-6)


@pytest.mark.parametrize(
    "dataset, kwargs, message",
    [
        ("ring8", {}, "images of one fixed size"),
        ("nope_not_a_dataset", {}, "nope_not_a_dataset"),
        ("mnist", {"data_dir": "EMPTY"}, "train-images-idx3-ubyte"),
    ],
)
def test_training_rejects_unusable_datasets_before_training(tmp_path, dataset, kwargs, message):
    kwargs = {k: str(tmp_path) if v == "EMPTY" else v for k, v in kwargs.items()}
    with pytest.raises(BadInput, match=message):
        train_classifier(dataset, config=TINY, verbose=0, **kwargs)


def test_random_shifts_move_each_image_by_at_most_max_shift_pixels():
    x = np.zeros((64, 9, 9, 1), np.float32)
    x[:, 4, 4, 0] = 1.0  # one bright pixel in the centre
    ds = tf.data.Dataset.from_tensors((x, np.zeros(64, np.int32)))
    shifted = _shift_randomly(ds, 2, seed=0)
    epochs = [next(iter(shifted))[0].numpy() for _ in range(2)]
    for batch in epochs:
        assert batch.shape == x.shape and np.all(batch.sum(axis=(1, 2, 3)) == 1.0)  # nothing falls off
        rows, cols = np.nonzero(batch[..., 0])[1:]
        assert set(rows) == set(range(2, 7)) and set(cols) == set(range(2, 7))  # every offset in [-2, 2] occurs
    assert not np.array_equal(epochs[0], epochs[1])  # new offsets every epoch


def test_random_flips_mirror_about_half_the_images_anew_every_epoch():
    x = np.zeros((200, 4, 4, 1), np.float32)
    x[:, 0, 0, 0] = 1.0  # a bright top-left corner; mirrored it is top-right
    ds = tf.data.Dataset.from_tensors((x, np.arange(200)))
    flipped = _flip_randomly(ds, seed=0)
    epochs = [next(iter(flipped)) for _ in range(2)]
    for batch, labels in epochs:
        batch = batch.numpy()
        mirrored = batch[:, 0, 3, 0] == 1.0
        assert np.all(mirrored != (batch[:, 0, 0, 0] == 1.0))  # each image is itself or its mirror
        assert 60 < mirrored.sum() < 140 and np.array_equal(labels, np.arange(200))  # labels kept
    assert not np.array_equal(epochs[0][0], epochs[1][0])

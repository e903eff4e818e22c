"""The conditional models (cgan, cvae): labels reach both networks, sample(n, labels) draws the
requested classes, bad labels are refused, and the training tool sets the classes from the data.

The suite-wide contract (tests/zoo/test_contract.py) and export tests cover them like every model;
here is what only a conditional model does.
"""

import dataclasses

import numpy as np
import pytest
import tensorflow as tf

import zoo
from zoo import data as zoo_data
from zoo.evaluation import metrics
from zoo.training.run import RunSpec, prepare

CONDITIONAL = [name for name in zoo.list_models() if zoo.get_model_class(name).conditional]
TINY = dict(latent_dim=4, width=4)


def test_the_conditional_models_are_registered():
    assert {"cgan", "cvae"} <= set(CONDITIONAL)
    assert not zoo.get_model_class("gan").conditional and not zoo.get_model_class("vae").conditional


@pytest.mark.parametrize("name", CONDITIONAL)
def test_the_label_changes_what_is_generated_and_every_call_path_agrees(name):
    model = zoo.get_model(name, input_shape=(8, 8, 1), **TINY)
    z = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    zeros, threes = np.asarray(model.sample(z, [0, 0, 0])), np.asarray(model.sample(z, [3, 3, 3]))
    assert not np.allclose(zeros, threes)  # the generator takes the label
    np.testing.assert_array_equal(model.sample(z, [0, 3, 0])[1], threes[1])  # per code, not per batch
    # Without labels the classes cycle 0, 1, 2, ...; generate / sample_batched / predict agree.
    np.testing.assert_array_equal(model.sample(z), model.sample(z, [0, 1, 2]))
    np.testing.assert_allclose(model.generate(z, np.array([0, 3, 0], np.int32)), model.sample(z, [0, 3, 0]), atol=1e-6)
    np.testing.assert_array_equal(
        model.generate(z, labels=np.array([0, 3, 0], np.int32)), model.generate(z, np.array([0, 3, 0], np.int32))
    )
    np.testing.assert_allclose(
        model.sample_batched(z, batch_size=2, labels=[0, 3, 0]), model.sample(z, [0, 3, 0]), atol=1e-6
    )
    predicted = model.predict((z, np.array([0, 3, 0], np.int32)), batch_size=3, verbose=0)
    np.testing.assert_allclose(predicted, model.sample(z, [0, 3, 0]), atol=1e-5)


@pytest.mark.parametrize(
    "labels, message",
    [
        ([0, 1], "labels must be 3 integers"),
        ([0.0, 1.0, 2.0], "labels must be 3 integers"),
        ([0, 1, 10], r"labels must be in \[0, 10\)"),
        ([-1, 1, 2], r"labels must be in \[0, 10\)"),
    ],
)
def test_bad_labels_are_refused_with_what_was_expected(labels, message):
    model = zoo.get_model("cgan", input_shape=(2,), **TINY)
    with pytest.raises(ValueError, match=message):
        model.sample(3, labels)


def test_an_unconditional_model_takes_no_labels():
    model = zoo.get_model("gan", input_shape=(2,), **TINY)
    with pytest.raises(ValueError, match="not conditional"):
        model.sample_batched(3, labels=[0, 1, 2])


def test_a_conditional_model_refuses_batches_without_labels():
    model = zoo.get_model("cvae", input_shape=(2,), **TINY)
    model.compile_default(jit_compile=False)
    with pytest.raises(ValueError, match=r"\(x, label\) batches"):
        model.fit(np.zeros((8, 2), np.float32), batch_size=8, epochs=1, verbose=0)


def test_the_cvae_learns_each_mode_of_ring8_from_its_label():
    # ring8's label is the mixture component of each point: a cVAE given it must put the samples
    # of label k at mode k (an unconditional model could not: the label is its only clue).
    model = zoo.get_model("cvae", input_shape=(2,), latent_dim=2, width=4, num_classes=8)
    model.compile_default(learning_rate=1e-2, jit_compile=True)
    train = zoo_data.load("ring8", batch_size=128, num_examples=4096, seed=0).repeat()
    model.fit(train, steps_per_epoch=300, epochs=1, verbose=0)
    means, _ = zoo_data.toy_modes("ring8")
    labels = np.arange(800) % 8
    samples = np.asarray(model.sample(800, labels, seed=0))
    nearest = np.argmin(((samples[:, None, :] - means[None]) ** 2).sum(-1), axis=1)  # (800,)
    assert np.mean(nearest == labels) >= 0.9


def test_label_accuracy_counts_samples_classified_as_their_requested_class():
    probabilities = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    assert metrics.label_accuracy(probabilities, np.array([0, 1, 1, 0])) == 0.5
    with pytest.raises(ValueError, match="expected probabilities"):
        metrics.label_accuracy(probabilities, np.array([0, 1]))


def test_training_sets_the_classes_from_the_dataset_and_refuses_unlabelled_data(tmp_path):
    spec = RunSpec(
        model="cgan",
        dataset="grid25",
        out=str(tmp_path / "run"),
        epochs=1,
        batch_size=16,
        latent_dim=2,
        width=2,
        jit_compile=False,
        validate=False,
    )
    model, _, _ = prepare(spec)
    assert model.num_classes == 25
    spec = dataclasses.replace(spec, dataset="swissroll", out=str(tmp_path / "run2"))
    with pytest.raises(ValueError, match="needs a dataset with class labels"):
        prepare(spec)
    assert not (tmp_path / "run2").exists()


def test_conditional_ids_reach_the_step_as_int32():
    model = zoo.get_model("cgan", input_shape=(2,), **TINY)
    model.compile_default(jit_compile=False)
    x = tf.zeros((8, 2))
    logs = model.train_step((x, tf.range(8, dtype=tf.int64) % 10))
    assert set(logs) == {"d_loss", "g_loss"}


@pytest.mark.parametrize("name", CONDITIONAL)
def test_a_conditional_config_is_its_parents_with_num_classes_last_and_checked(name):
    config_class = zoo.get_model_class(name).config_class
    parent = config_class.__mro__[2]  # (config, ConditionalConfig, parent's config, ...)
    fields = [f.name for f in dataclasses.fields(config_class)]
    assert fields == [f.name for f in dataclasses.fields(parent)] + ["num_classes"]
    for bad in (1, 2.0):
        with pytest.raises(ValueError, match=rf"num_classes must be an integer >= 2, got {bad!r}"):
            config_class(num_classes=bad)
    with pytest.raises(ValueError, match="latent_dim must be a positive integer"):  # the parent's checks run too
        config_class(latent_dim=0)

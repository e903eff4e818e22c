"""EvaluationCallback: the classifier figures of a model's samples during fit, in history.json and TensorBoard."""

import json
import math

import keras
import numpy as np
import pytest

import zoo
from zoo.evaluation import metrics
from zoo.evaluation.classifier import DomainClassifier
from zoo.nets.classifier import conv_classifier
from zoo.training.callbacks import EpochState, EvaluationCallback

N = 16


@pytest.fixture(scope="module")
def classifier():
    keras.utils.set_random_seed(0)
    return DomainClassifier(conv_classifier(filters=(2,), hidden_units=8))


@pytest.fixture(scope="module")
def real_images():
    return metrics.load_image_array("mnist_sample", "test", num_examples=N)[0]


def tiny_vae():
    keras.utils.set_random_seed(1)
    model = zoo.get_model("vae", latent_dim=2, width=2)
    model.compile_default(jit_compile=False)
    return model


def fit(model, callbacks, epochs=3):
    x = np.random.default_rng(2).uniform(size=(8, 28, 28, 1)).astype(np.float32)
    return model.fit(x, epochs=epochs, batch_size=8, callbacks=callbacks, verbose=0)


def test_figures_reach_history_json_tensorboard_and_their_own_file(tmp_path, classifier, real_images):
    model = tiny_vae()
    evaluation = EvaluationCallback(
        classifier, real_images, every=2, num_samples=N, log_dir=tmp_path / "logs", history_path=tmp_path / "eval.json"
    )
    fit(model, [evaluation, EpochState(tmp_path, model)])  # evaluation first: EpochState reads the logs after it
    history = json.loads((tmp_path / "history.json").read_text())
    assert set(evaluation.keys()) <= set(history)
    for key in evaluation.keys():
        assert len(history[key]) == 3 == len(history["loss"]), key  # aligned with the epochs
        assert history[key][0] is None, key  # epoch 1 is not evaluated (every = 2): null in history.json ...
        assert math.isfinite(history[key][1]) and math.isfinite(history[key][2]), key  # ... 2 and 3 (last) are
    # The last figures are those of the trained model's samples, recomputed by hand.
    images = metrics.sample_images(model, N)
    features, probabilities = classifier.features_and_probabilities(images)
    real_features = classifier.features(real_images)
    assert history["eval_frechet_distance"][2] == pytest.approx(
        metrics.frechet_distance(features, real_features), rel=1e-6
    )
    assert history["eval_classifier_score"][2] == pytest.approx(metrics.classifier_score(probabilities), rel=1e-6)
    coverage = metrics.class_coverage(probabilities.argmax(axis=1), 10)
    assert history["eval_classes_covered"][2] == coverage["classes_covered"]
    assert history["eval_class_kl_to_uniform"][2] == pytest.approx(coverage["kl_to_uniform"], rel=1e-6)
    own = json.loads((tmp_path / "eval.json").read_text())
    assert own["epoch"] == [2, 3] and own["num_samples"] == N
    assert own["frechet_distance"] == history["eval_frechet_distance"][1:]
    assert list((tmp_path / "logs").glob("events.out.tfevents.*"))


def test_after_epoch_state_the_figures_miss_history_json(tmp_path, classifier, real_images):
    # Keras passes one logs dict through the callbacks in list order: a callback listed before
    # the evaluation has written its file by the time the figures are added.
    model = tiny_vae()
    evaluation = EvaluationCallback(classifier, real_images, num_samples=N)
    keras_history = fit(model, [EpochState(tmp_path, model), evaluation], epochs=1)
    assert not any(k.startswith("eval_") for k in json.loads((tmp_path / "history.json").read_text()))
    assert "eval_frechet_distance" in keras_history.history  # Keras' own History runs last and has them


def test_a_resumed_run_rewrites_the_repeated_epochs_of_its_file(tmp_path, classifier, real_images):
    path = tmp_path / "eval.json"
    path.write_text(
        json.dumps(
            {
                "epoch": [1, 2, 3],
                "frechet_distance": [9.0, 8.0, 7.0],
                "classifier_score": [1, 1, 1],
                "classes_covered": [1, 1, 1],
                "class_kl_to_uniform": [2, 2, 2],
                "num_samples": N,
            }
        )
    )
    model = tiny_vae()
    evaluation = EvaluationCallback(classifier, real_images, num_samples=N, history_path=path)
    model.fit(
        np.zeros((8, 28, 28, 1), np.float32), epochs=3, initial_epoch=2, batch_size=8, callbacks=[evaluation], verbose=0
    )
    own = json.loads(path.read_text())
    assert own["epoch"] == [1, 2, 3] and own["frechet_distance"][:2] == [9.0, 8.0]
    assert own["frechet_distance"][2] != 7.0


def test_diverged_samples_give_nan_figures(classifier, real_images):
    class Diverged(keras.Model):
        latent_dim = 2
        data_shape = (28, 28, 1)

        def sample(self, z):
            return np.full((len(z), 28, 28, 1), np.nan, np.float32)

    evaluation = EvaluationCallback(classifier, real_images, num_samples=N)
    evaluation.set_model(Diverged())
    logs = {}
    evaluation.on_epoch_end(0, logs)
    assert set(logs) == set(evaluation.keys()) and all(math.isnan(v) for v in logs.values())


def test_bad_arguments_and_mismatched_shapes_raise(classifier, real_images):
    with pytest.raises(ValueError, match="at least as many real images"):
        EvaluationCallback(classifier, real_images, num_samples=N + 1)
    with pytest.raises(ValueError, match="every"):
        EvaluationCallback(classifier, real_images, every=0, num_samples=N)
    model = zoo.get_model("vae", input_shape=(8, 8, 1), latent_dim=2, width=2)
    model.compile_default(jit_compile=False)
    with pytest.raises(ValueError, match=r"generates \(8, 8, 1\) but the classifier takes \(28, 28, 1\)"):
        model.fit(
            np.zeros((4, 8, 8, 1), np.float32),
            epochs=1,
            verbose=0,
            callbacks=[EvaluationCallback(classifier, real_images, num_samples=N)],
        )

"""The Inception FID / score pipeline, checked with RANDOM weights: the ImageNet weights cannot be
downloaded here, so these tests prove the resizing, channel tiling, value mapping, shapes and
statistics, not the published figures' values."""

import numpy as np
import pytest

from zoo.evaluation.inception import INPUT_SIZE, InceptionScorer


@pytest.fixture(scope="module")
def scorer():
    import keras

    keras.utils.set_random_seed(0)
    return InceptionScorer(weights_path=None, batch_size=4)


def test_preprocess_resizes_tiles_gray_and_maps_to_minus_one_one():
    images = np.zeros((2, 28, 28, 1), np.float32)
    images[0] = 0.5
    images[1, :, 14:] = 1.0  # right half white
    x = np.asarray(InceptionScorer.preprocess(images))
    assert x.shape == (2, INPUT_SIZE, INPUT_SIZE, 3) and x.dtype == np.float32
    np.testing.assert_allclose(x[0], 0.0, atol=1e-6)  # 0.5 -> 0 everywhere
    assert x.min() >= -1.0 and x.max() <= 1.0
    assert np.array_equal(x[..., 0], x[..., 1]) and np.array_equal(x[..., 1], x[..., 2])  # gray tiled
    assert x[1, :, :100].max() == -1.0 and x[1, :, -100:].min() == 1.0  # the halves stay where they were
    with pytest.raises(ValueError, match="expected images of shape"):
        InceptionScorer.preprocess(np.zeros((2, 28, 28, 2), np.float32))


def test_features_probabilities_and_metrics_have_the_published_shapes(scorer):
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 1, size=(6, 28, 28, 1)).astype(np.float32)
    features, probabilities = scorer.features_and_probabilities(images)
    assert features.shape == (6, 2048) and probabilities.shape == (6, 1000)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    same = scorer.metrics(images, images)
    assert same["fid"] == pytest.approx(0.0, abs=1e-6) and same["num_samples"] == same["num_real"] == 6
    assert 1.0 <= same["inception_score"] <= 1000.0
    other = scorer.metrics(images, rng.uniform(0, 1, size=(6, 28, 28, 1)).astype(np.float32))
    assert other["fid"] > 0
    assert InceptionScorer.figures is InceptionScorer.metrics  # the old name, for one release

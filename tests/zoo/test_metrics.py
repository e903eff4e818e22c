"""zoo.evaluation.metrics and zoo.evaluation.likelihood on inputs whose answer can be worked out by
hand or in closed form.

Mode coverage of the 2-D mixtures; the classifier-space metrics (Fréchet distance, classifier
score, class coverage, k-NN precision and recall); the ELBO and the importance-weighted bound of a VAE.
"""

import math

import keras
import numpy as np
import pytest

import zoo
from zoo import data
from zoo.codes import seeded_codes
from zoo.evaluation import likelihood, metrics
from zoo.evaluation.likelihood import importance_weighted_bound, likelihood_metrics, standard_error
from zoo.evaluation.metrics import (
    class_coverage,
    classifier_score,
    evaluate_features,
    evaluate_images,
    frechet_distance,
    frechet_distance_from_stats,
    gaussian_statistics,
    knn_precision_recall,
    load_image_array,
    mode_coverage,
    real_data_reference,
    sample_images,
    toy_mode_coverage,
)
from zoo.models.vae import VAE, VAEConfig

RING_MEANS, RING_SIGMA = data.toy_modes("ring8")


def test_samples_on_every_ring_mean_capture_all_modes_evenly():
    samples = np.repeat(RING_MEANS, 5, axis=0)  # (40, 2): five copies of each mean
    result = mode_coverage(samples, RING_MEANS, RING_SIGMA)
    assert result == {"modes": 8, "num_modes": 8, "high_quality": 1.0, "reverse_kl": 0.0, "counts": [5] * 8}


def test_samples_on_one_mean_capture_one_mode_with_reverse_kl_log_k():
    samples = np.repeat(RING_MEANS[3:4], 100, axis=0)
    result = mode_coverage(samples, RING_MEANS, RING_SIGMA)
    assert result["modes"] == 1 and result["high_quality"] == 1.0
    assert result["counts"] == [0, 0, 0, 100, 0, 0, 0, 0]
    assert result["reverse_kl"] == pytest.approx(math.log(8), rel=1e-12)


def test_even_spread_over_half_the_modes_gives_log_2():
    samples = np.repeat(RING_MEANS[::2], 3, axis=0)  # modes 0, 2, 4, 6
    result = mode_coverage(samples, RING_MEANS, RING_SIGMA)
    assert result["modes"] == 4
    assert result["reverse_kl"] == pytest.approx(math.log(2), rel=1e-12)


def test_far_samples_are_not_high_quality_and_capture_no_mode():
    # 4 samples on mean 1; 4 far out along mean 0's direction (nearest to mean 0, but 9 units away).
    samples = np.concatenate([np.repeat(RING_MEANS[1:2], 4, axis=0), np.repeat(10 * RING_MEANS[0:1], 4, axis=0)])
    result = mode_coverage(samples, RING_MEANS, RING_SIGMA)
    assert result["high_quality"] == 0.5
    assert result["modes"] == 1 and result["counts"][0] == 0 and result["counts"][1] == 4
    assert result["reverse_kl"] == pytest.approx(math.log(8), rel=1e-12)  # the HQ samples are all on one mode


@pytest.mark.parametrize(
    "offset_in_sigmas, high_quality",
    [
        ((0.0, 2.9), True),
        ((0.0, 3.1), False),
        ((-2.9, 0.0), True),
        ((-3.1, 0.0), False),
        ((2.0, 2.0), True),  # distance 2.83 sigma
        ((2.2, 2.2), False),  # each coordinate within 3 sigma, Euclidean distance 3.11 sigma
    ],
)
def test_the_threshold_is_three_sigma_in_euclidean_distance(offset_in_sigmas, high_quality):
    sample = RING_MEANS[0] + RING_SIGMA * np.array(offset_in_sigmas)
    result = mode_coverage(sample[None], RING_MEANS, RING_SIGMA)
    assert result["high_quality"] == (1.0 if high_quality else 0.0)
    assert result["modes"] == (1 if high_quality else 0)


def test_the_threshold_can_be_changed():
    sample = RING_MEANS[0] + RING_SIGMA * np.array([[0.0, 1.5]])
    assert mode_coverage(sample, RING_MEANS, RING_SIGMA, threshold=2.0)["high_quality"] == 1.0
    assert mode_coverage(sample, RING_MEANS, RING_SIGMA, threshold=1.0)["high_quality"] == 0.0


def test_unequal_histogram_by_hand():
    means = np.array([[0.0, 0.0], [10.0, 0.0]])
    samples = np.array([[0.1, 0.0], [0.0, -0.2], [-0.3, 0.1], [10.0, 0.5]])  # 3 near mode 0, 1 near mode 1
    result = mode_coverage(samples, means, sigma=1.0)
    assert result["counts"] == [3, 1] and result["modes"] == 2 and result["high_quality"] == 1.0
    # KL([3/4, 1/4] || [1/2, 1/2]) = 3/4 log(3/4 / 1/2) + 1/4 log(1/4 / 1/2).
    expected = 0.75 * math.log(1.5) + 0.25 * math.log(0.5)
    assert result["reverse_kl"] == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(0.1308, abs=1e-4)


def test_no_high_quality_sample_reports_nan_reverse_kl():
    samples = np.array([[5.0, 5.0], [np.nan, 0.0], [np.inf, 1.0]])
    result = mode_coverage(samples, RING_MEANS, RING_SIGMA)
    assert result["modes"] == 0 and result["high_quality"] == 0.0 and result["counts"] == [0] * 8
    assert math.isnan(result["reverse_kl"])


def test_non_finite_samples_count_against_high_quality():
    samples = np.array([RING_MEANS[2], [np.nan, np.nan]])
    result = mode_coverage(samples, RING_MEANS, RING_SIGMA)
    assert result["high_quality"] == 0.5 and result["modes"] == 1 and result["counts"][2] == 1


def test_real_grid25_data_covers_every_mode():
    x, _ = next(iter(data.load("grid25", batch_size=2500, num_examples=2500, seed=0, shuffle=False)))
    assert x.shape == (2500, 2)
    result = toy_mode_coverage(x.numpy(), "grid25")
    assert result["modes"] == 25 and result["num_modes"] == 25
    assert result["high_quality"] > 0.98  # the expected fraction is 1 - exp(-9/2) = 0.989
    assert 0.0 <= result["reverse_kl"] < 0.01
    assert sum(result["counts"]) == round(result["high_quality"] * 2500)


def test_toy_mode_coverage_uses_the_datasets_modes():
    samples = np.repeat(RING_MEANS[:2], 2, axis=0)
    assert toy_mode_coverage(samples, "ring8") == mode_coverage(samples, RING_MEANS, RING_SIGMA)
    with pytest.raises(data.DatasetError, match="swissroll"):
        toy_mode_coverage(samples, "swissroll")


@pytest.mark.parametrize(
    "samples, means, sigma, message",
    [
        (np.zeros((0, 2)), RING_MEANS, 0.1, "n >= 1"),
        (np.zeros((4, 3)), RING_MEANS, 0.1, r"samples must have shape \(n, 2\)"),
        (np.zeros(2), RING_MEANS, 0.1, "samples must have shape"),
        (np.zeros((4, 2)), np.zeros((0, 2)), 0.1, "means must have shape"),
        (np.zeros((4, 2)), RING_MEANS, 0.0, "sigma must be"),
        (np.zeros((4, 2)), RING_MEANS, float("nan"), "sigma must be"),
    ],
)
def test_bad_arguments_raise(samples, means, sigma, message):
    with pytest.raises(ValueError, match=message):
        mode_coverage(samples, means, sigma)


# -- Fréchet distance ------------------------------------------------------------------------------


def test_frechet_distance_of_diagonal_gaussians_is_the_closed_form():
    # ||mu1 - mu2||^2 + sum_j (sqrt(a_j) - sqrt(b_j))^2 = (1 + 0 + 4) + ((2-1)^2 + (1-1)^2 + (3-1)^2) = 10.
    mu1, mu2 = np.array([1.0, 2.0, 3.0]), np.array([0.0, 2.0, 5.0])
    s1, s2 = np.diag([4.0, 1.0, 9.0]), np.eye(3)
    assert frechet_distance_from_stats(mu1, s1, mu2, s2) == pytest.approx(10.0, abs=1e-12)
    assert frechet_distance_from_stats(mu2, s2, mu1, s1) == pytest.approx(10.0, abs=1e-12)
    # A rotation of the space moves both Gaussians alike and changes no distance.
    q, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((3, 3)))
    assert frechet_distance_from_stats(q @ mu1, q @ s1 @ q.T, q @ mu2, q @ s2 @ q.T) == pytest.approx(10.0, abs=1e-9)


def test_frechet_distance_of_non_commuting_covariances():
    # For 2 x 2 matrices, Tr((S1 S2)^{1/2}) = sqrt(Tr(S1 S2) + 2 sqrt(det(S1 S2))):
    # S1 S2 = [[2, 4], [1, 8]], trace 10, det 12, so the distance is 4 + 5 - 2 sqrt(10 + 2 sqrt(12)) = 0.7712.
    s1, s2 = np.array([[2.0, 1.0], [1.0, 2.0]]), np.diag([1.0, 4.0])
    expected = 9.0 - 2.0 * math.sqrt(10.0 + 2.0 * math.sqrt(12.0))
    assert expected == pytest.approx(0.7712, abs=1e-4)
    assert frechet_distance_from_stats(np.zeros(2), s1, np.zeros(2), s2) == pytest.approx(expected, abs=1e-12)


def test_frechet_distance_of_identical_feature_sets_is_zero():
    features = np.random.default_rng(1).standard_normal((500, 16)) @ np.random.default_rng(2).standard_normal((16, 16))
    assert frechet_distance(features, features) == pytest.approx(0.0, abs=1e-8)
    # Rank-deficient covariances (fewer samples than dimensions, dead units) are fine too.
    few = np.concatenate([features[:5], np.zeros((5, 4))], axis=1)
    assert frechet_distance(few, few) == pytest.approx(0.0, abs=1e-8)


def test_frechet_distance_of_samples_approaches_that_of_their_gaussians():
    rng = np.random.default_rng(3)
    a = rng.normal([0.0, 1.0], [1.0, 2.0], size=(50_000, 2))
    b = rng.normal([1.0, 1.0], [3.0, 2.0], size=(50_000, 2))
    # 1 + (1 - 3)^2 + (2 - 2)^2 = 5
    assert frechet_distance(a, b) == pytest.approx(5.0, abs=0.1)
    mu, sigma = gaussian_statistics(a)
    np.testing.assert_allclose(mu, a.mean(0))
    np.testing.assert_allclose(sigma, np.cov(a.T))


@pytest.mark.parametrize(
    "args, message",
    [
        ((np.zeros(2), np.eye(2), np.zeros(3), np.eye(3)), "same length"),
        ((np.zeros(2), np.eye(3), np.zeros(2), np.eye(2)), r"sigma1 must have shape \(2, 2\)"),
        ((np.zeros(2), np.array([[1.0, 0.5], [0.0, 1.0]]), np.zeros(2), np.eye(2)), "symmetric"),
        ((np.array([np.nan, 0.0]), np.eye(2), np.zeros(2), np.eye(2)), "mu1 has non-finite"),
    ],
)
def test_frechet_distance_rejects_bad_statistics(args, message):
    with pytest.raises(ValueError, match=message):
        frechet_distance_from_stats(*args)


def test_frechet_distance_rejects_bad_feature_sets():
    with pytest.raises(ValueError, match="n >= 2"):
        frechet_distance(np.zeros((1, 3)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="same width"):
        frechet_distance(np.zeros((4, 3)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="non-finite"):
        frechet_distance(np.full((4, 3), np.inf), np.zeros((4, 3)))


# -- Classifier score and class coverage -----------------------------------------------------------


def test_classifier_score_of_confident_uniform_predictions_is_the_number_of_classes():
    assert classifier_score(np.repeat(np.eye(10), 7, axis=0)) == pytest.approx(10.0, rel=1e-12)


def test_classifier_score_of_identical_predictions_is_one():
    assert classifier_score(np.tile([0.2, 0.3, 0.5], (9, 1))) == pytest.approx(1.0, rel=1e-12)
    assert classifier_score(np.tile([1.0, 0.0, 0.0], (9, 1))) == pytest.approx(1.0, rel=1e-12)


def test_classifier_score_by_hand():
    # p(y) = [3/4, 1/4]; KL([1, 0] || p(y)) = log(4/3); KL([1/2, 1/2] || p(y)) = (log(2/3) + log 2) / 2.
    score = classifier_score(np.array([[1.0, 0.0], [0.5, 0.5]]))
    assert score == pytest.approx(math.exp(0.75 * math.log(4 / 3)), rel=1e-12)


@pytest.mark.parametrize("probabilities", [np.array([[0.5, 0.6]]), np.array([[1.5, -0.5]]), np.ones(3) / 3])
def test_classifier_score_rejects_non_probabilities(probabilities):
    with pytest.raises(ValueError):
        classifier_score(probabilities)


def test_class_coverage_of_hand_made_histograms():
    even = class_coverage(np.repeat(np.arange(4), 25), 4)
    assert even == {
        "counts": [25] * 4,
        "kl_to_uniform": 0.0,
        "classes_covered": 4,
        "num_classes": 4,
        "num_samples": 100,
    }
    half = class_coverage(np.array([0] * 50 + [1] * 50), 4)
    assert half["counts"] == [50, 50, 0, 0] and half["classes_covered"] == 2
    assert half["kl_to_uniform"] == pytest.approx(math.log(2), rel=1e-12)
    one = class_coverage(np.full(10, 3), 10)
    assert one["classes_covered"] == 1 and one["kl_to_uniform"] == pytest.approx(math.log(10), rel=1e-12)


def test_class_coverage_counts_classes_with_at_least_one_percent():
    labels = np.array([0] * 98 + [1, 2])  # classes 1 and 2 hold exactly 1% each
    assert class_coverage(labels, 3)["classes_covered"] == 3
    assert class_coverage(labels, 3, min_fraction=0.02)["classes_covered"] == 1
    assert class_coverage(np.array([0] * 199 + [1]), 2)["classes_covered"] == 1  # 0.5% is not enough


@pytest.mark.parametrize(
    "labels, num_classes, message",
    [
        (np.array([0, 3]), 3, r"in \[0, 3\)"),
        (np.array([-1, 0]), 3, r"in \[0, 3\)"),
        (np.array([], dtype=int), 3, "non-empty"),
        (np.array([0.0, 1.0]), 3, "integer"),
        (np.array([0, 1]), 0, "num_classes"),
    ],
)
def test_class_coverage_rejects_bad_input(labels, num_classes, message):
    with pytest.raises(ValueError, match=message):
        class_coverage(labels, num_classes)


# -- k-NN precision and recall ---------------------------------------------------------------------


def test_identical_sets_have_precision_and_recall_one():
    points = np.random.default_rng(4).standard_normal((60, 3))
    assert knn_precision_recall(points, points) == {"precision": 1.0, "recall": 1.0, "k": 3}


def test_far_apart_sets_have_precision_and_recall_zero():
    rng = np.random.default_rng(5)
    result = knn_precision_recall(rng.standard_normal((40, 3)), 1000.0 + rng.standard_normal((30, 3)))
    assert result["precision"] == 0.0 and result["recall"] == 0.0


def test_a_generator_covering_one_of_two_clusters_is_precise_without_full_recall():
    rng = np.random.default_rng(6)
    cluster_a = rng.standard_normal((30, 2))
    cluster_b = 100.0 + rng.standard_normal((10, 2))
    result = knn_precision_recall(np.concatenate([cluster_a, cluster_b]), cluster_a)
    assert result["precision"] == 1.0  # every generated point is a real point
    assert result["recall"] == 30 / 40  # cluster b is out of reach of the generated balls


def test_precision_by_hand_in_one_dimension():
    # Real points 0..4, k = 3: the radii (3rd nearest other point) are 3, 2, 2, 2, 3.
    real = np.arange(5.0)[:, None]
    # -3 is exactly 3 from 0 (inside, <=), -3.5 is outside every ball, 7 is exactly 3 from 4, 7.5 is
    # outside, 2.5 is inside: precision 3/5.
    fake = np.array([-3.0, -3.5, 7.0, 7.5, 2.5])[:, None]
    assert knn_precision_recall(real, fake)["precision"] == pytest.approx(0.6, abs=1e-15)
    # With k = 1 the radii are all 1: only 2.5 is inside.
    assert knn_precision_recall(real, fake, k=1)["precision"] == pytest.approx(0.2, abs=1e-15)


def test_recall_is_precision_with_the_roles_swapped_and_blocks_do_not_matter():
    rng = np.random.default_rng(7)
    real, fake = rng.standard_normal((80, 4)), 0.5 + 1.3 * rng.standard_normal((70, 4))
    result = knn_precision_recall(real, fake)
    swapped = knn_precision_recall(fake, real)
    assert result["recall"] == swapped["precision"] and result["precision"] == swapped["recall"]
    assert 0.0 < result["precision"] < 1.0 and 0.0 < result["recall"] < 1.0
    assert knn_precision_recall(real, fake, block_size=7) == result  # 1 row per distance block


def test_precision_recall_rejects_too_few_points():
    with pytest.raises(ValueError, match="n >= 4"):
        knn_precision_recall(np.zeros((3, 2)), np.zeros((10, 2)))
    with pytest.raises(ValueError, match="same width"):
        knn_precision_recall(np.zeros((10, 2)), np.zeros((10, 3)))


# -- Everything together, through a classifier -----------------------------------------------------


class PixelClassifier:
    """A stand-in for zoo.evaluation.classifier.DomainClassifier: features are the first 8 pixels, the class
    is 1 when the mean pixel is above 1/2."""

    def features_and_probabilities(self, images):
        flat = np.asarray(images, dtype=np.float64).reshape(len(images), -1)
        bright = flat.mean(axis=1) > 0.5
        return flat[:, :8], np.stack([~bright, bright], axis=1).astype(np.float64)


def test_evaluate_features_reports_every_figure_with_its_n():
    rng = np.random.default_rng(8)
    real = rng.standard_normal((50, 3))
    fake = rng.standard_normal((40, 3)) + 1.0
    probabilities = np.repeat(np.eye(2), 20, axis=0)
    figures = evaluate_features(fake, probabilities, real)
    assert figures["num_samples"] == 40 and figures["num_real"] == 50
    assert figures["frechet_distance"] == pytest.approx(frechet_distance(fake, real), rel=1e-12)
    assert figures["classifier_score"] == pytest.approx(2.0) and figures["classes_covered"] == 2
    assert figures["class_counts"] == [20, 20] and figures["class_kl_to_uniform"] == 0.0
    assert {k: figures[k] for k in ("precision", "recall", "k")} == knn_precision_recall(real, fake)
    assert "precision" not in evaluate_features(fake, probabilities, real, precision_recall=False)


def test_real_data_reference_uses_n_training_images_against_the_first_n_test_images():
    rng = np.random.default_rng(9)
    train_images = rng.uniform(size=(30, 4, 4, 1))
    test_images = rng.uniform(size=(20, 4, 4, 1))
    reference = real_data_reference(PixelClassifier(), train_images, test_images, num_samples=12, seed=1)
    assert reference["num_samples"] == 12 and reference["num_real"] == 12
    chosen = np.sort(np.random.default_rng(1).choice(30, size=12, replace=False))
    assert reference == evaluate_images(PixelClassifier(), train_images[chosen], test_images[:12])
    capped = real_data_reference(PixelClassifier(), train_images, test_images)  # N = 10,000 capped at 20
    assert capped["num_samples"] == 20 and capped["num_real"] == 20


def test_sample_images_uses_fixed_codes_whatever_the_batch_size():
    model = zoo.get_model("vae", input_shape=(8, 8, 1), latent_dim=2, width=2)
    images = sample_images(model, 7, seed=3, batch_size=3)
    assert images.shape == (7, 8, 8, 1) and images.min() >= 0.0 and images.max() <= 1.0
    np.testing.assert_allclose(images, sample_images(model, 7, seed=3, batch_size=100), atol=1e-6)
    z = np.random.default_rng(3).standard_normal((7, 2)).astype(np.float32)
    np.testing.assert_array_equal(seeded_codes(7, 2, seed=3), z)  # the one recipe of seeded codes
    np.testing.assert_allclose(images, model.sample(z), atol=1e-6)
    assert not np.allclose(images, sample_images(model, 7, seed=4))


def test_sample_images_of_a_conditional_model_cycles_the_classes():
    model = zoo.get_model("cvae", input_shape=(8, 8, 1), latent_dim=2, width=2, num_classes=3)
    images = sample_images(model, 5, seed=1, batch_size=2)
    z = seeded_codes(5, 2, seed=1)
    np.testing.assert_allclose(images, model.sample(z, np.array([0, 1, 2, 0, 1])), atol=1e-6)


def test_load_image_array_keeps_the_split_order():
    images, labels = load_image_array("mnist_sample", "test", num_examples=5)
    x, y = next(iter(data.load("mnist_sample", split="test", batch_size=5, shuffle=False)))
    assert images.shape == (5, 28, 28, 1) and images.dtype == np.float32
    np.testing.assert_array_equal(images, x.numpy())
    np.testing.assert_array_equal(labels, y.numpy())


# -- The importance-weighted bound -----------------------------------------------------------------
# A linear-Gaussian model x = W z + b + noise, z ~ N(0, I), noise ~ N(0, s2 I), as a zoo VAE with a
# linear encoder and decoder. With orthogonal columns of W the posterior p(z|x) is diagonal:
#     Cov = diag(1 / (1 + ||W_j||^2 / s2)),  mean = Cov W^T (x - b) / s2,
# and the marginal is p(x) = N(b, W W^T + s2 I). An encoder that outputs the exact posterior makes
# every importance weight equal to p(x), so L_k(x) = log p(x) for every k.

D, LATENT, NOISE_VAR = 4, 2, 0.5
_Q, _ = np.linalg.qr(np.random.default_rng(10).standard_normal((D, D)))
W = _Q[:, :LATENT] * np.array([1.5, 0.7])  # (D, LATENT), orthogonal columns of norms 1.5 and 0.7
B = np.array([0.3, -1.0, 0.5, 2.0])


def linear_gaussian_vae(mean_shift=0.0, var_scale=1.0):
    """The model as a VAE whose encoder outputs the exact posterior (or one shifted and scaled)."""
    post_var = 1.0 / (1.0 + np.sum(W**2, axis=0) / NOISE_VAR)  # (LATENT,)
    a = post_var[:, None] * W.T / NOISE_VAR  # (LATENT, D): posterior mean = a (x - b)
    encoder = keras.Sequential([keras.Input((D,)), keras.layers.Dense(2 * LATENT)])
    encoder.layers[-1].set_weights(
        [
            np.concatenate([a.T, np.zeros((D, LATENT))], axis=1),
            np.concatenate([-a @ B + mean_shift, np.log(post_var * var_scale)]),
        ]
    )
    decoder = keras.Sequential([keras.Input((LATENT,)), keras.layers.Dense(D)])
    decoder.layers[-1].set_weights([W.T, B])
    model = VAE(encoder, decoder, config=VAEConfig(latent_dim=LATENT, likelihood="gaussian"))
    model.decoder_log_var.assign(math.log(NOISE_VAR))
    return model, post_var


def log_marginal(x):
    """log N(x; b, W W^T + s2 I), row by row."""
    cov = W @ W.T + NOISE_VAR * np.eye(D)
    diff = x - B
    mahalanobis = np.einsum("nd,de,ne->n", diff, np.linalg.inv(cov), diff)
    return -0.5 * (D * math.log(2 * math.pi) + np.linalg.slogdet(cov)[1] + mahalanobis)


def data_points(n, seed):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n, LATENT)) @ W.T + B + math.sqrt(NOISE_VAR) * rng.standard_normal((n, D))).astype(
        np.float32
    )


@pytest.mark.parametrize("k", [1, 5, 64])
def test_iw_bound_with_the_exact_posterior_is_log_p_x_for_every_k(k):
    model, _ = linear_gaussian_vae()
    x = data_points(10, seed=11)
    bound = importance_weighted_bound(model, x, k=k, batch_size=4, max_decoder_batch=16, seed=0)
    assert bound.shape == (10,) and bound.dtype == np.float64
    np.testing.assert_allclose(bound, log_marginal(x.astype(np.float64)), atol=2e-4)


def test_iw_bound_with_a_wrong_posterior_is_below_log_p_x_by_the_kl_at_k_1_and_closer_at_large_k():
    # E[L_1] = log p(x) - KL(q(z|x) || p(z|x)); for diagonal Gaussians q = N(m + 0.5, 2 v), p = N(m, v):
    # KL = 1/2 sum_j (2 - 1 - log 2 + 0.5^2 / v_j).
    model, post_var = linear_gaussian_vae(mean_shift=0.5, var_scale=2.0)
    kl = 0.5 * float(np.sum(2.0 - 1.0 - math.log(2.0) + 0.25 / post_var))
    x = np.repeat(data_points(2, seed=12), 2000, axis=0)  # 2,000 independent draws for each of two points
    log_p = log_marginal(x[[0, 2000]].astype(np.float64))
    one = importance_weighted_bound(model, x, k=1, batch_size=500, seed=1).reshape(2, 2000)
    standard_error = one.std(axis=1) / math.sqrt(2000)
    np.testing.assert_array_less(np.abs(one.mean(axis=1) - (log_p - kl)), 5 * standard_error)
    many = importance_weighted_bound(model, x[[0, 2000]], k=2000, seed=2)
    assert np.all(many > log_p - 0.1 * kl) and np.all(many < log_p + 0.01)


def test_iw_bound_at_k_1_averages_to_the_elbo_of_a_conv_vae():
    model = zoo.get_model("vae", input_shape=(8, 8, 1), latent_dim=3, width=4)
    x = (np.random.default_rng(13).uniform(size=(2, 8, 8, 1)) > 0.5).astype(np.float32)
    draws = 1000
    x_rep = np.repeat(x, draws, axis=0)
    one = importance_weighted_bound(model, x_rep, k=1, batch_size=500, seed=3).reshape(2, draws)
    eps = np.random.default_rng(14).standard_normal((2 * draws, 3)).astype(np.float32)
    reconstruction, kl = (np.asarray(t, np.float64).reshape(2, draws) for t in model.loss_terms(x_rep, eps=eps))
    elbo = -(reconstruction + kl)  # analytic KL, sampled reconstruction: the model's -loss with beta = 1
    tolerance = 5 * np.sqrt(one.var(axis=1) / draws + elbo.var(axis=1) / draws)
    np.testing.assert_array_less(np.abs(one.mean(axis=1) - elbo.mean(axis=1)), tolerance)


def test_iw_bound_rejects_what_it_cannot_bound():
    model, _ = linear_gaussian_vae()
    with pytest.raises(ValueError, match="k must be a positive integer"):
        importance_weighted_bound(model, data_points(2, 0), k=0)
    with pytest.raises(ValueError, match=r"x must have shape \(n, 4\)"):
        importance_weighted_bound(model, np.zeros((2, 3), np.float32), k=1)
    gan = zoo.get_model("gan", input_shape=(2,), latent_dim=2, width=2)
    with pytest.raises(ValueError, match="needs a zoo VAE"):
        importance_weighted_bound(gan, np.zeros((2, 2), np.float32), k=1)


def test_the_iw_bound_moved_to_likelihood_and_keeps_its_old_name():
    assert metrics.importance_weighted_bound is likelihood.importance_weighted_bound


def test_standard_error_of_the_mean():
    assert standard_error(np.array([1.0, 3.0])) == pytest.approx(1.0)  # std 1.414 (ddof 1) / sqrt(2)
    assert standard_error(np.array([2.0])) is None


def test_likelihood_metrics_of_the_exact_posterior_give_log_p_x_and_count_the_examples():
    model, _ = linear_gaussian_vae()
    x = data_points(12, seed=15)
    lines = []
    m = likelihood_metrics(model, x, iw_k=8, iw_examples=5, seed=0, log=lines.append)
    assert m["elbo_num_examples"] == 12 and m["iw_num_examples"] == 5 and m["iw_k"] == 8
    assert m["binarized"] is False and m["binarize_seed"] is None and m["units"] == "nats per example"
    log_p = log_marginal(x.astype(np.float64))
    assert m["iw_bound"] == pytest.approx(log_p[:5].mean(), abs=1e-3)  # exact posterior: L_k = log p(x)
    # The one-sample ELBO (analytic KL) is log p(x) in expectation when q is exact, not per draw.
    assert abs(m["elbo"] - log_p.mean()) < 5 * m["elbo_standard_error"]
    assert m["iw_bound_standard_error"] > 0 and m["elbo_on_iw_examples"] != m["elbo"]
    assert lines[0] == "ELBO on 12 test examples" and lines[-1] == "IW bound, k = 8: examples 1-5 of 5"


def test_likelihood_metrics_binarize_bernoulli_data_once_with_the_seed():
    model = zoo.get_model("vae", input_shape=(8, 8, 1), latent_dim=2, width=2)
    x = np.random.default_rng(16).uniform(size=(6, 8, 8, 1)).astype(np.float32)
    m = likelihood_metrics(model, x, iw_k=2, seed=3)
    assert m["binarized"] is True and m["binarize_seed"] == 3 and m["iw_num_examples"] == 6
    assert m == likelihood_metrics(model, x, iw_k=2, seed=3)
    binary = likelihood.binarize(x, np.random.default_rng(3))
    assert set(np.unique(binary)) <= {0.0, 1.0} and binary.dtype == np.float32


def test_likelihood_metrics_give_bits_per_dimension_for_discrete_data_only():
    x = np.round(np.random.default_rng(17).uniform(size=(4, 8, 8, 3)) * 255).astype(np.float32) / 255
    model = zoo.get_model("vae", input_shape=(8, 8, 3), latent_dim=2, width=2, likelihood="logistic")
    m = likelihood_metrics(model, x, iw_k=3, seed=0)
    assert m["binarized"] is False
    assert m["elbo_bits_per_dim"] == pytest.approx(-m["elbo"] / (8 * 8 * 3 * math.log(2)))
    assert m["iw_bound_bits_per_dim"] == pytest.approx(-m["iw_bound"] / (8 * 8 * 3 * math.log(2)))
    assert 0 < m["iw_bound_bits_per_dim"] <= m["elbo_bits_per_dim"] + 0.05  # a bound on a probability: >= 0 bits
    gaussian, _ = linear_gaussian_vae()
    m = likelihood_metrics(gaussian, data_points(4, seed=18), iw_k=2)
    assert m["elbo_bits_per_dim"] is None and m["iw_bound_bits_per_dim"] is None  # a density, not a probability


def test_gaussian_blur_keeps_the_mean_and_spreads_a_point():
    from zoo.evaluation.metrics import gaussian_blur

    image = np.zeros((1, 15, 15, 1), np.float32)
    image[0, 7, 7, 0] = 1.0
    blurred = gaussian_blur(image, sigma=1.0)
    assert blurred.shape == image.shape and blurred.sum() == pytest.approx(1.0, abs=1e-5)
    assert blurred[0, 7, 7, 0] == pytest.approx(1 / (2 * np.pi), rel=0.05)  # the 2-D Gaussian's peak
    np.testing.assert_allclose(blurred[0, 7, 8, 0] / blurred[0, 7, 7, 0], np.exp(-0.5), rtol=1e-3)
    flat = np.full((2, 8, 8, 3), 0.3, np.float32)
    np.testing.assert_allclose(gaussian_blur(flat), flat, atol=1e-6)  # reflected edges: no dark border

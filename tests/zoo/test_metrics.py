"""Mode coverage (zoo.metrics) on samples whose answer can be worked out by hand."""

import math

import numpy as np
import pytest

from zoo import data
from zoo.metrics import mode_coverage, toy_mode_coverage

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

"""Evaluation: figures computed from a trained model's samples, used by tools, never by train_step.

So far the module holds the mode-coverage metrics of the 2-D mixture benchmarks; the rest of the
evaluation (FID-style distances between feature statistics, scores, test-set NLL) will come
later, next to them. The functions take NumPy arrays and compute with NumPy only.

Mode coverage follows the protocol of PacGAN (Lin et al., NeurIPS 2018); VEEGAN (Srivastava et
al., NeurIPS 2017) and GDPP (Elfeki et al., ICML 2019) report its first two figures. For a
mixture of k Gaussians with means mu_1..mu_k and a shared per-coordinate standard deviation sigma
(``zoo.data.toy_modes``), and samples x_1..x_n:

    nearest(x)  = argmin_j ||x - mu_j||_2
    x is high quality  iff  min_j ||x - mu_j||_2 / sigma < threshold (3)
    c_j         = #{high-quality x with nearest(x) = j}                (the per-mode counts)
    modes       = #{j : c_j >= 1}                                      (captured modes)
    high_quality = #{high-quality x} / n
    reverse KL  = KL(p || u) = sum_j p_j log(p_j / (1/k)),  p_j = c_j / sum_i c_i,  0 log 0 = 0

in nats. The reverse KL is 0 when the high-quality samples are spread evenly over all modes and
log k when they all sit on one mode. With no high-quality sample at all p is undefined and the
reverse KL is reported as NaN (modes and high_quality are then 0); callers that average over
runs must decide how to treat it (``tools.toy2d`` leaves such runs out of the mean and says so).

A perfect sampler does not score 100% high quality: the distance of a 2-D Gaussian sample to its
mean is Rayleigh distributed, so P(r < 3 sigma) = 1 - exp(-9/2) = 98.9%.
"""

import math

import numpy as np

from zoo.data import toy_modes

__all__ = ["HIGH_QUALITY_THRESHOLD", "mode_coverage", "toy_mode_coverage"]

HIGH_QUALITY_THRESHOLD = 3.0  # in units of sigma: PacGAN's and VEEGAN's "within 3 standard deviations"


def mode_coverage(samples, means, sigma, threshold=HIGH_QUALITY_THRESHOLD):
    """Mode coverage of 2-D samples against a Gaussian mixture's modes (see the module docstring).

    Args:
        samples: (n, d) array of generated points, n >= 1. Rows with a non-finite value (a
            diverged generator) count as samples that are not high quality.
        means: (k, d) array of the mixture's means, k >= 1.
        sigma: the components' shared per-coordinate standard deviation, > 0.
        threshold: a sample is high quality when its distance to the nearest mean is below
            ``threshold * sigma`` (strictly).

    Returns:
        A dict:
            "modes": int, the number of means nearest to at least one high-quality sample;
            "num_modes": int, k;
            "high_quality": float in [0, 1], the fraction of high-quality samples;
            "reverse_kl": float, KL(histogram of the high-quality samples over the modes ||
                uniform over the k modes) in nats, NaN when no sample is high quality;
            "counts": list of k ints, the high-quality samples nearest to each mean.

    Raises:
        ValueError: shapes that do not fit, no sample, no mean, or a non-positive sigma or
            threshold.
    """
    samples = np.asarray(samples, dtype=np.float64)
    means = np.asarray(means, dtype=np.float64)
    if means.ndim != 2 or len(means) == 0:
        raise ValueError(f"means must have shape (k, d) with k >= 1, got {means.shape}")
    if samples.ndim != 2 or samples.shape[1] != means.shape[1] or len(samples) == 0:
        raise ValueError(
            f"samples must have shape (n, {means.shape[1]}) with n >= 1 to match means {means.shape}, "
            f"got {samples.shape}"
        )
    if not (math.isfinite(sigma) and sigma > 0):
        raise ValueError(f"sigma must be a finite number > 0, got {sigma!r}")
    if not (math.isfinite(threshold) and threshold > 0):
        raise ValueError(f"threshold must be a finite number > 0, got {threshold!r}")

    k = len(means)
    finite = np.all(np.isfinite(samples), axis=1)  # (n,)
    safe = np.where(finite[:, None], samples, 0.0)  # keep NaN/inf out of the arithmetic
    distances = np.linalg.norm(safe[:, None, :] - means[None, :, :], axis=-1)  # (n, k)
    nearest = np.argmin(distances, axis=1)  # (n,)
    high_quality = finite & (distances[np.arange(len(samples)), nearest] / sigma < threshold)
    counts = np.bincount(nearest[high_quality], minlength=k)  # (k,)
    total = int(counts.sum())
    return {
        "modes": int(np.count_nonzero(counts)),
        "num_modes": k,
        "high_quality": total / len(samples),
        "reverse_kl": _kl_to_uniform(counts) if total else float("nan"),
        "counts": [int(c) for c in counts],
    }


def toy_mode_coverage(samples, dataset_name, threshold=HIGH_QUALITY_THRESHOLD):
    """``mode_coverage`` against the modes of a ``zoo.data`` toy mixture ("ring8" or "grid25").

    Args:
        samples: (n, 2) generated points.
        dataset_name: a toy mixture known to ``zoo.data.toy_modes``.
        threshold: as for ``mode_coverage``.

    Returns:
        The dict of ``mode_coverage``.
    """
    means, sigma = toy_modes(dataset_name)
    return mode_coverage(samples, means, sigma, threshold=threshold)


def _kl_to_uniform(counts):
    """KL(counts / sum || uniform) in nats, with 0 log 0 = 0; counts has a positive sum."""
    p = np.asarray(counts, dtype=np.float64) / np.sum(counts)
    p = p[p > 0]
    return float(np.sum(p * np.log(p * len(counts))))

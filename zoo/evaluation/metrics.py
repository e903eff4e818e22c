"""Evaluation metrics computed from a trained model's samples, used by tools, never by train_step.

The metrics are functions of NumPy arrays (samples, features, probabilities) that compute with
NumPy only, in float64; around them, a few helpers run what produces those arrays: a model
(``sample_images``), the domain classifier (``evaluate_images``, ``real_data_reference``) or the
data pipeline (``load_image_array``). Information quantities are in nats. The likelihood bounds
of the VAE (the ELBO and the importance-weighted bound) are in ``zoo.evaluation.likelihood``.

Mode coverage (2-D toy mixtures)
--------------------------------

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

Images: figures in a domain classifier's feature space
------------------------------------------------------

FID and the Inception score (Heusel et al., NeurIPS 2017; Salimans et al., NeurIPS 2016) measure
samples with an ImageNet Inception network. For MNIST-like data the zoo uses its own small domain
classifier instead (``zoo.evaluation.classifier``): f(x) are its penultimate features, p(y|x) its softmax.
The numbers are therefore *not* comparable with published FID or Inception scores, only with
each other (same classifier file, same N); the names say so.

    classifier Fréchet distance  = ||mu_1 - mu_2||^2 + Tr(S_1 + S_2 - 2 (S_1 S_2)^{1/2})
        of the Gaussians N(mu_i, S_i) fitted to the two feature sets (frechet_distance). The
        trace of the matrix square root is computed without a general sqrtm: S_1 S_2 is similar
        to the symmetric PSD matrix S_1^{1/2} S_2 S_1^{1/2}, so
        Tr((S_1 S_2)^{1/2}) = sum_i sqrt(lambda_i(S_1^{1/2} S_2 S_1^{1/2})),
        with symmetric eigendecompositions only (no complex round-off, no scipy).
    classifier score  = exp E_x[KL(p(y|x) || p(y))],  p(y) = E_x[p(y|x)]   (classifier_score)
        1 for identical predictions, C (the number of classes) for confident predictions
        spread evenly over the C classes.
    class coverage  (class_coverage), from the predicted classes argmax_y p(y|x):
        counts c_y, KL(c / n || uniform) in nats (0: every class equally often; log C: one
        class only) and the number of classes predicted for at least 1% of the samples.
    k-NN precision and recall  (Kynkäänniemi et al., NeurIPS 2019, k = 3; knn_precision_recall):
        each real feature vector r gets the radius rho(r) of its k-th nearest neighbour among the
        real features; the real manifold is the union of the balls B(r, rho(r)). Likewise for
        the generated features.
            precision = fraction of generated samples inside the real manifold
            recall    = fraction of real samples inside the generated manifold

Each figure is computed on N generated samples against N images of the test split (default
N = 10,000, the MNIST test split); N enters every figure (the Fréchet distance is biased upwards
at small N, the manifold radii shrink with N), so it is reported with them. The same functions
applied to the training split against the test split give the real-data reference
(``real_data_reference``): what a perfect generator would score at that N.
"""

import math

import numpy as np

from zoo.codes import seeded_codes
from zoo.data import load, toy_modes
from zoo.evaluation.defaults import DEFAULT_NUM_SAMPLES
from zoo.evaluation.likelihood import importance_weighted_bound  # noqa: F401  (moved there; an alias for one release)

__all__ = [
    "DEFAULT_NUM_SAMPLES",
    "HIGH_QUALITY_THRESHOLD",
    "MIN_CLASS_FRACTION",
    "NEAREST_K",
    "class_coverage",
    "classifier_score",
    "evaluate_features",
    "evaluate_images",
    "frechet_distance",
    "frechet_distance_from_stats",
    "gaussian_statistics",
    "generate_in_batches",
    "knn_precision_recall",
    "label_accuracy",
    "load_image_array",
    "mode_coverage",
    "real_data_reference",
    "sample_images",
    "toy_mode_coverage",
]

HIGH_QUALITY_THRESHOLD = 3.0  # in units of sigma: PacGAN's and VEEGAN's "within 3 standard deviations"
NEAREST_K = 3  # Kynkäänniemi et al.'s k for the manifold radii
MIN_CLASS_FRACTION = 0.01  # a class is covered when at least 1% of the samples are predicted as it
_DISTANCE_BLOCK = 4_000_000  # entries of one block of pairwise distances (32 MB in float64)


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


# ----------------------------------------------------------------------------------------------
# Metrics in a domain classifier's feature space (see the module docstring)


def gaussian_statistics(features):
    """Mean and covariance of a feature set: the Gaussian the Fréchet distance compares.

    Args:
        features: (n, d) array, n >= 2.

    Returns:
        ``(mu, sigma)``: (d,) mean and (d, d) unbiased covariance (divided by n - 1), float64.

    Raises:
        ValueError: not a 2-D array with at least two rows, or a non-finite value.
    """
    features = _as_matrix(features, "features", min_rows=2)
    return features.mean(axis=0), np.cov(features, rowvar=False).reshape(features.shape[1], features.shape[1])


def frechet_distance_from_stats(mu1, sigma1, mu2, sigma2):
    """Fréchet (2-Wasserstein squared) distance between N(mu1, sigma1) and N(mu2, sigma2).

        ||mu1 - mu2||^2 + Tr(sigma1 + sigma2 - 2 (sigma1 sigma2)^{1/2}),

    with Tr((sigma1 sigma2)^{1/2}) = sum sqrt(eig(sigma1^{1/2} sigma2 sigma1^{1/2})): symmetric
    eigendecompositions only, negative round-off eigenvalues clipped to 0 (module docstring).

    Args:
        mu1, mu2: (d,) means.
        sigma1, sigma2: (d, d) symmetric positive semi-definite covariances.

    Returns:
        float >= 0 (round-off below 0 is clipped: the distance is a squared norm).

    Raises:
        ValueError: shapes that do not fit, a non-finite value or a non-symmetric covariance.
    """
    mu1, mu2 = (np.asarray(m, dtype=np.float64) for m in (mu1, mu2))
    if mu1.ndim != 1 or mu1.shape != mu2.shape:
        raise ValueError(f"mu1 and mu2 must be vectors of the same length, got shapes {mu1.shape} and {mu2.shape}")
    d = len(mu1)
    sigma1, sigma2 = (np.asarray(s, dtype=np.float64) for s in (sigma1, sigma2))
    for name, value in (("mu1", mu1), ("mu2", mu2), ("sigma1", sigma1), ("sigma2", sigma2)):
        if not np.all(np.isfinite(value)):
            raise ValueError(f"{name} has non-finite values")
    for name, s in (("sigma1", sigma1), ("sigma2", sigma2)):
        if s.shape != (d, d):
            raise ValueError(f"{name} must have shape ({d}, {d}) to match the means, got {s.shape}")
        if not np.allclose(s, s.T, rtol=1e-6, atol=1e-9 * max(1.0, float(np.abs(s).max()))):
            raise ValueError(f"{name} must be a symmetric covariance matrix")
    root1 = _psd_sqrt(sigma1)
    middle = root1 @ sigma2 @ root1  # similar to sigma1 sigma2, symmetric PSD
    eigenvalues = np.linalg.eigvalsh((middle + middle.T) / 2)
    trace_sqrt = float(np.sum(np.sqrt(np.clip(eigenvalues, 0.0, None))))
    diff = mu1 - mu2
    distance = float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * trace_sqrt)
    return max(distance, 0.0)


def frechet_distance(features1, features2):
    """Classifier Fréchet distance between two feature sets ("FID" in the domain classifier's space).

    Args:
        features1: (n1, d) features, n1 >= 2 (e.g. of generated images).
        features2: (n2, d) features, n2 >= 2 (e.g. of test images).

    Returns:
        float >= 0: ``frechet_distance_from_stats`` of the two sets' Gaussian fits.
    """
    mu1, sigma1 = gaussian_statistics(features1)
    mu2, sigma2 = gaussian_statistics(features2)
    if mu1.shape != mu2.shape:
        raise ValueError(f"feature sets must have the same width, got {mu1.shape[0]} and {mu2.shape[0]}")
    return frechet_distance_from_stats(mu1, sigma1, mu2, sigma2)


def label_accuracy(probabilities, labels):
    """Share of a conditional model's samples that the domain classifier puts in the class they were
    generated for: mean over samples of [argmax_k p(k | x_i) == c_i].

    Args:
        probabilities: (N, K) classifier probabilities of the samples.
        labels: (N,) the requested classes c_i.

    Returns:
        float in [0, 1].
    """
    probabilities, labels = np.asarray(probabilities), np.asarray(labels)
    if probabilities.ndim != 2 or labels.shape != (len(probabilities),):
        raise ValueError(f"expected probabilities (N, K) and labels (N,); got {probabilities.shape} and {labels.shape}")
    return float(np.mean(probabilities.argmax(axis=1) == labels))


def classifier_score(probabilities):
    """The Inception-score formula on a domain classifier: exp E_x[KL(p(y|x) || p(y))].

    Args:
        probabilities: (n, C) class probabilities p(y|x) of n samples, rows summing to 1.

    Returns:
        float in [1, C]: 1 when every sample gets the same prediction, C when the predictions
        are confident and spread evenly over the C classes.

    Raises:
        ValueError: not (n, C) with n >= 1, or rows that are not probability vectors.
    """
    p = _as_matrix(probabilities, "probabilities", min_rows=1)
    if np.any(p < 0) or not np.allclose(p.sum(axis=1), 1.0, atol=1e-4):
        raise ValueError("probabilities must be non-negative with rows summing to 1 (softmax outputs)")
    marginal = p.mean(axis=0)  # (C,): p(y)
    safe = p > 0  # 0 log 0 = 0; marginal > 0 wherever p > 0
    log_ratio = np.log(np.where(safe, p, 1.0)) - np.log(np.where(safe, marginal[None, :], 1.0))
    kl = np.sum(np.where(safe, p * log_ratio, 0.0), axis=1)  # (n,)
    return float(np.exp(kl.mean()))


def class_coverage(predicted_classes, num_classes, min_fraction=MIN_CLASS_FRACTION):
    """How evenly samples are spread over the classes, from their predicted classes.

    Args:
        predicted_classes: (n,) integer class indices in [0, num_classes), n >= 1 (e.g.
            ``probabilities.argmax(axis=1)``).
        num_classes: C, >= 1.
        min_fraction: a class is covered when at least this fraction of the samples is
            predicted as it (inclusive).

    Returns:
        A dict:
            "counts": list of C ints, the samples predicted as each class;
            "kl_to_uniform": KL(counts / n || uniform over C) in nats, in [0, log C];
            "classes_covered": int, the classes with counts / n >= min_fraction;
            "num_classes": C;
            "num_samples": n.

    Raises:
        ValueError: an empty or non-integer array, a class out of range, or a bad num_classes or
            min_fraction.
    """
    labels = np.asarray(predicted_classes)
    if labels.ndim != 1 or len(labels) == 0 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"predicted_classes must be a non-empty 1-D integer array, got {labels.dtype} {labels.shape}")
    if not (isinstance(num_classes, (int, np.integer)) and num_classes >= 1):
        raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(f"predicted classes must lie in [0, {num_classes}), got [{labels.min()}, {labels.max()}]")
    if not 0.0 < min_fraction <= 1.0:
        raise ValueError(f"min_fraction must be in (0, 1], got {min_fraction!r}")
    counts = np.bincount(labels, minlength=num_classes)  # (C,)
    return {
        "counts": [int(c) for c in counts],
        "kl_to_uniform": _kl_to_uniform(counts),
        "classes_covered": int(np.count_nonzero(counts >= min_fraction * len(labels))),
        "num_classes": int(num_classes),
        "num_samples": len(labels),
    }


def knn_precision_recall(real_features, fake_features, k=NEAREST_K, block_size=_DISTANCE_BLOCK):
    """Improved precision and recall of Kynkäänniemi et al. (2019) with k-NN manifolds.

    A point lies in a set's manifold when it is within the k-th-nearest-neighbour radius of at
    least one point of the set (distance <= radius, Euclidean). The pairwise distances are
    computed in blocks of about ``block_size`` entries, so 10,000 x 10,000 needs ~32 MB at a time.

    Args:
        real_features: (n_real, d) features of real images, n_real > k.
        fake_features: (n_fake, d) features of generated images, n_fake > k.
        k: the neighbour that sets each radius (its own point excluded; a duplicate point counts).
        block_size: entries of one block of the distance matrix.

    Returns:
        A dict: "precision" (fraction of generated samples in the real manifold), "recall"
        (fraction of real samples in the generated manifold), both in [0, 1]; "k".

    Raises:
        ValueError: shapes that do not fit, too few points for k, or non-finite values.
    """
    if not (isinstance(k, (int, np.integer)) and k >= 1):
        raise ValueError(f"k must be a positive integer, got {k!r}")
    real = _as_matrix(real_features, "real_features", min_rows=k + 1)
    fake = _as_matrix(fake_features, "fake_features", min_rows=k + 1)
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f"feature sets must have the same width, got {real.shape[1]} and {fake.shape[1]}")
    real_radii2 = _knn_radii_squared(real, k, block_size)  # (n_real,)
    fake_radii2 = _knn_radii_squared(fake, k, block_size)  # (n_fake,)
    return {
        "precision": float(np.mean(_inside(fake, real, real_radii2, block_size))),
        "recall": float(np.mean(_inside(real, fake, fake_radii2, block_size))),
        "k": int(k),
    }


def evaluate_features(
    features,
    probabilities,
    real_features,
    *,
    k=NEAREST_K,
    min_fraction=MIN_CLASS_FRACTION,
    precision_recall=True,
    real_statistics=None,
):
    """Every classifier-space figure of generated samples against real ones.

    Args:
        features: (n, d) penultimate features of n generated samples.
        probabilities: (n, C) the classifier's class probabilities for the same samples.
        real_features: (m, d) features of the real (test) images.
        k: the neighbour of ``knn_precision_recall``.
        min_fraction: as for ``class_coverage``.
        precision_recall: also compute the k-NN precision and recall (O(n m) distances).
        real_statistics: ``gaussian_statistics(real_features)`` when already computed.

    Returns:
        A dict with "num_samples" (n), "num_real" (m), "frechet_distance", "classifier_score",
        "class_kl_to_uniform", "classes_covered", "num_classes", "class_counts", and, with
        ``precision_recall``, "precision", "recall" and "k".
    """
    features = _as_matrix(features, "features", min_rows=2)
    real_features = _as_matrix(real_features, "real_features", min_rows=2)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim != 2 or len(probabilities) != len(features):
        raise ValueError(
            f"probabilities must have shape ({len(features)}, C) to match the features, got {probabilities.shape}"
        )
    mu, sigma = gaussian_statistics(features)
    real_mu, real_sigma = real_statistics if real_statistics is not None else gaussian_statistics(real_features)
    coverage = class_coverage(probabilities.argmax(axis=1), probabilities.shape[1], min_fraction=min_fraction)
    result = {
        "num_samples": len(features),
        "num_real": len(real_features),
        "frechet_distance": frechet_distance_from_stats(mu, sigma, real_mu, real_sigma),
        "classifier_score": classifier_score(probabilities),
        "class_kl_to_uniform": coverage["kl_to_uniform"],
        "classes_covered": coverage["classes_covered"],
        "num_classes": coverage["num_classes"],
        "class_counts": coverage["counts"],
    }
    if precision_recall:
        result.update(knn_precision_recall(real_features, features, k=k))
    return result


def evaluate_images(classifier, images, real_images, **kwargs):
    """``evaluate_features`` of images, through a domain classifier.

    Args:
        classifier: a ``zoo.evaluation.classifier.DomainClassifier`` (anything with
            ``features_and_probabilities(images) -> ((n, d), (n, C))``).
        images: (n, height, width, channels) generated images in [0, 1].
        real_images: (m, height, width, channels) real images in [0, 1] (the test split).
        **kwargs: passed to ``evaluate_features``.

    Returns:
        The dict of ``evaluate_features``.
    """
    features, probabilities = classifier.features_and_probabilities(images)
    real_features, _ = classifier.features_and_probabilities(real_images)
    return evaluate_features(features, probabilities, real_features, **kwargs)


BLUR_SIGMA = 1.0  # pixels: the blurred-real reference row (real training images, Gaussian-blurred)


def gaussian_blur(images, sigma=BLUR_SIGMA):
    """Images (n, h, w, c) in [0, 1] blurred by a Gaussian of standard deviation ``sigma`` pixels
    (separable kernel of radius ceil(3 sigma), edges reflected), float32."""
    images = np.asarray(images, dtype=np.float32)
    radius = int(np.ceil(3 * sigma))
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    taps = (taps / taps.sum()).astype(np.float32)
    out = np.pad(images, ((0, 0), (radius, radius), (radius, radius), (0, 0)), mode="reflect")
    out = sum(taps[i] * out[:, i : i + images.shape[1], :, :] for i in range(len(taps)))  # along the height
    out = sum(taps[i] * out[:, :, i : i + images.shape[2], :] for i in range(len(taps)))  # along the width
    return out.astype(np.float32)


def blurred_reference(classifier, train_images, test_images, num_samples=DEFAULT_NUM_SAMPLES, seed=0, **kwargs):
    """The figures of the same N training images as ``real_data_reference``, blurred by a Gaussian
    of ``BLUR_SIGMA`` pixels: a reference any classifier reproduces, between real data and a
    generator whose samples are merely smooth (a blur keeps most of the score and multiplies the
    distance)."""
    n = min(int(num_samples), len(train_images), len(test_images))
    chosen = np.sort(np.random.default_rng(seed).choice(len(train_images), size=n, replace=False))
    blurred = gaussian_blur(np.asarray(train_images)[chosen])
    return {**evaluate_images(classifier, blurred, np.asarray(test_images)[:n], **kwargs), "blur_sigma": BLUR_SIGMA}


def real_data_reference(classifier, train_images, test_images, num_samples=DEFAULT_NUM_SAMPLES, seed=0, **kwargs):
    """The figures of real data: N training images, as if generated, against N test images.

    What a generator that reproduced the data distribution would score at this N: the floor of
    the Fréchet distance and the ceilings of the other figures to read a model's figures against.

    Args:
        classifier: as for ``evaluate_images``.
        train_images: (n_train, height, width, channels) training images in [0, 1].
        test_images: (n_test, height, width, channels) test images in [0, 1].
        num_samples: N; capped at the size of either split (the result reports the N used).
        seed: which N training images (drawn without replacement); the test images are the first N.
        **kwargs: passed to ``evaluate_features``.

    Returns:
        The dict of ``evaluate_features``.
    """
    n = min(int(num_samples), len(train_images), len(test_images))
    chosen = np.sort(np.random.default_rng(seed).choice(len(train_images), size=n, replace=False))
    return evaluate_images(classifier, np.asarray(train_images)[chosen], np.asarray(test_images)[:n], **kwargs)


def sample_images(model, num_samples, seed=0, batch_size=500):
    """``num_samples`` images from a zoo model, from the seeded codes of ``zoo.codes.seeded_codes``.

    Fixed codes make the metrics of successive epochs comparable and leave the model's random
    generators (part of a run's checkpoint) untouched. A ``GenerativeModel`` generates through
    its ``sample_batched`` (one cached ``tf.function``; a conditional model cycles through its
    classes 0, 1, ..., K-1, 0, ...); anything else with ``latent_dim`` and ``sample(z)`` through
    ``generate_in_batches``.

    Args:
        model: a zoo model generating images in [0, 1].
        num_samples: n >= 1.
        seed: seed of the codes.
        batch_size: codes decoded at a time.

    Returns:
        float32 (n, *model.data_shape).
    """
    codes = seeded_codes(int(num_samples), model.latent_dim, seed)
    if hasattr(model, "sample_batched"):
        return model.sample_batched(codes, batch_size=batch_size)
    return generate_in_batches(model.sample, codes, batch_size=batch_size)


def generate_in_batches(generate, codes, labels=None, batch_size=500):
    """``generate(z)``, or ``generate(z, labels)`` with labels, ``batch_size`` codes at a time.

    For generators that do not batch themselves (an ONNX session, a stand-in model); a
    ``GenerativeModel`` has ``sample_batched``.

    Args:
        generate: codes (b, latent_dim) [and labels (b,)] -> (b, ...) array.
        codes: (n, latent_dim), n >= 1.
        labels: (n,) class ids of a conditional generator, or None.
        batch_size: codes per call.

    Returns:
        float32 (n, ...): the batches' outputs, concatenated.
    """
    parts = []
    for start in range(0, len(codes), batch_size):
        args = (codes[start : start + batch_size],) + (() if labels is None else (labels[start : start + batch_size],))
        parts.append(np.asarray(generate(*args), dtype=np.float32))
    return np.concatenate(parts)


def load_image_array(name, split="test", num_examples=None, data_dir=None, **load_args):
    """A split of an image dataset as one NumPy array in [0, 1], in the split's order.

    Args:
        name: a ``zoo.data`` image dataset (e.g. "mnist" with ``data_dir``, "mnist_sample").
        split: "train" or "test".
        num_examples: the first ``num_examples`` examples (None: all).
        data_dir: as for ``zoo.data.load``.
        **load_args: more ``zoo.data.load`` options (``tfds_dir``, ``image_size``, ...).

    Returns:
        ``(images, labels)``: float32 (n, height, width, channels) in [0, 1] and int32 (n,).
    """
    ds = load(
        name,
        split=split,
        batch_size=1024,
        data_dir=data_dir,
        value_range=(0.0, 1.0),
        shuffle=False,
        num_examples=num_examples,
        cache=False,
        **load_args,
    )
    batches = [(x.numpy(), y.numpy()) for x, y in ds]
    return np.concatenate([x for x, _ in batches]), np.concatenate([y for _, y in batches])


# ----------------------------------------------------------------------------------------------
# Helpers


def _as_matrix(array, name, min_rows):
    """float64 (n, d) with n >= min_rows and only finite values, or a ValueError naming ``name``."""
    array = np.asarray(array, dtype=np.float64)
    if array.ndim != 2 or len(array) < min_rows or array.shape[1] == 0:
        raise ValueError(f"{name} must have shape (n, d) with n >= {min_rows} and d >= 1, got {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} has non-finite values")
    return array


def _psd_sqrt(matrix):
    """The symmetric square root of a symmetric PSD matrix (negative round-off eigenvalues -> 0)."""
    eigenvalues, vectors = np.linalg.eigh(matrix)
    return (vectors * np.sqrt(np.clip(eigenvalues, 0.0, None))) @ vectors.T


def _squared_distances(a, b):
    """(len(a), len(b)) squared Euclidean distances, clipped at 0 against round-off."""
    d2 = np.sum(a**2, axis=1)[:, None] + np.sum(b**2, axis=1)[None, :] - 2.0 * (a @ b.T)
    return np.maximum(d2, 0.0)


def _rows_per_block(n_columns, block_size):
    return max(1, int(block_size) // n_columns)


def _knn_radii_squared(points, k, block_size):
    """Squared distance of each point to its k-th nearest neighbour in ``points`` (itself excluded)."""
    radii2 = np.empty(len(points))
    rows = _rows_per_block(len(points), block_size)
    for start in range(0, len(points), rows):
        d2 = _squared_distances(points[start : start + rows], points)  # (rows, n), the point itself at ~0
        radii2[start : start + rows] = np.partition(d2, k, axis=1)[:, k]  # index 0 is the point itself
    return radii2


def _inside(queries, points, radii2, block_size):
    """(len(queries),) bool: within the radius of at least one of ``points``."""
    inside = np.empty(len(queries), dtype=bool)
    rows = _rows_per_block(len(points), block_size)
    for start in range(0, len(queries), rows):
        d2 = _squared_distances(queries[start : start + rows], points)  # (rows, n_points)
        inside[start : start + rows] = np.any(d2 <= radii2[None, :], axis=1)
    return inside

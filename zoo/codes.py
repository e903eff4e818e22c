"""Seeded inputs of the generators, NumPy only: the codes of sample grids, interpolation strips,
evaluation and parity checks, and the cycled class labels of conditional models.

One recipe for every place that draws "N seeded codes": ``np.random.default_rng(seed)
.standard_normal((n, latent_dim))`` in float32, so that the first 64 of an evaluation's codes are
the codes of the training grids.
"""

import numpy as np


def fixed_codes(latent_dim, n=64, seed=0):
    """n codes z ~ N(0, I) drawn once from ``seed``: grids of successive epochs stay comparable."""
    return seeded_codes(n, latent_dim, seed)


def interpolation_codes(latent_dim, rows=4, steps=10, seed=0):
    """Rows of codes on straight lines z = (1 - t) a + t b, t = 0 .. 1 in ``steps`` steps.

    Returns:
        float32 (rows * steps, latent_dim), row-major: one line of the strip after another.
    """
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal((2, rows, 1, latent_dim))
    t = np.linspace(0.0, 1.0, steps)[None, :, None]  # (1, steps, 1)
    return ((1.0 - t) * a + t * b).reshape(rows * steps, latent_dim).astype(np.float32)


def seeded_codes(n, latent_dim, seed=0):
    """n codes z ~ N(0, I), float32 (n, latent_dim), from ``seed``: the same for the same arguments."""
    return np.random.default_rng(seed).standard_normal((n, latent_dim)).astype(np.float32)


def cycled_labels(n, num_classes):
    """Class labels 0, 1, ..., num_classes - 1, 0, 1, ... for n samples: int32 (n,), every class
    (almost) equally often."""
    return (np.arange(n) % num_classes).astype(np.int32)

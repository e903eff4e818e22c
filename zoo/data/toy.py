"""The 2-D toy sources `ring8`, `grid25` and `swissroll`, generated in-process from a seed with
NumPy (no TensorFlow). `toy_modes` gives the mixtures' means and sigma, for mode-coverage metrics.
"""

import numpy as np

from zoo.data.base import DatasetError, DatasetInfo, Raw, require_split

__all__ = [
    "GRID25_MEANS",
    "GRID25_SIGMA",
    "NAMES",
    "RING8_MEANS",
    "RING8_SIGMA",
    "SWISSROLL_NOISE",
    "SWISSROLL_SCALE",
    "info",
    "load",
    "toy_modes",
]

# ring8: 8 Gaussians on the unit circle, mean i at angle 2 pi i / 8 (i = 0..7), std 0.01.
RING8_SIGMA = 0.01
RING8_MEANS = np.stack([np.cos(2 * np.pi * np.arange(8) / 8), np.sin(2 * np.pi * np.arange(8) / 8)], axis=1)  # (8, 2)
# grid25: 25 Gaussians on {-4, -2, 0, 2, 4}^2, std 0.05; mean 5 i + j is (grid[i], grid[j]).
GRID25_SIGMA = 0.05
GRID25_MEANS = np.array([(a, b) for a in (-4.0, -2.0, 0.0, 2.0, 4.0) for b in (-4.0, -2.0, 0.0, 2.0, 4.0)])  # (25, 2)
# swissroll: sklearn's make_swiss_roll (x, z) with noise 0.25, divided by 7.5 -> about [-2, 2].
SWISSROLL_NOISE = 0.25
SWISSROLL_SCALE = 1.0 / 7.5
for _a in (RING8_MEANS, GRID25_MEANS):
    _a.setflags(write=False)
del _a

_MIXTURES = {
    "ring8": (RING8_MEANS, RING8_SIGMA),
    "grid25": (GRID25_MEANS, GRID25_SIGMA),
}
_SPLIT_SIZES = {"train": 100_000, "test": 10_000}
_SPLIT_STREAMS = {"train": 0, "test": 1}  # train and test draw from different seeds
_DEFAULT_SEED = 0


def toy_modes(name):
    """Means and standard deviation of a toy Gaussian mixture (for mode-coverage metrics).

    Args:
        name: "ring8" or "grid25".

    Returns:
        (means, sigma): read-only float64 array of shape (k, 2), whose row i is the mean of the
        component labelled i, and the per-coordinate standard deviation shared by all components.
    """
    if name not in _MIXTURES:
        raise DatasetError(f"toy_modes: {name!r} is not a toy Gaussian mixture; expected one of {', '.join(_MIXTURES)}")
    return _MIXTURES[name]


def _mixture_points(name, rng, n):
    means, sigma = _MIXTURES[name]
    labels = rng.integers(0, len(means), size=n)
    points = means[labels] + sigma * rng.standard_normal((n, 2))  # (n, 2)
    return points, labels


def _swissroll_points(name, rng, n):
    # sklearn.datasets.make_swiss_roll: t ~ 1.5 pi (1 + 2 U[0, 1]), (x, z) = (t cos t, t sin t).
    t = 1.5 * np.pi * (1.0 + 2.0 * rng.random(n))
    points = np.stack([t * np.cos(t), t * np.sin(t)], axis=1)  # (n, 2)
    points += SWISSROLL_NOISE * rng.standard_normal((n, 2))
    return points * SWISSROLL_SCALE, np.full(n, -1)


_GENERATORS = {
    "ring8": _mixture_points,
    "grid25": _mixture_points,
    "swissroll": _swissroll_points,
}
NAMES = tuple(_GENERATORS)  # the toy dataset names


def load(name, split, opts):
    """The `_Source.load` of a toy: `opts.num_examples` points (default: the split's size)
    drawn from `opts.seed` (default 0), train and test from different streams."""
    require_split(name, split, _SPLIT_SIZES)
    n = opts.num_examples or _SPLIT_SIZES[split]
    seed = _DEFAULT_SEED if opts.seed is None else opts.seed
    rng = np.random.default_rng([seed, _SPLIT_STREAMS[split]])
    points, labels = _GENERATORS[name](name, rng, n)
    return Raw(
        kind="points",
        num_examples=n,
        arrays=(points.astype(np.float32), labels.astype(np.int32)),
    )


def info(name, opts):
    """The `_Source.info` of a toy."""
    return DatasetInfo(
        name=name,
        kind="points",
        shape=(2,),
        num_classes=len(_MIXTURES[name][0]) if name in _MIXTURES else None,
        splits=dict(_SPLIT_SIZES),
        source="toy",
    )

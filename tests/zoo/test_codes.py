"""Seeded codes, interpolation lines, cycled labels and sample grids (NumPy only)."""

import numpy as np

from zoo.codes import cycled_labels, fixed_codes, interpolation_codes, seeded_codes
from zoo.pictures import image_grid


def test_interpolation_codes_lie_on_straight_lines():
    z = interpolation_codes(3, rows=2, steps=5, seed=1).reshape(2, 5, 3)
    for line in z:
        np.testing.assert_allclose(line[2], (line[0] + line[4]) / 2, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(line[1], 0.75 * line[0] + 0.25 * line[4], rtol=1e-5, atol=1e-6)
    assert not np.allclose(z[0, 0], z[1, 0])


def test_the_training_grid_codes_are_the_first_codes_of_an_evaluation():
    # Evaluation draws N codes with seeded_codes; its first 64 are the training grids' codes, so the
    # evaluation's sample grid shows the same images as the last training grid.
    grid = fixed_codes(5, 64, seed=3)
    assert grid.shape == (64, 5) and grid.dtype == np.float32
    np.testing.assert_array_equal(seeded_codes(1000, 5, seed=3)[:64], grid)
    assert not np.allclose(fixed_codes(5, 64, seed=4), grid)
    assert abs(float(seeded_codes(20_000, 2, seed=0).std()) - 1.0) < 0.02  # N(0, I)


def test_cycled_labels_ask_for_every_class_equally_often():
    labels = cycled_labels(25, 10)
    assert labels.dtype == np.int32 and labels.tolist()[:12] == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]
    assert np.bincount(labels).tolist() == [3] * 5 + [2] * 5


def test_image_grid_places_images_row_major():
    images = np.stack([np.full((2, 3, 1), v, np.float32) for v in (0.0, 0.5, 1.0)])
    grid = image_grid(images, columns=2)
    assert grid.shape == (4, 6, 1) and grid.dtype == np.uint8
    assert grid[0, 0, 0] == 0 and grid[0, 3, 0] == 128 and grid[2, 0, 0] == 255 and grid[2, 3, 0] == 0

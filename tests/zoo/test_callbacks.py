"""Sample grids and interpolation codes."""

import numpy as np

from zoo.callbacks import fixed_codes, image_grid, interpolation_codes


def test_interpolation_codes_lie_on_straight_lines():
    z = interpolation_codes(3, rows=2, steps=5, seed=1).reshape(2, 5, 3)
    for line in z:
        np.testing.assert_allclose(line[2], (line[0] + line[4]) / 2, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(line[1], 0.75 * line[0] + 0.25 * line[4], rtol=1e-5, atol=1e-6)
    assert not np.allclose(z[0, 0], z[1, 0])
    np.testing.assert_array_equal(fixed_codes(3, 4, seed=2), fixed_codes(3, 4, seed=2))


def test_image_grid_places_images_row_major():
    images = np.stack([np.full((2, 3, 1), v, np.float32) for v in (0.0, 0.5, 1.0)])
    grid = image_grid(images, columns=2)
    assert grid.shape == (4, 6, 1) and grid.dtype == np.uint8
    assert grid[0, 0, 0] == 0 and grid[0, 3, 0] == 128 and grid[2, 0, 0] == 255 and grid[2, 3, 0] == 0

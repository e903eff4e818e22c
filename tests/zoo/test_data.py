"""Tests of zoo.data: every source, the pipeline's options and every documented error.

Offline and fast: the embedded sample, IDX files and PNGs written to tmp_path, toys generated
in-process, and TFDS through tfds.testing.mock_data.
"""

import gzip
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from zoo import data
from zoo.data import DatasetError
from zoo.data.embedded import SAMPLE_PATH

IDX_STEMS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
ALL_IDX_FILES = [stem for pair in IDX_STEMS.values() for stem in pair]


def first_batch(ds):
    x, y = next(iter(ds))
    return x.numpy(), y.numpy()


def whole(name, split="train", **kwargs):
    """The whole split as one (x, y) pair of numpy arrays, in source order."""
    xs, ys = zip(
        *[(x.numpy(), y.numpy()) for x, y in data.load(name, split, batch_size=10_000, shuffle=False, **kwargs)]
    )
    return np.concatenate(xs), np.concatenate(ys)


# -- the embedded sample ----------------------------------------------------------------------


def test_list_datasets_names_the_local_sources():
    assert {"mnist_sample", "ring8", "grid25", "swissroll", "image_folder", "mnist", "fashion_mnist"} <= set(
        data.list_datasets()
    )


def test_mnist_sample_batches_are_float_nhwc_in_unit_range_with_int32_labels():
    ds = data.load("mnist_sample", batch_size=16, seed=0)
    x_spec, y_spec = ds.element_spec
    assert x_spec.shape.as_list() == [None, 28, 28, 1] and x_spec.dtype.name == "float32"
    assert y_spec.shape.as_list() == [None] and y_spec.dtype.name == "int32"
    x, y = first_batch(ds)
    assert x.shape == (16, 28, 28, 1) and x.dtype == np.float32 and y.dtype == np.int32
    assert x.min() >= 0.0 and x.max() <= 1.0 and x.max() > 0.5
    assert set(y) <= set(range(10))


@pytest.mark.parametrize("split, per_class", [("train", 600), ("test", 100)])
def test_mnist_sample_is_class_balanced_and_equals_the_stored_pixels(split, per_class):
    x, y = whole("mnist_sample", split)
    np.testing.assert_array_equal(np.bincount(y, minlength=10), [per_class] * 10)
    with np.load(SAMPLE_PATH) as npz:
        np.testing.assert_array_equal(np.round(x[..., 0] * 255).astype(np.uint8), npz[f"x_{split}"])
        np.testing.assert_array_equal(y, npz[f"y_{split}"])
        assert len(np.unique(npz[f"{split}_indices"])) == 10 * per_class


def test_sample_train_and_test_images_do_not_overlap():
    with np.load(SAMPLE_PATH) as npz:
        train = {row.tobytes() for row in npz["x_train"]}
        assert not any(row.tobytes() in train for row in npz["x_test"])


def test_value_range_maps_0_and_255_to_lo_and_hi():
    x01, _ = first_batch(data.load("mnist_sample", batch_size=8, shuffle=False))
    xpm, _ = first_batch(data.load("mnist_sample", batch_size=8, shuffle=False, value_range=(-1, 1)))
    np.testing.assert_allclose(xpm, 2.0 * x01 - 1.0, atol=1e-6)
    assert xpm.min() == -1.0 and xpm.max() == 1.0


def test_static_binarization_is_the_same_binary_image_every_epoch():
    ds = data.load("mnist_sample", "test", batch_size=32, shuffle=False, binarize="static", value_range=(-1, 1))
    epoch1, epoch2 = first_batch(ds)[0], first_batch(ds)[0]
    assert set(np.unique(epoch1)) == {-1.0, 1.0}
    np.testing.assert_array_equal(epoch1, epoch2)
    # Same draw without the cache and in a second pipeline: fixed by the data, not by the run.
    again = data.load("mnist_sample", "test", batch_size=32, shuffle=False, binarize="static", cache=False, seed=7)
    np.testing.assert_array_equal(first_batch(again)[0], (epoch1 + 1) / 2)
    # A Bernoulli draw with p = intensity: as many ones as the intensities' sum, about.
    gray, _ = first_batch(data.load("mnist_sample", "test", batch_size=32, shuffle=False))
    assert abs(((epoch1 + 1) / 2).mean() - gray.mean()) < 0.01


def test_dynamic_binarization_draws_afresh_each_epoch():
    ds = data.load("mnist_sample", "test", batch_size=32, shuffle=False, binarize="dynamic", seed=3)
    epoch1, epoch2 = first_batch(ds)[0], first_batch(ds)[0]
    assert set(np.unique(epoch1)) == {0.0, 1.0} and set(np.unique(epoch2)) == {0.0, 1.0}
    assert not np.array_equal(epoch1, epoch2)
    gray, _ = first_batch(data.load("mnist_sample", "test", batch_size=32, shuffle=False))
    assert abs(epoch1.mean() - gray.mean()) < 0.01
    # Where the intensity is 0 or 1 the draw is certain.
    np.testing.assert_array_equal(epoch1[gray == 0.0], 0.0)
    np.testing.assert_array_equal(epoch1[gray == 1.0], 1.0)


def test_shuffle_is_seeded_and_reshuffles_each_epoch():
    ds_a = data.load("mnist_sample", "test", batch_size=50, seed=11)
    ds_b = data.load("mnist_sample", "test", batch_size=50, seed=11)
    epoch1, epoch2 = first_batch(ds_a)[1], first_batch(ds_a)[1]
    np.testing.assert_array_equal(epoch1, first_batch(ds_b)[1])
    assert not np.array_equal(epoch1, epoch2)


def test_image_size_and_channels_resize_and_convert():
    x, _ = first_batch(data.load("mnist_sample", batch_size=4, image_size=(32, 32), channels=3))
    assert x.shape == (4, 32, 32, 3) and x.min() >= 0.0 and x.max() <= 1.0
    np.testing.assert_array_equal(x[..., 0], x[..., 2])


def test_info_of_the_sample_and_the_toys():
    sample = data.info("mnist_sample")
    assert (sample.kind, sample.shape, sample.num_classes) == ("image", (28, 28, 1), 10)
    assert sample.splits == {"train": 6000, "test": 1000}
    assert data.info("mnist_sample", image_size=(32, 32), channels=3).shape == (32, 32, 3)
    ring = data.info("ring8")
    assert (ring.kind, ring.shape, ring.num_classes) == ("points", (2,), 8)
    assert data.info("grid25").num_classes == 25 and data.info("swissroll").num_classes is None


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        (dict(batch_size=0), "batch_size=0"),
        (dict(batch_size=2.5), "batch_size=2.5"),
        (dict(split="validation"), "available splits: train, test"),
        (dict(value_range=(1.0, 0.0)), "lo < hi"),
        (dict(binarize="yes"), "binarize='yes'"),
        (dict(image_size=(0, 28)), "image_size"),
        (dict(channels=2), "channels=2"),
        (dict(tfds_dir="/tmp"), "tfds_dir"),
        (dict(batch_size=6001, drop_remainder=True), "only 6000 examples"),
    ],
)
def test_bad_arguments_raise_dataset_error(kwargs, expected):
    with pytest.raises(DatasetError, match=expected):
        data.load("mnist_sample", **kwargs)


def test_batch_larger_than_the_data_is_one_short_batch_without_drop_remainder():
    x, _ = first_batch(data.load("mnist_sample", "test", batch_size=5000))
    assert x.shape == (1000, 28, 28, 1)


# -- MNIST-format IDX files -------------------------------------------------------------------


def idx_bytes(array, magic):
    header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def write_idx(path, array, magic, gz):
    raw = idx_bytes(array, magic)
    if gz:
        with gzip.open(f"{path}.gz", "wb") as f:
            f.write(raw)
    else:
        path.write_bytes(raw)


@pytest.fixture
def idx_arrays():
    rng = np.random.default_rng(0)
    return {
        "train": (rng.integers(0, 256, (12, 28, 28), dtype=np.uint8), rng.integers(0, 10, 12, dtype=np.uint8)),
        "test": (rng.integers(0, 256, (5, 28, 28), dtype=np.uint8), rng.integers(0, 10, 5, dtype=np.uint8)),
    }


def write_idx_dir(directory, arrays, gz):
    directory.mkdir(exist_ok=True)
    for split, (image_stem, label_stem) in IDX_STEMS.items():
        images, labels = arrays[split]
        write_idx(directory / image_stem, images, 0x803, gz)
        write_idx(directory / label_stem, labels, 0x801, gz)
    return directory


@pytest.mark.parametrize("gz", [True, False], ids=["gz", "raw"])
@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_idx_files_are_read_exactly(tmp_path, idx_arrays, gz, name):
    directory = write_idx_dir(tmp_path / "idx", idx_arrays, gz)
    for split, (images, labels) in idx_arrays.items():
        x, y = whole(name, split, data_dir=directory)
        assert x.shape == (len(images), 28, 28, 1) and x.dtype == np.float32 and y.dtype == np.int32
        np.testing.assert_array_equal(np.round(x[..., 0] * 255).astype(np.uint8), images)
        np.testing.assert_array_equal(y, labels)
    info = data.info(name, data_dir=directory)
    assert (info.shape, info.num_classes, info.splits, info.source) == (
        (28, 28, 1),
        10,
        {"train": 12, "test": 5},
        "idx",
    )


def test_idx_missing_file_names_it(tmp_path, idx_arrays):
    directory = write_idx_dir(tmp_path / "idx", idx_arrays, gz=True)
    (directory / "t10k-labels-idx1-ubyte.gz").unlink()
    data.load("mnist", "train", data_dir=directory)  # the train split is complete
    with pytest.raises(DatasetError, match="t10k-labels-idx1-ubyte") as err:
        data.load("mnist", "test", data_dir=directory)
    assert all(stem in str(err.value) for stem in ALL_IDX_FILES)


def test_idx_bad_magic_names_the_file_and_the_expected_magic(tmp_path, idx_arrays):
    directory = write_idx_dir(tmp_path / "idx", idx_arrays, gz=False)
    images, _ = idx_arrays["train"]
    write_idx(directory / "train-images-idx3-ubyte", images, 0x802, gz=False)
    with pytest.raises(DatasetError, match=r"train-images-idx3-ubyte.*0x00000802.*expected 0x00000803"):
        data.load("mnist", data_dir=directory)


@pytest.mark.parametrize("gz", [True, False], ids=["gz", "raw"])
def test_idx_truncated_file_names_it(tmp_path, idx_arrays, gz):
    directory = write_idx_dir(tmp_path / "idx", idx_arrays, gz=gz)
    images, _ = idx_arrays["train"]
    raw = idx_bytes(images, 0x803)[:-100]
    path = directory / ("train-images-idx3-ubyte.gz" if gz else "train-images-idx3-ubyte")
    if gz:
        with gzip.open(path, "wb") as f:
            f.write(raw)
    else:
        path.write_bytes(raw)
    with pytest.raises(DatasetError, match=r"train-images-idx3-ubyte.*truncated.*expected 9424"):
        data.load("mnist", data_dir=directory)


def test_idx_truncated_gzip_stream_names_the_file(tmp_path, idx_arrays):
    directory = write_idx_dir(tmp_path / "idx", idx_arrays, gz=True)
    path = directory / "train-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-12])
    with pytest.raises(DatasetError, match="train-labels-idx1-ubyte.gz"):
        data.load("mnist", data_dir=directory)


def test_idx_count_mismatch_names_both_files(tmp_path, idx_arrays):
    directory = write_idx_dir(tmp_path / "idx", idx_arrays, gz=False)
    _, labels = idx_arrays["test"]
    write_idx(directory / "t10k-labels-idx1-ubyte", labels[:4], 0x801, gz=False)
    with pytest.raises(DatasetError, match=r"t10k-images-idx3-ubyte.*5 images.*t10k-labels-idx1-ubyte.*4 labels"):
        data.load("fashion_mnist", "test", data_dir=directory)


def test_data_dir_with_another_tfds_name_is_an_error(tmp_path):
    with pytest.raises(DatasetError, match=r"'svhn_cropped' does not take data_dir.*'cifar10'.*tfds_dir"):
        data.load("svhn_cropped", data_dir=tmp_path)


# -- TFDS -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tfds():
    return pytest.importorskip("tensorflow_datasets")


def test_tfds_mnist_through_mock_data(tfds):
    with tfds.testing.mock_data(num_examples=8):
        ds = data.load("mnist", batch_size=4)
        x, y = first_batch(ds)
        info = data.info("mnist")
    assert x.shape == (4, 28, 28, 1) and x.dtype == np.float32
    assert x.min() >= 0.0 and x.max() <= 1.0 and x.max() > 0.5
    assert y.dtype == np.int32 and y.shape == (4,) and set(y) <= set(range(10))
    assert (info.shape, info.num_classes, info.source) == ((28, 28, 1), 10, "tfds")


def test_tfds_cifar10_through_mock_data_with_resize_and_range(tfds):
    with tfds.testing.mock_data(num_examples=8):
        x, y = first_batch(data.load("cifar10", batch_size=4, value_range=(-1, 1)))
        small, _ = first_batch(data.load("cifar10", batch_size=4, image_size=(16, 16), channels=1, binarize="dynamic"))
        sized = list(data.load("cifar10", batch_size=3, num_examples=5, shuffle=False))
    assert x.shape == (4, 32, 32, 3) and x.dtype == np.float32 and x.min() >= -1.0 and x.max() <= 1.0
    assert x.min() < -0.5 and y.dtype == np.int32
    assert small.shape == (4, 16, 16, 1) and set(np.unique(small)) <= {0.0, 1.0}
    assert [len(batch_y) for _, batch_y in sized] == [3, 2]


def test_tfds_celeb_a_is_centre_cropped_to_64x64_and_unlabelled(tfds):
    with tfds.testing.mock_data(num_examples=4):
        x, y = first_batch(data.load("celeb_a", batch_size=4, image_size=(64, 64), shuffle=False))
        info = data.info("celeb_a", image_size=(64, 64))
    assert x.shape == (4, 64, 64, 3) and list(y) == [-1] * 4  # 218x178 faces, a centred square
    assert info.shape == (64, 64, 3) and info.num_classes is None


def test_tfds_download_failure_says_how_to_load_offline(tfds, tmp_path, monkeypatch):
    def offline(self, *args, **kwargs):
        raise ConnectionError("simulated: no route to storage.googleapis.com")

    monkeypatch.setattr(tfds.core.DatasetBuilder, "download_and_prepare", offline)
    with pytest.raises(DatasetError) as err:
        data.load("mnist", tfds_dir=tmp_path)
    message = str(err.value)
    assert "download failed" in message and "ConnectionError: simulated" in message
    assert "data_dir=DIR" in message and "tfds_dir=DIR" in message
    assert all(stem in message for stem in ALL_IDX_FILES)
    with pytest.raises(DatasetError, match="download failed") as err:
        data.load("cifar10", tfds_dir=tmp_path)
    assert "tfds_dir=DIR" in str(err.value) and "train-images-idx3-ubyte" not in str(err.value)


def test_tfds_not_prepared_without_download_is_an_error(tfds, tmp_path):
    with pytest.raises(DatasetError, match="download=False"):
        data.load("mnist", tfds_dir=tmp_path, download=False)


def test_unknown_name_lists_the_known_names(tfds):
    with pytest.raises(DatasetError, match="unknown dataset 'no_such_dataset_xyz'") as err:
        data.load("no_such_dataset_xyz")
    assert all(name in str(err.value) for name in ("mnist_sample", "ring8", "grid25", "swissroll", "image_folder"))
    assert "any TFDS image dataset" in str(err.value)


def test_a_tfds_dataset_without_images_is_refused(tfds):
    with pytest.raises(DatasetError, match="not an image dataset"):
        data.info("imdb_reviews")


def test_importing_zoo_data_does_not_import_tfds():
    code = "import sys, zoo.data; sys.exit('tensorflow_datasets' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


def test_zoo_data_and_its_numpy_sources_import_no_tensorflow():
    # TensorFlow comes with the pipeline, the image folder and TFDS, on first use only.
    code = (
        "import sys, zoo.data, zoo.data.idx, zoo.data.toy, zoo.data.embedded\n"
        "zoo.data.read_idx, zoo.data.toy_modes('ring8'), zoo.data.info('ring8')\n"
        "sys.exit(sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras'}) or None)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


# -- toys -------------------------------------------------------------------------------------


def test_ring8_means_are_the_eight_unit_circle_points():
    means, sigma = data.toy_modes("ring8")
    angles = 2 * np.pi * np.arange(8) / 8
    np.testing.assert_array_equal(means, np.stack([np.cos(angles), np.sin(angles)], axis=1))
    distances = np.linalg.norm(means[:, None] - means[None], axis=-1)
    assert distances[~np.eye(8, dtype=bool)].min() > 0.7  # 2 sin(pi / 8) = 0.765: all distinct
    assert sigma == data.RING8_SIGMA == 0.01 and means is data.RING8_MEANS


def test_grid25_means_are_the_grid():
    means, sigma = data.toy_modes("grid25")
    assert len({tuple(m) for m in means}) == 25 and sigma == data.GRID25_SIGMA == 0.05
    assert {tuple(m) for m in means} == {(a, b) for a in (-4, -2, 0, 2, 4) for b in (-4, -2, 0, 2, 4)}


@pytest.mark.parametrize("name", ["ring8", "grid25"])
def test_mixture_samples_sit_at_their_labelled_mean_with_std_sigma(name):
    means, sigma = data.toy_modes(name)
    x, y = whole(name, num_examples=20_000)
    assert x.shape == (20_000, 2) and x.dtype == np.float32 and y.dtype == np.int32
    offsets = x - means[y]
    assert np.abs(offsets).max() < 6 * sigma
    np.testing.assert_allclose(offsets.std(axis=0), sigma, rtol=0.05)
    counts = np.bincount(y, minlength=len(means))
    assert len(counts) == len(means) and counts.min() > 0.8 * len(y) / len(means)


def test_swissroll_is_unlabelled_and_about_within_two():
    x, y = whole("swissroll", num_examples=5_000)
    assert x.shape == (5_000, 2) and set(y) == {-1}
    assert np.abs(x).max() < 2.5 and np.abs(x).max() > 1.5


def test_toys_default_sizes_and_batches():
    ds = data.load("ring8", batch_size=256)
    x, y = first_batch(ds)
    assert x.shape == (256, 2) and x.dtype == np.float32 and y.shape == (256,) and y.dtype == np.int32
    assert data.info("ring8").splits == {"train": 100_000, "test": 10_000}
    assert len(whole("grid25", "test")[0]) == 10_000


@pytest.mark.parametrize("name", ["ring8", "grid25", "swissroll"])
def test_toys_are_reproducible_and_train_differs_from_test(name):
    train, _ = whole(name, num_examples=100)
    np.testing.assert_array_equal(train, whole(name, num_examples=100)[0])
    np.testing.assert_array_equal(whole(name, num_examples=100, seed=5)[0], whole(name, num_examples=100, seed=5)[0])
    assert not np.array_equal(train, whole(name, "test", num_examples=100)[0])
    assert not np.array_equal(train, whole(name, num_examples=100, seed=5)[0])


def test_toys_refuse_binarization_and_toy_modes_refuses_swissroll():
    with pytest.raises(DatasetError, match="binarize='static'.*ring8"):
        data.load("ring8", binarize="static")
    with pytest.raises(DatasetError, match="swissroll"):
        data.toy_modes("swissroll")


# -- image folders ----------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path):
    """dog/ (3 RGB 10x12 images) and cat/ (2), so cat is class 0 and dog class 1."""
    rng = np.random.default_rng(0)
    root = tmp_path / "images"
    pixels = {}
    for cls, count in (("dog", 3), ("cat", 2)):
        (root / cls).mkdir(parents=True)
        for i in range(count):
            array = rng.integers(0, 256, (10, 12, 3), dtype=np.uint8)
            path = root / cls / f"{i}.png"
            Image.fromarray(array).save(path)
            pixels[path] = array
    return root, pixels


def test_image_folder_labels_are_sorted_subfolder_indices(folder):
    root, pixels = folder
    x, y = whole("image_folder", data_dir=root)
    assert x.shape == (5, 10, 12, 3) and x.dtype == np.float32
    np.testing.assert_array_equal(y, [0, 0, 1, 1, 1])  # cat/0, cat/1, dog/0, dog/1, dog/2
    expected = [pixels[root / "cat" / "0.png"], pixels[root / "cat" / "1.png"]] + [
        pixels[root / "dog" / f"{i}.png"] for i in range(3)
    ]
    np.testing.assert_array_equal(np.round(x * 255).astype(np.uint8), np.stack(expected))
    info = data.info("image_folder", data_dir=root)
    assert (info.shape, info.num_classes, info.splits) == ((10, 12, 3), 2, {"train": 5})


def test_image_folder_resizes_and_converts(folder):
    root, _ = folder
    x, _ = first_batch(data.load("image_folder", batch_size=5, data_dir=root, image_size=(8, 6), channels=1))
    assert x.shape == (5, 8, 6, 1) and x.min() >= 0.0 and x.max() <= 1.0


def test_image_folder_without_subfolders_is_class_zero_and_resized_to_the_first_image(tmp_path):
    Image.fromarray(np.full((6, 6), 200, np.uint8)).save(tmp_path / "a.png")  # grayscale
    Image.fromarray(np.full((9, 9), 100, np.uint8)).save(tmp_path / "b.bmp")
    x, y = whole("image_folder", data_dir=tmp_path)
    assert x.shape == (2, 6, 6, 1) and list(y) == [0, 0]
    np.testing.assert_allclose(x[1], 100 / 255, atol=1e-6)


def test_image_folder_corrupt_file_is_named(folder):
    root, _ = folder
    (root / "dog" / "broken.png").write_bytes(b"this is not a png")
    with pytest.raises(DatasetError, match=r"dog/broken\.png"):
        data.load("image_folder", data_dir=root)


def test_image_folder_empty_or_missing_is_an_error(tmp_path):
    with pytest.raises(DatasetError, match="holds no images"):
        data.load("image_folder", data_dir=tmp_path)
    with pytest.raises(DatasetError, match="needs data_dir"):
        data.load("image_folder")


@pytest.fixture
def split_folder(folder):
    """train/ (the folder fixture's cat/ and dog/) and test/ (dog/ only: 2 images)."""
    root, pixels = folder
    train = root.parent / "split" / "train"
    train.parent.mkdir()
    root.rename(train)
    (train.parent / "test" / "dog").mkdir(parents=True)
    for i in range(2):
        Image.fromarray(np.full((10, 12, 3), 40 * i, np.uint8)).save(train.parent / "test" / "dog" / f"{i}.png")
    return train.parent


@pytest.mark.parametrize("name", ["image_folder", "cifar10"])
def test_train_and_test_subfolders_are_splits_with_the_train_classes(split_folder, name):
    x, y = whole(name, split="train", data_dir=split_folder)
    assert x.shape == (5, 10, 12, 3) and list(y) == [0, 0, 1, 1, 1]
    x, y = whole(name, split="test", data_dir=split_folder)
    assert x.shape == (2, 10, 12, 3) and list(y) == [1, 1]  # dog is class 1 of the train split
    np.testing.assert_allclose(x[1], 40 / 255, atol=1e-6)
    info = data.info(name, data_dir=split_folder)
    assert (info.num_classes, info.splits) == (2, {"train": 5, "test": 2})


def test_split_folders_that_do_not_fit_are_refused(split_folder):
    (split_folder / "test" / "bird").mkdir()
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(split_folder / "test" / "bird" / "0.png")
    with pytest.raises(DatasetError, match="has the class 'bird', which the train split does not have"):
        data.load("image_folder", split="test", data_dir=split_folder)
    (split_folder / "extra").mkdir()
    with pytest.raises(DatasetError, match=r"has split folders \(train/, test/\) but also 'extra/'"):
        data.load("image_folder", data_dir=split_folder)
    with pytest.raises(DatasetError, match="has no split 'test'; available splits: train"):
        data.load("image_folder", split="test", data_dir=split_folder / "train")


def test_images_are_centre_cropped_to_the_aspect_then_resized(tmp_path):
    wide = np.zeros((6, 10), np.uint8)
    wide[:, 2:8] = 255  # a bright centre square between dark side bands
    Image.fromarray(wide).save(tmp_path / "wide.png")
    x, _ = whole("image_folder", data_dir=tmp_path, image_size=(3, 3))
    np.testing.assert_allclose(x, 1.0, atol=1e-6)  # the bands are cropped away, not squeezed in


def test_a_decoded_split_is_cached_on_disk_and_decoded_again_when_the_folder_changes(folder, image_cache, monkeypatch):
    from zoo.data import folder as source

    root, _ = folder
    first, _ = whole("image_folder", data_dir=root, image_size=(8, 8))
    assert list((image_cache / "image_folder").glob("*.npz"))
    source._MEMORY.clear()

    def no_decoding(*args):
        raise AssertionError("decoded again")

    monkeypatch.setattr(source, "_decode_all", no_decoding)
    again, _ = whole("image_folder", data_dir=root, image_size=(8, 8))  # from the disk cache
    np.testing.assert_array_equal(again, first)
    Image.fromarray(np.zeros((10, 12, 3), np.uint8)).save(root / "cat" / "2.png")  # a new file
    with pytest.raises(AssertionError, match="decoded again"):
        whole("image_folder", data_dir=root, image_size=(8, 8))


@pytest.mark.parametrize("drop_remainder, batches", [(False, 47), (True, 46)])
def test_in_memory_datasets_know_their_number_of_batches(drop_remainder, batches):
    # Keras reads the cardinality for its progress bar and to end an epoch without a warning.
    ds = data.load("mnist_sample", batch_size=128, drop_remainder=drop_remainder, binarize="dynamic")
    assert int(ds.cardinality()) == batches  # 6000 / 128 = 46.9
    assert int(data.load("ring8", batch_size=1000, num_examples=2500).cardinality()) == 3

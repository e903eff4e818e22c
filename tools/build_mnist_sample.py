"""Builds the MNIST sample embedded in the package (zoo/sample_data/mnist_sample.npz).

Run from the project's root:

    python -m tools.build_mnist_sample [--src ../shared/data/mnist] [--out zoo/sample_data]

It reads the full MNIST (IDX files, raw or .gz) with `zoo.data.read_mnist_idx`, checks the
sha256 of each file's uncompressed content against the published values, and keeps, for every
digit, 600 images of the official training set ("train") and 100 of the official t10k test set
("test"), chosen by a seeded permutation. It writes the arrays and their source indices with
np.savez_compressed, refuses to write more than 2,000,000 bytes, and writes README.md
(provenance and the CC BY-SA 3.0 attribution) next to them.
"""

import argparse
import hashlib
import io
from pathlib import Path

import numpy as np

from zoo import data as zoo_data
from zoo.cli.common import fail
from zoo.fileio import atomic_write_bytes

PROG = "python -m tools.build_mnist_sample"

# sha256 of the uncompressed content of the original MNIST files (../shared/data/README.md).
SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
PER_CLASS = {"train": 600, "test": 100}  # examples per digit in each split of the sample
SEED = 20241124  # seeds the per-digit permutations; train uses stream 0, test stream 1
MAX_BYTES = 2_000_000  # the sample ships inside the wheel
NPZ_NAME = "mnist_sample.npz"


def select_balanced(labels, per_class, rng):
    """Sorted indices of `per_class` examples of every label, drawn by a permutation from rng.

    Args:
        labels: int array (n,) of labels 0..9.
        per_class: examples to keep per label.
        rng: a `np.random.Generator`.

    Returns:
        int64 array (10 * per_class,), sorted ascending.
    """
    chosen = []
    for digit in range(10):
        candidates = np.flatnonzero(labels == digit)
        if len(candidates) < per_class:
            raise ValueError(f"digit {digit} has {len(candidates)} examples; expected >= {per_class}")
        chosen.append(rng.permutation(candidates)[:per_class])
    return np.sort(np.concatenate(chosen))


def verify_checksums(src):
    """sha256 of each source file's uncompressed content, checked against SHA256."""
    found = {}
    for stem, expected in SHA256.items():
        path = zoo_data.find_idx_file(src, stem)
        digest = hashlib.sha256(zoo_data.read_idx_bytes(path)).hexdigest()
        if digest != expected:
            raise ValueError(f"{path}: sha256 of the uncompressed content is {digest}; expected {expected}")
        found[path.name] = digest
    return found


def build(src, out):
    """Writes out/mnist_sample.npz and out/README.md; returns the npz size in bytes."""
    files = verify_checksums(src)
    arrays, summary = {}, {}
    for stream, (split, per_class) in enumerate(PER_CLASS.items()):
        images, labels = zoo_data.read_mnist_idx(src, split)
        indices = select_balanced(labels, per_class, np.random.default_rng([SEED, stream]))
        arrays[f"x_{split}"] = images[indices]  # (n, 28, 28) uint8
        arrays[f"y_{split}"] = labels[indices]  # (n,) uint8
        arrays[f"{split}_indices"] = indices.astype(np.int32)  # (n,) into the source file
        summary[split] = (len(indices), len(labels))
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    size = len(buf.getvalue())
    npz_path = out / NPZ_NAME
    if size > MAX_BYTES:
        raise ValueError(f"{npz_path} would be {size} bytes; expected at most {MAX_BYTES}")
    with np.load(io.BytesIO(buf.getvalue())) as npz:  # round trip, before anything is written
        for key, value in arrays.items():
            if not np.array_equal(npz[key], value) or npz[key].dtype != value.dtype:
                raise ValueError(f"{npz_path}: array {key} does not read back as written")
    atomic_write_bytes(npz_path, buf.getvalue())
    atomic_write_bytes(out / "README.md", readme(files, arrays, summary, size).encode())
    return size


def readme(files, arrays, summary, size):
    checksums = "\n".join(f"| {name} | {digest} |" for name, digest in files.items())
    contents = "\n".join(
        f"| {key} | {value.dtype} | {list(value.shape)} | "
        f"{hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest()} |"
        for key, value in arrays.items()
    )
    (n_train, of_train), (n_test, of_test) = summary["train"], summary["test"]
    return f"""# mnist_sample.npz: the MNIST sample embedded in the package

`zoo.data.load("mnist_sample", split="train" | "test")` reads this file. It lets the package
train, run its examples and pass its tests with no download.

## Contents ({size} bytes, `np.savez_compressed`)

| array | dtype | shape | sha256 of the array's bytes (C order) |
|---|---|---|---|
{contents}

* `x_train`, `y_train`: {n_train} images of the official MNIST training set (of {of_train}),
  {PER_CLASS["train"]} of each digit 0-9.
* `x_test`, `y_test`: {n_test} images of the official MNIST t10k test set (of {of_test}),
  {PER_CLASS["test"]} of each digit, so the test split is held apart from the training split.
* `train_indices`, `test_indices`: the index of every example in its source file
  (`train-*` for train, `t10k-*` for test), ascending; `x_train[k]` is image
  `train_indices[k]` of `train-images-idx3-ubyte`.

## Provenance

Source: the original MNIST files in IDX format, checked by the sha256 of their uncompressed
content:

| file | sha256 of the uncompressed content |
|---|---|
{checksums}

Selection: for each digit d in 0..9, the indices of the source examples labelled d are permuted
with `numpy.random.default_rng([{SEED}, s])` (s = 0 for train, 1 for test, one generator per
split, digits taken in order 0..9) and the first {PER_CLASS["train"]} (train) or
{PER_CLASS["test"]} (test) are kept; the kept indices are sorted ascending. Built with

    python -m tools.build_mnist_sample --src ../shared/data/mnist --out zoo/sample_data

(`tools/build_mnist_sample.py`; the arrays' checksums above are reproducible, the .npz bytes are
not, since the zip records the time it was written).

## License

MNIST by Yann LeCun, Corinna Cortes and Christopher Burges, licensed CC BY-SA 3.0
(https://creativecommons.org/licenses/by-sa/3.0/); this sample is a derived subset distributed
under the same license.
"""


def main(argv=None):
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--src", default="../shared/data/mnist", help="directory of the four MNIST IDX files")
    parser.add_argument("--out", default="zoo/sample_data", help="directory to write mnist_sample.npz and README.md to")
    args = parser.parse_args(argv)
    try:
        size = build(Path(args.src), Path(args.out))
    except ValueError as err:  # zoo.data.DatasetError included: bad input, nothing written
        return fail(PROG, err)
    print(f"wrote {Path(args.out) / NPZ_NAME} ({size} bytes) and {Path(args.out) / 'README.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

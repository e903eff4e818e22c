"""Where a file came from: package versions, sha256 digests and the data attributions that
licenses ask for (standard library only). Run directories, model cards and the classifier's card
record them.
"""

import hashlib
import importlib.metadata
import os
import platform
from pathlib import Path

# The source checkout (or the installed site): paths under it are recorded relative to it.
ROOT = Path(__file__).resolve().parents[1]

# Packages whose versions the card records (distribution names, as importlib.metadata knows them).
PACKAGES = ("tensorflow", "keras", "tf2onnx", "onnx", "onnxruntime", "numpy", "tensorflow-serving-api", "genzoo")

_MNIST = {
    "dataset": "MNIST",
    "text": "MNIST by Yann LeCun, Corinna Cortes and Christopher J. C. Burges, CC BY-SA 3.0",
    "license": "CC BY-SA 3.0",
    "license_url": "https://creativecommons.org/licenses/by-sa/3.0/",
}
_CIFAR10 = {
    "dataset": "CIFAR-10",
    "text": "CIFAR-10: Alex Krizhevsky, Learning Multiple Layers of Features from Tiny Images, technical report, "
    "University of Toronto, 2009 (the dataset's page asks that work using it cite this report)",
    "license": None,
    "license_url": "https://www.cs.toronto.edu/~kriz/cifar.html",
}
# zoo.data dataset name -> the attribution its license asks for.
DATA_ATTRIBUTIONS = {
    "mnist": _MNIST,
    "mnist_sample": _MNIST,  # a subset of MNIST embedded in zoo/sample_data
    "cifar10": _CIFAR10,
}


def package_version(package):
    """The installed version of a distribution, or None."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def package_versions(packages=PACKAGES):
    """Python's version and the installed versions of ``packages`` (None where not installed)."""
    return {"python": platform.python_version(), **{package: package_version(package) for package in packages}}


def sha256_file(path, chunk_size=1 << 20):
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk_size), b""):
            digest.update(block)
    return digest.hexdigest()


def portable_path(path):
    """``path`` as a record should hold it: relative to the repository (a file the checkout ships,
    such as the MNIST classifier) or to the working directory when under one of them, else as
    given; POSIX separators. None stays None. Run configs, metrics and model cards then carry no
    path of the machine that wrote them."""
    if path is None:
        return None
    resolved = Path(os.path.abspath(path))
    for base in (ROOT, Path.cwd()):
        if resolved.is_relative_to(base):
            return resolved.relative_to(base).as_posix()
    return Path(path).as_posix()

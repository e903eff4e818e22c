"""A generative model zoo on TensorFlow / Keras 3.

Public API::

    zoo.list_models()                                   # registered model names
    zoo.get_model(name, input_shape=(28, 28, 1), **overrides)   # a keras.Model with default networks
    zoo.VAE, zoo.GANConfig, ...                         # the model classes and their configs
    zoo.data.load(name, split="train", batch_size=128, ...)      # a tf.data.Dataset of (x, y)
    zoo.losses, zoo.divergences                         # the objectives, as pure functions
    zoo.pretrained.list(), zoo.pretrained.load("wgan_gp")  # the shipped generators, by name

Importing ``zoo`` (or ``zoo.errors``, ``zoo.fileio``, ``zoo.codes``, ``zoo.pictures``, ``zoo.runs``, ``zoo.data``)
imports no TensorFlow: the names above are loaded on first use (module ``__getattr__``). Before
``keras.saving.load_model`` of a zoo file, ``import zoo.models`` (which registers the classes);
``zoo.runs.load_run_model`` and the tools do it.

The packages, from the bottom up: the leaves (``losses``, ``divergences``, ``likelihoods``,
``precision``, ``distribute``, ``errors``, ``fileio``, ``codes``, ``pictures``, ``provenance``,
``options``, ``data``) -> ``nets`` -> ``models`` -> ``runs`` -> ``export`` -> ``evaluation`` ->
``training`` -> ``cli`` (and the ``tools/`` entry points).
"""

import importlib

from zoo.lazy import lazy_attributes

__version__ = "0.1.0"

_MODEL_CLASSES = ("AAE", "ALI", "CGAN", "CVAE", "GAN", "VAE", "VGAN", "WGAN", "WGANGP")
# public name -> module that defines it, imported on first access
_LAZY = {
    **{name: "zoo.models" for name in _MODEL_CLASSES},
    **{f"{name}Config": "zoo.models" for name in _MODEL_CLASSES},
    "get_model": "zoo.models",
    "get_model_class": "zoo.models",
    "list_models": "zoo.models",
    "register_model": "zoo.registry",
}
_SUBMODULES = ("data", "divergences", "losses", "nets", "models", "pretrained")

__all__ = sorted([*_LAZY, *_SUBMODULES])

_names_getattr, _names_dir = lazy_attributes(__name__, _LAZY)


def __getattr__(name):
    if name in _SUBMODULES:  # importing a submodule sets it on the package
        return importlib.import_module(f"zoo.{name}")
    return _names_getattr(name)


def __dir__():
    return sorted({*_names_dir(), *_SUBMODULES})

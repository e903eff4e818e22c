"""A generative model zoo on TensorFlow / Keras 3.

Public API::

    zoo.list_models()                                   # registered model names
    zoo.get_model(name, input_shape=(28, 28, 1), **overrides)   # a keras.Model with default networks
    zoo.data.load(name, split="train", batch_size=128, ...)      # a tf.data.Dataset of (x, y)
    zoo.divergences                                     # entropy, cross_entropy, KL, JS, Gaussian KL

Importing ``zoo`` imports TensorFlow; the ONNX Runtime path lives in ``export`` and does not.
"""

from zoo import data, divergences, losses, nets
from zoo.aae import AAE, AAEConfig
from zoo.ali import ALI, ALIConfig
from zoo.cgan import CGAN, CGANConfig
from zoo.cvae import CVAE, CVAEConfig
from zoo.gan import GAN, GANConfig
from zoo.registry import get_model, get_model_class, list_models, register_model
from zoo.vae import VAE, VAEConfig
from zoo.vgan import VGAN, VGANConfig
from zoo.wgan import WGAN, WGANConfig
from zoo.wgan_gp import WGANGP, WGANGPConfig

__version__ = "0.1.0"

__all__ = [
    "AAE",
    "AAEConfig",
    "ALI",
    "ALIConfig",
    "CGAN",
    "CGANConfig",
    "CVAE",
    "CVAEConfig",
    "GAN",
    "GANConfig",
    "VAE",
    "VAEConfig",
    "VGAN",
    "VGANConfig",
    "WGAN",
    "WGANConfig",
    "WGANGP",
    "WGANGPConfig",
    "data",
    "divergences",
    "losses",
    "get_model",
    "get_model_class",
    "list_models",
    "nets",
    "register_model",
]

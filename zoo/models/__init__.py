"""The algorithms: one module per registry key, on the shared bases ``base`` (every model),
``adversarial`` (the GAN family) and ``conditional`` (the class-conditional mixin).

Importing this package imports every model module and so fills the registry; ``get_model``,
``get_model_class`` and ``list_models`` are re-exported from here so that they always see every
model.
"""

from zoo.models.aae import AAE, AAEConfig
from zoo.models.ali import ALI, ALIConfig
from zoo.models.cgan import CGAN, CGANConfig
from zoo.models.cvae import CVAE, CVAEConfig
from zoo.models.gan import GAN, GANConfig
from zoo.models.vae import VAE, VAEConfig
from zoo.models.vgan import VGAN, VGANConfig
from zoo.models.wgan import WGAN, WGANConfig
from zoo.models.wgan_gp import WGANGP, WGANGPConfig
from zoo.registry import get_model, get_model_class, list_models

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
    "get_model",
    "get_model_class",
    "list_models",
]

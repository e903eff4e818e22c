"""Networks only (no losses, no training): the models receive them ready-made.

``default_encoder`` / ``default_decoder`` (``zoo.nets.defaults``) choose the network family for a
data shape: conv nets for images whose size fits the stride-2 stages, MLPs for everything else.
"""

from zoo.nets.conv import conv_decoder, conv_encoder
from zoo.nets.defaults import default_decoder, default_encoder, is_conv_shape
from zoo.nets.mlp import mlp

__all__ = ["conv_encoder", "conv_decoder", "mlp", "is_conv_shape", "default_encoder", "default_decoder"]

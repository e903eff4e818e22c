"""Small layer factories shared by the networks, chosen by name from lookup tables."""

import keras
from keras import ops

_NORMALIZATIONS = {
    None: lambda: keras.layers.Identity(),
    # synchronized: under a multi-replica strategy the statistics are those of the global batch
    # (one replica, or none: the plain layer), so replicas train as one device would.
    "batch": lambda: keras.layers.BatchNormalization(synchronized=True),
    "layer": lambda: keras.layers.LayerNormalization(),
}


def normalization_layer(kind):
    """A fresh normalization layer: None (identity), ``"batch"`` or ``"layer"``."""
    try:
        return _NORMALIZATIONS[kind]()
    except KeyError:
        raise ValueError(f"unknown normalization {kind!r}; expected one of None, 'batch', 'layer'") from None


def bias_before(normalization):
    """Whether a layer feeding ``normalization`` needs a bias: not before batch normalization,
    which subtracts each feature's batch mean (the bias with it) and adds its own offset. Such a
    bias gets a zero gradient up to round-off, which Adam's first steps blow up to ~1e-6 updates
    that differ between one device and several replicas."""
    return normalization != "batch"


def weight_layer(layer, spectral=False):
    """``layer`` (a Dense or Conv2D), wrapped in spectral normalization when ``spectral`` (Miyato et
    al. 2018, SNGAN: the weight divided by its largest singular value, estimated by one power
    iteration per training call), a critic's Lipschitz constraint."""
    return keras.layers.SpectralNormalization(layer) if spectral else layer


def activation_layer(name):
    """A fresh activation layer: any Keras activation name, or ``"leaky_relu"`` with slope 0.2 (DCGAN)."""
    if name == "leaky_relu":
        return keras.layers.LeakyReLU(negative_slope=0.2)
    return keras.layers.Activation(name)


@keras.saving.register_keras_serializable(package="zoo")
class Maxout(keras.layers.Layer):
    """Maxout units (Goodfellow et al. 2013): (batch, units * pieces) -> (batch, units), each unit the
    largest of its ``pieces`` consecutive features (the discriminator of PacGAN's 2-D experiments)."""

    def __init__(self, pieces, **kwargs):
        super().__init__(**kwargs)
        self.pieces = int(pieces)

    def call(self, x):
        units = x.shape[-1] // self.pieces
        return ops.max(ops.reshape(x, (-1, units, self.pieces)), axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] // self.pieces)

    def get_config(self):
        return {**super().get_config(), "pieces": self.pieces}

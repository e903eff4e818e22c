"""What the class-conditional models (cGAN, cVAE) add to their unconditional parents.

A conditional model learns p(x | c) for a class label c in [0, num_classes): its networks take the
label as a second input (``zoo.nets.conditional``), every training step takes the batch's labels
(``GenerativeModel.train_step`` passes ``y`` of each ``(x, y)`` batch), and generation takes a label
per code::

    model.sample(n, labels)                   # (n, *data_shape); labels (n,) int, or None
    model.generate(z, labels)                 # what the exports serve: z (batch, latent_dim), "label" (batch,)

Without labels, ``class_labels(n)`` cycles through the classes (0, 1, ..., K-1, 0, ...), so that
unlabelled calls (the evaluation tools, sample grids) get every class equally often.
"""

import dataclasses

import numpy as np
from keras import ops

from zoo.models.base import features
from zoo.nets.conditional import conditional_decoder, conditional_encoder


@dataclasses.dataclass(frozen=True)
class ConditionalConfig:
    """What a conditional model's config adds to its parent's; listed first among the bases
    (``class CGANConfig(ConditionalConfig, GANConfig)``), so ``num_classes`` comes last.

    Attributes:
        num_classes: classes of the label c; 10 for MNIST digits (the training tool sets it from
            the dataset: 8 modes for ring8, 25 for grid25).
    """

    num_classes: int = 10

    def __post_init__(self):
        super().__post_init__()
        if not (isinstance(self.num_classes, int) and self.num_classes >= 2):
            raise ValueError(f"num_classes must be an integer >= 2, got {self.num_classes!r}")
        if getattr(self, "pack", 1) != 1:  # GANConfig's PacGAN packing: a pack would mix classes
            raise ValueError(f"pack must be 1 for a conditional model (a pack would mix classes), got {self.pack!r}")


class ConditionalMixin:
    """Mixed in before the parent model class; the config extends ``ConditionalConfig``.

    The parent implements ``_sample_codes(z, labels)``.
    """

    conditional = True

    @classmethod
    def decoder_network(cls, config, latent_dim, output_shape, **kwargs):
        return conditional_decoder(latent_dim, config.num_classes, output_shape, **kwargs)

    @classmethod
    def encoder_network(cls, config, input_shape, output_dim, **kwargs):
        return conditional_encoder(input_shape, config.num_classes, output_dim, **kwargs)

    @property
    def num_classes(self):
        """Number of classes the model is conditioned on (the exports' ``label`` range)."""
        return self.config.num_classes

    def class_labels(self, n, labels=None):
        """``labels`` checked as int32 (n,), or (0, 1, ..., K-1, 0, ...) when None.

        Raises:
            ValueError: labels of another shape, or (when known outside a graph) out of range.
        """
        if labels is None:
            return ops.cast(ops.arange(n) % self.num_classes, "int32")
        if isinstance(labels, (list, tuple, np.ndarray, int, np.integer)):
            array = np.asarray(labels)
            if array.shape != (n,) or not np.issubdtype(array.dtype, np.integer):
                raise ValueError(
                    f"labels must be {n} integers (one per code), got shape {array.shape} of {array.dtype}"
                )
            if array.size and (array.min() < 0 or array.max() >= self.num_classes):
                raise ValueError(
                    f"labels must be in [0, {self.num_classes}), got values from {array.min()} to {array.max()}"
                )
        return ops.cast(labels, "int32")

    def sample(self, n_or_z, labels=None, seed=None):
        """Generate from z ~ N(0, I) (or the given z), one requested class per code.

        Args:
            n_or_z: number of samples, or codes of shape (n, latent_dim).
            labels: (n,) int classes in [0, num_classes); None: ``class_labels(n)``.
            seed: optional int for reproducible z when ``n_or_z`` is a number.

        Returns:
            (n, *data_shape) float32: images in [0, 1], points in the data's coordinates.
        """
        z = self._codes(n_or_z, seed)
        return self._sample_codes(z, self.class_labels(ops.shape(z)[0], labels))

    def generate(self, z, labels=None):
        """Serving: codes (batch, latent_dim) and labels (batch,) -> (batch, *data_shape), float32
        (the exports name the labels' tensor ``label``)."""
        return ops.cast(self.sample(z, labels), "float32")

    def predict_step(self, data):
        """``predict((z, labels))`` generates those classes; ``predict(z)`` cycles through them
        within each batch (``class_labels`` of the batch: pass the labels for a given order)."""
        if isinstance(data, (tuple, list)) and len(data) == 1:  # Keras wraps a tuple x as (x,)
            data = data[0]
        if isinstance(data, (tuple, list)) and len(data) == 2 and data[1] is not None:
            return self.generate(data[0], data[1])
        return self.generate(features(data))

    def call(self, z, labels=None, training=False):
        return self.sample(z, labels)

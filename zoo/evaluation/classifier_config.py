"""The domain classifier's hyper-parameters, TF-free, so that ``python -m tools.train_classifier
--help`` can show their defaults without importing TensorFlow (``zoo.evaluation.classifier``
re-exports ``ClassifierConfig``)."""

import dataclasses


@dataclasses.dataclass(frozen=True)
class ClassifierConfig:
    """Network and training hyper-parameters of the domain classifier.

    Attributes:
        filters: channels of the conv blocks (3x3 conv, batch norm, ReLU, 2x2 max-pool each).
            Two blocks of 32 and 64 reach 99.4% on the MNIST test split in 8 epochs (7 to 15
            minutes on two shared CPU cores); a second conv per block would cost ~4.5x the FLOPs.
        convs_per_block: 3x3 convs per block before its pooling: 1 for digits, 2 (VGG's pairs)
            for natural images.
        hidden_units: width of the feature layer: the dimension of the Fréchet distance's
            Gaussians (128 keeps the 128 x 128 covariances well estimated from 2,000 samples).
        dropout: between the features and the logits; the dense layer holds most weights.
        normalization: after every conv and the dense layer; None, "batch" or "layer".
        epochs: full passes over the training split.
        batch_size: examples per step.
        learning_rate: Adam's initial rate, decayed to 0 along a cosine over the run.
        max_shift: random translation of the training images, in pixels (0: none); MNIST digits
            are centred by their centre of mass, and small shifts are the augmentation that helps.
        flip: random left-right flips of the training images (natural images, not digits).
    """

    filters: tuple = (32, 64)
    hidden_units: int = 128
    dropout: float = 0.5
    normalization: str | None = "batch"
    epochs: int = 8
    batch_size: int = 128
    learning_rate: float = 2e-3
    max_shift: int = 2
    convs_per_block: int = 1
    flip: bool = False

    def __post_init__(self):
        for name in ("epochs", "batch_size", "hidden_units", "convs_per_block"):
            value = getattr(self, name)
            if not (isinstance(value, int) and value >= 1):
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not (isinstance(self.max_shift, int) and self.max_shift >= 0):
            raise ValueError(f"max_shift must be an integer >= 0, got {self.max_shift!r}")
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0, got {self.learning_rate!r}")

    def network(self, input_shape, num_classes):
        """The untrained network for images of ``input_shape`` and ``num_classes`` classes (imports Keras)."""
        from zoo.nets.classifier import conv_classifier

        return conv_classifier(
            input_shape,
            num_classes,
            filters=tuple(self.filters),
            convs_per_block=self.convs_per_block,
            hidden_units=self.hidden_units,
            dropout=self.dropout,
            normalization=self.normalization,
        )


# Each domain's classifier, by the ``zoo.data`` name of its dataset; the others get the defaults
# (the digit classifier's settings).
DOMAIN_CONFIGS = {
    # CIFAR-10: three VGG pairs (32, 64, 128 channels) to a 4x4 map, crops of a 4-pixel pad and
    # flips, the usual CIFAR augmentation; 0.55 M parameters (2.2 MB).
    "cifar10": ClassifierConfig(
        filters=(32, 64, 128), convs_per_block=2, epochs=15, max_shift=4, flip=True, dropout=0.5
    ),
}


def config_for(dataset):
    """The ``ClassifierConfig`` for a dataset's domain classifier: its entry of ``DOMAIN_CONFIGS``,
    else the defaults."""
    return DOMAIN_CONFIGS.get(dataset, ClassifierConfig())

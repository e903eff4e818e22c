"""A small convolutional image classifier: the network of the domain classifier (networks only).

    images -> [[conv 3x3 -> norm -> relu] x convs_per_block -> max-pool 2x2] x len(filters) -> flatten
           -> dense -> norm -> relu   ("features": the penultimate layer, the evaluation's embedding)
           -> dropout -> dense        ("logits": one value per class)

The layer named ``FEATURES_LAYER`` is what ``zoo.evaluation.classifier.DomainClassifier.features`` reads and
``zoo.evaluation.metrics`` fits Gaussians to; ``LOGITS_LAYER`` is the output. Dropout sits after the features
so that it regularizes the classifier without touching the embedding at inference.
"""

import keras

from zoo.nets.layers import activation_layer, normalization_layer

FEATURES_LAYER = "features"
LOGITS_LAYER = "logits"


def conv_classifier(
    input_shape=(28, 28, 1),
    num_classes=10,
    filters=(32, 64),
    convs_per_block=1,
    hidden_units=128,
    dropout=0.5,
    normalization="batch",
    name="domain_classifier",
):
    """Conv blocks, then a dense penultimate layer and the logits.

    Args:
        input_shape: ``(height, width, channels)``; each block halves height and width (floor).
        num_classes: number of classes, >= 2.
        filters: channels of each block's 3x3 convolutions (one block per entry).
        convs_per_block: 3x3 convolutions in each block before its pooling (2: VGG's pairs).
        hidden_units: width of the penultimate (feature) layer.
        dropout: dropout rate between the features and the logits, in [0, 1).
        normalization: None, ``"batch"`` or ``"layer"`` after every convolution and the dense layer.
        name: model name.

    Returns:
        A ``keras.Model`` from (batch, height, width, channels) to logits (batch, num_classes), with
        layers named ``FEATURES_LAYER`` (batch, hidden_units) and ``LOGITS_LAYER``.

    Raises:
        ValueError: an argument out of range, or an image too small for the number of blocks.
    """
    input_shape = tuple(int(d) for d in input_shape)
    if len(input_shape) != 3:
        raise ValueError(f"input_shape must be (height, width, channels), got {input_shape}")
    if min(input_shape[:2]) < 2 ** len(filters):
        raise ValueError(
            f"images of {input_shape[0]}x{input_shape[1]} are too small for {len(filters)} "
            f"pooling blocks; expected at least {2 ** len(filters)} pixels a side"
        )
    if not (isinstance(num_classes, int) and num_classes >= 2):
        raise ValueError(f"num_classes must be an integer >= 2, got {num_classes!r}")
    if not filters or not all(isinstance(f, int) and f >= 1 for f in filters):
        raise ValueError(f"filters must be a non-empty sequence of positive integers, got {filters!r}")
    if not (isinstance(convs_per_block, int) and convs_per_block >= 1):
        raise ValueError(f"convs_per_block must be a positive integer, got {convs_per_block!r}")
    if not (isinstance(hidden_units, int) and hidden_units >= 1):
        raise ValueError(f"hidden_units must be a positive integer, got {hidden_units!r}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")

    # A bias before a normalization layer is redundant (the normalization removes the mean).
    use_bias = normalization is None
    inputs = keras.Input(shape=input_shape, name="images")
    h = inputs
    for f in filters:
        for _ in range(convs_per_block):
            h = keras.layers.Conv2D(f, 3, padding="same", use_bias=use_bias)(h)
            h = normalization_layer(normalization)(h)
            h = activation_layer("relu")(h)
        h = keras.layers.MaxPooling2D(2)(h)  # (batch, height / 2, width / 2, f), floored
    h = keras.layers.Flatten()(h)  # (batch, height / 2**n * width / 2**n * filters[-1])
    h = keras.layers.Dense(hidden_units, use_bias=use_bias)(h)
    h = normalization_layer(normalization)(h)
    features = keras.layers.Activation("relu", name=FEATURES_LAYER)(h)  # (batch, hidden_units)
    h = keras.layers.Dropout(dropout)(features)
    logits = keras.layers.Dense(num_classes, name=LOGITS_LAYER)(h)  # (batch, num_classes)
    return keras.Model(inputs, logits, name=name)

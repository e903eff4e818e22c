"""Inception FID and Inception score, for users who have the ImageNet weights of InceptionV3.

The standard figures of the GAN literature score images with ``keras.applications.InceptionV3``
trained on ImageNet: the Fréchet distance between Gaussians fitted to its 2,048-d pool features
(FID, Heusel et al. 2017) and exp E_x KL(p(y|x) || p(y)) over its 1,000 classes (Inception score,
Salimans et al. 2016). Keras cannot download the weights on machines without internet, so they are
loaded from a file (``weights_path``, the ``.h5`` / ``.weights.h5`` file Keras would download:
``inception_v3_weights_tf_dim_ordering_tf_kernels.h5``).

The pipeline (``InceptionScorer.preprocess``): images in [0, 1], (n, h, w, c) with c = 1 or 3, are
resized bilinearly to 299 x 299, grayscale channels tiled to 3, and mapped to [-1, 1] (what
``keras.applications.inception_v3.preprocess_input`` does to [0, 255] pixels).

These metrics are not comparable with the zoo's classifier metrics (``zoo.evaluation.classifier``), and
published FIDs use the TF1 graph of the original implementation, whose weights differ slightly
from Keras'; compare only figures computed with the same weights file. Cost on 2 CPU cores:
about 0.1 s per image and pass (5.7 GFLOPs), so 10,000 images take tens of minutes.
"""

import numpy as np

from zoo.evaluation.metrics import classifier_score, frechet_distance

INPUT_SIZE = 299
FEATURE_LAYER = "avg_pool"  # the 2,048-d global average pool before the classifier


class InceptionScorer:
    """InceptionV3's pool features and class probabilities of images in [0, 1].

    Args:
        weights_path: ImageNet weights of ``keras.applications.InceptionV3`` (with its top), or
            None for random weights (only to test the pipeline: the figures mean nothing then).
        batch_size: images per forward pass.
    """

    def __init__(self, weights_path=None, batch_size=50):
        import keras

        network = keras.applications.InceptionV3(include_top=True, weights=None, classifier_activation="softmax")
        if weights_path is not None:
            network.load_weights(str(weights_path))
        self.network = keras.Model(network.input, [network.get_layer(FEATURE_LAYER).output, network.output])
        self.weights_path = None if weights_path is None else str(weights_path)
        self.batch_size = batch_size

    @staticmethod
    def preprocess(images):
        """(n, h, w, 1 or 3) in [0, 1] -> (n, 299, 299, 3) in [-1, 1], float32."""
        import tensorflow as tf

        images = tf.convert_to_tensor(images, tf.float32)
        if images.shape.rank != 4 or images.shape[-1] not in (1, 3):
            raise ValueError(f"expected images of shape (n, height, width, 1 or 3); got {tuple(images.shape)}")
        images = tf.image.resize(images, (INPUT_SIZE, INPUT_SIZE), method="bilinear")
        if images.shape[-1] == 1:
            images = tf.tile(images, [1, 1, 1, 3])
        return images * 2.0 - 1.0

    def features_and_probabilities(self, images):
        """``(features (n, 2048), probabilities (n, 1000))`` as float64 NumPy arrays."""
        features, probabilities = [], []
        for start in range(0, len(images), self.batch_size):
            f, p = self.network(self.preprocess(images[start : start + self.batch_size]), training=False)
            features.append(np.asarray(f, np.float64))
            probabilities.append(np.asarray(p, np.float64))
        return np.concatenate(features), np.concatenate(probabilities)

    def metrics(self, images, real_images):
        """Inception FID of ``images`` against ``real_images`` and the Inception score of ``images``.

        Returns:
            ``{"fid", "inception_score", "num_samples", "num_real"}``.
        """
        features, probabilities = self.features_and_probabilities(images)
        real_features, _ = self.features_and_probabilities(real_images)
        return {
            "fid": frechet_distance(features, real_features),
            "inception_score": classifier_score(probabilities),
            "num_samples": int(len(images)),
            "num_real": int(len(real_images)),
        }

    figures = metrics  # the old name, kept for one release

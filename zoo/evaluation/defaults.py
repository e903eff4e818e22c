"""The defaults of evaluation, TF-free, so that the tools' ``--help`` can show them without
importing TensorFlow."""

from pathlib import Path

# The shipped MNIST domain classifier (python -m tools.train_classifier), in the source checkout.
DEFAULT_CLASSIFIER = str(Path(__file__).resolve().parents[2] / "saved_models" / "classifier-mnist" / "classifier.keras")
DEFAULT_NUM_SAMPLES = 10_000  # N: the size of the MNIST test split, the reference every metric is against
DEFAULT_IW_K = 1000  # importance samples per example: within ~1 nat of L_5000 on MNIST VAEs (Burda et al.)

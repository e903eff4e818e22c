"""The defaults of a training run that the command line shows, TF-free, so that ``--help`` can
show them without importing TensorFlow (``zoo.training.run.RunSpec`` takes them from here)."""

DEFAULT_EPOCHS = 30  # the main job: the VAE on the embedded MNIST sample (README, "Results")

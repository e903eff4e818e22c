"""The defaults of a training run that the command line shows, TF-free, so that ``--help`` can
show them without importing TensorFlow (``zoo.training.run.RunSpec`` takes them from here)."""

DEFAULT_EPOCHS = 30  # the main job: the VAE on the embedded MNIST sample (README, "Results")
DEFAULT_BATCH_SIZE = 128  # without a recipe (zoo.recipes)
DEFAULT_EVAL_EVERY = 10  # epochs between the classifier's evaluations during training, without a recipe

"""The names of the choices that several layers accept, in one TF-free place: the library checks
them, the command-line parsers offer them (``--help`` imports no TensorFlow)."""

PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")  # zoo.precision; "auto" picks one
STRATEGIES = ("default", "mirrored", "multiworker")  # zoo.distribute
BINARIZE = ("static", "dynamic")  # zoo.data.load(binarize=...)
LR_SCHEDULES = ("constant", "linear")  # zoo.optimizers: linear decays every rate to 1% over the run

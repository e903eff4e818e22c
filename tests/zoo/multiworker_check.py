"""Run as a script by test_distribute.py, once per worker, with TF_CONFIG set: ``fit`` under
``MultiWorkerMirroredStrategy`` to the end, then the worker's weights into the .npz given.

Each worker reads the same toy data (ring8, 256 points, global batch 32); the strategy shards it
between the workers and sums their gradients, so both must end with the same weights.
"""

import sys

import numpy as np
import tensorflow as tf

import zoo
from zoo.distribute import features_only, make_strategy
from zoo.training.compute import resolve_jit_compile


def main(out, name="wgan_gp"):
    strategy = make_strategy("multiworker")
    with strategy.scope():
        model = zoo.get_model(name, input_shape=(2,), latent_dim=2, width=2)
        model.compile_default(jit_compile=resolve_jit_compile(True, strategy))
    data = features_only(zoo.data.load("ring8", batch_size=32, num_examples=256, seed=0, drop_remainder=True))
    history = model.fit(data, epochs=2, verbose=0).history
    weights = [np.asarray(w.numpy()) for w in model.weights if "seed_generator" not in w.path]
    np.savez(
        out,
        *weights,
        replicas=strategy.num_replicas_in_sync,
        steps=int(model.g_optimizer.iterations.numpy()),
        epochs=len(history["d_loss"]),
    )


if __name__ == "__main__":
    tf.get_logger().setLevel("ERROR")
    main(*sys.argv[1:])

"""Run as a script by test_distribute.py: one training step on 2 replicas against 1 device.

The CPU is split into 2 logical devices before TensorFlow starts, which a test process that has
already used TensorFlow cannot do, hence a separate process. For every registered model (tiny, 8x8
images): the same initial weights and the same per-example noise, one ``train_step_with_noise`` on
the global batch on one device, and the same step under ``MirroredStrategy`` with each replica
given its half of the batch and of the noise. Prints JSON: per model, the largest absolute
difference of the updated weights, the optimizers' iterations on both sides, and the number of
replicas.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the shared tiny settings

import keras
import numpy as np
import tensorflow as tf

from conftest import BATCH, SHAPES, TINY

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import zoo  # noqa: E402

SHAPE = SHAPES["image"]


# Adam and RMSprop divide by sqrt(v) + epsilon, so their first steps are about the learning rate
# whatever the gradient's size: a gradient that is round-off (the bias of a unit active for every
# example of this tiny batch, where a Wasserstein critic's gradient cancels) becomes a full step in
# a direction that differs between one device and two replicas (with the models' own epsilon,
# 9.9e-6 on the WGAN-GP in one seed of three). With epsilon 1e-2 the updates stay about
# proportional to the gradients, so the check compares what the replicas compute (seeds 0-5: at
# most 6e-8). It still fails loudly on a real replica bug: with unsynchronized batch normalization
# the GAN and cGAN differ by 5.6e-3 and 5.2e-3, and with Grappler's dependency optimizer on
# (``zoo.models.base.keep_update_order``) the clipped WGAN by one RMSprop step, 1.6e-4, in 2 seeds
# of 24. REPLICA_EPS=0 runs the models' own epsilon, REPLICA_SEED another initialization.
EPSILON = float(os.environ.get("REPLICA_EPS", "1e-2")) or None
SEED = int(os.environ.get("REPLICA_SEED", "0"))


def build(name, strategy):
    with strategy.scope():
        model = zoo.get_model(name, input_shape=SHAPE, **TINY)
        optimizers = model.make_optimizers()  # the model's own, epsilon raised
        for optimizer in optimizers:
            if EPSILON:
                optimizer.epsilon = EPSILON
        model.compile_optimizers(optimizers, jit_compile=False)
    return model


def trained_weights(model):
    return [np.asarray(w.numpy()) for w in model.weights if "seed_generator" not in w.path]


def main(names):
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    x = np.random.default_rng(0).uniform(0, 1, (BATCH, *SHAPE)).astype(np.float32)
    y = np.arange(BATCH, dtype=np.int32) % 10  # the classes of a conditional model (10 by default)
    results = {}
    for name in names:
        # The same initialization in every run, so that a failure reproduces (REPLICA_SEED).
        keras.utils.set_random_seed(SEED)
        single = build(name, tf.distribute.get_strategy())
        noise = {k: np.asarray(v) for k, v in single.draw_noise(BATCH).items()}
        replicated = build(name, strategy)
        replicated.set_weights(single.get_weights())
        labels = y if single.conditional else None
        tf.function(single.train_step_with_noise)(x, noise, labels)
        half = BATCH // 2
        shards = [
            (
                x[i * half : (i + 1) * half],
                {k: v[i * half : (i + 1) * half] for k, v in noise.items()},
                None if labels is None else labels[i * half : (i + 1) * half],
            )
            for i in range(2)
        ]
        inputs = strategy.experimental_distribute_values_from_function(
            lambda ctx, shards=shards: shards[ctx.replica_id_in_sync_group]
        )
        step = tf.function(lambda xy, model=replicated: model.train_step_with_noise(*xy))
        strategy.run(step, args=(inputs,))
        diffs = [
            float(np.max(np.abs(a - b))) if a.size else 0.0
            for a, b in zip(trained_weights(single), trained_weights(replicated))
        ]
        results[name] = {
            "max_abs_diff": max(diffs),
            "max_abs_weight": max(float(np.max(np.abs(a))) for a in trained_weights(single) if a.size),
            "iterations": [
                [int(getattr(m, o).iterations.numpy()) for o in m.optimizer_names] for m in (single, replicated)
            ],
            "replicas": strategy.num_replicas_in_sync,
        }
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1:] or zoo.list_models())

"""A step's variable reads and updates run in program order (``zoo.models.base.keep_update_order``).

TF 2.21's Grappler dependency optimizer can drop the control edges that order a ``tf.function``'s
reads of a variable against its updates, so a step of several updates (a critic's ``n_critic``
updates with clipping, then the generator's) read weights before or after an update, differently
from run to run: the clipped WGAN's replica difference of 1.6e-4 came from there. Measured without
the fix: 5 distinct results in 16 fresh traces of the step below, the first loss sometimes computed
on already clipped weights (-0.016 instead of -0.368).
"""

import keras
import numpy as np
import tensorflow as tf

from zoo.models.base import keep_update_order

UPDATES = 5


def clipped_critic_steps(eager):
    """The losses of five RMSprop updates of a small critic, each followed by WGAN's clipping, in
    one function (traced afresh: a new model each call), and its final weights."""
    keras.utils.set_random_seed(0)
    critic = keras.Sequential(
        [keras.Input((16,)), keras.layers.Dense(8, activation="leaky_relu"), keras.layers.Dense(1, use_bias=False)]
    )
    optimizer = keras.optimizers.RMSprop(5e-5)
    optimizer.build(critic.trainable_weights)
    x = tf.constant(np.random.default_rng(0).normal(size=(8, 16)).astype("float32"))

    def steps():
        losses = []
        for i in range(UPDATES):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(critic(x * (i + 1)))
            grads = tape.gradient(loss, critic.trainable_weights)
            optimizer.apply_gradients(zip(grads, critic.trainable_weights))
            for w in critic.trainable_weights:
                w.assign(tf.clip_by_value(w, -0.01, 0.01))
            losses.append(loss)
        return tf.stack(losses)

    losses = steps() if eager else tf.function(steps, jit_compile=False)()
    return np.asarray(losses), [np.asarray(w.numpy()) for w in critic.trainable_weights]


def test_a_step_of_several_updates_reads_and_writes_in_program_order():
    keep_update_order()
    assert tf.config.optimizer.get_experimental_options()["dependency_optimization"] is False
    expected, expected_weights = clipped_critic_steps(eager=True)
    for _ in range(6):
        losses, weights = clipped_critic_steps(eager=False)
        # Graph and eager kernels round differently (~1e-9); an update out of order moves the first
        # loss by 4e-4 and, read after a clip, by 0.35.
        np.testing.assert_allclose(losses, expected, rtol=0, atol=1e-6)
        for w, e in zip(weights, expected_weights):
            np.testing.assert_allclose(w, e, rtol=0, atol=1e-6)

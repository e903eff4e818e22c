"""VGAN: the GAN with the regularizer of "GAN from the viewpoint of variational inference".

Su Jianlin, "Variational Inference: A Unified Framework of Generative Models and Some
Revelations", arXiv:1807.05936 (2018); Chinese version "用变分推断统一理解生成模型",
https://kexue.fm/archives/5716; reference code https://github.com/bojone/gan/tree/master/vgan.

Su writes the GAN as variational inference (the article's section "变分推断下的GAN"). A binary y
marks real and generated examples: q(x, y) = p~(x) / 2 for y = 1 and q(x) / 2 for y = 0, where
q(x) is the distribution of G(z), z ~ N(0, I). The other joint is p(x, y) = p(y | x) p~(x), with
D(x) = p(1 | x). The players minimize KL(q(x, y) || p(x, y)) in turn. For D this is the usual loss.
For G, with D fixed at its optimum p~ / (p~ + q_old), it is

    -E_z log D(G(z)) + KL(q(x) || q_old(x)),

where q_old is the generator's distribution before this update. Standard GANs drop the KL term.
Su estimates it by the KL of the joints of x and z, where q(x | z) = delta(x - G(z)) is taken as
the limit of a Gaussian of small variance. That gives a squared distance between the new
generator and a snapshot G_old of the old one, at the same z:

    L_D = -E_x log D(x) - E_z log(1 - D(G(z)))
    L_G = E_z [ -log D(G(z)) + lambda ||G(z) - G_old(z)||^2 ]

The generator term is the non-saturating -log D(G(z)) (``zoo.losses.non_saturating_generator_loss``).
Su's code uses the same loss next to the regularizer, ``tf.losses.sigmoid_cross_entropy(ones,
f_logit)``, in vgan/celeba_dcgan_with_regularization.py of https://github.com/bojone/gan.

The regularizer and its gradient are zero at G = G_old. It only acts from the second generator
update after a snapshot, so one step here is:

    for k in 1..n_critic:        z ~ N(0, I);  theta_D <- theta_D - lr grad L_D          (as in GAN)
    G_old <- G                   (the targets G_old(z_j) for every z_j below, computed now)
    for j in 1..generator_steps: theta_G <- theta_G - lr grad [ -log D(G(z_j))
                                                                + lambda R(G(z_j), G_old(z_j)) ]

Su's code (same file) does the same. It has one discriminator update, then ``old_fake =
sess.run(fake)``, the generator's output before its updates with its batch normalization in
training mode, then two generator updates toward that output (in his no-BN variant, 2 x 5
generator updates per snapshot). Two details of that code:

- Its R is the squared error averaged over the examples and the data dimensions,
  ``tf.losses.mean_squared_error(real, fake) * 5``. That is (lambda / n) E ||G(z) - G_old(z)||^2,
  with n = dim(x). ``reg_reduction="mean"`` (the default, with his lambda = 5) computes the same.
  ``"sum"`` is the derivation's squared norm, n times stronger at the same lambda.
- It takes one z for the discriminator update and both generator updates. Here every generator
  update draws its own z_j.

G_old is not a second network. The step evaluates the generator itself on every z_j before the
first update, through ``stateless_call`` with its batch normalization in training mode (as in Su's
code). The moving statistics that call produces are thrown away, so the first update is exactly
a plain GAN update. A frozen clone would not work: a non-trainable Keras BatchNormalization runs
in inference mode, so G_old(z) != G(z) at the snapshot. Nothing extra is saved either: a
``.keras`` file holds the generator and the discriminator, as for the GAN.

Trackers: ``d_loss`` and ``g_loss`` (the generator term alone, at the last generator update), and
``g_reg``, the regularizer R at the last generator update before the lambda weight. R measures how
far the generator has moved from the snapshot; in ``test_step`` no update is made, so R is 0.
"""

import dataclasses

import keras
import tensorflow as tf
from keras import ops

from zoo.distribute import per_replica
from zoo.models.base import check_choice, check_non_negative, features
from zoo.models.gan import GAN, GANConfig
from zoo.registry import register_model

REG_REDUCTIONS = ("mean", "sum")


@dataclasses.dataclass(frozen=True)
class VGANConfig(GANConfig):
    """Hyper-parameters of VGAN (and those of ``GANConfig``).

    Attributes:
        generator_loss: "non_saturating" -log D(G(z)): the term of the derivation and of Su's
            code; "minimax" is there for comparison only.
        reg_weight: lambda, the weight of the regularizer; 5 in Su's code (with
            ``reg_reduction="mean"``); 0 turns it off (a GAN with ``generator_steps`` generator
            updates per discriminator update: the ablation).
        generator_steps: generator updates per snapshot (and per ``train_step``); 2 in Su's code.
            It must be at least 2: the regularizer's gradient is zero at the snapshot, so with
            one update it would do nothing (use "gan").
        reg_reduction: how R reduces (G(z) - G_old(z))^2 over an example's dimensions: "mean"
            (Su's code: mean squared error, the same lambda fits any data size) or "sum" (the
            derivation's squared norm ||G(z) - G_old(z)||^2). Both are averaged over the batch.
    """

    reg_weight: float = 5.0
    generator_steps: int = 2
    reg_reduction: str = "mean"

    def __post_init__(self):
        super().__post_init__()
        if not (isinstance(self.generator_steps, int) and self.generator_steps >= 2):
            raise ValueError(
                f"generator_steps must be an integer >= 2, got {self.generator_steps!r}: the regularizer "
                "has zero gradient at the snapshot, so it only acts from the second generator update on "
                "(for one update per step, use the model 'gan')"
            )
        check_non_negative(self, "reg_weight")
        check_choice(self, "reg_reduction", REG_REDUCTIONS)


@register_model("vgan")
@keras.saving.register_keras_serializable(package="zoo")
class VGAN(GAN):
    """The GAN whose generator is also pulled toward a snapshot of itself (Su 2018)."""

    config_class = VGANConfig
    update_counts = {"g_optimizer": "generator_steps", "d_optimizer": "n_critic"}
    tracker_names = ("d_loss", "g_loss", "g_reg")

    # Optimizers (Adam 2e-4, beta_1 0.5, the settings of Su's code), discriminator_loss and
    # generator_loss are the GAN's.

    def generator_codes_shape(self, batch_size):
        """``generator_z`` is (batch, generator_steps, latent_dim): the z of each generator update."""
        return (batch_size, self.config.generator_steps, self.config.latent_dim)

    def snapshot_outputs(self, z):
        """G_old(z): the generator's current outputs, with batch statistics but no side effect.

        The same computation as ``generator(z, training=True)`` (batch normalization on the batch's
        own statistics), through ``stateless_call``, whose updated moving statistics are discarded.

        Args:
            z: (batch, latent_dim) codes.

        Returns:
            (batch, *data_shape) float32, a constant for the gradient tape.
        """
        generator = self.generator
        # Read the weights here, before any update of this phase (the graph keeps program order).
        outputs, _ = generator.stateless_call(
            [ops.convert_to_tensor(v) for v in generator.trainable_variables],
            [ops.convert_to_tensor(v) for v in generator.non_trainable_variables],
            z,
            training=True,
        )
        return tf.stop_gradient(ops.cast(outputs, "float32"))

    def regularizer(self, x_fake, x_old):
        """R: the batch mean of the per-example mean (or sum) of (x_fake - x_old)^2.

        Args:
            x_fake: G(z), (batch, *data_shape) float32.
            x_old: G_old(z) at the same z, same shape.

        Returns:
            Scalar (this replica's batch mean; the step divides by the replicas).
        """
        squared = ops.square(x_fake - x_old)
        axes = tuple(range(1, len(squared.shape)))
        reduce = ops.mean if self.config.reg_reduction == "mean" else ops.sum
        return ops.mean(reduce(squared, axis=axes))  # per example, then over the batch

    def train_step_with_noise(self, x, noise, labels=None):
        del labels  # unconditional: the batch's classes are not used
        # 1. n_critic discriminator updates on this real batch, as in AdversarialModel.
        d_loss, extras = self.discriminator_phase(x, noise)
        # 2. The snapshot G_old, evaluated at every z of this phase before the generator moves.
        steps = self.config.generator_steps
        zs = [noise["generator_z"][:, j] for j in range(steps)]  # each (batch, latent_dim)
        targets = [self.snapshot_outputs(z) for z in zs]
        # 3. generator_steps updates on -log D(G(z_j)) + lambda R(G(z_j), G_old(z_j)).
        for z, x_old in zip(zs, targets):
            with tf.GradientTape() as tape:
                x_fake = ops.cast(self.generator(z, training=True), "float32")
                fake_outputs = self.judge(x_fake, training=True)
                g_loss = self.generator_loss(fake_outputs)
                g_reg = self.regularizer(x_fake, x_old)
                scaled = self.g_optimizer.scale_loss(per_replica(g_loss + self.config.reg_weight * g_reg))
            self.apply_update("g_optimizer", tape, scaled)
            # 4. The moving average of the generator's weights, after every update, when enabled.
            if self.ema_generator is not None:
                self._update_ema()
        return self._update_trackers(d_loss, g_loss, {**extras, "g_reg": g_reg})

    def test_step(self, data):
        x = features(data)
        noise = self.draw_noise(tf.shape(x)[0])
        d_loss, extras = self.discriminator_terms(x, noise["critic_z"][:, 0], False, self.critic_noise_of(noise, 0))
        g_loss = self.generator_terms(noise["generator_z"][:, 0], False)
        # Nothing moves in evaluation: G is its own snapshot and R is 0.
        return self._update_trackers(d_loss, g_loss, {**extras, "g_reg": ops.zeros(())})

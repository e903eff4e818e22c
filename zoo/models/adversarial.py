"""What the adversarial models (GAN, WGAN, WGAN-GP) share.

A generator G: z -> x and a discriminator (critic) D: x -> one value per example, each with its
own optimizer. One ``train_step`` is ``n_critic`` discriminator updates on the real batch, each
against fresh fakes, then one generator update:

    for k in 1..n_critic:   z ~ N(0, I);  theta_D <- theta_D - lr_D grad L_D(D(x), D(G(z)))
                            (+ what the algorithm adds: a gradient penalty, weight clipping)
                            z ~ N(0, I);  theta_G <- theta_G - lr_G grad L_G(D(G(z)))

Each model file holds only what makes its algorithm different: the two losses (``zoo.losses``),
the discriminator's extras, the default optimizers and networks. Images are generated with tanh
in [-1, 1] (``data_range``) and returned by ``sample`` in [0, 1]; 2-D points stay in the data's
own coordinates.
"""

import dataclasses

import keras
import tensorflow as tf
from keras import ops

from zoo.distribute import per_replica
from zoo.models.base import GenerativeModel, features, labels_of, network_inputs
from zoo.nets.defaults import default_decoder, default_encoder
from zoo.precision import wrap_optimizer


@dataclasses.dataclass(frozen=True)
class AdversarialConfig:
    """Hyper-parameters every adversarial model has (each model's config extends these).

    Attributes:
        latent_dim: size of z; 64 is plenty for MNIST-sized images and 2-D toys.
        width: size of the default networks (see ``zoo.nets.default_encoder``).
        n_critic: discriminator (critic) steps per generator step.
        ema_decay: 0 (off) or the decay of an exponential moving average of the generator's
            weights, e.g. 0.999; when on, ``sample`` (and exports) use the averaged generator,
            which is smoother than the last iterate (Karras et al. 2018; most modern GAN code).
    """

    latent_dim: int = 64
    width: int = 32
    n_critic: int = 1
    ema_decay: float = 0.0

    def __post_init__(self):
        for name in ("latent_dim", "width", "n_critic"):
            value = getattr(self, name)
            if not (isinstance(value, int) and value >= 1):
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not 0.0 <= self.ema_decay < 1.0:
            raise ValueError(f"ema_decay must be in [0, 1), got {self.ema_decay!r}")


class AdversarialModel(GenerativeModel):
    """Base of the two-player models.

    Subclasses implement ``discriminator_loss(real, fake, x_real, x_fake, critic_noise)`` returning
    ``(loss, extra_metrics)``, ``generator_loss(fake_outputs)`` and ``make_optimizers(lr)``;
    they may override ``after_discriminator_step`` (WGAN's clipping) and ``network_options``.
    Their config dataclass extends ``AdversarialConfig``.

    Args:
        generator: network from (batch, latent_dim) to (batch, *data_shape): tanh images in
            [-1, 1], or unbounded points.
        discriminator: network from (batch, *data_shape) to (batch, 1) logits / critic values.
        config: the model's config dataclass.
    """

    network_names = ("generator", "discriminator")
    optimizer_names = ("g_optimizer", "d_optimizer")
    tracker_names = ("d_loss", "g_loss")
    data_range = (-1.0, 1.0)
    # Options of the default networks built by from_shape (the generator ends in tanh for images).
    generator_options = {"normalization": "batch"}
    discriminator_options = {"activation": "leaky_relu"}

    def __init__(self, generator, discriminator, config=None, **kwargs):
        super().__init__(config=config, **kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.data_shape = tuple(generator.output_shape[1:])
        data_input = tuple(discriminator.inputs[0].shape[1:])  # a conditional one also takes labels
        if data_input != self.data_shape:
            raise ValueError(f"discriminator input {data_input} does not match generator output {self.data_shape}")
        self.seed_generator = keras.random.SeedGenerator(None)
        self.ema_generator = None
        if self.config.ema_decay > 0:
            # Same architecture, weights averaged after every generator step; never trained.
            self.ema_generator = keras.models.clone_model(generator)
            self.ema_generator.set_weights(generator.get_weights())
            self.ema_generator.trainable = False
        self.g_optimizer = None
        self.d_optimizer = None
        self.built = True

    @classmethod
    def from_shape(cls, input_shape, **overrides):
        """Default networks for ``input_shape``: DCGAN-style conv nets for images, MLPs otherwise."""
        config = cls.make_config(**overrides)
        image = len(input_shape) == 3
        generator = default_decoder(config.latent_dim, input_shape, width=config.width, name="generator",
                                    output_activation="tanh" if image else None, **cls.generator_options)
        discriminator = default_encoder(input_shape, 1, width=config.width, name="discriminator",
                                        **cls.discriminator_options)
        return cls(generator, discriminator, config=config)

    # -- compile -----------------------------------------------------------------------------

    def compile(self, g_optimizer, d_optimizer, jit_compile=True, steps_per_execution=1, **kwargs):
        """One optimizer per player, both built on their variables before training.

        Building them up front is what a two-optimizer step needs under tf.distribute (an
        unbuilt optimizer creates its slots inside the replica context and fails) and lets a
        checkpoint restore their state before the first step.
        """
        super().compile(optimizer=None, jit_compile=jit_compile, steps_per_execution=steps_per_execution, **kwargs)
        # Under mixed_float16 each player gets its own LossScaleOptimizer (fit only scales the
        # built-in train_step's single optimizer); the steps scale each loss through its own.
        self.g_optimizer = wrap_optimizer(g_optimizer, self.precision)
        self.d_optimizer = wrap_optimizer(d_optimizer, self.precision)
        self.g_optimizer.build(self.generator.trainable_variables)
        self.d_optimizer.build(self.discriminator.trainable_variables)

    def compile_optimizers(self, optimizers, jit_compile=True, steps_per_execution=1):
        g_optimizer, d_optimizer = optimizers
        self.compile(g_optimizer, d_optimizer, jit_compile=jit_compile, steps_per_execution=steps_per_execution)

    @property
    def updates_per_step(self):
        return (1, self.config.n_critic)

    def get_compile_config(self):
        if self.g_optimizer is None:
            return {}
        return {"g_optimizer": keras.optimizers.serialize(self.g_optimizer),
                "d_optimizer": keras.optimizers.serialize(self.d_optimizer)}

    def compile_from_config(self, config):
        if config:
            self.compile(keras.optimizers.deserialize(config["g_optimizer"]),
                         keras.optimizers.deserialize(config["d_optimizer"]))

    # -- inference ---------------------------------------------------------------------------

    def _to_output_range(self, x):
        # tanh images [-1, 1] -> [0, 1]; points unchanged.
        return (x + 1.0) / 2.0 if len(self.data_shape) == 3 else x

    def sample(self, n_or_z, seed=None):
        """Generate from z ~ N(0, I) (or the given z).

        Args:
            n_or_z: number of samples, or codes of shape (n, latent_dim).
            seed: optional int for reproducible z when ``n_or_z`` is a number.

        Returns:
            (n, *data_shape) float32: images in [0, 1], points in the data's coordinates.
        """
        return self._sample_codes(self._codes(n_or_z, seed))

    def _sample_codes(self, z, labels=None):
        """Generated data in the output range for codes ``z`` (and a conditional model's labels)."""
        generator = self.ema_generator if self.ema_generator is not None else self.generator
        return self._to_output_range(ops.cast(generator(network_inputs(z, labels), training=False), "float32"))

    def call(self, z, training=False):
        return self.sample(z)

    # -- training ----------------------------------------------------------------------------

    def after_discriminator_step(self):
        """Hook after every discriminator update (WGAN clips the weights here)."""

    def draw_noise(self, batch_size):
        """``critic_z`` (batch, n_critic, latent_dim): the fakes of each critic update;
        ``generator_z`` (batch, latent_dim); and ``critic_noise`` (batch, n_critic) for
        algorithms whose critic loss draws more (WGAN-GP's interpolation weights)."""
        n_critic, latent = self.config.n_critic, self.config.latent_dim
        noise = {"critic_z": keras.random.normal((batch_size, n_critic, latent), seed=self.seed_generator),
                 "generator_z": keras.random.normal((batch_size, latent), seed=self.seed_generator)}
        if self.critic_noise:
            noise["critic_noise"] = keras.random.uniform((batch_size, n_critic), seed=self.seed_generator)
        return noise

    # Subclasses whose discriminator_loss needs a U[0, 1) draw per example and critic update.
    critic_noise = False

    # A conditional model's networks take [input, labels] (zoo.nets.conditional); the fakes of a
    # batch get the real examples' labels, so the discriminator sees the same classes on both sides.

    def _discriminator_terms(self, x_real, z, training, critic_noise=None, labels=None):
        x_fake = ops.cast(self.generator(network_inputs(z, labels), training=training), "float32")
        real = ops.cast(self.discriminator(network_inputs(x_real, labels), training=training), "float32")
        fake = ops.cast(self.discriminator(network_inputs(x_fake, labels), training=training), "float32")
        return self.discriminator_loss(real, fake, x_real, x_fake, critic_noise)

    def _generator_terms(self, z, training, labels=None):
        x_fake = self.generator(network_inputs(z, labels), training=training)
        fake_outputs = ops.cast(self.discriminator(network_inputs(x_fake, labels), training=training), "float32")
        return self.generator_loss(fake_outputs)

    def discriminator_phase(self, x, noise, labels=None):
        """Steps 1 and 2 of ``train_step_with_noise``: ``n_critic`` discriminator updates.

        Returns:
            ``(d_loss, extras)`` of the last update.
        """
        # 1. n_critic discriminator (critic) updates on this real batch, fresh fakes each time.
        for i in range(self.config.n_critic):
            critic_noise = noise["critic_noise"][:, i] if self.critic_noise else None  # (batch,)
            with tf.GradientTape() as tape:
                d_loss, extras = self._discriminator_terms(x, noise["critic_z"][:, i], True, critic_noise, labels)
                # The critic's own loss scale under mixed_float16 (identity otherwise).
                scaled = self.d_optimizer.scale_loss(per_replica(d_loss))
            grads = tape.gradient(scaled, self.discriminator.trainable_weights)
            self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
            # 2. The algorithm's constraint on the discriminator (WGAN: clip its weights).
            self.after_discriminator_step()
        return d_loss, extras

    def train_step_with_noise(self, x, noise, labels=None):
        d_loss, extras = self.discriminator_phase(x, noise, labels)
        # 3. One generator update against the updated discriminator.
        with tf.GradientTape() as tape:
            g_loss = self._generator_terms(noise["generator_z"], True, labels)
            scaled = self.g_optimizer.scale_loss(per_replica(g_loss))
        grads = tape.gradient(scaled, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        # 4. The moving average of the generator's weights, when enabled.
        if self.ema_generator is not None:
            self._update_ema()
        return self._update_trackers(d_loss, g_loss, extras)

    def _update_ema(self):
        decay = self.config.ema_decay
        for averaged, current in zip(self.ema_generator.weights, self.generator.weights):
            if current.trainable:
                averaged.assign(decay * averaged + (1.0 - decay) * current)
            else:  # batch-normalization statistics: the generator's own
                averaged.assign(current)

    def test_step(self, data):
        x = features(data)
        labels = labels_of(data) if self.conditional else None
        noise = self.draw_noise(tf.shape(x)[0])
        critic_noise = noise["critic_noise"][:, 0] if self.critic_noise else None
        d_loss, extras = self._discriminator_terms(x, noise["critic_z"][:, 0], False, critic_noise, labels)
        return self._update_trackers(d_loss, self._generator_terms(noise["generator_z"], False, labels), extras)

    def _update_trackers(self, d_loss, g_loss, extras):
        self.tracker("d_loss").update_state(d_loss)
        self.tracker("g_loss").update_state(g_loss)
        for name, value in extras.items():
            self.tracker(name).update_state(value)
        return self.results()


"""What the adversarial models (GAN, WGAN, WGAN-GP) share.

A generator G: z -> x and a discriminator (critic) D: x -> one value per example, each with its
own optimizer. One ``train_step`` is ``n_critic`` discriminator updates on the real batch, each
against fresh fakes, then one generator update:

    for k in 1..n_critic:   z ~ N(0, I);  theta_D <- theta_D - lr_D grad L_D(D(x), D(G(z)))
                            (+ what the algorithm adds: a gradient penalty, weight clipping)
                            z ~ N(0, I);  theta_G <- theta_G - lr_G grad L_G(D(G(z)))

Each model file holds only what makes its algorithm different: the two losses (``zoo.losses``),
the discriminator's extras, the default optimizers and networks. The players (``g_optimizer`` on
the generator, ``d_optimizer`` on the discriminator, ``n_critic`` updates per step) and their
compile are declared here once (``GenerativeModel.players``). Images are generated with tanh
in [-1, 1] (``value_range``) and returned by ``sample`` in [0, 1]; 2-D points stay in the data's
own coordinates.
"""

import dataclasses

import keras
import tensorflow as tf
from keras import ops

from zoo.distribute import per_replica
from zoo.models.base import GenerativeModel, check_choice, check_positive_ints, features, labels_of, network_inputs
from zoo.nets.defaults import NETS

# critic_norm -> the options it gives the discriminator's builder (zoo.nets.default_encoder)
CRITIC_NORMS = {"none": {}, "layer": {"normalization": "layer"}, "spectral": {"spectral": True}}


@dataclasses.dataclass(frozen=True)
class AdversarialConfig:
    """Hyper-parameters every adversarial model has (each model's config extends these).

    Attributes:
        latent_dim: size of z; 64 is plenty for MNIST-sized images and 2-D toys.
        width: size of the default networks (see ``zoo.nets.default_encoder``).
        n_critic: discriminator (critic) steps per generator step; 1 is the DCGAN recipe.
        ema_decay: 0 (off) or the decay of an exponential moving average of the generator's
            weights, e.g. 0.999; when on, ``sample`` (and exports) use the averaged generator,
            which is smoother than the last iterate (Karras et al. 2018; most modern GAN code).
        nets: the network family (``zoo.nets.defaults``): "default" (DCGAN conv nets for
            images, MLPs otherwise), "dcgan", "resnet", "mlp" or, for 2-D points and other
            vectors, "pacgan" (PacGAN's 4 x 400 generator and 3 x 200 maxout-5 discriminator).
        critic_norm: what constrains the discriminator's layers: "none" (the model's own
            networks), "layer" (layer normalization inside it, WGAN-GP's advice for a penalized
            critic) or "spectral" (spectral normalization of every weight, SNGAN).
    """

    latent_dim: int = 64
    width: int = 32
    n_critic: int = 1
    ema_decay: float = 0.0
    nets: str = "default"
    critic_norm: str = "none"

    def __post_init__(self):
        check_positive_ints(self, "latent_dim", "width", "n_critic")
        check_choice(self, "nets", NETS)
        check_choice(self, "critic_norm", CRITIC_NORMS)
        if not 0.0 <= self.ema_decay < 1.0:
            raise ValueError(f"ema_decay must be in [0, 1), got {self.ema_decay!r}")


class AdversarialModel(GenerativeModel):
    """Base of the two-player models.

    Subclasses implement ``discriminator_loss(real, fake, x_real, x_fake, critic_noise)`` returning
    ``(loss, extra_metrics)``, ``generator_loss(fake_outputs)`` and ``make_optimizers(lr)``;
    they may override ``after_discriminator_step`` (WGAN's clipping), the options of the default
    networks (``generator_options``, ``discriminator_options``) and ``uses_interpolation_noise``.
    Their config dataclass extends ``AdversarialConfig``.

    Args:
        generator: network from (batch, latent_dim) to (batch, *data_shape): tanh images in
            [-1, 1], or unbounded points.
        discriminator: network from (batch, *data_shape) to (batch, 1) logits / critic values.
        config: the model's config dataclass.
    """

    network_names = ("generator", "discriminator")
    players = {"g_optimizer": ("generator",), "d_optimizer": ("discriminator",)}
    update_counts = {"d_optimizer": "n_critic"}
    tracker_names = ("d_loss", "g_loss")
    value_range = (-1.0, 1.0)
    # Options of the default networks built by from_shape (the generator ends in tanh for images).
    generator_options = {"normalization": "batch"}
    discriminator_options = {"activation": "leaky_relu"}
    # Subclasses whose discriminator_loss needs a U[0, 1) draw per example and critic update
    # (WGAN-GP's interpolation weights) set this: draw_noise then draws ``critic_noise``.
    uses_interpolation_noise = False

    def __init__(self, generator, discriminator, config=None, **kwargs):
        super().__init__(generator, discriminator, config=config, **kwargs)
        self.data_shape = tuple(generator.output_shape[1:])
        data_input = tuple(discriminator.inputs[0].shape[1:])  # a conditional one also takes labels
        self.pack = getattr(self.config, "pack", 1)  # PacGAN's packing (GANConfig.pack), 1 for the others
        if data_input != packed_shape(self.data_shape, self.pack):
            expected = packed_shape(self.data_shape, self.pack)
            raise ValueError(
                f"discriminator input {data_input} does not match generator output {self.data_shape}"
                + (f" packed {self.pack} at a time, {expected}" if self.pack > 1 else "")
            )
        self.seed_generator = keras.random.SeedGenerator(None)
        self.ema_generator = None
        if self.config.ema_decay > 0:
            # Same architecture, weights averaged after every generator step; never trained.
            self.ema_generator = keras.models.clone_model(generator)
            self.ema_generator.set_weights(generator.get_weights())
            self.ema_generator.trainable = False
        self.built = True

    @classmethod
    def from_shape(cls, input_shape, **overrides):
        """Default networks for ``input_shape``: DCGAN-style conv nets for images, MLPs otherwise."""
        config = cls.make_config(**overrides)
        image = len(input_shape) == 3
        generator = cls.decoder_network(
            config,
            config.latent_dim,
            input_shape,
            width=config.width,
            name="generator",
            output_activation="tanh" if image else None,
            nets=config.nets,
            **cls.generator_options,
        )
        discriminator = cls.encoder_network(
            config,
            packed_shape(input_shape, getattr(config, "pack", 1)),
            1,
            width=config.width,
            name="discriminator",
            nets=config.nets,
            **{**cls.discriminator_options, **CRITIC_NORMS[config.critic_norm]},
        )
        return cls(generator, discriminator, config=config)

    # -- inference: sample (GenerativeModel) ------------------------------------------------

    def _sample_codes(self, z, labels=None):
        """G(z) in the output range, from the moving average of the generator when there is one."""
        generator = self.ema_generator if self.ema_generator is not None else self.generator
        return self._to_output_range(ops.cast(generator(network_inputs(z, labels), training=False), "float32"))

    def call(self, z, training=False):
        return self.sample(z)

    # -- training ----------------------------------------------------------------------------

    def after_discriminator_step(self):
        """Hook after every discriminator update (WGAN clips the weights here)."""

    def generator_codes_shape(self, batch_size):
        """Shape of the draw ``generator_z``: (batch, latent_dim), the one generator update's codes."""
        return (batch_size, self.config.latent_dim)

    def draw_noise(self, batch_size):
        """``critic_z`` (batch, n_critic, latent_dim): the fakes of each critic update;
        ``generator_z`` (``generator_codes_shape``); and, for ``uses_interpolation_noise``,
        ``critic_noise`` (batch, n_critic), U[0, 1) per example and critic update."""
        n_critic, latent = self.config.n_critic, self.config.latent_dim
        noise = {
            "critic_z": keras.random.normal((batch_size, n_critic, latent), seed=self.seed_generator),
            "generator_z": keras.random.normal(self.generator_codes_shape(batch_size), seed=self.seed_generator),
        }
        if self.uses_interpolation_noise:
            noise["critic_noise"] = keras.random.uniform((batch_size, n_critic), seed=self.seed_generator)
        return noise

    def critic_noise_of(self, noise, i):
        """The ``critic_noise`` of critic update ``i`` (batch,), or None for models that draw none."""
        return noise["critic_noise"][:, i] if self.uses_interpolation_noise else None

    # A conditional model's networks take [input, labels] (zoo.nets.conditional); the fakes of a
    # batch get the real examples' labels, so the discriminator sees the same classes on both sides.

    def judge(self, x, labels=None, training=False):
        """The discriminator's values of a batch: (batch, 1), or (batch // pack, 1) for packs."""
        if self.pack > 1:  # labels stay None: a conditional GAN does not pack (ConditionalConfig)
            x = pack_examples(x, self.pack)
        return ops.cast(self.discriminator(network_inputs(x, labels), training=training), "float32")

    def discriminator_terms(self, x_real, z, training, critic_noise=None, labels=None):
        x_fake = ops.cast(self.generator(network_inputs(z, labels), training=training), "float32")
        real = self.judge(x_real, labels, training)
        fake = self.judge(x_fake, labels, training)
        return self.discriminator_loss(real, fake, x_real, x_fake, critic_noise)

    def generator_terms(self, z, training, labels=None):
        x_fake = self.generator(network_inputs(z, labels), training=training)
        return self.generator_loss(self.judge(x_fake, labels, training))

    def discriminator_phase(self, x, noise, labels=None):
        """Steps 1 and 2 of ``train_step_with_noise``: ``n_critic`` discriminator updates.

        Returns:
            ``(d_loss, extras)`` of the last update.
        """
        # 1. n_critic discriminator (critic) updates on this real batch, fresh fakes each time.
        for i in range(self.config.n_critic):
            with tf.GradientTape() as tape:
                d_loss, extras = self.discriminator_terms(
                    x, noise["critic_z"][:, i], True, self.critic_noise_of(noise, i), labels
                )
                # The critic's own loss scale under mixed_float16 (identity otherwise).
                scaled = self.d_optimizer.scale_loss(per_replica(d_loss))
            self.apply_update("d_optimizer", tape, scaled)
            # 2. The algorithm's constraint on the discriminator (WGAN: clip its weights).
            self.after_discriminator_step()
        return d_loss, extras

    def train_step_with_noise(self, x, noise, labels=None):
        d_loss, extras = self.discriminator_phase(x, noise, labels)
        # 3. One generator update against the updated discriminator.
        with tf.GradientTape() as tape:
            g_loss = self.generator_terms(noise["generator_z"], True, labels)
            scaled = self.g_optimizer.scale_loss(per_replica(g_loss))
        self.apply_update("g_optimizer", tape, scaled)
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
        d_loss, extras = self.discriminator_terms(
            x, noise["critic_z"][:, 0], False, self.critic_noise_of(noise, 0), labels
        )
        return self._update_trackers(d_loss, self.generator_terms(noise["generator_z"], False, labels), extras)

    def _update_trackers(self, d_loss, g_loss, extras):
        self.tracker("d_loss").update_state(d_loss)
        self.tracker("g_loss").update_state(g_loss)
        for name, value in extras.items():
            self.tracker(name).update_state(value)
        return self.results()


def packed_shape(shape, pack):
    """The discriminator's input shape for ``pack`` examples of ``shape`` at once: the last axis
    ``pack`` times as long ((d,) -> (pack * d,); (h, w, c) -> (h, w, pack * c))."""
    shape = tuple(shape)
    return shape[:-1] + (pack * shape[-1],)


def pack_examples(x, pack):
    """(batch, ..., c) -> (batch // pack, ..., pack * c): examples i * pack .. i * pack + pack - 1
    side by side along the last axis (a batch is first cut to a multiple of ``pack``)."""
    shape = tuple(x.shape[1:])
    usable = (ops.shape(x)[0] // pack) * pack
    x = ops.reshape(x[:usable], (-1, pack) + shape)  # (batch // pack, pack, ..., c)
    x = ops.moveaxis(x, 1, -2)  # (batch // pack, ..., pack, c)
    return ops.reshape(x, (-1,) + packed_shape(shape, pack))

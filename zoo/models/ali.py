"""ALI / BiGAN: adversarially learned inference (Dumoulin et al., "Adversarially Learned Inference",
ICLR 2017; Donahue et al., "Adversarial Feature Learning", ICLR 2017; both arXiv 2016).

Two directed models of the same joint distribution over data x and codes z:

    encoder   q(x, z) = p_data(x) q(z|x),   q(z|x) = N(mean(x), diag(exp(log_var(x))))
    generator p(x, z) = p(z) p(x|z),        p(z) = N(0, I),  x = G(z)  (tanh images in [-1, 1])

The encoder is sampled with the reparameterization trick, z_hat = mean + exp(log_var / 2) * eps,
eps ~ N(0, I) (ALI's stochastic encoder; BiGAN's is the deterministic special case). A
discriminator D(x, z) = sigmoid(l(x, z)) on *pairs* tells encoder pairs from generator pairs:

    L_D  = -E_x log D(x, z_hat) - E_z log(1 - D(G(z), z))         (zoo.losses.minimax_discriminator_loss)
    L_EG = -E_x log(1 - D(x, z_hat)) - E_z log D(G(z), z)         (the same loss, labels swapped)

L_EG is ALI's non-saturating form: the encoder and the generator (ALI's G_z and G_x, one player
with one optimizer) each get the strong gradient of the non-saturating GAN loss. At the optimal
D, the minimax game minimizes the Jensen-Shannon divergence between the two joint distributions
q(x, z) and p(x, z); where they are equal, both marginals match (q(x) = p_data(x) is what G
generates, q(z) = p(z) is what E encodes into) and so do the conditionals, so E inverts G
(BiGAN's theorem 2 for deterministic maps). docs/theory.md derives the GAN case.

Real data only ever enters the encoder and codes from the prior only ever enter the generator:
no loss compares G(E(x)) with x. Without the joint discriminator nothing would tie E to G at
all; with it, inversion is a consequence of matching the joints, not an objective, so the pair
does not collapse into an autoencoder (which would reconstruct well but whose codes need not
follow the prior, nor its decoder generate from it). Reconstructions G(E(x)) are therefore only
reported: ``reconstruct`` and the ``reconstruction_error`` tracker, the squared error per pixel
(per coordinate for flat data) of G(mean(x)) against x, averaged over pixels and then examples,
in [0, 1] pixel units (the data's own units for flat data). For scale on MNIST: the mean
training image scores 0.068 against the test digits, another random test digit 0.135. Inversion
is the last thing the game learns (the discriminator tells the marginals apart before it checks
the pairing), and after a default run on the embedded sample (1,410 steps) it depends on the
seed: 0.069 with most test digits reconstructed as the same digit (seed 1), 0.103 with most not
(seed 0).

One ``train_step``: a discriminator update on (x, z_hat) against (G(z), z), then an encoder +
generator update against the updated discriminator on the same draws (eps, z).
"""

import dataclasses

import keras
import tensorflow as tf
from keras import ops

from zoo import losses
from zoo.distribute import per_replica
from zoo.likelihoods import Sampling
from zoo.models.base import GaussianEncoderMixin, GenerativeModel, check_choice, check_positive_ints, features
from zoo.nets.defaults import NETS, default_decoder, default_encoder
from zoo.nets.joint import joint_discriminator
from zoo.registry import register_model


@dataclasses.dataclass(frozen=True)
class ALIConfig:
    """Hyper-parameters of ALI.

    Attributes:
        latent_dim: size of z. 16, not the zoo GANs' 64: the fewer dimensions the discriminator
            has to check a pair on, the sooner it looks at the pairing and not only at the
            marginals (better samples and inversion on the embedded sample: the README's results).
        width: size of the default networks: the encoder and generator as in
            ``zoo.nets.default_encoder`` / ``default_decoder``, the joint discriminator as in
            ``zoo.nets.joint.joint_discriminator``.
        nets: the encoder's and generator's family (``zoo.nets.defaults``): "default" (DCGAN conv nets for images,
            MLPs otherwise), "dcgan", "resnet", "mlp" or, for vectors, "pacgan".
    """

    latent_dim: int = 16
    width: int = 32
    nets: str = "default"

    def __post_init__(self):
        check_positive_ints(self, "latent_dim", "width")
        check_choice(self, "nets", NETS)


@register_model("ali")
@keras.saving.register_keras_serializable(package="zoo")
class ALI(GaussianEncoderMixin, GenerativeModel):
    """ALI: a Gaussian encoder, a generator and a discriminator on (x, z) pairs.

    Args:
        encoder: network from data (batch, *data_shape) in [-1, 1] (images) to
            (batch, 2 * latent_dim): the posterior mean and log-variance, concatenated.
        generator: network from (batch, latent_dim) to (batch, *data_shape): tanh images in
            [-1, 1], or unbounded points.
        discriminator: network from ``[x (batch, *data_shape), z (batch, latent_dim)]`` to
            (batch, 1) logits (``zoo.nets.joint``).
        config: an ``ALIConfig``.
    """

    config_class = ALIConfig
    network_names = ("encoder", "generator", "discriminator")
    # g_optimizer moves the encoder and the generator together (ALI's G_z and G_x: one player).
    players = {"g_optimizer": ("encoder", "generator"), "d_optimizer": ("discriminator",)}
    tracker_names = ("d_loss", "g_loss", "reconstruction_error")
    value_range = (-1.0, 1.0)
    default_learning_rate = 2e-4

    def __init__(self, encoder, generator, discriminator, config=None, **kwargs):
        super().__init__(encoder, generator, discriminator, config=config, **kwargs)
        latent = self.config.latent_dim
        self.data_shape = tuple(generator.output_shape[1:])
        self._check_code_sizes(generator, "generator")
        if tuple(encoder.input_shape[1:]) != self.data_shape:
            raise ValueError(
                f"encoder input {encoder.input_shape[1:]} does not match generator output {self.data_shape}"
            )
        pair = [tuple(t.shape[1:]) for t in discriminator.inputs]
        if pair != [self.data_shape, (latent,)]:
            raise ValueError(f"discriminator must take [x {self.data_shape}, z ({latent},)]; got inputs {pair}")
        # Its seed generator draws the step's noise (the layer's name is in saved files and checkpoints).
        self.sampler = Sampling(name="sampling", dtype="float32")
        self.built = True

    @classmethod
    def from_shape(cls, input_shape, **overrides):
        """Default networks for ``input_shape``: DCGAN-style conv nets for images, MLPs otherwise.

        Encoder and generator use batch normalization (ALI's networks do; the generator is the
        zoo GAN's), the discriminator none; encoder and discriminator use leaky ReLUs.
        """
        config = cls.make_config(**overrides)
        image = len(input_shape) == 3
        encoder = default_encoder(
            input_shape,
            2 * config.latent_dim,
            width=config.width,
            name="encoder",
            nets=config.nets,
            activation="leaky_relu",
            normalization="batch",
        )
        generator = default_decoder(
            config.latent_dim,
            input_shape,
            width=config.width,
            name="generator",
            nets=config.nets,
            normalization="batch",
            output_activation="tanh" if image else None,
        )
        discriminator = joint_discriminator(input_shape, config.latent_dim, width=config.width)
        return cls(encoder, generator, discriminator, config=config)

    def make_optimizers(self, learning_rate=None):
        # Adam with beta_1 = 0.5 for both players, ALI's and DCGAN's choice; 2e-4 (DCGAN's rate,
        # twice ALI's 1e-4) because a default run on the embedded sample is only 1,410 steps.
        lr = learning_rate or self.default_learning_rate
        return keras.optimizers.Adam(lr, beta_1=0.5), keras.optimizers.Adam(lr, beta_1=0.5)

    # -- inference: sample (GenerativeModel), encode and encode_outputs (GaussianEncoderMixin:
    # data in [-1, 1] and in [0, 1]) ----------------------------------------------------------

    def _sample_codes(self, z, labels=None):
        """G(z) in the output range."""
        return self._to_output_range(ops.cast(self.generator(z, training=False), "float32"))

    def call(self, z, training=False):
        return self.sample(z)

    def reconstruct(self, x):
        """G(mean of q(z|x)): a deterministic reconstruction, in and out of the output range.

        Args:
            x: (batch, *data_shape), images in [0, 1] (points in their coordinates).

        Returns:
            (batch, *data_shape) float32, images in [0, 1].
        """
        mean, _ = self.encode_outputs(x)
        return self.sample(mean)

    # -- training ----------------------------------------------------------------------------

    def draw_noise(self, batch_size):
        """``eps`` (batch, latent_dim), the encoder's reparameterization noise, and ``z``
        (batch, latent_dim), the generator's codes from the prior."""
        latent, seed = self.config.latent_dim, self.sampler.seed_generator
        return {
            "eps": keras.random.normal((batch_size, latent), seed=seed),
            "z": keras.random.normal((batch_size, latent), seed=seed),
        }

    def _pair_logits(self, x, eps, z, training):
        """Discriminator logits on the encoder pair (x, z_hat) and the generator pair (G(z), z).

        Returns:
            ``(encoder_logits, generator_logits, mean)``: (batch, 1), (batch, 1) and the
            posterior mean (batch, latent_dim).
        """
        x, eps, z = (ops.convert_to_tensor(t, dtype="float32") for t in (x, eps, z))
        # 1. Encode the real data: z_hat = mean + exp(log_var / 2) * eps ~ q(z|x)
        mean, log_var = self.encode(x, training=training)
        z_hat = self.reparameterize(mean, log_var, eps)  # (batch, latent_dim)
        # 2. Generate from the prior's codes: x_tilde = G(z)
        x_tilde = ops.cast(self.generator(z, training=training), "float32")  # (batch, *data_shape)
        # 3. The discriminator on both pairs
        encoder_logits = ops.cast(self.discriminator([x, z_hat], training=training), "float32")
        generator_logits = ops.cast(self.discriminator([x_tilde, z], training=training), "float32")
        return encoder_logits, generator_logits, mean

    def reconstruction_error(self, x, mean):
        """Squared error of G(mean) against x, per pixel in [0, 1] units (per coordinate for flat
        data), averaged over each example.

        Args:
            x: data (batch, *data_shape) in ``value_range``.
            mean: posterior means (batch, latent_dim).

        Returns:
            (batch,) float32.
        """
        recon = ops.cast(self.generator(mean, training=False), "float32")
        error = self._to_output_range(recon) - self._to_output_range(ops.cast(x, "float32"))
        return ops.mean(ops.reshape(ops.square(error), (ops.shape(error)[0], -1)), axis=-1)

    def discriminator_step(self, x, noise):
        """One discriminator update on the draws ``noise``; of the weights it moves only the
        discriminator's (the encoder and the generator run in training mode, so their batch
        normalization statistics move, as a GAN generator's do in its discriminator step).

        Returns:
            The scalar L_D before the update.
        """
        # 4. Discriminator: L_D = -E log D(x, z_hat) - E log(1 - D(G(z), z)), encoder pairs real.
        with tf.GradientTape() as tape:
            encoder_logits, generator_logits, _ = self._pair_logits(x, noise["eps"], noise["z"], training=True)
            d_loss = losses.minimax_discriminator_loss(encoder_logits, generator_logits)
            # Over the global batch under tf.distribute; scaled by the discriminator's own loss
            # scale under mixed_float16 (identity otherwise).
            scaled = self.d_optimizer.scale_loss(per_replica(d_loss))
        self.apply_update("d_optimizer", tape, scaled)
        return d_loss

    def encoder_generator_step(self, x, noise):
        """One update of the encoder and the generator (one optimizer); the discriminator's
        weights do not move.

        Returns:
            ``(g_loss, mean)``: the scalar L_EG before the update and the posterior means
            (batch, latent_dim) it saw.
        """
        # 5. Encoder + generator, labels swapped: L_EG = -E log(1 - D(x, z_hat)) - E log D(G(z), z).
        with tf.GradientTape() as tape:
            encoder_logits, generator_logits, mean = self._pair_logits(x, noise["eps"], noise["z"], training=True)
            g_loss = losses.minimax_discriminator_loss(generator_logits, encoder_logits)
            scaled = self.g_optimizer.scale_loss(per_replica(g_loss))
        self.apply_update("g_optimizer", tape, scaled)
        return g_loss, mean

    def train_step_with_noise(self, x, noise, labels=None):
        """A discriminator update, then an encoder + generator update against the updated
        discriminator, both on the draws ``noise`` (``draw_noise``). ``labels`` is accepted for the
        common signature and ignored (ALI is unconditional)."""
        d_loss = self.discriminator_step(x, noise)
        g_loss, mean = self.encoder_generator_step(x, noise)
        # 6. Reported only: how well G inverts E on this batch (no gradient, inference mode).
        error = self.reconstruction_error(x, ops.stop_gradient(mean))
        return self._update_trackers(d_loss, g_loss, error)

    def test_step(self, data):
        x = features(data)
        noise = self.draw_noise(tf.shape(x)[0])
        encoder_logits, generator_logits, mean = self._pair_logits(x, noise["eps"], noise["z"], training=False)
        d_loss = losses.minimax_discriminator_loss(encoder_logits, generator_logits)
        g_loss = losses.minimax_discriminator_loss(generator_logits, encoder_logits)
        return self._update_trackers(d_loss, g_loss, self.reconstruction_error(x, mean))

    def _update_trackers(self, d_loss, g_loss, reconstruction_error):
        self.tracker("d_loss").update_state(d_loss)
        self.tracker("g_loss").update_state(g_loss)
        self.tracker("reconstruction_error").update_state(reconstruction_error)
        return self.results()

"""What every generative model in the zoo shares: config handling, players and their optimizers,
trackers and serialization; and what the models with a Gaussian encoder (``GaussianEncoderMixin``)
and the autoencoders (``AutoencoderModel``) share.

A model is a subclassed ``keras.Model`` that receives its networks ready-made (``zoo.nets``
builds them), keeps its hyper-parameters in a frozen config dataclass, reports its training
figures through ``keras.metrics.Mean`` trackers with the zoo's common names, and serializes as
``{"config": <dataclass as dict>, <network name>: <serialized network>, ...}`` so that a
``.keras`` file round-trips with identical outputs.

A model declares its players once, as ``players``: each optimizer attribute and the networks it
trains. ``GenerativeModel`` does the rest: ``compile`` (one optimizer per player, positionally or
by name, each wrapped for the precision and built on its player's variables), ``make_optimizers``,
``updates_per_step``, and the compile config a ``.keras`` file keeps. A subclass then writes only
its losses and its steps.
"""

import copy
import dataclasses

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from zoo import likelihoods
from zoo.distribute import is_multi_worker
from zoo.likelihoods import bernoulli_nll, discretized_logistic_nll, gaussian_nll
from zoo.nets.defaults import default_decoder, default_encoder
from zoo.precision import network_precision, wrap_optimizer

# Keyword arguments of ``compile`` that a ``.keras`` file keeps beside the optimizers.
_COMPILE_OPTIONS = ("jit_compile", "steps_per_execution")
# The decoders' likelihoods (``AutoencoderModel``): the VAE and cVAE take all three, the AAE
# (whose reconstruction term has no learned scale) the first two.
LIKELIHOODS = ("bernoulli", "gaussian", "logistic")


def keep_update_order():
    """Turn off Grappler's dependency optimizer, for the whole process (idempotent).

    A zoo step makes several updates in one ``tf.function`` (a critic's ``n_critic`` updates and
    its clipping, then the generator's against the updated critic; the AAE's three phases), so its
    variable reads and writes must run in program order. TensorFlow's automatic control
    dependencies order them, but Grappler's dependency optimizer (TF 2.21, graph mode, steps
    compiled without XLA) can drop those edges: a forward pass then reads a weight before or after
    an update that precedes or follows it in the code, depending on the executor's order, which
    changes from run to run. Measured with a Keras ``Dense`` critic and RMSprop, five updates in one
    function, single-threaded: 5 distinct results in 16 runs, including a first loss computed on
    weights that were already clipped; with the optimizer off, one result in 16, the same as under
    XLA. It was the cause of the clipped WGAN's replica difference (``tests/zoo/test_distribute.py``):
    one RMSprop step of the critic's output layer, 1.6e-4, in 2 seeds of 24; 6e-8 with it off.
    """
    if tf.config.optimizer.get_experimental_options().get("dependency_optimization") is not False:
        tf.config.optimizer.set_experimental_options({"dependency_optimization": False})


def features(data):
    """The ``x`` of a ``(x, y)`` or ``(x, y, sample_weight)`` batch, or ``data`` itself."""
    return data[0] if isinstance(data, (tuple, list)) else data


def labels_of(data):
    """The int32 class labels ``y`` of a ``(x, y)`` or ``(x, y, sample_weight)`` batch.

    Raises:
        ValueError: the batch has no labels (a conditional model needs ``(x, y)`` batches).
    """
    if not (isinstance(data, (tuple, list)) and len(data) >= 2 and data[1] is not None):
        raise ValueError("a conditional model trains on (x, label) batches; got a batch without labels")
    return tf.cast(data[1], tf.int32)


def network_inputs(data, labels):
    """A network's input: ``data``, or ``[data, labels]`` for a conditional network (one that takes
    the class labels as a second input, ``zoo.nets.conditional``)."""
    if labels is None:
        return data
    # Tensors both (Keras refuses a list mixing a tensor and a NumPy array).
    return [ops.convert_to_tensor(data), ops.convert_to_tensor(labels, dtype="int32")]


def check_positive_ints(config, *names):
    """The config check that each field in ``names`` is a positive integer.

    Raises:
        ValueError: naming the first field that is not, and its value.
    """
    for name in names:
        value = getattr(config, name)
        if not (isinstance(value, int) and value >= 1):
            raise ValueError(f"{name} must be a positive integer, got {value!r}")


def check_non_negative(config, *names):
    """The config check that each field in ``names`` is a number >= 0 (a weight; NaN fails).

    Raises:
        ValueError: naming the first field that is not, and its value.
    """
    for name in names:
        value = getattr(config, name)
        if not value >= 0:
            raise ValueError(f"{name} must be >= 0, got {value!r}")


def check_choice(config, name, choices):
    """The config check that the field ``name`` is one of ``choices`` (strings, STYLE.md).

    Raises:
        ValueError: naming the field, its value and the choices.
    """
    value = getattr(config, name)
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; expected one of {', '.join(choices)}")


class _ClassAlias:
    """A read-only class attribute that reads another one (an old name kept for a release)."""

    def __init__(self, name):
        self.name = name

    def __get__(self, obj, cls=None):
        return getattr(cls if obj is None else type(obj), self.name)


class GenerativeModel(keras.Model):
    """Base class of the zoo's models.

    Subclasses set the class attributes below that differ from the defaults, and implement
    ``from_shape``, ``_sample_codes`` (what ``sample`` does with its codes), ``draw_noise``,
    ``train_step_with_noise`` and ``test_step``.
    Two attributes are derived, never set: ``optimizer_names`` (the keys of ``players``) and
    ``has_encoder`` (whether the class overrides ``encode_outputs``).
    """

    # The frozen config dataclass.
    config_class = None
    # The networks: the constructor's first arguments, kept as attributes of these names and
    # serialized with the model.
    network_names = ()
    # Each optimizer attribute, in ``compile`` order, and the networks it trains; None: every
    # trainable variable of the model (the VAE's one optimizer, which also trains the decoder's
    # variance). A tf.train checkpoint and a ``.keras`` file know the optimizers by these names.
    players = {"optimizer": None}
    # Optimizer attribute -> the config field that counts its updates per ``train_step``
    # (a critic's ``n_critic``); the others make one.
    update_counts = {}
    # Names of the ``keras.metrics.Mean`` trackers, in report order.
    tracker_names = ()
    # The pixel range the model trains on (``zoo.data.load(value_range=...)``); exports and
    # ``sample`` give images in [0, 1] whatever it is.
    value_range = (0.0, 1.0)
    data_range = _ClassAlias("value_range")  # its name before 0.2, kept for one release
    default_learning_rate = 1e-3
    # Class-conditional models (zoo.models.conditional) set this, take the batch's labels in every step
    # and ``labels`` beside ``z`` when they generate.
    conditional = False
    # Models whose loss bounds -log p(x) (``loss_terms``: the VAE family) set this.
    has_likelihood = False
    registry_name = None  # set by zoo.registry.register_model
    # Derived (see __init_subclass__).
    optimizer_names = ("optimizer",)
    has_encoder = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for derived in ("optimizer_names", "has_encoder"):
            if derived in cls.__dict__:
                raise TypeError(
                    f"{cls.__name__} sets {derived}, which is derived: declare players, or override encode_outputs"
                )
        cls.optimizer_names = tuple(cls.players)
        cls.has_encoder = cls.encode_outputs is not GenerativeModel.encode_outputs

    def __init__(self, *networks, config=None, **kwargs):
        """Keep ``networks`` (in ``network_names`` order) as attributes of those names, and the
        config (default: ``config_class()``); the optimizers come with ``compile``."""
        super().__init__(**kwargs)
        self.config = config if config is not None else self.config_class()
        if not isinstance(self.config, self.config_class):
            raise TypeError(f"config must be a {self.config_class.__name__}, got {type(self.config).__name__}")
        self._trackers = [keras.metrics.Mean(name=name) for name in self.tracker_names]
        for name in self.optimizer_names:
            if name != "optimizer":  # Keras' own attribute, set by keras.Model.compile
                setattr(self, name, None)
        if len(networks) != len(self.network_names):
            raise TypeError(
                f"{type(self).__name__} takes {len(self.network_names)} networks "
                f"({', '.join(self.network_names)}); got {len(networks)}"
            )
        for name, network in zip(self.network_names, networks):
            setattr(self, name, network)

    @classmethod
    def decoder_network(cls, config, latent_dim, output_shape, **kwargs):
        """The default network from codes to data (``zoo.nets.default_decoder``); a conditional
        model's also takes the labels (``ConditionalMixin``)."""
        return default_decoder(latent_dim, output_shape, **kwargs)

    @classmethod
    def encoder_network(cls, config, input_shape, output_dim, **kwargs):
        """The default network from data to ``output_dim`` values (``zoo.nets.default_encoder``); a
        conditional model's also takes the labels (``ConditionalMixin``)."""
        return default_encoder(input_shape, output_dim, **kwargs)

    @classmethod
    def make_config(cls, **overrides):
        """The default config with ``overrides`` applied; unknown fields raise a ValueError."""
        fields = [f.name for f in dataclasses.fields(cls.config_class)]
        unknown = sorted(set(overrides) - set(fields))
        if unknown:
            raise ValueError(
                f"unknown {cls.registry_name or cls.__name__} option(s) {', '.join(map(repr, unknown))}; "
                f"known: {', '.join(fields)}"
            )
        return cls.config_class(**overrides)

    # -- the players and their optimizers ----------------------------------------------------

    def make_optimizers(self, learning_rate=None):
        """The model's default optimizers, one per player, in ``optimizer_names`` order.

        Args:
            learning_rate: overrides the default rate (a float or a Keras schedule).
        """
        return tuple(keras.optimizers.Adam(learning_rate or self.default_learning_rate) for _ in self.players)

    @property
    def updates_per_step(self):
        """How many updates each optimizer (``optimizer_names`` order) makes per ``train_step``."""
        return tuple(
            getattr(self.config, self.update_counts[n]) if n in self.update_counts else 1 for n in self.optimizer_names
        )

    def player_variables(self, name):
        """The variables the optimizer ``name`` trains: its networks' trainable variables, in
        ``players`` order (every trainable variable of the model for ``None``)."""
        networks = self.players[name]
        if networks is None:
            return self.trainable_variables
        return [v for network in networks for v in getattr(self, network).trainable_variables]

    def apply_update(self, name, tape, scaled_loss):
        """One update of the optimizer ``name`` on its player's variables.

        Args:
            name: an entry of ``optimizer_names``.
            tape: the ``tf.GradientTape`` that recorded the loss.
            scaled_loss: the loss through that optimizer's own ``scale_loss``, inside the tape
                (under ``mixed_float16`` its loss scale; ``apply_gradients`` divides it back out).
        """
        variables = self.player_variables(name)
        getattr(self, name).apply_gradients(zip(tape.gradient(scaled_loss, variables), variables))

    def compile(self, *optimizers, jit_compile=True, steps_per_execution=1, **kwargs):
        """One optimizer per player, each built on its player's variables before training.

        Building them up front is what a multi-optimizer step needs under tf.distribute (an
        unbuilt optimizer creates its slots inside the replica context and fails) and lets a
        checkpoint restore their state before the first step. Under ``mixed_float16`` each
        player gets its own ``LossScaleOptimizer`` (``fit`` only scales the built-in
        ``train_step``'s single optimizer); the steps scale each loss through its own.

        Args:
            *optimizers: the optimizers (or Keras names of optimizers) in ``optimizer_names``
                order; or pass them by those names: ``compile(optimizer=...)`` for a one-player
                model, ``compile(g_optimizer=..., d_optimizer=...)``.
            jit_compile: compile the steps with XLA (set explicitly: see ``zoo.precision``).
            steps_per_execution: ``train_step`` calls per compiled execution (Keras runs them in
                one loop inside the function; callbacks see one batch per execution).
            **kwargs: the rest of ``keras.Model.compile``'s arguments.

        Compiling also turns off Grappler's dependency optimizer for the process
        (``keep_update_order``): with it, a step's reads and updates can run out of order.

        Raises:
            TypeError: too many optimizers, one given twice, or one missing.
        """
        named = self._optimizers_by_name(optimizers, kwargs)
        keep_update_order()
        named = {name: wrap_optimizer(optimizer, self.precision) for name, optimizer in named.items()}
        # Keras keeps a one-player model's optimizer as its own ``self.optimizer``.
        super().compile(
            optimizer=named.get("optimizer"), jit_compile=jit_compile, steps_per_execution=steps_per_execution, **kwargs
        )
        for name in self.optimizer_names:
            if name != "optimizer":
                setattr(self, name, named[name])
            getattr(self, name).build(self.player_variables(name))

    def _optimizers_by_name(self, optimizers, kwargs):
        """``{optimizer attribute: optimizer}`` from ``compile``'s positional optimizers and the
        keyword arguments named after players (taken out of ``kwargs``)."""
        names, model = self.optimizer_names, type(self).__name__
        expected = f"{len(names)} optimizer(s) ({', '.join(names)})"
        if len(optimizers) > len(names):
            raise TypeError(f"{model}.compile takes {expected}; got {len(optimizers)}")
        if "optimizer" in kwargs and "optimizer" not in names:
            raise TypeError(f"{model}.compile takes {expected}, not optimizer=")
        named = dict(zip(names, optimizers))
        twice = [n for n in named if n in kwargs]
        if twice:
            raise TypeError(f"{model}.compile got {', '.join(twice)} both by position and by name")
        named.update({n: kwargs.pop(n) for n in names if n in kwargs})
        missing = [n for n in names if named.get(n) is None]
        if missing:
            raise TypeError(f"{model}.compile takes {expected}; missing {', '.join(missing)}")
        return named

    def compile_optimizers(self, optimizers, jit_compile=True, steps_per_execution=1):
        """``compile`` with a sequence of optimizers in ``optimizer_names`` order."""
        self.compile(*optimizers, jit_compile=jit_compile, steps_per_execution=steps_per_execution)

    def compile_default(self, learning_rate=None, jit_compile=True, steps_per_execution=1):
        """Compile with the model's default optimizers (``make_optimizers``), built before training."""
        self.compile_optimizers(
            self.make_optimizers(learning_rate), jit_compile=jit_compile, steps_per_execution=steps_per_execution
        )

    def get_compile_config(self):
        """``{optimizer attribute: serialized optimizer, ..., "jit_compile": ..., "steps_per_execution": ...}``
        ({} before ``compile``): what ``compile_from_config`` compiles a loaded model with."""
        if any(getattr(self, name, None) is None for name in self.optimizer_names):
            return {}
        return {
            **{name: keras.optimizers.serialize(getattr(self, name)) for name in self.optimizer_names},
            "jit_compile": self.jit_compile,
            "steps_per_execution": self.steps_per_execution,
        }

    def compile_from_config(self, config):
        """Compile a loaded model from its ``get_compile_config``, building every optimizer, so that
        their saved state loads next.

        Also reads the files of earlier versions: a one-player model's Keras format (``optimizer``
        beside ``loss``, ``metrics``..., which it ignores) and the two-player ones without
        ``jit_compile`` and ``steps_per_execution`` (compiled with the defaults).
        """
        if config:
            optimizers = {name: keras.optimizers.deserialize(config[name]) for name in self.optimizer_names}
            self.compile(**optimizers, **{k: config[k] for k in _COMPILE_OPTIONS if k in config})

    @property
    def precision(self):
        """The dtype policy the networks compute under: ``float32``, ``mixed_float16`` or ``mixed_bfloat16``
        (``zoo.precision``; set by building the model inside ``precision_scope``)."""
        return network_precision(getattr(self, self.network_names[0]))

    # -- trackers ----------------------------------------------------------------------------

    @property
    def metrics(self):
        # Keras resets these at the start of every epoch and of evaluate().
        return list(self._trackers)

    def tracker(self, name):
        """The ``keras.metrics.Mean`` tracker called ``name``."""
        return self._trackers[self.tracker_names.index(name)]

    def results(self):
        """Current value of every tracker: what ``train_step`` and ``test_step`` return."""
        results = {t.name: t.result() for t in self._trackers}
        if is_multi_worker():
            # Keras 3 reduces every log with strategy.reduce("MEAN", v, axis=0) across workers,
            # which fails on a scalar (tensorflow/tensorflow#72388); shape (1,) reduces to a scalar.
            results = {k: tf.reshape(v, (1,)) for k, v in results.items()}
        return results

    # -- the training step: random draws first, then a deterministic step ----------------------
    # ``train_step`` draws every random number the step needs (``draw_noise``) and hands them to
    # ``train_step_with_noise``, which is deterministic given its inputs. Tests and benchmarks
    # pass the same noise to two executions (eager / graph / XLA, 1 device / 2 replicas) and
    # compare: TF's random ops give different values under XLA on CPU. Every noise tensor has the
    # batch as its first axis, so a strategy splits the noise with the examples.

    def draw_noise(self, batch_size):
        """Every random draw of one training step: ``{name: tensor (batch_size, ...)}``."""
        raise NotImplementedError

    def train_step_with_noise(self, x, noise, labels=None):
        """One training step on the batch ``x`` with the given draws (``draw_noise``); returns the
        trackers' results. ``labels`` (batch,) int32: the batch's classes, for conditional models
        (None for the others, which ignore them)."""
        raise NotImplementedError

    def train_step(self, data):
        x = features(data)
        labels = labels_of(data) if self.conditional else None
        return self.train_step_with_noise(x, self.draw_noise(tf.shape(x)[0]), labels)

    # -- what export/ turns into serving signatures -----------------------------------------
    # Every model exports ``generate`` (z -> outputs); models with an encoder also export
    # ``encode_outputs`` (outputs -> posterior mean and log-variance). Subclasses set
    # ``data_shape`` (one example's shape) in ``__init__``.

    @property
    def latent_dim(self):
        return self.config.latent_dim

    @property
    def output_name(self):
        """Tensor name of the generated data: ``"images"`` (H, W, C) or ``"samples"`` (flat)."""
        return "images" if len(self.data_shape) == 3 else "samples"

    def sample(self, n_or_z, seed=None):
        """Generate from z ~ N(0, I) (or the given z): the inference path, what ``generate`` serves.

        Args:
            n_or_z: number of samples, or codes of shape (n, latent_dim).
            seed: optional int for reproducible z when ``n_or_z`` is a number.

        Returns:
            (n, *data_shape) float32: images in [0, 1], points in the data's coordinates.
        """
        return self._sample_codes(self._codes(n_or_z, seed))

    def _sample_codes(self, z, labels=None):
        """Generated data in the output range for codes ``z`` (and a conditional model's labels)."""
        raise NotImplementedError

    def generate(self, z):
        """Deterministic generation for serving: codes (batch, latent_dim) -> (batch, *data_shape).

        Images come out in [0, 1]; points in the data's coordinates. Always float32.
        """
        return ops.cast(self.sample(z), "float32")

    def predict_step(self, data):
        """``predict`` generates: codes (batch, latent_dim) -> ``generate(z)``, float32.

        So ``model.predict(z, batch_size=...)`` generates for every model (compiled as the model
        is: XLA by default); ``sample_batched`` is the faster path for many codes.
        """
        return self.generate(features(data))

    def _codes(self, n_or_z, seed=None):
        """``n_or_z`` as codes (n, latent_dim), float32: drawn from N(0, I) when it is a number."""
        if isinstance(n_or_z, int):
            return keras.random.normal((n_or_z, self.latent_dim), seed=seed)
        return ops.convert_to_tensor(n_or_z, dtype="float32")

    def sample_batched(self, n_or_z, batch_size=256, seed=None, labels=None):
        """``sample`` for many codes, ``batch_size`` at a time, through one cached ``tf.function``.

        Not ``predict``: it builds a data adapter and an iterator on every call (50 to 80 ms here),
        and under XLA it runs XLA's CPU convolutions, slower than TensorFlow's own (the README's
        speed table). ``predict`` generates too (``predict_step``).

        Args:
            n_or_z: number of samples, or codes (n, latent_dim).
            batch_size: codes per call.
            seed: optional int for reproducible codes when ``n_or_z`` is a number.
            labels: conditional models only: (n,) classes (default: ``class_labels(n)``).

        Returns:
            NumPy array (n, *data_shape), float32.
        """
        if not (isinstance(batch_size, int) and batch_size >= 1):
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        z = self._codes(n_or_z, seed)
        inputs = (z, self.class_labels(int(z.shape[0]), labels)) if self.conditional else (z,)
        if labels is not None and not self.conditional:
            raise ValueError(f"{type(self).__name__} is not conditional: it takes no labels")
        if getattr(self, "_generate_function", None) is None:
            self._generate_function = tf.function(self.generate, reduce_retracing=True)
        chunks = [
            np.asarray(self._generate_function(*(a[i : i + batch_size] for a in inputs)))
            for i in range(0, int(z.shape[0]), batch_size)
        ]
        return np.concatenate(chunks) if chunks else np.zeros((0, *self.data_shape), np.float32)

    def encode_outputs(self, x, labels=None):
        """Posterior of the encoder for data in the *output* range (images in [0, 1]).

        Models with an encoder override this (``GaussianEncoderMixin``), which makes
        ``has_encoder`` true.

        Returns:
            ``(mean, log_var)``, each (batch, latent_dim), float32.
        """
        raise NotImplementedError(f"{type(self).__name__} has no encoder")

    # -- the data range and the output range -----------------------------------------------

    def _to_output_range(self, x):
        """Data in ``value_range`` -> the output range: tanh images [-1, 1] -> [0, 1]; images in
        [0, 1] and points unchanged."""
        if len(self.data_shape) != 3 or tuple(self.value_range) == (0.0, 1.0):
            return x
        low, high = self.value_range
        return (x - low) / (high - low)

    def _to_value_range(self, x):
        """The inverse of ``_to_output_range``: images in [0, 1] -> ``value_range``."""
        if len(self.data_shape) != 3 or tuple(self.value_range) == (0.0, 1.0):
            return x
        low, high = self.value_range
        return x * (high - low) + low

    # -- serialization -----------------------------------------------------------------------

    def build(self, input_shape=None):
        # The networks arrive built (functional models), so there is nothing left to create.
        self.built = True

    def get_config(self):
        return {
            "name": self.name,
            "config": dataclasses.asdict(self.config),
            **{n: keras.saving.serialize_keras_object(getattr(self, n)) for n in self.network_names},
        }

    @classmethod
    def from_config(cls, config):
        config = copy.deepcopy(config)  # deserialize_keras_object consumes its input
        networks = {n: keras.saving.deserialize_keras_object(config.pop(n)) for n in cls.network_names}
        model_config = cls.config_class(**_tuples(config.pop("config")))
        return cls(**networks, config=model_config, **config)


def _tuples(d):
    """JSON turns tuples into lists; config dataclasses are frozen and hold tuples."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in d.items()}


class GaussianEncoderMixin:
    """A Gaussian encoder q(z|x) = N(mean(x), diag(exp(log_var(x)))): the VAE's, the cVAE's (given
    labels), the AAE's and ALI's. Mixed in before ``GenerativeModel`` (``AutoencoderModel`` does).

    The model has an ``encoder`` network from (batch, *data_shape) in ``value_range`` (and, for a
    conditional model, the labels) to (batch, 2 * latent_dim): the mean and the log-variance,
    concatenated. A config field ``min_log_var`` (the AAE's), when there and not None, is a soft
    floor of the log-variance.
    """

    def _check_code_sizes(self, decoder, decoder_name):
        """Raise a ValueError unless the encoder gives 2 * latent_dim values and ``decoder`` (the
        network called ``decoder_name``, whose first input is z) takes latent_dim."""
        latent, z_shape = self.config.latent_dim, tuple(decoder.inputs[0].shape[1:])
        if self.encoder.output_shape[-1] != 2 * latent or z_shape != (latent,):
            raise ValueError(
                f"encoder must output 2 * latent_dim = {2 * latent} values and {decoder_name} take "
                f"{latent}; got {self.encoder.output_shape} and {z_shape}"
            )

    @staticmethod
    def reparameterize(mean, log_var, eps):
        """z = mean + exp(log_var / 2) * eps, a sample of q(z|x): ``zoo.likelihoods.reparameterize``."""
        return likelihoods.reparameterize(mean, log_var, eps)

    def encode(self, x, training=False, labels=None):
        """Posterior parameters of q(z|x) (of q(z|x, c) for a conditional model).

        Args:
            x: data, shape (batch, *data_shape), in ``value_range``.
            training: forwarded to the encoder.
            labels: (batch,) class ids c, for a conditional model only.

        Returns:
            ``(mean, log_var)``, each (batch, latent_dim), float32.
        """
        h = ops.cast(self.encoder(network_inputs(x, labels), training=training), "float32")  # (batch, 2 * latent_dim)
        mean, log_var = ops.split(h, 2, axis=-1)
        floor = getattr(self.config, "min_log_var", None)
        if floor is not None:
            log_var = floor + ops.softplus(log_var - floor)  # > floor, ~ log_var well above it
        return mean, log_var

    def encode_outputs(self, x, labels=None):
        """The posterior of data in the output range (images in [0, 1], rescaled here to
        ``value_range``; points as they are), and the labels of a conditional model.

        Returns:
            ``(mean, log_var)``, each (batch, latent_dim), float32.
        """
        mean, log_var = self.encode(self._to_value_range(ops.convert_to_tensor(x, dtype="float32")), labels=labels)
        return ops.cast(mean, "float32"), ops.cast(log_var, "float32")


class AutoencoderModel(GaussianEncoderMixin, GenerativeModel):
    """What the autoencoders (VAE, cVAE, AAE) share: a Gaussian encoder (``GaussianEncoderMixin``)
    and a decoder of the likelihood p(x|z), Bernoulli on logits or a Gaussian whose mean is the
    sigmoid of the output for images and the output itself for flat data; ``sample`` decodes
    z ~ N(0, I) and ``call`` reconstructs. The model has ``encoder`` and ``decoder`` networks
    and a config field ``likelihood`` (one of ``LIKELIHOODS``).
    """

    def decoder_logits(self, z, labels=None, training=False):
        """The decoder's output for codes z (and a conditional model's labels), float32."""
        return ops.cast(self.decoder(network_inputs(z, labels), training=training), "float32")

    def _decoder_mean(self, logits):
        if self.config.likelihood == "bernoulli" or len(self.data_shape) == 3:
            return ops.sigmoid(logits)
        return logits

    def decode(self, z, labels=None):
        """Mean of p(x|z) (of p(x|z, c) for a conditional model): Bernoulli probabilities, or the Gaussian mean.

        Args:
            z: codes, shape (batch, latent_dim).
            labels: (batch,) class ids c, for a conditional model only.

        Returns:
            (batch, *data_shape) float32; for images in [0, 1].
        """
        return self._decoder_mean(self.decoder_logits(z, labels))

    def _sample_codes(self, z, labels=None):
        return self.decode(z, labels)  # sample: the decoder's mean of z ~ N(0, I)

    def reconstruct(self, x, labels=None):
        """Decode the posterior mean: a deterministic reconstruction of x (given its labels, for a
        conditional model)."""
        mean, _ = self.encode(x, labels=labels)
        return self.decode(mean, labels)

    def call(self, x, training=False):
        return self.reconstruct(x)

    def _likelihood_log_var(self):
        """log sigma^2 of the Gaussian likelihood: 0, a unit variance (a squared error)."""
        return 0.0

    def _likelihood_log_scale(self):
        """log s of the discretized logistic: a model with that likelihood learns it."""
        raise NotImplementedError(f"{type(self).__name__} has no discretized logistic likelihood")

    def reconstruction_nll(self, x, logits):
        """-log p(x|z) per example, (batch,) nats, given the decoder's ``logits`` for z."""
        if self.config.likelihood == "bernoulli":
            return bernoulli_nll(x, logits)
        if self.config.likelihood == "logistic":
            return discretized_logistic_nll(x, self._decoder_mean(logits), self._likelihood_log_scale())
        return gaussian_nll(x, self._decoder_mean(logits), self._likelihood_log_var())

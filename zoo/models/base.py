"""What every generative model in the zoo shares: config handling, trackers and serialization.

A model is a subclassed ``keras.Model`` that receives its networks ready-made (``zoo.nets``
builds them), keeps its hyper-parameters in a frozen config dataclass, reports its training
figures through ``keras.metrics.Mean`` trackers with the zoo's common names, and serializes as
``{"config": <dataclass as dict>, <network name>: <serialized network>, ...}`` so that a
``.keras`` file round-trips with identical outputs.
"""

import copy
import dataclasses

import keras
import numpy as np
from keras import ops
import tensorflow as tf

from zoo.distribute import is_multi_worker
from zoo.precision import network_precision, wrap_optimizer


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


class GenerativeModel(keras.Model):
    """Base class of the zoo's models.

    Subclasses set:
        config_class: the frozen config dataclass.
        network_names: constructor arguments that are networks (serialized with the model).
        optimizer_names: attributes holding the optimizers (one per player).
        tracker_names: names of the ``keras.metrics.Mean`` trackers, in report order.
        data_range: the pixel range the model trains on; ``zoo.data.load(value_range=...)``.
    and implement ``from_shape``, ``sample``, ``train_step`` and ``test_step``.
    """

    config_class = None
    network_names = ()
    optimizer_names = ("optimizer",)
    tracker_names = ()
    data_range = (0.0, 1.0)
    default_learning_rate = 1e-3
    registry_name = None  # set by zoo.registry.register_model
    # Class-conditional models (zoo.models.conditional) set this, take the batch's labels in every step
    # and a ``label`` beside ``z`` when they generate.
    conditional = False

    def __init__(self, config=None, **kwargs):
        super().__init__(**kwargs)
        self.config = config if config is not None else self.config_class()
        if not isinstance(self.config, self.config_class):
            raise TypeError(f"config must be a {self.config_class.__name__}, got {type(self.config).__name__}")
        self._trackers = [keras.metrics.Mean(name=name) for name in self.tracker_names]

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

    def make_optimizers(self, learning_rate=None):
        """The model's default optimizers, one per entry of ``optimizer_names``, in that order.

        Args:
            learning_rate: overrides the default rate (a float or a Keras schedule).
        """
        return (keras.optimizers.Adam(learning_rate or self.default_learning_rate),)

    @property
    def updates_per_step(self):
        """How many updates each optimizer (``optimizer_names`` order) makes per ``train_step``."""
        return (1,)

    @property
    def precision(self):
        """The dtype policy the networks compute under: ``float32``, ``mixed_float16`` or ``mixed_bfloat16``
        (``zoo.precision``; set by building the model inside ``precision_scope``)."""
        return network_precision(getattr(self, self.network_names[0]))

    def compile_optimizers(self, optimizers, jit_compile=True, steps_per_execution=1):
        """Compile with the given optimizers (``optimizer_names`` order), built on their variables.

        Building the optimizers up front lets a checkpoint restore their state before the first
        step (and is required for multi-optimizer steps under tf.distribute). Under
        ``mixed_float16`` each optimizer is wrapped in a ``LossScaleOptimizer``.

        Args:
            optimizers: one optimizer per player.
            jit_compile: compile the steps with XLA (set explicitly: see ``zoo.precision``).
            steps_per_execution: ``train_step`` calls per compiled execution (Keras runs them in
                one loop inside the function; callbacks see one batch per execution).
        """
        (optimizer,) = optimizers
        self.compile(optimizer=wrap_optimizer(optimizer, self.precision), jit_compile=jit_compile,
                     steps_per_execution=steps_per_execution)
        self.optimizer.build(self.trainable_variables)

    def compile_default(self, learning_rate=None, jit_compile=True, steps_per_execution=1):
        """Compile with the model's default optimizers (``make_optimizers``), built before training."""
        self.compile_optimizers(self.make_optimizers(learning_rate), jit_compile=jit_compile,
                                steps_per_execution=steps_per_execution)

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

    has_encoder = False

    @property
    def latent_dim(self):
        return self.config.latent_dim

    @property
    def output_name(self):
        """Tensor name of the generated data: ``"images"`` (H, W, C) or ``"samples"`` (flat)."""
        return "images" if len(self.data_shape) == 3 else "samples"

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
        chunks = [np.asarray(self._generate_function(*(a[i:i + batch_size] for a in inputs)))
                  for i in range(0, int(z.shape[0]), batch_size)]
        return np.concatenate(chunks) if chunks else np.zeros((0, *self.data_shape), np.float32)

    def encode_outputs(self, x):
        """Posterior of the encoder for data in the *output* range (images in [0, 1]).

        Returns:
            ``(mean, log_var)``, each (batch, latent_dim), float32.
        """
        raise NotImplementedError(f"{type(self).__name__} has no encoder")

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

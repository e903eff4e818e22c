"""The contract every registered model keeps (tests/README.md, "The contract suite").

Each model is built tiny (latent_dim 4, width 4: tests/conftest.py) for an 8x8x1 image shape and for
2-D points. Inputs are fixed, so nothing here depends on chance.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import zoo
from conftest import BATCH, SHAPES, TINY, fixed_examples, make_model, one_critic_step


def make_data(shape_kind="image", n=BATCH, seed=0):
    return tf.data.Dataset.from_tensor_slices(fixed_examples(shape_kind, n, seed)).batch(BATCH)


def snapshot(variables):
    return [np.array(v.numpy()) for v in variables]


def changed(before, variables):
    return [not np.array_equal(b, v.numpy()) for b, v in zip(before, variables)]


def network_outputs(model, seed=3):
    """Everything the model computes deterministically: samples from a fixed z and each network's output."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((4, TINY["latent_dim"])).astype(np.float32)
    outputs = [np.asarray(model.sample(z))]  # a conditional model cycles through the classes
    for name in model.network_names:
        net = getattr(model, name)
        inputs = [network_input(rng, spec, getattr(model, "num_classes", None)) for spec in net.inputs]
        outputs.append(np.asarray(net(inputs if len(inputs) > 1 else inputs[0], training=False)))
    return outputs


def network_input(rng, spec, num_classes, n=4):
    """Fixed inputs for one input of a network: values in [-1, 1], or class ids for a label input."""
    if "int" in str(spec.dtype):
        return rng.integers(0, num_classes, size=(n,)).astype(np.int32)
    return rng.uniform(-1, 1, size=(n, *spec.shape[1:])).astype(np.float32)


def iterations(model):
    return [int(getattr(model, name).iterations) for name in model.optimizer_names]


def stable_weights(model):
    """Weights without the random-generator states (which evaluate() advances by design)."""
    return [w for w in model.weights if "seed_generator" not in w.path]


def step_labels(model, y):
    """What ``train_step_with_noise`` takes as labels: the batch's for a conditional model, else None."""
    return y if model.conditional else None


MODELS = zoo.list_models()


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("shape_kind", list(SHAPES))
def test_builds_and_samples_shape_and_range(name, shape_kind):
    model = make_model(name, shape_kind)
    samples = np.asarray(model.sample(5, seed=1))
    assert samples.shape == (5, *SHAPES[shape_kind])
    assert samples.dtype == np.float32
    assert np.isfinite(samples).all()
    if len(SHAPES[shape_kind]) == 3:
        assert samples.min() >= 0.0 and samples.max() <= 1.0
    z = np.random.default_rng(0).standard_normal((3, TINY["latent_dim"])).astype(np.float32)
    np.testing.assert_array_equal(model.sample(z), model.sample(z))  # sampling from a given z is deterministic


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("shape_kind", list(SHAPES))
def test_one_fit_step_updates_every_player_and_reports_finite_values(name, shape_kind):
    model = make_model(name, shape_kind)
    players = {n: getattr(model, n) for n in model.network_names}
    before = {n: snapshot(net.trainable_weights) for n, net in players.items()}
    history = model.fit(make_data(shape_kind), epochs=1, verbose=0).history
    for n, net in players.items():
        # Every kernel of every player moves. (Not every bias: a bias whose gradient cancels,
        # e.g. that of a critic unit active for every example, may get only round-off.)
        moved = dict(zip([w.path for w in net.trainable_weights], changed(before[n], net.trainable_weights)))
        kernels = {path: m for path, m in moved.items() if path.endswith("kernel")}
        assert kernels and all(kernels.values()), f"{n}: kernels that did not change: {kernels}"
    assert set(history) == set(model.tracker_names)
    for key, values in history.items():
        assert np.isfinite(values).all(), f"{key} = {values}"


@pytest.mark.parametrize("name", MODELS)
def test_one_built_optimizer_per_player_counting_its_updates(name):
    # One train_step: each optimizer takes updates_per_step[i] steps (a critic's n_critic).
    model = make_model(name)
    assert len(model.make_optimizers()) == len(model.optimizer_names) == len(model.updates_per_step)
    optimizers = [getattr(model, n) for n in model.optimizer_names]
    assert all(opt.built for opt in optimizers)
    model.fit(make_data(), epochs=1, verbose=0)
    assert [int(opt.iterations) for opt in optimizers] == list(model.updates_per_step)


@pytest.mark.parametrize("name", MODELS)
def test_evaluate_changes_no_weight(name):
    model = make_model(name)
    data = make_data()
    model.fit(data, epochs=1, verbose=0)
    weights = stable_weights(model)
    before = snapshot(weights)
    results = model.evaluate(data, verbose=0, return_dict=True)
    assert not any(changed(before, weights))
    assert set(results) == set(model.tracker_names)
    assert all(np.isfinite(v) for v in results.values())


@pytest.mark.parametrize("name", MODELS)
def test_get_config_round_trips(name):
    model = make_model(name)
    config = model.get_config()
    clone = type(model).from_config(config)
    assert clone.get_config() == config
    assert clone.config == model.config
    clone.set_weights(model.get_weights())
    for a, b in zip(network_outputs(clone), network_outputs(model)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", MODELS)
def test_keras_save_and_load_give_identical_outputs(name, tmp_path):
    model = make_model(name)
    data = make_data()
    model.fit(data, epochs=1, verbose=0)
    path = tmp_path / f"{name}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is type(model) and loaded.config == model.config
    for a, b in zip(network_outputs(loaded), network_outputs(model)):
        np.testing.assert_array_equal(a, b)
    # The optimizers' state travels too: training continues from the same iterations.
    assert iterations(loaded) == iterations(model)
    assert min(iterations(model)) >= 1


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("mode", ["eager", "graph", "xla"])
def test_step_runs_eagerly_as_graph_and_under_xla(name, mode):
    compile_kwargs = {"eager": {"jit_compile": False}, "graph": {"jit_compile": False}, "xla": {"jit_compile": True}}[
        mode
    ]
    model = make_model(name, compile_kwargs=compile_kwargs)
    model.run_eagerly = mode == "eager"
    history = model.fit(make_data(), epochs=1, verbose=0).history
    assert all(np.isfinite(v).all() for v in history.values())
    assert min(iterations(model)) >= 1


@pytest.mark.parametrize("name", MODELS)
def test_one_step_with_fixed_noise_is_the_same_with_and_without_xla(name):
    # TF's random ops give other values under XLA on CPU, so the step takes its draws as inputs
    # (draw_noise -> train_step_with_noise); given the same draws, XLA changes nothing but round-off.
    # Round-off must stay round-off: Adam's first updates are ~lr * sign(g), a full step from a
    # round-off difference in a near-zero gradient, and each further critic update can move an
    # activation across the kink of a leaky ReLU or a weight across WGAN's clip (measured: 1e-3 to
    # 0.5 relative after five critic updates, 1e-6 after one). So the step here is one critic and one
    # generator update with plain SGD, which runs every op of the step; the default optimizers under
    # XLA are in test_step_runs_eagerly_as_graph_and_under_xla.
    # The weights and draws come from a fixed seed: with some initializations one clipped WGAN
    # weight still lands on the other side of the clip (measured: 1 of 10 seeds).
    keras.utils.set_random_seed(0)
    x, y = next(iter(make_data()))
    overrides = one_critic_step(zoo.get_model_class(name))
    reference = make_model(name, **overrides)
    noise = {k: np.asarray(v) for k, v in reference.draw_noise(BATCH).items()}
    assert all(v.shape[0] == BATCH for v in noise.values())  # the batch axis first: strategies split it
    outcomes = []
    for jit_compile in (False, True):
        model = make_model(name, **overrides)
        model.compile(*[keras.optimizers.SGD(1e-3) for _ in model.optimizer_names], jit_compile=jit_compile)
        model.set_weights(reference.get_weights())
        logs = tf.function(model.train_step_with_noise, jit_compile=jit_compile)(x, noise, step_labels(model, y))
        outcomes.append(({k: float(v) for k, v in logs.items()}, snapshot(stable_weights(model))))
    (logs_graph, weights_graph), (logs_xla, weights_xla) = outcomes
    assert logs_graph.keys() == logs_xla.keys() == set(reference.tracker_names)
    for key in logs_graph:
        np.testing.assert_allclose(logs_xla[key], logs_graph[key], rtol=1e-4, atol=1e-6, err_msg=key)
    assert not all(np.array_equal(a, b) for a, b in zip(weights_graph, snapshot(stable_weights(reference))))
    for a, b, w in zip(weights_xla, weights_graph, stable_weights(reference)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6, err_msg=w.path)


@pytest.mark.parametrize("name", MODELS)
def test_sample_batched_equals_sample_whatever_the_batch_size(name):
    model = make_model(name)
    z = np.random.default_rng(5).standard_normal((7, TINY["latent_dim"])).astype(np.float32)
    expected = np.asarray(model.sample(z))
    for batch_size in (1, 3, 7, 64):
        got = model.sample_batched(z, batch_size=batch_size)
        assert got.shape == (7, *SHAPES["image"]) and got.dtype == np.float32
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6, err_msg=f"batch_size={batch_size}")
    assert model.sample_batched(0).shape == (0, *SHAPES["image"])
    np.testing.assert_array_equal(model.sample_batched(5, seed=2), model.sample_batched(5, seed=2))
    with pytest.raises(ValueError, match="batch_size"):
        model.sample_batched(z, batch_size=0)
    if not model.conditional:
        with pytest.raises(ValueError, match="not conditional"):
            model.sample_batched(z, labels=np.zeros(7, np.int32))


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("shape_kind", list(SHAPES))
def test_a_model_with_an_encoder_gives_its_posterior_and_the_others_refuse(name, shape_kind):
    # What export/ turns into the ``encode`` signature: data in the output range -> (mean, log_var).
    model = make_model(name, shape_kind)
    x, y = fixed_examples(shape_kind, 5, seed=6)
    kwargs = {"labels": y % model.num_classes} if model.conditional else {}
    if not model.has_encoder:
        with pytest.raises(NotImplementedError):
            model.encode_outputs(x)
        return
    mean, log_var = (np.asarray(t) for t in model.encode_outputs(x, **kwargs))
    assert mean.shape == log_var.shape == (5, TINY["latent_dim"])
    assert mean.dtype == log_var.dtype == np.float32
    assert np.isfinite(mean).all() and np.isfinite(log_var).all()
    again, _ = model.encode_outputs(x, **kwargs)
    np.testing.assert_array_equal(np.asarray(again), mean)  # deterministic: the posterior, not a draw
    other, _ = model.encode_outputs(x[::-1].copy(), **{k: v[::-1].copy() for k, v in kwargs.items()})
    # Per example, no batch coupling (up to the round-off of another batch order in the conv kernels).
    np.testing.assert_allclose(np.asarray(other)[::-1], mean, rtol=0, atol=1e-6)

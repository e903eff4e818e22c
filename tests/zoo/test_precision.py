"""zoo.precision: mixed precision with a loss scale per player, the XLA decision, device prefetch,
and the batched generation path. Tiny models on 8x8 images, no XLA unless a test is about it."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

import zoo
from zoo import precision
from zoo.precision import float32_copy, precision_scope
from zoo.training import compute

SHAPE = (8, 8, 1)
TINY = dict(latent_dim=4, width=4)
MODELS = zoo.list_models()


def data(n=8, seed=0):
    x = np.random.default_rng(seed).uniform(0, 1, size=(n, *SHAPE)).astype(np.float32)
    return tf.data.Dataset.from_tensor_slices((x, np.zeros(n, np.int32))).batch(8)


def tiny(name, precision="float32"):
    with precision_scope(precision):
        return zoo.get_model(name, input_shape=SHAPE, **TINY)


def codes(n=5, seed=1):
    return np.random.default_rng(seed).standard_normal((n, TINY["latent_dim"])).astype(np.float32)


@pytest.mark.parametrize("name", MODELS)
def test_mixed_float16_gives_every_player_a_loss_scale_and_float32_outputs(name):
    model = tiny(name, "mixed_float16")
    model.compile_default(jit_compile=False)
    assert keras.config.dtype_policy().name == "float32"  # the scope put the global policy back
    assert model.precision == "mixed_float16"
    optimizers = [getattr(model, n) for n in model.optimizer_names]
    assert all(isinstance(o, keras.optimizers.LossScaleOptimizer) for o in optimizers)
    steps = 4
    history = model.fit(data(8 * steps), epochs=1, verbose=0).history
    assert all(np.isfinite(v).all() for v in history.values())
    # A LossScaleOptimizer skips an update whose float16 gradients overflowed and halves its scale
    # (it doubles it again only after 2,000 good steps), so a player may count fewer updates than it
    # was given: WGAN-GP's critic sometimes takes 4 of its 5 at the initial scale of 2 ** 15, and a
    # one-step run of the VAE once took none (the clean-clone CI). Every skip shows in the scale,
    # and in four steps every player updates at least once.
    for opt, planned in zip(optimizers, model.updates_per_step):
        skipped = planned * steps - int(opt.iterations)
        assert 0 <= skipped < planned * steps
        assert float(opt.dynamic_scale) == 2.0 ** (15 - skipped)
    for n in model.network_names:  # computes in float16, stores float32, outputs float32
        net = getattr(model, n)
        assert net.layers[1].compute_dtype == "float16"
        assert all(w.dtype == "float32" for w in net.weights)
        assert net.output.dtype == "float32"
    assert model.sample(codes()).dtype == tf.float32


@pytest.mark.parametrize("name", MODELS)
def test_each_player_scales_its_loss_through_its_own_optimizer(name):
    # A loss scale of 1e30 overflows float16 gradients: an optimizer whose loss was scaled skips
    # the update and lowers its scale. Had a step not scaled a player's loss through its own
    # optimizer, that player's weights would move.
    model = tiny(name, "mixed_float16")
    optimizers = [keras.optimizers.LossScaleOptimizer(o, initial_scale=1e30) for o in model.make_optimizers()]
    model.compile_optimizers(optimizers, jit_compile=False)
    if hasattr(model, "after_discriminator_step"):
        model.after_discriminator_step()  # WGAN clips whether or not the update was applied
    before = [w.numpy().copy() for w in model.trainable_weights]
    x, y = next(iter(data()))
    labels = y if model.conditional else None
    tf.function(model.train_step_with_noise)(x, model.draw_noise(8), labels)
    for name_, opt in zip(model.optimizer_names, optimizers):
        assert float(opt.dynamic_scale) < 1e30, f"{name_} never saw its loss scaled"
        assert int(opt.inner_optimizer.iterations) == 0, f"{name_} applied a non-finite update"
    for b, w in zip(before, model.trainable_weights):
        np.testing.assert_array_equal(b, w.numpy(), err_msg=w.path)
    # The same step with a sane scale does update (the test above can fail). The scale is 1, not
    # the default 2 ** 15: that one may overflow on a first step (the optimizer then rightly skips
    # it, as the test above shows), and a clean clone's CI once drew such weights for the cVAE.
    model = tiny(name, "mixed_float16")
    model.compile_optimizers(
        [keras.optimizers.LossScaleOptimizer(o, initial_scale=1.0) for o in model.make_optimizers()],
        jit_compile=False,
    )
    before = [w.numpy().copy() for w in model.trainable_weights]
    tf.function(model.train_step_with_noise)(x, model.draw_noise(8), labels)
    assert any(not np.array_equal(b, w.numpy()) for b, w in zip(before, model.trainable_weights))


def test_mixed_float16_step_compiles_with_xla():
    model = tiny("vae", "mixed_float16")
    model.compile_default(jit_compile=True)
    history = model.fit(data(), epochs=1, verbose=0).history
    assert all(np.isfinite(v).all() for v in history.values())


@pytest.mark.parametrize("name", MODELS)
def test_mixed_bfloat16_needs_no_loss_scale(name):
    model = tiny(name, "mixed_bfloat16")
    model.compile_default(jit_compile=False)
    assert not any(isinstance(getattr(model, n), keras.optimizers.LossScaleOptimizer) for n in model.optimizer_names)
    history = model.fit(data(), epochs=1, verbose=0).history
    assert all(np.isfinite(v).all() for v in history.values())
    assert model.sample(codes()).dtype == tf.float32


@pytest.mark.parametrize("name", MODELS)
def test_float32_copy_computes_in_float32_with_the_same_weights(name):
    model = tiny(name, "mixed_float16")
    model.compile_default(jit_compile=False)
    model.fit(data(), epochs=1, verbose=0)
    copy = float32_copy(model)
    assert copy is not model and copy.precision == "float32"
    assert all(layer.compute_dtype == "float32" for n in copy.network_names for layer in getattr(copy, n).layers)
    for a, b in zip(copy.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    # The float32 copy is the float16 model without the rounding.
    np.testing.assert_allclose(np.asarray(copy.sample(codes())), np.asarray(model.sample(codes())), atol=2e-2)
    reference = tiny(name)  # a float32 model given the same weights computes the same thing
    reference.set_weights(model.get_weights())
    np.testing.assert_allclose(
        np.asarray(copy.sample(codes())), np.asarray(reference.sample(codes())), rtol=1e-6, atol=1e-6
    )
    float_model = tiny(name)
    assert float32_copy(float_model) is float_model


def test_mixed_precision_model_exports_in_float32_with_parity(tmp_path):
    import export

    model = tiny("gan", "mixed_float16")
    model.compile_default(jit_compile=False)
    model.fit(data(), epochs=1, verbose=0)
    result = export.export_model(model, tmp_path)
    card = json.loads(result.paths["card"].read_text())
    assert card["trained_precision"] == "mixed_float16"
    assert card["export_precision"] == "float32"
    from export.runtime import OnnxGenerator

    onnx_images = OnnxGenerator(result.paths["onnx"]).generate(codes())
    assert onnx_images.dtype == np.float32
    np.testing.assert_allclose(onnx_images, np.asarray(float32_copy(model).sample(codes())), atol=1e-5)
    # The single-format exports take the same float32 copy (their parity checks would fail on
    # the float16 model's rounding otherwise).
    assert export.to_onnx(model, tmp_path / "onnx_only").parity["tolerance"] == 1e-5
    assert export.to_saved_model(model, tmp_path / "saved_model_only").parity["tolerance"] == 1e-5


def test_precision_names_are_checked():
    with pytest.raises(ValueError, match="unknown precision 'float16'; expected auto or one of float32"):
        precision.resolve_precision("float16")
    expected = "mixed_float16" if precision.gpu_available() else "float32"
    assert precision.resolve_precision("auto") == expected


def test_xla_is_on_unless_ruled_out(monkeypatch):
    lines = []
    assert compute.resolve_jit_compile(True, log=lines.append) is True
    assert compute.resolve_jit_compile(False, log=lines.append) is False
    assert lines == []  # no fallback, no line

    class TwoReplicas:  # what resolve_jit_compile reads of a strategy
        num_replicas_in_sync = 2

    assert compute.resolve_jit_compile(True, strategy=TwoReplicas(), log=lines.append) is False
    assert len(lines) == 1 and "XLA off: TwoReplicas runs 2 replicas" in lines[0]
    monkeypatch.setattr(compute, "determinism_enabled", lambda: True)
    assert compute.resolve_jit_compile(True, log=lines.append) is False
    assert len(lines) == 2 and "op determinism" in lines[1]


def test_explicit_jit_compile_reaches_keras_on_cpu():
    # Keras' "auto" would turn XLA off on a CPU-only machine; the zoo sets it explicitly.
    model = tiny("vae")
    model.compile_default(jit_compile=True, steps_per_execution=3)
    assert model.jit_compile is True and model.steps_per_execution == 3
    model.fit(data(n=24), epochs=1, verbose=0)
    assert int(model.optimizer.iterations) == 3


def test_fit_takes_a_pipeline_prefetched_to_a_device():
    model = tiny("gan")
    model.compile_default(jit_compile=False)
    ds = compute.device_prefetch(data(n=16), device="/cpu:0")
    assert int(ds.cardinality()) == 2  # Keras runs an extra step per epoch on an unknown size
    model.fit(ds, epochs=2, verbose=0)
    assert int(model.g_optimizer.iterations) == 4
    plain = data()
    if not precision.gpu_available():
        assert compute.device_prefetch(plain) is plain


@pytest.mark.parametrize("name", MODELS)
def test_predict_and_sample_batched_generate(name):
    model = tiny(name)
    model.compile_default(jit_compile=False)  # predict under XLA: tools.bench
    z = codes(7)
    expected = np.asarray(model.sample(z))
    # (predict(z) on a conditional model cycles the classes within each batch: give them.)
    inputs = (z, np.arange(7, dtype=np.int32) % model.num_classes) if model.conditional else z
    np.testing.assert_allclose(model.predict(inputs, batch_size=3, verbose=0), expected, atol=1e-5)
    np.testing.assert_allclose(model.sample_batched(z, batch_size=2), expected, atol=1e-5)
    assert model.sample_batched(10, batch_size=4, seed=0).shape == (10, *SHAPE)
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        model.sample_batched(z, batch_size=0)

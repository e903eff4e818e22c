"""Files written by the code before the package was reorganized (commit 145dff6) load and resume
unchanged: the ``.keras`` file of every model, and an unfinished run directory (its tf.train
checkpoints). ``tests/fixtures/make_pre_redesign.py`` wrote them, run from that commit."""

import json
import shutil
import zipfile

import keras
import numpy as np
import pytest

import zoo.models
from conftest import FIXTURES
from zoo.training.run import RunSpec, train

OLD = FIXTURES / "pre_redesign"
OUTPUTS = np.load(OLD / "outputs.npz")
ITERATIONS = json.loads((OLD / "iterations.json").read_text())


def test_every_model_of_today_has_an_old_file():
    assert sorted(ITERATIONS) == zoo.models.list_models()


@pytest.mark.parametrize("name", sorted(ITERATIONS))
def test_an_old_keras_file_loads_with_its_weights_and_optimizer_state_and_trains_on(name):
    path = OLD / f"{name}.keras"
    with zipfile.ZipFile(path) as archive:  # the old compile configs: Keras' own format for the VAEs
        compile_config = json.loads(archive.read("config.json"))["compile_config"]
    if name in ("vae", "cvae"):
        assert {"optimizer", "loss", "metrics"} <= set(compile_config)
    model = keras.saving.load_model(path)
    assert model.registry_name == name
    # The same weights give the same samples up to float rounding: the CPU's kernels may sum in
    # another order from machine to machine and under load (one element 3e-8 off was seen here).
    np.testing.assert_allclose(np.asarray(model.sample(OUTPUTS["z"])), OUTPUTS[name], rtol=0, atol=1e-6)
    assert [int(getattr(model, n).iterations) for n in model.optimizer_names] == ITERATIONS[name]
    x = np.random.default_rng(1).uniform(0, 1, (8, *model.data_shape)).astype(np.float32)
    labels = (np.arange(8) % 10).astype(np.int32) if model.conditional else None
    model.train_step_with_noise(x, model.draw_noise(8), labels)  # eagerly: no tracing for one step
    after = [int(getattr(model, n).iterations) for n in model.optimizer_names]
    assert after == [i + u for i, u in zip(ITERATIONS[name], model.updates_per_step)]


def test_an_old_unfinished_run_resumes_from_its_checkpoint(tmp_path):
    run_dir = tmp_path / "run-vae"
    shutil.copytree(OLD / "run-vae", run_dir)
    settings = json.loads((run_dir / "spec.json").read_text())
    spec = RunSpec(**{**settings, "out": str(run_dir)})
    result = train(spec, verbose=0)
    assert result.resumed_from_epoch == 1
    history = json.loads((run_dir / "history.json").read_text())
    assert all(len(values) == 2 for values in history.values()), history  # epoch 1 kept, epoch 2 added
    # The old run recorded no steps or times: null for its epoch, the figures from the resumed one on.
    assert history["steps"][0] is None and history["steps"][1] == 2 * spec.steps_per_epoch
    assert (run_dir / "model.keras").is_file()
    model = keras.saving.load_model(run_dir / "model.keras")
    assert int(model.optimizer.iterations) == 2 * spec.steps_per_epoch

"""The training tool end to end on a tiny configuration, its resume and its bad-input exits."""

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from tool_runner import assert_refused, call
from zoo.cli import train as train_tool
from zoo.errors import DivergedError
from zoo.runs import run_state
from zoo.training.run import RunResult, RunSpec, train

ROOT = Path(__file__).resolve().parents[2]
TINY = [
    *(
        "--epochs 2 --steps-per-epoch 2 --batch-size 16 --latent-dim 2 --width 4 --samples 4 --no-export --eval-every 0"
    ).split(),
]


def test_end_to_end_writes_the_run_directory(tmp_path):
    out = tmp_path / "run"
    # The main job scores its samples with the shipped classifier and ends by exporting.
    with_export = [a for a in TINY if a != "--no-export"][:-2] + ["--eval-every", "2"]
    code, stdout, _ = call(train_tool.main, [*with_export, "--out", str(out)])
    assert code == 0
    assert "test-set ELBO" in stdout
    # Not a terminal (a log file, here a StringIO): one line per epoch, no progress-bar redraws.
    epoch_lines = [line for line in stdout.splitlines() if "/step" in line]
    assert len(epoch_lines) == 2 and "\r" not in stdout and "\x08" not in stdout, stdout
    card = json.loads((out / "export" / "vae" / "1.json").read_text())
    assert card["trained_with"]["command"] == shlex.join(
        ["python", "-m", "tools.train", *with_export, "--out", str(out)]
    )
    assert card["trained_with"]["dataset"] == "mnist_sample" and "loss" in card["evaluation"]["test"]
    training = card["trained_with"]["training"]  # the card says how long the run trained
    assert training["epochs"] == 2 and training["steps"] == 4 and training["wall_time_s"] > 0
    assert card["trained_with"]["optimizers"]["optimizer"]["class"] == "Adam"
    assert {"vae/1", "vae/1.onnx", "vae/1.encode.onnx", "models.config"} <= {
        p.relative_to(out / "export").as_posix() for p in (out / "export").rglob("*")
    }
    assert max(card["parity"]["max_abs_diff"].values()) <= 1e-5 and "exported vae version 1" in stdout
    assert run_state(out) == "finished"
    history = json.loads((out / "history.json").read_text())
    for key in ("loss", "reconstruction_loss", "kl_loss", "val_loss", "val_reconstruction_loss", "val_kl_loss"):
        assert len(history[key]) == 2, key
    evaluated = history["eval_classifier_score"]  # null after epoch 1, figures after epoch 2
    assert evaluated[0] is None and 1.0 <= evaluated[1] <= 10.0
    assert 0 <= history["eval_classes_covered"][1] <= 10 and history["eval_frechet_distance"][1] >= 0
    config = json.loads((out / "config.json").read_text())
    assert config["run"]["epochs"] == 2 and config["model"]["name"] == "vae"
    assert config["model"]["config"]["latent_dim"] == 2
    assert config["command"] == shlex.join(["python", "-m", "tools.train", *with_export, "--out", str(out)])
    for epoch in (1, 2):
        png = (out / "samples" / f"epoch_{epoch:04d}.png").read_bytes()
        assert png.startswith(b"\x89PNG")
    strip = tf.io.decode_png((out / "interpolations" / "epoch_0002.png").read_bytes()).shape
    assert tuple(strip) == (4 * 28, 10 * 28, 1)  # 4 lines of 10 steps
    events = {p.parent.name for p in (out / "logs").rglob("events.out.tfevents.*")}
    assert {"train", "validation", "samples"} <= events
    metrics = json.loads((out / "test_metrics.json").read_text())
    assert set(metrics) == {"loss", "reconstruction_loss", "kl_loss"}
    model = keras.saving.load_model(out / "model.keras")
    assert model.registry_name == "vae" and model.config.latent_dim == 2
    assert int(model.optimizer.iterations) == 4
    assert not list(out.glob(".*tmp*")), "temporary files left behind"

    # A finished run is not touched again without --overwrite.
    mtime = (out / "model.keras").stat().st_mtime_ns
    code, _, err = call(train_tool.main, [*TINY, "--out", str(out)])
    assert code == 2 and "finished run" in err and "--overwrite" in err
    assert (out / "model.keras").stat().st_mtime_ns == mtime
    code, _, _ = call(train_tool.main, [*TINY, "--out", str(out), "--overwrite", "--epochs", "1"])
    assert code == 0
    assert len(json.loads((out / "history.json").read_text())["loss"]) == 1


class CrashAfterEpoch(keras.callbacks.Callback):
    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.epoch:
            raise RuntimeError("simulated crash")


class Poison(keras.callbacks.Callback):
    """Sets the decoder's first kernel to NaN before the given steps: a simulated divergence."""

    def __init__(self, epoch, times):
        super().__init__()
        self.epoch, self.times = epoch, times

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch

    def on_train_batch_begin(self, batch, logs=None):
        if self.current == self.epoch and batch == 0 and self.times > 0:
            self.times -= 1
            kernel = self.model.decoder.trainable_weights[0]
            kernel.assign(np.full(kernel.shape, np.nan, np.float32))


def test_a_divergence_is_undone_from_the_last_good_checkpoint(tmp_path, caplog):
    out = tmp_path / "run"
    spec = train_tool.spec_from_args(train_tool.build_parser().parse_args([*TINY, "--epochs", "3", "--out", str(out)]))
    result = train(spec, extra_callbacks=[Poison(epoch=1, times=1)], verbose=0)
    logged = caplog.text  # the library logs the retry (a WARNING of zoo.training.run)
    assert "non-finite values" in logged and "from the checkpoint of epoch 1" in logged and "retry 1 of 3" in logged
    history = json.loads((out / "history.json").read_text())
    assert len(history["loss"]) == 3 and all(np.isfinite(history["loss"]))  # the bad epoch left no trace
    model = keras.saving.load_model(out / "model.keras")
    assert all(np.isfinite(w).all() for w in model.get_weights())
    # 3 epochs x 2 steps done, plus the one step of the diverged attempt that was undone: the
    # optimizer state came back from the checkpoint of epoch 1 (2 iterations), not from the bad step.
    assert int(model.optimizer.iterations) == 6 and result.test_metrics


def test_a_persistent_divergence_stops_with_a_message_and_saves_no_model(tmp_path, caplog):
    out = tmp_path / "run"
    args = [*TINY, "--epochs", "3", "--max-retries", "2", "--out", str(out)]
    spec = train_tool.spec_from_args(train_tool.build_parser().parse_args(args))
    with pytest.raises(DivergedError, match="diverged .* 3 times; stopped after 2 retries"):
        train(spec, extra_callbacks=[Poison(epoch=1, times=3)], verbose=0)
    assert caplog.text.count("non-finite values") == 2 and "retry 2 of 2" in caplog.text
    assert not (out / "model.keras").exists() and not (out / "export").exists()
    history = json.loads((out / "history.json").read_text())
    assert len(history["loss"]) == 1 and np.isfinite(history["loss"][0])  # only the good epoch
    assert tf.train.latest_checkpoint(out / "checkpoints").endswith("ckpt-1")


def test_an_unfinished_run_resumes_where_it_stopped(tmp_path):
    out = tmp_path / "run"
    args = train_tool.build_parser().parse_args([*TINY, "--epochs", "3", "--out", str(out)])
    spec = train_tool.spec_from_args(args)
    with pytest.raises(RuntimeError, match="simulated crash"):
        train(spec, extra_callbacks=[CrashAfterEpoch(2)], verbose=0)
    assert run_state(out) == "unfinished"
    assert len(json.loads((out / "history.json").read_text())["loss"]) == 2
    first_two = json.loads((out / "history.json").read_text())["loss"]

    code, _, err = call(train_tool.main, [*TINY, "--epochs", "3", "--out", str(out)])
    assert code == 0
    assert "resuming" in err and "after epoch 2 of 3" in err  # the library's INFO line, on stderr
    history = json.loads((out / "history.json").read_text())
    assert len(history["loss"]) == 3 and history["loss"][:2] == first_two
    model = keras.saving.load_model(out / "model.keras")
    assert int(model.optimizer.iterations) == 6  # 3 epochs x 2 steps: the optimizer state was restored
    assert sorted(p.name for p in (out / "samples").iterdir()) == [f"epoch_{e:04d}.png" for e in (1, 2, 3)]


def crashed_run(out, epochs=3, crash_after=2):
    spec = train_tool.spec_from_args(
        train_tool.build_parser().parse_args([*TINY, "--epochs", str(epochs), "--out", str(out)])
    )
    with pytest.raises(RuntimeError, match="simulated crash"):
        train(spec, extra_callbacks=[CrashAfterEpoch(crash_after)], verbose=0)
    return sorted((out / "checkpoints").glob("ckpt-*.data-*"))


def test_a_damaged_newest_checkpoint_is_skipped_for_the_one_before_and_none_readable_is_a_clear_error(tmp_path):
    out = tmp_path / "run"
    older, newest = crashed_run(out)  # two kept: after epochs 1 and 2
    newest.write_bytes(newest.read_bytes()[: newest.stat().st_size // 2])  # truncated, as by a full disk
    code, _, err = call(train_tool.main, [*TINY, "--epochs", "3", "--out", str(out)])
    assert code == 0, err
    assert "checkpoint cannot be read (ckpt-2" in err and "resuming from ckpt-1, the state after epoch 1" in err
    history = json.loads((out / "history.json").read_text())
    assert len(history["loss"]) == 3 and history["steps"] == [2, 4, 6]  # epochs 2 and 3 trained again
    assert int(keras.saving.load_model(out / "model.keras").optimizer.iterations) == 6

    out = tmp_path / "both"
    for path in crashed_run(out):
        path.write_bytes(b"not a checkpoint")
    code, _, err = call(train_tool.main, [*TINY, "--epochs", "3", "--out", str(out)])
    assert code == 2 and "no checkpoint of" in err and "overwrite it to start again" in err
    assert "Traceback" not in err


def test_an_unfinished_run_with_other_settings_is_refused(tmp_path):
    out = tmp_path / "run"
    spec = train_tool.spec_from_args(train_tool.build_parser().parse_args([*TINY, "--out", str(out)]))
    with pytest.raises(RuntimeError):
        train(spec, extra_callbacks=[CrashAfterEpoch(1)], verbose=0)
    code, _, err = call(train_tool.main, [*TINY, "--out", str(out), "--batch-size", "8"])
    assert code == 2 and "batch_size: was 16, now 8" in err


@pytest.mark.parametrize(
    "args, message",
    [
        (["--model", "nope"], "unknown model 'nope'; known: "),
        (["--dataset", "nope"], "nope"),
        (["--dataset", "mnist", "--data-dir", "EMPTY"], "train-images-idx3-ubyte"),
        (["--latent-dim", "0"], "expected a positive integer"),
        (["--epochs", "0"], "expected a positive integer"),
        (["--eval-every", "1", "--classifier", "EMPTY/none.keras"], "no classifier file"),
        (["--eval-every", "-1"], "expected an integer >= 0"),
        (["--precision", "float16"], "invalid choice: 'float16'"),
        (["--steps-per-execution", "0"], "expected a positive integer"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(tmp_path, args, message):
    (tmp_path / "EMPTY").mkdir()
    args = [a.replace("EMPTY", str(tmp_path / "EMPTY")) for a in args]
    out = tmp_path / "run"
    assert_refused(train_tool.main, [*TINY, *args, "--out", out], message, untouched=out)


def test_points_dataset_trains_the_gaussian_vae(tmp_path):
    out = tmp_path / "ring"
    flags = "--dataset ring8 --epochs 1 --steps-per-epoch 2 --batch-size 32 --width 2 --samples 16 --no-export"
    code, _, _ = call(train_tool.main, [*flags.split(), "--out", out])
    assert code == 0
    config = json.loads((out / "config.json").read_text())
    assert config["model"]["config"]["likelihood"] == "gaussian" and config["model"]["data_shape"] == [2]
    assert (out / "samples" / "epoch_0001.png").read_bytes().startswith(b"\x89PNG")


def test_precision_and_steps_per_execution_reach_the_run(tmp_path):
    out = tmp_path / "bf16"
    flags = "--model gan --dataset ring8 --epochs 1 --steps-per-epoch 4 --batch-size 32 --width 2 --samples 16"
    more = "--no-export --no-validation --precision mixed_bfloat16 --steps-per-execution 2"
    code, _, _ = call(train_tool.main, [*flags.split(), *more.split(), "--out", out])
    assert code == 0
    assert json.loads((out / "config.json").read_text())["run"]["precision"] == "mixed_bfloat16"
    model = keras.saving.load_model(out / "model.keras")
    assert model.precision == "mixed_bfloat16" and int(model.g_optimizer.iterations) == 4


def test_command_line_exit_code_in_a_subprocess(tmp_path):
    out = tmp_path / "run"
    proc = subprocess.run(
        [sys.executable, "-m", "tools.train", "--model", "nope", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert proc.returncode == 2
    assert (
        "python -m tools.train: error: unknown model 'nope'; known: " in proc.stderr
        and "vae" in proc.stderr.splitlines()[-1]
    )
    assert not out.exists()


@pytest.mark.parametrize(
    "model, beta, elbo", [("vae", 1.0, -90.5), ("cvae", 1.0, -90.5), ("vae", 4.0, None), ("gan", None, None)]
)
def test_the_elbo_line_needs_a_model_with_a_likelihood_and_beta_1(tmp_path, model, beta, elbo):
    config = {} if beta is None else {"beta": beta}
    (tmp_path / "config.json").write_text(json.dumps({"model": {"name": model, "config": config}}))
    result = RunResult(tmp_path, 0, {"loss": 90.5}, 1.0)
    assert train_tool.elbo_of(result, model) == elbo


def test_default_spec_is_the_main_job():
    spec = train_tool.spec_from_args(train_tool.build_parser().parse_args([]))
    assert spec == RunSpec()  # no flags: the VAE on the embedded sample into runs/vae-mnist_sample


def test_two_player_run_resumes_both_optimizers(tmp_path):
    out = tmp_path / "wgan_gp"
    args = [
        *(
            "--model wgan_gp --dataset ring8 --epochs 2 --steps-per-epoch 2 --batch-size 32 --width 2 "
            "--latent-dim 2 --samples 16 --no-validation --no-jit --no-export --recipe none --out"
        ).split(),
        str(out),
    ]
    spec = train_tool.spec_from_args(train_tool.build_parser().parse_args(args))
    with pytest.raises(RuntimeError):
        train(spec, extra_callbacks=[CrashAfterEpoch(1)], verbose=0)
    code, _, err = call(train_tool.main, args)
    assert code == 0 and "after epoch 1 of 2" in err
    model = keras.saving.load_model(out / "model.keras")
    # 2 epochs x 2 steps: 4 generator updates and 5 critic updates per step, across the crash.
    assert int(model.g_optimizer.iterations) == 4 and int(model.d_optimizer.iterations) == 20
    history = json.loads((out / "history.json").read_text())
    assert set(history) == {"d_loss", "g_loss", "gp", "wasserstein", "steps", "elapsed_s"} and len(history["gp"]) == 2
    # Generator steps and wall time per epoch, the second epoch's time counting the first's (the resume).
    assert history["steps"] == [2.0, 4.0] and 0 < history["elapsed_s"][0] < history["elapsed_s"][1]
    optimizers = json.loads((out / "config.json").read_text())["optimizers"]
    assert optimizers["d_optimizer"]["class"] == "Adam" and optimizers["d_optimizer"]["beta_2"] == 0.9


def test_the_recipe_of_the_model_and_data_family_is_the_default_and_every_flag_overrides_it():
    def spec(argv, family="mnist"):
        return train_tool.spec_from_args(train_tool.build_parser().parse_args(argv), family)

    gan = ["--model", "gan", "--dataset", "mnist"]
    zoo_recipe = spec(gan)
    assert zoo_recipe.recipe == "zoo" and (zoo_recipe.batch_size, zoo_recipe.epochs) == (64, 40)
    assert zoo_recipe.lr_schedule == "linear" and zoo_recipe.config == ("ema_decay=0.999",)
    mine = spec(
        [*gan, "--batch-size", "32", "--set", "ema_decay=0", "--set", "n_critic=2", "--lr-schedule", "constant"]
    )
    assert (mine.batch_size, mine.epochs, mine.lr_schedule) == (32, 40, "constant")
    assert mine.config == ("ema_decay=0", "n_critic=2")  # the given item replaces the recipe's of its field
    paper = spec([*gan, "--recipe", "paper"])
    assert (paper.recipe, paper.epochs, paper.batch_size, paper.config) == ("paper", 17, 64, ())
    none = spec([*gan, "--recipe", "none"])
    assert none == RunSpec(model="gan", dataset="mnist", out="runs/gan-mnist")
    assert spec(gan, family=None) == none  # the embedded sample has no recipe: the main job keeps its defaults
    with pytest.raises(ValueError, match="no 'paper' recipe for vae"):
        spec(["--recipe", "paper"], family="points")
    # XLA: on by default, off where a recipe measured it slower, and --jit / --no-jit over both
    assert zoo_recipe.jit_compile and not spec([*gan, "--no-jit"]).jit_compile
    colour = ["--model", "gan", "--dataset", "cifar10"]
    assert not spec(colour, family="cifar10").jit_compile and spec([*colour, "--jit"], family="cifar10").jit_compile


def test_recipes_and_settings_that_do_not_exist_are_refused_before_anything_is_written(tmp_path):
    out = tmp_path / "run"
    for bad, message in (
        (["--model", "vae", "--dataset", "ring8", "--recipe", "paper"], "--recipe: no 'paper' recipe for vae"),
        (["--set", "nope=1"], "--set nope=1: vae has no field 'nope'; its config fields: latent_dim, beta"),
        (["--set", "nope=1"], "run settings: epochs, batch_size, learning_rate, lr_schedule"),
        (["--set", "gan.ema_decay=0.9"], "--set gan.ema_decay=0.9: 'gan' is not the model being trained ('vae')"),
        (["--set", "batch_size=0"], "--set batch_size=0: argument --batch-size: expected a positive integer, got 0"),
        (["--set", "lr_schedule=cosine"], "--set lr_schedule=cosine: argument --lr-schedule: invalid choice"),
        (["--set", "jit_compile=maybe"], "--set jit_compile=maybe: jit_compile must be true or false"),
        (["--opt", "g_optimizer.beta_1=0.5"], "this model's optimizers are optimizer"),
        (["--opt", "momentum=0.5"], "Adam has no field 'momentum'"),
        (["--set", "ema_decay"], "expected FIELD=VALUE"),
    ):
        code, _, err = call(train_tool.main, [*TINY, "--out", str(out), *bad])
        assert code == 2 and message in err, (bad, err)
        assert not out.exists()


def test_each_dataset_is_scored_by_its_own_domain_classifier_or_by_none():
    from zoo.evaluation.defaults import DEFAULT_CLASSIFIER
    from zoo.training.run import RunSpec

    assert RunSpec(dataset="mnist").classifier == RunSpec(dataset="mnist_sample").classifier == DEFAULT_CLASSIFIER
    assert RunSpec(dataset="fashion_mnist").classifier is None  # a digit classifier says nothing about clothes
    assert RunSpec(dataset="cifar10").classifier.endswith("zoo/classifiers/cifar10/classifier.keras")
    assert RunSpec(dataset="image_folder", classifier="mine.keras").classifier == "mine.keras"
    args = train_tool.build_parser().parse_args(["--dataset", "fashion_mnist", "--data-dir", "x"])
    assert train_tool.spec_from_args(args).classifier is None


def test_config_file_reruns_a_run_and_flags_and_set_items_replace_its_settings(tmp_path):
    first = tmp_path / "first"
    code, _, err = call(train_tool.main, [*TINY, "--model", "gan", "--set", "ema_decay=0.9", "--out", str(first)])
    assert code == 0, err
    recorded = json.loads((first / "config.json").read_text())
    again = tmp_path / "again"
    code, _, err = call(train_tool.main, ["--config", first / "config.json", "--out", again])
    assert code == 0, err
    rerun = json.loads((again / "config.json").read_text())
    assert rerun["run"] == recorded["run"] and rerun["model"] == recorded["model"]
    assert rerun["command"] == shlex.join(
        ["python", "-m", "tools.train", "--config", str(first / "config.json"), "--out", str(again)]
    )

    # Precedence: recipe < --config < flags and --set items (by field, the file's others kept).
    def spec(argv):
        parser = train_tool.build_parser()
        return train_tool.spec_from_args(parser.parse_args(train_tool.expand_config_file(parser, argv)), "mnist")

    mine = spec(["--config", str(first / "config.json"), "--epochs", "5", "--set", "n_critic=2"])
    assert (mine.model, mine.epochs, mine.batch_size, mine.width) == ("gan", 5, 16, 4)
    assert mine.config == ("ema_decay=0.9", "n_critic=2") and mine.recipe is None
    assert spec(["--config", str(first / "config.json"), "--set", "ema_decay=0"]).config == ("ema_decay=0",)


def test_a_config_file_finds_the_shipped_classifier_from_any_directory(tmp_path, monkeypatch):
    # A run records the shipped classifier relative to the package's parent (no machine path);
    # rerunning its config.json from another directory (a user outside the checkout) must still
    # find the file, and so must the paths of the classifiers' old home in saved_models/.
    from zoo.evaluation.defaults import DEFAULT_CLASSIFIER

    monkeypatch.chdir(tmp_path)
    for recorded in ("zoo/classifiers/mnist/classifier.keras", "saved_models/classifier-mnist/classifier.keras"):
        path = tmp_path / "config.json"
        path.write_text(json.dumps({"run": {"model": "vae", "dataset": "mnist_sample", "classifier": recorded}}))
        flags = train_tool.config_file_flags(path)
        classifier = Path(flags[flags.index("--classifier") + 1])
        assert classifier.is_absolute() and classifier.samefile(DEFAULT_CLASSIFIER), flags
    path.write_text(json.dumps({"run": {"model": "vae", "classifier": "mine/classifier.keras"}}))
    flags = train_tool.config_file_flags(path)
    assert flags[flags.index("--classifier") + 1] == "mine/classifier.keras"  # a user's own: as recorded


def test_a_bad_config_file_is_refused_before_anything_is_written(tmp_path):
    out = tmp_path / "run"
    good = {"run": {"model": "vae", "dataset": "mnist_sample", "epochs": 1}}
    cases = {
        "missing.json": (None, "--config: cannot read"),
        "text.json": ("not json", "--config: cannot read"),
        "other.json": ({"model": "vae"}, 'is not a run\'s config.json: expected an object with a "run" object'),
        "unknown.json": ({"run": {**good["run"], "epoch": 3}}, "unknown run setting(s) epoch; known: batch_size"),
        "negative.json": ({"run": {**good["run"], "epochs": -1}}, "argument --epochs: expected a positive integer"),
        "items.json": ({"run": {**good["run"], "config": "beta=2"}}, 'config must be a list of "field=value"'),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / name
        if content is not None:
            path.write_text(content if isinstance(content, str) else json.dumps(content))
        assert_refused(train_tool.main, ["--config", path, "--out", out], message, untouched=out)


def test_set_takes_run_settings_and_model_prefixed_fields_like_their_flags():
    def spec(argv):
        parser = train_tool.build_parser()
        args = parser.parse_args(argv)
        train_tool.apply_set_items(parser, args)
        return train_tool.spec_from_args(args, "mnist")

    gan = ["--model", "gan", "--dataset", "mnist"]
    mine = spec(
        [*gan, "--set", "batch_size=32", "--set", "learning_rate=1e-4", "--set", "lr_schedule=constant"]
        + ["--set", "epochs=3", "--set", "gan.ema_decay=0.5", "--set", "jit_compile=false", "--set", "n_critic=2"]
    )
    assert (mine.batch_size, mine.learning_rate, mine.lr_schedule, mine.epochs) == (32, 1e-4, "constant", 3)
    assert mine.config == ("ema_decay=0.5", "n_critic=2") and mine.jit_compile is False
    assert spec([*gan, "--batch-size", "16", "--set", "batch_size=8"]).batch_size == 8

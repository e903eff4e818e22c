"""Training runs: a run directory filled epoch by epoch, resumable, finished once the model is saved.

The run directory's layout (``config.json``, ``history.json``, ``checkpoints/``, ..., ``model.keras``) is
``zoo.runs``'s; ``history.json`` also holds the ``eval_*`` metrics of the domain classifier every
``eval_every`` epochs (NaN between).

Nothing is created until every argument, the data and the model have been checked, so bad input
leaves no directory behind. Running the same configuration again on an unfinished directory
resumes from its last completed epoch.
"""

import contextlib
import dataclasses
import logging
import platform
import shutil
import tempfile
import time
from pathlib import Path

import keras
import tensorflow as tf

from zoo import data as zoo_data
from zoo.codes import fixed_codes, interpolation_codes
from zoo.distribute import features_only, is_chief, is_multi_worker, make_strategy
from zoo.errors import BadInput, DivergedError, RunError
from zoo.evaluation.classifier import load_classifier
from zoo.evaluation.defaults import DEFAULT_CLASSIFIER, LEGACY_CLASSIFIERS, classifier_for, no_classifier_line
from zoo.evaluation.metrics import load_image_array
from zoo.fileio import atomic_write_json, read_json, save_model_atomic
from zoo.locks import check_free, exclusive
from zoo.models import get_model, get_model_class
from zoo.optimizers import build_optimizers, describe
from zoo.options import fit_verbosity, split_setting
from zoo.precision import precision_scope, resolve_precision
from zoo.provenance import package_version, portable_path
from zoo.runs import CONFIG_FILE, HISTORY_FILE, MODEL_FILE, TEST_METRICS_FILE, run_state
from zoo.training.callbacks import DivergenceGuard, EpochState, EvaluationCallback, SampleGrid, TrainingClock
from zoo.training.compute import device_prefetch, resolve_jit_compile
from zoo.training.defaults import DEFAULT_BATCH_SIZE, DEFAULT_EPOCHS, DEFAULT_EVAL_EVERY

_log = logging.getLogger(__name__)

# Evaluation during training uses the shipped MNIST classifier (zoo.evaluation.DEFAULT_CLASSIFIER) for
# data of its shape when the file is there (a source checkout).
EVAL_SAMPLES = 2000  # the evaluation issue's cheap subset: 2,000 samples every eval_every epochs


@dataclasses.dataclass(frozen=True)
class RunSpec:
    """Everything that defines a training run (what ``tools.train`` parses from its flags).

    Attributes:
        model: registry name.
        dataset: ``zoo.data`` dataset name.
        out: run directory.
        epochs: number of epochs in total (a resumed run trains only the missing ones).
        batch_size: examples per step.
        seed: seeds Python, NumPy, TensorFlow and Keras, and the data shuffling.
        latent_dim: overrides the model's latent size (None: the model's default).
        width: overrides the size of the default networks (None: the model's default).
        learning_rate: overrides the model's default learning rate (None: its default).
        steps_per_epoch: caps the steps of an epoch (None: one pass over the data).
        data_dir: directory of MNIST-format IDX files, or of images for ``image_folder``.
        tfds_dir: TFDS's prepared-data directory.
        binarize: None, "static" or "dynamic" (see ``zoo.data.load``).
        drop_remainder: drop the last, smaller training batch (every step a full batch: what a
            strategy splitting the batch evenly across replicas wants).
        jit_compile: compile the steps with XLA (falls back, with one line, where XLA cannot be
            used: see ``zoo.training.compute.resolve_jit_compile``).
        steps_per_execution: ``train_step`` calls per compiled execution.
        precision: ``"auto"`` (mixed_float16 with a GPU, float32 without), ``"float32"``,
            ``"mixed_float16"`` or ``"mixed_bfloat16"`` (``zoo.precision``).
        strategy: ``"default"``, ``"mirrored"`` or ``"multiworker"`` (``zoo.distribute``).
        deterministic: enable TensorFlow's op determinism (same ``seed``, same weights; rules
            out XLA, which then falls back with one line).
        samples: number of samples in each epoch's grid.
        validate: evaluate on the test split after every epoch (when the dataset has one).
        eval_every: every how many epochs (and after the last) the domain classifier scores
            EVAL_SAMPLES samples against the test split (``zoo.training.callbacks.EvaluationCallback``);
            0 turns it off. Runs only when the classifier takes the data's shape.
        classifier: the domain classifier's ``.keras`` file; None (the default) becomes the one
            shipped for the dataset's domain (``zoo.evaluation.defaults.classifier_for``: the
            MNIST one for mnist and mnist_sample), or stays None where there is none.
        max_retries: how often a divergence (a non-finite loss) is undone by going back to the
            last good checkpoint before the run stops with ``DivergedError``.
        recipe: the name of the recipe (``zoo.recipes``) these settings came from, for the record
            (None: none); the settings themselves are the other fields.
        config: model config items, ``"field=value"`` with the value in JSON (``--set``).
        optimizer: optimizer items, ``"[optimizer.]field=value"`` (``zoo.optimizers``).
        lr_schedule: ``"constant"`` or ``"linear"`` (decay to 1% over the run).
    """

    model: str = "vae"
    dataset: str = "mnist_sample"
    out: str = "runs/vae-mnist_sample"
    epochs: int = DEFAULT_EPOCHS
    batch_size: int = DEFAULT_BATCH_SIZE
    seed: int = 0
    latent_dim: int | None = None
    width: int | None = None
    learning_rate: float | None = None
    steps_per_epoch: int | None = None
    data_dir: str | None = None
    tfds_dir: str | None = None
    binarize: str | None = None
    drop_remainder: bool = False
    jit_compile: bool = True
    steps_per_execution: int = 1
    precision: str = "auto"
    strategy: str = "default"
    deterministic: bool = False
    samples: int = 64
    validate: bool = True
    eval_every: int = DEFAULT_EVAL_EVERY
    classifier: str | None = None
    max_retries: int = 3
    recipe: str | None = None
    config: tuple = ()
    optimizer: tuple = ()
    lr_schedule: str = "constant"

    def __post_init__(self):
        if self.classifier is None:  # the dataset's own domain classifier, where one was made
            object.__setattr__(self, "classifier", classifier_for(self.dataset))

    def model_overrides(self):
        """The model's config overrides: width and latent size, then the ``config`` items."""
        found = {k: v for k, v in (("latent_dim", self.latent_dim), ("width", self.width)) if v is not None}
        return {**found, **config_overrides(self.config)}

    def identity(self):
        """The fields that must match for a run directory to be resumed: all but those that do not
        change what is computed (``_NOT_IDENTITY``: ``out``, ``max_retries``, ``steps_per_execution``
        and ``strategy``), with ``precision`` resolved (``"auto"`` is what it means on this machine)
        and the classifier's file as ``zoo.provenance.portable_path`` records it."""
        identity = {k: v for k, v in dataclasses.asdict(self).items() if k not in _NOT_IDENTITY}
        identity.update(config=list(self.config), optimizer=list(self.optimizer))  # as JSON reads them back
        identity["precision"] = resolve_precision(self.precision)
        identity["classifier"] = portable_path(self.classifier)
        return identity


# Settings that change how, not what, is computed (a run may resume on other hardware).
_NOT_IDENTITY = ("out", "max_retries", "steps_per_execution", "strategy")
# Settings added after runs were first written: an older config.json without them had these values.
_IDENTITY_DEFAULTS = {
    "precision": "float32",
    "deterministic": False,
    "drop_remainder": False,
    "recipe": None,
    "config": [],
    "optimizer": [],
    "lr_schedule": "constant",
}


@dataclasses.dataclass
class RunResult:
    run_dir: Path
    resumed_from_epoch: int
    test_metrics: dict
    wall_time_s: float
    chief: bool = True  # False on the other workers of a multi-worker run (their directory is gone)


def check_run_dir(spec, overwrite=False):
    """Decide what to do with ``spec.out`` before anything is written.

    Returns:
        ``"new"`` (create it), ``"resume"`` or ``"overwrite"`` (delete, then create).

    Raises:
        RunError: finished without ``overwrite``, a file in the way, or an unfinished run of a
            different configuration.
    """
    out = Path(spec.out)
    if out.exists() and not out.is_dir():
        raise RunError(f"run directory {out} exists and is not a directory")
    state = run_state(out)
    if state == "absent" or not any(out.iterdir()):
        return "new"
    if overwrite:
        return "overwrite"
    if state == "finished":
        raise RunError(f"run directory {out} holds a finished run; overwrite it, or choose another run directory")
    config_path = out / CONFIG_FILE
    if not config_path.exists():
        raise RunError(
            f"{out} is not empty and holds no run (no config.json); overwrite it, or choose another run directory"
        )
    previous = read_json(config_path).get("run", {})
    if previous.get("classifier") is not None:  # a config.json written before paths were made portable
        previous["classifier"] = portable_path(previous["classifier"])
        # ... or before the classifiers moved from saved_models/ into the package: the same files
        previous["classifier"] = LEGACY_CLASSIFIERS.get(previous["classifier"], previous["classifier"])
    identity = spec.identity()
    if spec.eval_every == 0:  # no figures during training: the classifier plays no part in the run
        identity.pop("classifier")  # (an older run recorded none; today's default is the domain's)
    differences = {
        k: (previous.get(k, _IDENTITY_DEFAULTS.get(k)), v)
        for k, v in identity.items()
        if previous.get(k, _IDENTITY_DEFAULTS.get(k)) != v
    }
    if differences:
        listed = "; ".join(f"{k}: was {a!r}, now {b!r}" for k, (a, b) in differences.items())
        raise RunError(
            f"run directory {out} holds an unfinished run with other settings ({listed}); "
            "rerun with the same settings to resume it, or overwrite it"
        )
    return "resume"


def prepare(spec, strategy=None):
    """Load the data and build and compile the model (under ``strategy``); touches no file.

    Raises:
        ValueError: bad input.
    """
    strategy = strategy or tf.distribute.get_strategy()
    if spec.epochs < 1:
        raise ValueError(f"epochs must be >= 1, got {spec.epochs}")
    if spec.steps_per_execution < 1:
        raise ValueError(f"steps_per_execution must be >= 1, got {spec.steps_per_execution}")
    precision = resolve_precision(spec.precision)
    keras.utils.set_random_seed(spec.seed)
    if spec.deterministic:
        tf.config.experimental.enable_op_determinism()
    model_class = get_model_class(spec.model)
    load_args = dict(
        batch_size=spec.batch_size,
        data_dir=spec.data_dir,
        tfds_dir=spec.tfds_dir,
        value_range=model_class.value_range,
        binarize=spec.binarize,
        seed=spec.seed,
    )
    train_ds = zoo_data.load(spec.dataset, split="train", shuffle=True, drop_remainder=spec.drop_remainder, **load_args)
    val_ds = None
    if spec.validate:
        try:
            val_ds = zoo_data.load(spec.dataset, split="test", shuffle=False, **load_args)
        except zoo_data.DatasetError as err:
            _log.info("no validation: %s", err)
    data_shape = tuple(train_ds.element_spec[0].shape[1:])
    overrides = spec.model_overrides()
    if model_class.conditional:
        overrides["num_classes"] = conditional_classes(spec, strategy)
    # Both optimizers are built inside the scope, before the first step (a two-optimizer step
    # under a strategy needs it).
    with strategy.scope(), precision_scope(precision):
        model = get_model(spec.model, input_shape=data_shape, **overrides)
        optimizers = build_optimizers(
            model, spec.learning_rate, spec.optimizer, spec.lr_schedule, steps=total_steps(spec, train_ds)
        )
        model.compile_optimizers(
            optimizers,
            jit_compile=resolve_jit_compile(spec.jit_compile, strategy),
            steps_per_execution=spec.steps_per_execution,
        )
    if is_multi_worker(strategy):
        # Across workers Keras averages the first batch to build the model, which fails on labels.
        train_ds = features_only(train_ds)
        val_ds = features_only(val_ds) if val_ds is not None else None
    return model, device_prefetch(train_ds), val_ds


def total_steps(spec, train_ds):
    """The run's train steps: epochs times the steps of an epoch (``steps_per_epoch``, else one
    pass over the data when its length is known; None when it is not)."""
    per_epoch = spec.steps_per_epoch
    if per_epoch is None:
        cardinality = int(train_ds.cardinality())
        per_epoch = cardinality if cardinality > 0 else None
    return None if per_epoch is None else spec.epochs * per_epoch


def config_overrides(items):
    """``{field: value}`` of config items ``"field=value"`` (the value in JSON, else a bare string).

    Raises:
        ValueError: an item without ``=`` or without a field.
    """
    found = {}
    for item in items:
        parts = split_setting(item)
        if parts is None:
            raise ValueError(f"config setting {item!r}: expected FIELD=VALUE, e.g. ema_decay=0.999")
        key, _, _, value = parts
        found[key] = value
    return found


def conditional_classes(spec, strategy):
    """The number of classes a conditional model learns: the dataset's (10 for MNIST, a toy's modes).

    Raises:
        ValueError: the dataset has no labels, or the strategy spans several workers (Keras
            builds the model there from an averaged first batch, which labels cannot go through;
            ``features_only``).
    """
    if is_multi_worker(strategy):
        raise ValueError(
            f"model {spec.model!r} is conditional: it needs the labels, which a multi-worker "
            "strategy drops (see zoo.distribute.features_only); use the default or the mirrored strategy"
        )
    classes = zoo_data.info(spec.dataset, data_dir=spec.data_dir, tfds_dir=spec.tfds_dir).num_classes
    if classes is None or classes < 2:
        raise ValueError(
            f"model {spec.model!r} is conditional: it needs a dataset with class labels; {spec.dataset!r} has none"
        )
    return classes


def train(spec, overwrite=False, extra_callbacks=(), verbose="auto", command=None):
    """Run (or resume) the training run described by ``spec``.

    Args:
        spec: a ``RunSpec``.
        overwrite: replace an existing run directory.
        extra_callbacks: more Keras callbacks (after the run's own).
        verbose: passed to ``fit``; ``"auto"``: Keras' progress bar on a terminal, one line per
            epoch otherwise (``zoo.options.fit_verbosity``).
        command: the command line that started the run, recorded in ``config.json`` (model
            cards quote it).

    Returns:
        A ``RunResult``.

    Raises:
        BadInput: an unknown model or dataset, missing or corrupt data files, a bad option, or a
            run directory that cannot be used; raised before the run directory is touched.
            ``zoo.locks.DirectoryInUse`` (a ``BadInput``): another process is writing the run
            directory (the chief holds its lock from before its first write to the end).
        DivergedError: non-finite values more than ``spec.max_retries`` times.
    """
    start = time.perf_counter()
    out = Path(spec.out)
    try:
        strategy = make_strategy(spec.strategy)
        chief = is_chief(strategy)
        if chief:
            action = check_run_dir(spec, overwrite)
            check_free(out, "run directory")  # at once, before the model and data are built
        else:  # resume when the chief's run has completed an epoch (its history.json is there)
            action = "resume" if (out / HISTORY_FILE).is_file() and not overwrite else "new"
        model, train_ds, val_ds = prepare(spec, strategy)
        if not chief:
            # Every worker trains, saves and checkpoints in step; only the chief writes the run.
            # The others work in a scratch directory, starting from the chief's checkpoints when
            # resuming (a file system shared by the workers, as for Keras' BackupAndRestore).
            out = worker_scratch_dir(out, strategy, action)
        evaluation = evaluation_callback(spec, model, out / "logs" / "evaluation")
    except BadInput:
        raise
    except ValueError as err:  # zoo.data.DatasetError, unknown model or option, ...
        raise BadInput(str(err)) from err
    try:
        # One writer: the chief holds the run directory's lock while it writes (zoo.locks).
        with exclusive(out, "run directory", command) if chief else contextlib.nullcontext():
            return _train(
                spec, model, train_ds, val_ds, out, action, evaluation, extra_callbacks, verbose, command, start, chief
            )
    finally:
        if not chief:
            shutil.rmtree(out, ignore_errors=True)


def worker_scratch_dir(out, strategy, action):
    """A scratch run directory for a worker that is not the chief, seeded with the chief's
    ``checkpoints/`` and ``history.json`` when the run resumes."""
    scratch = Path(tempfile.mkdtemp(prefix=f"genzoo-worker{strategy.cluster_resolver.task_id}-"))
    if action == "resume":
        if (out / "checkpoints").is_dir():
            shutil.copytree(out / "checkpoints", scratch / "checkpoints")
        if (out / HISTORY_FILE).is_file():
            shutil.copy2(out / HISTORY_FILE, scratch / "history.json")
    return scratch


def _train(spec, model, train_ds, val_ds, out, action, evaluation, extra_callbacks, verbose, command, start, chief):
    # -- From here on the run directory is written. --
    if action == "overwrite":
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    if action != "resume":  # first: a run directory with anything in it has its config (a full disk
        atomic_write_json(out / CONFIG_FILE, run_config(spec, model, command))  # stops it resumable)
    guard = DivergenceGuard()
    state = EpochState(out, model, guard=guard)
    read_history = lambda: read_json(out / HISTORY_FILE) if (out / HISTORY_FILE).exists() else {}  # noqa: E731
    initial_epoch = state.restore(read_history)
    state.save_initial()  # what a first epoch that diverges goes back to
    latent_dim = model.config.latent_dim
    clock = TrainingClock(_kept_elapsed(state.history))
    callbacks = [
        guard,  # first: a step with non-finite figures stops the epoch before anything records it
        clock,  # before the evaluation, which its time leaves out, and EpochState, which records it
        *([evaluation] if evaluation is not None else []),  # before EpochState and TensorBoard, which read its figures
        state,
        SampleGrid(out / "samples", fixed_codes(latent_dim, spec.samples, spec.seed), log_dir=out / "logs" / "samples"),
        keras.callbacks.TensorBoard(log_dir=str(out / "logs"), write_graph=False),
        *extra_callbacks,
    ]
    if len(model.data_shape) == 3:  # images: also a latent interpolation strip per epoch
        callbacks.insert(
            2,
            SampleGrid(
                out / "interpolations",
                interpolation_codes(latent_dim, seed=spec.seed),
                columns=10,
                log_dir=out / "logs" / "samples",
                tag="interpolation",
            ),
        )
    if initial_epoch:
        _log.info("resuming %s after epoch %d of %d", out, initial_epoch, spec.epochs)
    resumed_from, retries = initial_epoch, 0
    while True:
        model.fit(
            train_ds,
            epochs=spec.epochs,
            initial_epoch=initial_epoch,
            steps_per_epoch=spec.steps_per_epoch,
            validation_data=val_ds,
            callbacks=callbacks,
            verbose=fit_verbosity(verbose),
            shuffle=False,
        )  # the tf.data pipeline shuffles
        if guard.diverged is None:
            break
        epoch, step, bad = guard.diverged
        what = ", ".join(f"{k} = {v}" for k, v in bad.items())
        retries += 1
        if retries > spec.max_retries:
            raise DivergedError(
                f"training diverged ({what} at epoch {epoch + 1}, step {step + 1}) {retries} times; stopped after "
                f"{spec.max_retries} retries. {out} keeps the checkpoint of the last good epoch; lower the learning "
                "rate and start the run again (overwriting it), or rerun as is to retry from that checkpoint"
            )
        initial_epoch = state.restore(read_history)
        clock.elapsed_s = _kept_elapsed(state.history)
        state.perturb_random_state(retries)
        guard.reset()
        _log.warning(
            "non-finite values (%s) at epoch %d, step %d: the step is undone, training goes on from the "
            "checkpoint of epoch %d with other noise (retry %d of %d)",
            what,
            epoch + 1,
            step + 1,
            initial_epoch,
            retries,
            spec.max_retries,
        )
    test_metrics = {}
    if val_ds is not None:
        test_metrics = {k: float(v) for k, v in model.evaluate(val_ds, verbose=0, return_dict=True).items()}
        atomic_write_json(out / TEST_METRICS_FILE, test_metrics)
    save_model_atomic(model, out / MODEL_FILE)
    return RunResult(out, resumed_from, test_metrics, time.perf_counter() - start, chief)


def _kept_elapsed(history):
    """The ``elapsed_s`` of the last epoch a (restored) history keeps, 0 when none."""
    kept = [v for v in history.get("elapsed_s", []) if v is not None]
    return kept[-1] if kept else 0.0


def evaluation_callback(spec, model, log_dir):
    """The domain classifier's figures during training, or None when they do not apply.

    None when ``spec.eval_every`` is 0, when the default classifier file is absent, or when the
    classifier does not take the model's data (2-D points, other image sizes); a line says why
    for images. An explicitly given classifier that cannot be loaded is bad input.

    Raises:
        ValueError: ``eval_every`` negative, or a ``classifier`` given explicitly that is missing
            or not a domain classifier.
    """
    if spec.eval_every < 0:
        raise ValueError(f"eval_every must be >= 0 (0: off), got {spec.eval_every}")
    if spec.eval_every == 0 or len(model.data_shape) != 3:
        return None
    if spec.classifier is None:
        _log.info("no evaluation during training: %s", no_classifier_line(spec.dataset))
        return None
    if spec.classifier == DEFAULT_CLASSIFIER and not Path(DEFAULT_CLASSIFIER).is_file():
        _log.info("no evaluation during training: the default classifier %s is not there", DEFAULT_CLASSIFIER)
        return None
    try:
        classifier = load_classifier(spec.classifier)
    except FileNotFoundError as err:
        raise ValueError(str(err)) from None
    if tuple(classifier.input_shape) != tuple(model.data_shape):
        _log.info(
            "no evaluation during training: the classifier takes %s images, the data are %s",
            tuple(classifier.input_shape),
            tuple(model.data_shape),
        )
        return None
    try:
        real, _ = load_image_array(
            spec.dataset, "test", num_examples=EVAL_SAMPLES, data_dir=spec.data_dir, tfds_dir=spec.tfds_dir
        )
    except zoo_data.DatasetError as err:
        _log.info("no evaluation during training: %s", err)
        return None
    return EvaluationCallback(
        classifier,
        real,
        every=spec.eval_every,
        num_samples=min(EVAL_SAMPLES, len(real)),
        log_dir=log_dir,
        seed=spec.seed,
    )


def run_config(spec, model, command=None):
    """What ``config.json`` records: the run's settings, the command, the model's config and the versions."""
    return {
        "run": spec.identity(),
        "command": command,
        "model": {
            "name": model.registry_name,
            "config": model.get_config()["config"],
            "data_shape": list(model.data_shape),
        },
        "optimizers": {name: describe(getattr(model, name)) for name in model.optimizer_names},
        "versions": {
            "python": platform.python_version(),
            **{pkg: package_version(pkg) for pkg in ("tensorflow", "keras", "tensorflow-datasets", "numpy")},
        },
    }

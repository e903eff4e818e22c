"""tools.evaluate end to end on tiny trained runs (VAE, GAN, a 2-D toy) and an ONNX export, and its
bad-input exits."""

import contextlib
import io
import json
import math
import re

import keras
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper
from PIL import Image

import export
from export.runtime import OnnxGenerator
from tools import evaluate as evaluate_tool
from zoo import runs as run_dirs
from zoo.errors import BadInput
from zoo.evaluation import metrics
from zoo.evaluation import protocol as evaluation
from zoo.evaluation.classifier import ClassifierConfig, DomainClassifier, load_classifier, save_classifier
from zoo.training.run import RunSpec, train

N = "64"
LIKELIHOOD = ["--iw-k", "4", "--iw-examples", "16"]
IMAGE_FIGURES = (
    "frechet_distance",
    "classifier_score",
    "class_kl_to_uniform",
    "classes_covered",
    "precision",
    "recall",
)
TOY_FIGURES = ("modes", "num_modes", "high_quality", "reverse_kl")


def call(args):
    """(exit code, stdout, stderr) of tools.evaluate's main()."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = evaluate_tool.main([str(a) for a in args])
        except SystemExit as stop:  # argparse's own errors
            code = stop.code
    return code, out.getvalue(), err.getvalue()


def tiny_run(path, model, dataset, width=4):
    """A finished run: 1 epoch of 2 steps, batch 16, latent 2, no XLA, no validation, no evaluation."""
    spec = RunSpec(
        model=model,
        dataset=dataset,
        out=str(path),
        epochs=1,
        steps_per_epoch=2,
        batch_size=16,
        latent_dim=2,
        width=width,
        samples=4,
        jit_compile=False,
        validate=False,
        eval_every=0,
    )
    train(spec, verbose=0)
    return path


def tiny_classifier(path, input_shape=(28, 28, 1)):
    """An untrained tiny domain classifier (its figures are as good as any for the protocol)."""
    keras.utils.set_random_seed(0)
    network = ClassifierConfig(filters=(4, 8), hidden_units=16).network(input_shape, 10)
    save_classifier(DomainClassifier(network), path)
    return path


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    return {
        "vae": tiny_run(root / "vae-mnist_sample", "vae", "mnist_sample"),
        "gan": tiny_run(root / "gan-mnist_sample", "gan", "mnist_sample"),
        "toy": tiny_run(root / "gan-ring8", "gan", "ring8", width=2),
    }


@pytest.fixture(scope="module")
def classifier(tmp_path_factory):
    return tiny_classifier(tmp_path_factory.mktemp("classifier") / "classifier.keras")


@pytest.fixture(scope="module")
def vae_evaluated(runs, classifier):
    code, out, err = call(["--run", runs["vae"], "--classifier", classifier, "--num-samples", N, *LIKELIHOOD])
    assert code == 0, err
    return runs["vae"] / "eval", out


@pytest.fixture(scope="module")
def onnx_export(runs, tmp_path_factory):
    base = tmp_path_factory.mktemp("serving")
    result = export.export_model(run_dirs.load_run_model(runs["vae"]), base, trained_with={"dataset": "mnist_sample"})
    return result.paths["onnx"]


def read_metrics(out_dir):
    return json.loads((out_dir / "metrics.json").read_text())


def check_report_links(out_dir):
    """Every picture report.md links exists and decodes; returns {file name: PIL size}."""
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", (out_dir / "report.md").read_text())
    assert links, "report.md links no picture"
    sizes = {}
    for link in links:
        assert "/" not in link  # relative to the report, beside it
        with Image.open(out_dir / link) as picture:
            picture.load()
            sizes[link] = picture.size
    assert set(read_metrics(out_dir)["pictures"].values()) == set(links)
    return sizes


def test_vae_run_gives_every_figure_with_its_n_and_the_pictures(vae_evaluated, runs, classifier):
    out_dir, stdout = vae_evaluated
    m = read_metrics(out_dir)
    assert m["model"] == "vae" and m["name"] == "vae-mnist_sample" and m["dataset"] == "mnist_sample"
    assert m["source"] == {"kind": "run", "path": runs["vae"].as_posix(), "runtime": "keras"}
    assert m["num_samples"] == 64 and m["test_split_size"] == 1000 and m["classifier"]["num_test_images"] == 64
    assert m["classifier"]["path"] == classifier.as_posix() and 0 <= m["classifier"]["accuracy_on_test_images"] <= 1
    for name in ("figures", "reference"):
        assert m[name]["num_samples"] == m[name]["num_real"] == 64 and m[name]["k"] == 3
        for key in IMAGE_FIGURES:
            assert math.isfinite(m[name][key]), (name, key)
        assert sum(m[name]["class_counts"]) == 64
    assert m["reference"]["origin"] == "computed"  # the classifier has no card
    likelihood = m["likelihood"]
    assert likelihood["elbo_num_examples"] == 1000 and likelihood["iw_num_examples"] == 16
    assert likelihood["iw_k"] == 4 and likelihood["binarized"] is True
    for key in ("elbo", "iw_bound", "elbo_on_iw_examples"):
        assert math.isfinite(likelihood[key]) and likelihood[key] < 0, key
    assert {"generate", "figures", "reference", "likelihood", "total"} <= set(m["timings_s"])
    assert m["versions"]["tensorflow"] and m["versions"]["onnxruntime"]
    assert m["command"].startswith("python -m tools.evaluate --run ")

    # The figures are those of the first 64 seeded samples against the first 64 test images.
    model = run_dirs.load_run_model(runs["vae"])
    domain = load_classifier(classifier)
    test_images = metrics.load_image_array("mnist_sample", "test", num_examples=64)[0]
    expected = metrics.frechet_distance(
        domain.features(metrics.sample_images(model, 64, seed=0)), domain.features(test_images)
    )
    assert m["figures"]["frechet_distance"] == pytest.approx(expected, rel=1e-5)

    sizes = check_report_links(out_dir)
    assert sizes["samples.png"] == (8 * 28, 8 * 28)
    assert sizes["interpolation.png"] == (10 * 28, 4 * 28)  # 4 lines of 10 steps
    assert sizes["reconstructions.png"] == (10 * 28, 2 * 28)  # originals above reconstructions
    assert {"training_curves.png", "class_coverage.png"} <= set(sizes)
    report = (out_dir / "report.md").read_text()
    assert "| figure | model | real-data reference | real, blurred | N |" in report and "FID" not in report.replace(
        "not FID", ""
    )
    assert "| IW bound on log p(x), k = 4 (nats per example) |" in report
    # The reference is printed before the model's figures.
    assert stdout.index("real-data reference") < stdout.index("vae-mnist_sample (N = 64)")
    assert not [p.name for p in runs["vae"].iterdir() if p.name.startswith(".eval")], "staging left behind"


def test_onnx_export_generates_with_onnx_runtime_and_agrees_with_the_run(
    vae_evaluated, onnx_export, classifier, monkeypatch
):
    calls = []
    generate = OnnxGenerator.generate

    def counting(self, z, labels=None):
        calls.append(len(z))
        return generate(self, z, labels)

    def no_keras(*args, **kwargs):
        raise AssertionError("the ONNX path loaded a Keras model")

    monkeypatch.setattr(OnnxGenerator, "generate", counting)
    monkeypatch.setattr(run_dirs, "load_run_model", no_keras)
    monkeypatch.setattr(evaluation, "GENERATE_BATCH", 16)
    code, _, err = call(["--model", onnx_export, "--classifier", classifier, "--num-samples", N])
    assert code == 0, err
    out_dir = onnx_export.parent / "eval-1"  # not 1.eval: export.layout would count it as version 1's
    m = read_metrics(out_dir)
    assert m["source"]["runtime"] == "onnxruntime" and m["name"] == "vae v1" and m["dataset"] == "mnist_sample"
    assert calls[:4] == [16, 16, 16, 16] and max(calls) <= 16  # the 64 samples, in batches
    assert m["likelihood"] is None and any("no likelihood" in note for note in m["notes"])
    # Same codes, same generator up to the export's parity: the same figures as the run's.
    run = read_metrics(vae_evaluated[0])
    for key in IMAGE_FIGURES:
        assert m["figures"][key] == pytest.approx(run["figures"][key], rel=1e-4, abs=2 / 64), key
    assert m["reference"] == run["reference"]
    sizes = check_report_links(out_dir)
    assert "training_curves.png" not in sizes and sizes["reconstructions.png"] == (10 * 28, 2 * 28)


def test_gan_run_caps_n_at_the_test_split_and_reuses_the_card_reference(runs, classifier, tmp_path):
    card_dir = tmp_path / "classifier"
    card_dir.mkdir()
    (card_dir / "classifier.keras").write_bytes(classifier.read_bytes())
    stored = {
        "num_samples": 1000,
        "num_real": 1000,
        "frechet_distance": 12.5,
        "classifier_score": 7.25,
        "class_kl_to_uniform": 0.125,
        "classes_covered": 9,
        "num_classes": 10,
        "class_counts": [100] * 10,
        "precision": 0.75,
        "recall": 0.5,
        "k": 3,
    }
    card = {
        "kind": "domain_classifier",
        "dataset": "mnist_sample",
        "test_accuracy": 0.875,
        "num_test": 1000,
        "reference": stored,
    }
    (card_dir / "card.json").write_text(json.dumps(card))
    out_dir = tmp_path / "eval"
    code, stdout, err = call(
        ["--run", runs["gan"], "--classifier", card_dir, "--num-samples", "5000", "--out", out_dir]
    )
    assert code == 0, err
    m = read_metrics(out_dir)
    assert m["num_samples_requested"] == 5000 and m["num_samples"] == 1000 == m["figures"]["num_samples"]
    assert any("only 1000 examples" in note for note in m["notes"]) and "only 1000 examples" in stdout
    assert m["reference"] == {**stored, "origin": "classifier card"}
    assert m["classifier"]["test_accuracy"] == 0.875 and m["likelihood"] is None and m["model"] == "gan"
    for key in IMAGE_FIGURES:
        assert math.isfinite(m["figures"][key]), key
    assert "reused from the classifier's card" in (out_dir / "report.md").read_text()
    sizes = check_report_links(out_dir)
    assert "reconstructions.png" not in sizes and "interpolation.png" in sizes


def test_toy_run_gives_mode_coverage_and_a_scatter_plot_without_a_classifier(runs, tmp_path):
    code, _, err = call(["--run", runs["toy"], "--num-samples", "500", "--classifier", tmp_path / "absent.keras"])
    assert code == 0, err
    out_dir = runs["toy"] / "eval"
    m = read_metrics(out_dir)
    assert m["classifier"] is None and m["likelihood"] is None and m["dataset"] == "ring8"
    assert m["figures"]["num_samples"] == m["reference"]["num_samples"] == 500
    assert m["figures"]["num_modes"] == 8 and len(m["figures"]["counts"]) == 8
    for key in TOY_FIGURES[:3]:
        assert isinstance(m["figures"][key], (int, float)), key
    assert m["figures"]["reverse_kl"] is None or m["figures"]["reverse_kl"] >= 0  # null: no high-quality sample
    # 500 test points of the mixture: every mode, ~98.9% within 3 sigma (zoo.evaluation.metrics).
    assert m["reference"]["modes"] == 8 and m["reference"]["high_quality"] > 0.95
    sizes = check_report_links(out_dir)
    assert set(sizes) == {"samples.png", "training_curves.png"}
    assert "| modes captured |" in (out_dir / "report.md").read_text()


def test_a_domain_without_a_classifier_gets_no_classifier_figures_and_one_line(runs, classifier, tmp_path):
    root = tmp_path / "clothes"  # a user's own 28x28 images: no classifier was made for them
    rng = np.random.default_rng(0)
    for split in ("train", "test"):
        (root / split).mkdir(parents=True)
        for i in range(12):
            Image.fromarray(rng.integers(0, 256, (28, 28), dtype=np.uint8)).save(root / split / f"{i}.png")
    base = ["--run", runs["gan"], "--dataset", "image_folder", "--data-dir", root, "--num-samples", "8"]
    code, out, err = call([*base, "--out", tmp_path / "none"])
    assert code == 0, err
    m = read_metrics(tmp_path / "none")
    assert m["figures"] is None and m["reference"] is None and m["classifier"] is None
    assert any("no domain classifier for dataset 'image_folder'" in note for note in m["notes"])
    assert "no domain classifier" in out
    code, _, err = call([*base, "--classifier", classifier, "--out", tmp_path / "given"])  # the user's own
    assert code == 0, err
    given = read_metrics(tmp_path / "given")
    assert given["figures"]["num_samples"] == 8
    blurred = given["reference_blurred"]  # every domain gets the blurred-real row beside the real one
    assert blurred["blur_sigma"] == 1.0 and blurred["num_samples"] == 8 and math.isfinite(blurred["frechet_distance"])
    assert m["reference_blurred"] is None


def foreign_onnx(path):
    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])],
        "identity",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 4])],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


@pytest.mark.parametrize(
    "case, message",
    [
        ("missing run", "is not a directory"),
        ("unfinished run", "holds no model.keras"),
        ("foreign onnx", "is not a generator exported by genzoo"),
        ("missing classifier", "no classifier file"),
        ("classifier of another shape", "takes images of shape (32, 32, 1) but vae-mnist_sample generates (28, 28, 1)"),
        ("zero samples", "expected a positive integer, got 0"),
        ("dataset of another shape", "dataset 'ring8' holds points of shape (2,)"),
        ("unknown dataset", "no_such_dataset"),
        ("existing output", "already holds an evaluation"),
        ("missing inception weights", "no InceptionV3 weights file"),
    ],
)
def test_bad_input_exits_2_with_a_message_and_writes_nothing(case, message, runs, classifier, tmp_path):
    out = tmp_path / "out"
    args = ["--run", runs["vae"], "--classifier", classifier, "--num-samples", N, *LIKELIHOOD, "--out", out]
    if case == "missing run":
        args[1] = tmp_path / "absent"
    elif case == "unfinished run":
        (tmp_path / "unfinished").mkdir()
        args[1] = tmp_path / "unfinished"
    elif case == "foreign onnx":
        args[:2] = ["--model", foreign_onnx(tmp_path / "identity.onnx")]
    elif case == "missing classifier":
        args[3] = tmp_path / "absent.keras"
    elif case == "classifier of another shape":
        args[3] = tiny_classifier(tmp_path / "c32.keras", input_shape=(32, 32, 1))
    elif case == "zero samples":
        args[5] = "0"
    elif case == "dataset of another shape":
        args += ["--dataset", "ring8"]
    elif case == "unknown dataset":
        args += ["--dataset", "no_such_dataset"]
    elif case == "missing inception weights":
        args += ["--inception-weights", tmp_path / "absent.h5"]
    elif case == "existing output":
        out.mkdir()
        (out / "metrics.json").write_text("{}")
    before = sorted(p.name for p in tmp_path.iterdir())
    code, _, err = call(args)
    assert code == 2
    last = err.strip().splitlines()[-1]  # argparse prints its usage first, our own errors are one line
    assert last.startswith("python -m tools.evaluate: error:") and message in last, err
    assert sorted(p.name for p in tmp_path.iterdir()) == before, "something was written"
    if case == "existing output":
        assert [p.name for p in out.iterdir()] == ["metrics.json"]


def test_library_evaluation_of_a_diverged_generator_gives_nan_metrics(classifier):
    # A source whose samples are NaN: no classifier figure, but an evaluation that says so.
    source = evaluation.Source(
        kind="run",
        path=classifier.parent,
        name="nan",
        model="gan",
        runtime="keras",
        latent_dim=2,
        data_shape=(28, 28, 1),
        dataset="mnist_sample",
        generate=lambda z: np.full((len(z), 28, 28, 1), np.nan, np.float32),
    )
    result = evaluation.evaluate(source, classifier=classifier, num_samples=16)
    figures = result.metrics["figures"]
    assert figures["non_finite_samples"] == 16 and all(math.isnan(figures[k]) for k in IMAGE_FIGURES)
    assert any("not finite" in note for note in result.metrics["notes"])
    assert math.isfinite(result.metrics["reference"]["frechet_distance"])


def test_inception_metrics_join_the_table_when_asked(runs, classifier):
    # RANDOM InceptionV3 weights (ImageNet's cannot be downloaded here): this checks the wiring,
    # not the values; tests/zoo/test_inception.py checks the pipeline itself.
    import keras

    from zoo.evaluation import protocol as evaluation
    from zoo.evaluation.inception import InceptionScorer
    from zoo.evaluation.report import metric_rows

    keras.utils.set_random_seed(0)
    result = evaluation.evaluate(
        evaluation.open_run(runs["gan"]),
        classifier=classifier,
        num_samples=8,
        inception_scorer=InceptionScorer(batch_size=8),
    )
    m = result.metrics
    for part in ("figures", "reference"):
        assert math.isfinite(m[part]["inception_fid"]) and math.isfinite(m[part]["inception_score"]), part
    assert any("RANDOM weights" in note for note in m["notes"])
    labels = [row[0] for row in metric_rows(m)]
    assert "Inception FID (lower is better)" in labels and "Inception score (higher is better)" in labels


@pytest.mark.parametrize(
    "model, keras_model, expected",
    [
        ("vae", None, True),
        ("cvae", None, True),  # exports: asked of the registry class
        ("gan", None, False),
        ("no_such_model", None, False),
        (None, None, False),
        ("vae", object(), False),  # a run: asked of its Keras model
    ],
)
def test_has_likelihood_asks_the_model_class_not_its_name(model, keras_model, expected):
    source = evaluation.Source(
        kind="onnx",
        path="x.onnx",
        name="x",
        model=model,
        runtime="onnxruntime",
        latent_dim=2,
        data_shape=(28, 28, 1),
        generate=None,
        keras_model=keras_model,
    )
    assert evaluation._has_likelihood(source) is expected


def test_timer_records_laps_and_the_total():
    ticks = iter([0.0, 1.0, 3.5, 4.0])
    timer = evaluation.Timer(clock=lambda: next(ticks))
    timer.lap("a")
    timer.lap("b")
    assert timer.timings() == {"a": 1.0, "b": 2.5, "total": 4.0}


def test_library_messages_name_no_flags(runs, tmp_path):
    source = evaluation.open_run(runs["gan"])
    source.dataset = None
    with pytest.raises(BadInput, match="records no training dataset; pass dataset=") as err:
        evaluation.evaluate(source, num_samples=8)
    assert "--" not in str(err.value)
    with pytest.raises(BadInput, match="no classifier file") as err:
        evaluation.evaluate(evaluation.open_run(runs["gan"]), classifier=tmp_path / "absent.keras", num_samples=8)
    assert "--classifier" not in str(err.value)
    with pytest.raises(BadInput, match="expected an exported") as err:
        evaluation.open_onnx(tmp_path / "model.keras")
    assert "--model" not in str(err.value)


def test_an_evaluation_directory_another_process_is_writing_is_refused_with_exit_2(runs, tmp_path, lock_holder):
    proc = lock_holder(tmp_path / "eval")
    code, _, err = call(["--run", runs["toy"], "--num-samples", "8", "--out", tmp_path / "eval"])
    assert code == 2 and f"evaluation directory {tmp_path / 'eval'} is in use by process {proc.pid}" in err
    assert not (tmp_path / "eval").exists()

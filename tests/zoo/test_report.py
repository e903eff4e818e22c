"""zoo.evaluation.report: report.md and its table, the pictures and the all-or-nothing writes."""

import copy
import io
import json
import math

import numpy as np
import pytest
from PIL import Image

from zoo.errors import BadInput
from zoo.evaluation import Evaluation, report

REFERENCE = {
    "num_samples": 1000,
    "num_real": 1000,
    "frechet_distance": 0.25,
    "classifier_score": 9.5,
    "class_kl_to_uniform": 0.002,
    "classes_covered": 10,
    "num_classes": 10,
    "class_counts": [100] * 10,
    "precision": 0.8125,
    "recall": 0.875,
    "k": 3,
    "origin": "computed",
}


def image_metrics(name, model, frechet, covered, likelihood=None):
    figures = {
        **REFERENCE,
        "frechet_distance": frechet,
        "classifier_score": 4.0,
        "classes_covered": covered,
        "class_counts": [91] * 10,
        "precision": 0.5,
        "recall": 0.25,
    }
    del figures["origin"]
    return {
        "format": "genzoo-evaluation/1",
        "name": name,
        "model": model,
        "source": {"kind": "run", "path": f"runs/{name}", "runtime": "keras"},
        "data_shape": [28, 28, 1],
        "dataset": "mnist",
        "data_dir": "../shared/data/mnist",
        "test_split_size": 10000,
        "num_samples_requested": 1000,
        "num_samples": 1000,
        "seed": 0,
        "classifier": {
            "path": "saved_models/classifier-mnist/classifier.keras",
            "dataset": "mnist",
            "test_accuracy": 0.9942,
            "num_test": 10000,
            "accuracy_on_test_images": 0.995,
            "num_test_images": 1000,
        },
        "figures": figures,
        "reference": dict(REFERENCE),
        "likelihood": likelihood,
        "notes": [],
        "timings_s": {"total": 12.5},
        "versions": {},
        "command": "python -m tools.evaluate",
        "evaluated_at": "now",
        "pictures": {"samples": "samples.png"},
    }


VAE_LIKELIHOOD = {
    "elbo": -98.765,
    "elbo_num_examples": 10000,
    "iw_bound": -94.321,
    "iw_k": 1000,
    "iw_num_examples": 500,
    "elbo_on_iw_examples": -98.5,
    "binarized": True,
    "binarize_seed": 0,
    "units": "nats per example",
}


def toy_metrics():
    m = image_metrics("gan-ring8", "gan", 0.0, 0)
    m.update(
        dataset="ring8",
        data_dir=None,
        classifier=None,
        data_shape=[2],
        likelihood=None,
        figures={
            "num_samples": 500,
            "modes": 6,
            "num_modes": 8,
            "high_quality": 0.875,
            "reverse_kl": 0.25,
            "counts": [70, 70, 70, 70, 70, 87, 0, 0],
        },
        reference={
            "num_samples": 500,
            "modes": 8,
            "num_modes": 8,
            "high_quality": 0.99,
            "reverse_kl": 0.0042,
            "counts": [62] * 8,
            "origin": "computed",
        },
    )
    return m


def test_report_markdown_has_the_table_the_n_and_the_picture_links():
    m = image_metrics("vae-mnist", "vae", 5.4321, 10, VAE_LIKELIHOOD)
    m["pictures"] = {"samples": "samples.png", "class_coverage": "class_coverage.png"}
    text = report.report_markdown(m)
    lines = text.splitlines()
    header = lines.index("| figure | model | real-data reference | N |")
    assert lines[header + 2] == "| classifier Fréchet distance (lower is better) | 5.432 | 0.250 | 1000 |"
    assert "| ELBO (nats per example, binarized test images) | -98.77 | — | 10000 |" in lines
    assert "| ELBO on the IW bound's examples | -98.50 | — | 500 |" in lines
    assert "| IW bound on log p(x), k = 1000 (nats per example) | -94.32 | — | 500 |" in lines
    assert "![samples](samples.png)" in lines and "![class_coverage](class_coverage.png)" in lines
    assert not [line for line in lines if "bits per dimension" in line]  # a file of before bits per dimension
    m["likelihood"] = {**VAE_LIKELIHOOD, "elbo_bits_per_dim": 0.18178, "iw_bound_bits_per_dim": 0.17357}
    lines = report.report_markdown(m).splitlines()
    assert "| negative ELBO (bits per dimension) | 0.182 | — | 10000 |" in lines
    assert "| negative IW bound, k = 1000 (bits per dimension) | 0.174 | — | 500 |" in lines
    assert "test accuracy 99.4% on its card" in text and "computed here" in text
    assert "FID" not in text.replace("not FID", "")


def test_metric_rows_put_a_dash_where_there_is_no_value_and_keep_the_old_name():
    m = image_metrics("vae-mnist", "vae", 5.4321, 10, VAE_LIKELIHOOD)
    m["figures"]["classes_covered"] = None
    rows = report.metric_rows(m)
    assert report.figure_rows is report.metric_rows  # the old name, for one release
    assert ("classes covered (>= 1% of the samples)", report.DASH, "10/10", "1000") in rows
    assert all(row[2] == report.DASH for row in rows if row[0].startswith(("ELBO", "IW bound")))
    assert not [row for row in rows if row[0].startswith("Inception")]  # only when they were computed
    m["reference"] = None
    assert {row[2] for row in report.metric_rows(m)} == {report.DASH}


def test_check_out_dir_names_the_arguments_not_the_flags(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(BadInput, match="exists and is not a directory") as err:
        report.check_out_dir(tmp_path / "file")
    assert "--" not in str(err.value)
    (tmp_path / "eval").mkdir()
    (tmp_path / "eval" / "metrics.json").write_text("{}")
    with pytest.raises(BadInput, match=r"overwrite=True") as err:
        report.check_out_dir(tmp_path / "eval")
    assert "--" not in str(err.value)
    report.check_out_dir(tmp_path / "eval", overwrite=True)
    report.check_out_dir(tmp_path / "absent")


def tiny_evaluation(name="m"):
    rng = np.random.default_rng(0)
    m = image_metrics(name, "vae", 5.0, 10)
    del m["pictures"]
    history = {"loss": [3.0, 2.0, 1.5], "val_loss": [3.5, 2.5, 2.0], "eval_frechet_distance": [math.nan, 4.0, 3.0]}
    originals = rng.uniform(size=(10, 28, 28, 1)).astype(np.float32)
    return Evaluation(
        metrics=m,
        samples=rng.uniform(size=(64, 28, 28, 1)).astype(np.float32),
        interpolation=rng.uniform(size=(40, 28, 28, 1)).astype(np.float32),
        reconstructions=(originals, originals[::-1]),
        history=history,
    )


def test_write_report_writes_every_file_and_replaces_only_with_overwrite(tmp_path):
    out = tmp_path / "eval"
    first = tiny_evaluation("first")
    first.metrics["figures"]["recall"] = math.nan  # e.g. a diverged generator's figure
    paths = report.write_report(first, out)
    assert json.loads((out / "metrics.json").read_text(), parse_constant=pytest.fail)["figures"]["recall"] is None
    assert list(paths)[:2] == ["metrics.json", "report.md"]
    assert sorted(p.name for p in out.iterdir()) == sorted(paths)
    assert set(json.loads((out / "metrics.json").read_text())["pictures"]) == {
        "samples",
        "interpolation",
        "reconstructions",
        "training_curves",
        "class_coverage",
    }
    for name in paths:
        if name.endswith(".png"):
            with Image.open(out / name) as picture:
                picture.load()
    with Image.open(out / "reconstructions.png") as picture:
        assert picture.size == (280, 56) and picture.mode == "L"
    assert [p.name for p in tmp_path.iterdir()] == ["eval"], "staging left behind"

    (out / "stray.txt").write_text("from before")
    with pytest.raises(BadInput, match="already holds an evaluation; replace it"):
        report.write_report(tiny_evaluation("second"), out)
    assert json.loads((out / "metrics.json").read_text())["name"] == "first"
    report.write_report(tiny_evaluation("second"), out, overwrite=True)
    assert json.loads((out / "metrics.json").read_text())["name"] == "second"
    assert not (out / "stray.txt").exists()  # the directory was replaced, not merged
    assert [p.name for p in tmp_path.iterdir()] == ["eval"]


def test_a_failure_while_writing_leaves_the_old_directory(tmp_path, monkeypatch):
    out = tmp_path / "eval"
    report.write_report(tiny_evaluation("first"), out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(metrics):
        raise RuntimeError("disk full")

    monkeypatch.setattr(report, "report_markdown", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        report.write_report(tiny_evaluation("second"), out, overwrite=True)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["eval"]
    with pytest.raises(RuntimeError):
        report.write_report(tiny_evaluation("new"), tmp_path / "new")
    assert [p.name for p in tmp_path.iterdir()] == ["eval"]  # no "new", no staging


def test_pictures_of_points_and_of_a_history_with_gaps():
    evaluation = tiny_evaluation()
    evaluation.metrics = copy.deepcopy(toy_metrics())
    evaluation.samples = np.random.default_rng(0).normal(size=(100, 2))
    evaluation.modes = np.eye(2)
    evaluation.interpolation = evaluation.reconstructions = None
    pictures = report.render_pictures(evaluation)
    assert set(pictures) == {"samples", "training_curves"}  # no class counts for points
    for png in pictures.values():
        with Image.open(io.BytesIO(png)) as picture:
            assert picture.format == "PNG" and min(picture.size) > 100


def test_the_blurred_real_reference_is_a_column_of_its_own():
    m = image_metrics("vae-mnist", "vae", 5.4321, 10, VAE_LIKELIHOOD)
    m["reference_blurred"] = {**m["reference"], "frechet_distance": 8.5, "blur_sigma": 1.0}
    lines = report.report_markdown(m).splitlines()
    header = lines.index("| figure | model | real-data reference | real, blurred | N |")
    assert lines[header + 2] == "| classifier Fréchet distance (lower is better) | 5.432 | 0.250 | 8.500 | 1000 |"
    assert "| IW bound on log p(x), k = 1000 (nats per example) | -94.32 | — | — | 500 |" in lines
    assert any("blurred by a Gaussian of 1 px" in line for line in lines)

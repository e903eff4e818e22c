"""Records carry no path of the machine that wrote them (zoo.provenance.portable_path)."""

from zoo.provenance import ROOT, portable_path


def test_paths_under_the_checkout_or_the_working_directory_are_recorded_relative(tmp_path, monkeypatch):
    assert portable_path(ROOT / "zoo" / "classifiers" / "mnist" / "classifier.keras") == (
        "zoo/classifiers/mnist/classifier.keras"
    )
    monkeypatch.chdir(tmp_path)
    assert portable_path(tmp_path / "runs" / "a" / "model.keras") == "runs/a/model.keras"
    assert portable_path("relative/file.keras") == "relative/file.keras"


def test_other_paths_and_none_are_kept():
    assert portable_path("/elsewhere/classifier.keras") == "/elsewhere/classifier.keras"
    assert portable_path(None) is None


def test_a_run_records_the_default_classifier_relative_to_the_checkout():
    from zoo.evaluation.defaults import DEFAULT_CLASSIFIER
    from zoo.training.run import RunSpec

    assert DEFAULT_CLASSIFIER.startswith("/")  # what the run loads: an absolute file
    assert RunSpec().identity()["classifier"] == "zoo/classifiers/mnist/classifier.keras"

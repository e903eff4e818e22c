"""Damaged artifacts (zoo.integrity): an exported or shipped file whose sha256 differs from its
card, or a card that is not JSON, is refused by everything that opens it, with a message naming
the file; the tools exit 2 and write nothing."""

import json
import shutil

import numpy as np
import pytest

from export.runtime import OnnxGenerator
from export.saved_model import SavedModelGenerator
from tool_runner import call
from zoo.cli import evaluate as evaluate_tool
from zoo.cli import sample as sample_tool
from zoo.integrity import DamagedArtifact, verify_classifier, verify_export


@pytest.fixture
def copy(exported, tmp_path):
    """A fresh copy of an exported tiny VAE's serving root (the session's export stays intact)."""
    base = tmp_path / "serving"
    shutil.copytree(exported("vae").base_dir, base)
    return base / "vae"


def flip_a_byte(path, at=-100):
    data = bytearray(path.read_bytes())
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))


def test_intact_artifacts_pass_and_return_their_card(copy):
    assert verify_export(copy / "1.onnx")["version"] == 1
    assert verify_export(copy / "1")["version"] == 1
    assert OnnxGenerator(copy / "1.onnx").card["name"] == "vae"
    lone = copy.parent / "lone.onnx"  # no card beside it: nothing to check against
    shutil.copy(copy / "1.onnx", lone)
    assert verify_export(lone) is None


def test_a_changed_onnx_file_is_refused_before_it_is_opened_by_every_tool(copy, tmp_path):
    flip_a_byte(copy / "1.onnx")
    with pytest.raises(DamagedArtifact, match=r"1\.onnx has sha256 .*its card .*1\.json says"):
        OnnxGenerator(copy / "1.onnx")
    code, _, err = call(
        sample_tool.main, ["--model", str(copy / "1.onnx"), "--n", "4", "--out", str(tmp_path / "g.png")]
    )
    assert code == 2 and "1.onnx has sha256" in err and "changed or damaged" in err
    out = tmp_path / "eval"
    code, _, err = call(evaluate_tool.main, ["--model", str(copy / "1.onnx"), "--num-samples", "8", "--out", str(out)])
    assert code == 2 and "1.onnx has sha256" in err
    assert not (tmp_path / "g.png").exists() and not out.exists()


def test_a_damaged_encoder_a_changed_saved_model_and_a_card_that_is_not_json_are_refused(copy):
    flip_a_byte(copy / "1.encode.onnx")
    with pytest.raises(DamagedArtifact, match=r"1\.encode\.onnx has sha256"):
        verify_export(copy / "1.encode.onnx")
    (variables,) = (copy / "1" / "variables").glob("*.data-*")
    flip_a_byte(variables, at=10)
    with pytest.raises(DamagedArtifact, match=r"variables.*has sha256"):
        SavedModelGenerator(copy / "1")
    (copy / "1.json").write_text('{"files": {')  # truncated
    with pytest.raises(DamagedArtifact, match=r"1\.json cannot be read as JSON"):
        OnnxGenerator(copy / "1.onnx")
    (copy / "1.json").write_text(json.dumps({"name": "vae"}))
    with pytest.raises(DamagedArtifact, match="no 'files' table"):
        verify_export(copy / "1.onnx")
    (copy / "1.onnx").unlink()
    (copy / "1.json").write_text(json.dumps({"files": {"1.onnx": "0" * 64}}))
    with pytest.raises(FileNotFoundError):
        OnnxGenerator(copy / "1.onnx")


def test_a_classifier_that_differs_from_its_card_is_refused(tmp_path):
    path = tmp_path / "classifier.keras"
    path.write_bytes(np.arange(100, dtype=np.uint8).tobytes())
    assert verify_classifier(path) is None  # no card: a user's own classifier
    (tmp_path / "card.json").write_text(json.dumps({"file": "classifier.keras", "sha256": "0" * 64}))
    with pytest.raises(DamagedArtifact, match=r"classifier\.keras has sha256 .*card\.json says 0000"):
        verify_classifier(path)
    from zoo.evaluation.classifier import load_classifier

    with pytest.raises(DamagedArtifact, match="changed or damaged"):
        load_classifier(tmp_path)

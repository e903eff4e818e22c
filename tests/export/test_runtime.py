"""export.runtime: the ONNX Runtime path without TensorFlow."""

import subprocess
import sys

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from conftest import ROOT
from export.errors import NotAZooExport
from export.runtime import OnnxGenerator
from zoo.pictures import image_grid, scatter_raster


def test_importing_export_and_its_runtime_does_not_import_tensorflow():
    code = (
        "import sys, export, export.runtime, export.errors, export.card; "
        "assert 'tensorflow' not in sys.modules, 'tensorflow imported'; "
        "assert callable(export.runtime.OnnxGenerator)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_generator_samples_what_the_keras_model_generates(exported):
    e = exported("vae")
    generator = OnnxGenerator(e.model_dir / "1.onnx")
    assert (generator.name, generator.version, generator.latent_dim) == ("vae", 1, 4)
    assert generator.output_name == "images" and generator.data_shape == (8, 8, 1)
    assert generator.output_range == (0.0, 1.0) and not generator.is_conditional
    assert generator.card == e.result.card
    z = np.random.default_rng(5).standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(generator.sample(5, seed=5), np.asarray(e.model.generate(z)), atol=1e-5)
    np.testing.assert_array_equal(generator.sample(3, seed=1), generator.sample(3, seed=1))
    assert generator.generate(z.astype(np.float64)).dtype == np.float32  # converted


def test_generator_for_flat_points(exported):
    e = exported("vae", "points")
    generator = OnnxGenerator(e.model_dir / "1.onnx")
    assert generator.output_name == "samples" and generator.output_range is None
    assert generator.sample(7, seed=0).shape == (7, 2)


@pytest.mark.parametrize("z_shape", [(3, 5), (3,), (0, 4), (2, 4, 1)])
def test_wrong_code_shapes_are_refused(exported, z_shape):
    generator = OnnxGenerator(exported("vae").model_dir / "1.onnx")
    with pytest.raises(ValueError, match=r"z must have shape \(batch >= 1, 4\)"):
        generator.generate(np.zeros(z_shape, np.float32))


def test_bad_arguments_are_refused(exported):
    generator = OnnxGenerator(exported("vae").model_dir / "1.onnx")
    with pytest.raises(ValueError, match="not conditional"):
        generator.sample(2, labels=1)
    with pytest.raises(ValueError, match="n must be a positive integer"):
        generator.sample(0)
    with pytest.raises(ValueError, match="NaN"):
        generator.generate(np.full((1, 4), np.nan, np.float32))


def test_files_that_are_not_zoo_generators_are_refused(exported, tmp_path):
    with pytest.raises(NotAZooExport, match="not a generator"):
        OnnxGenerator(exported("vae").model_dir / "1.encode.onnx")
    foreign = tmp_path / "identity.onnx"
    graph = helper.make_graph(
        [helper.make_node("Identity", ["z"], ["images"])],
        "identity",
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, ["batch", 4])],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(foreign))
    with pytest.raises(NotAZooExport, match="metadata lacks genzoo_format, name, version"):
        OnnxGenerator(foreign)
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"not a protobuf")
    with pytest.raises(NotAZooExport, match="not a readable ONNX model"):
        OnnxGenerator(garbage)
    with pytest.raises(FileNotFoundError):
        OnnxGenerator(tmp_path / "missing.onnx")


def test_image_grid_tiles_row_major():
    images = np.zeros((3, 2, 2, 1), np.float32)
    images[1] = 1.0  # second tile white
    grid = image_grid(images)  # 2 columns, 2 rows
    assert grid.shape == (4, 4, 1) and grid.dtype == np.uint8
    assert grid[:2, 2:].min() == 255 and grid[:2, :2].max() == 0 and grid[2:].max() == 0


def test_scatter_raster_puts_points_where_a_pencil_does():
    picture = scatter_raster(np.array([[0.0, 0.0], [1.0, 1.0]]), size=10, margin=0.0, dot=1)
    assert picture.shape == (10, 10, 3)
    drawn = {tuple(rc) for rc in np.argwhere((picture != 255).any(axis=-1))}
    assert drawn == {(9, 0), (0, 9)}  # (0, 0) bottom left, (1, 1) top right

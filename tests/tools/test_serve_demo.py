"""tools.serve_demo without a browser: what it serves, and its refusals (exit 2, one message)."""

import json
import shutil
import socket
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tool_runner import assert_refused
from zoo.cli import serve_demo
from zoo.integrity import DamagedArtifact

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def web(tmp_path):
    # A stand-in for web/ with the page and an installed onnxruntime-web's two entry files.
    web = tmp_path / "web"
    dist = web / serve_demo.ORT_DIST
    dist.mkdir(parents=True)
    for name in ("index.html", "app.mjs"):
        shutil.copy2(ROOT / "web" / name, web / name)
    (dist / "ort.wasm.min.mjs").write_text("export {};")
    (dist / "ort-wasm-simd-threaded.wasm").write_bytes(b"\0asm")
    return web


def get(server, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}{path}") as response:
        return response.headers["Content-Type"], response.read()


def test_it_serves_the_page_the_runtime_and_the_verified_shipped_files(web):
    server = serve_demo.make_server(port=0, web=web)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        kind, body = get(server, "/")
        assert kind.startswith("text/html") and b"app.mjs" in body
        assert get(server, "/ort/ort-wasm-simd-threaded.wasm")[0] == "application/wasm"
        kind, body = get(server, "/models/index.json")
        index = {entry["name"]: entry for entry in json.loads(body)}
        assert index["vae"]["encode_onnx"] == "/models/vae/2.encode.onnx" and index["cgan"]["num_classes"] == 10
        assert get(server, index["wgan_gp"]["onnx"])[1] == (ROOT / "saved_models" / "wgan_gp" / "2.onnx").read_bytes()
        for outside in ("/../pyproject.toml", "/models/vae/2.json", "/ort/../package.json"):
            with pytest.raises(urllib.error.HTTPError, match="404"):
                get(server, outside)
    finally:
        server.shutdown()
        server.server_close()


def test_bad_input_exits_2_before_anything_is_served(web, tmp_path):
    assert_refused(serve_demo.main, ["--web", tmp_path / "nothing"], "no demo page at")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert_refused(serve_demo.main, ["--web", web, "--port", port], f"cannot listen on 127.0.0.1:{port}")
    shutil.rmtree(web / "node_modules")
    assert_refused(serve_demo.main, ["--web", web], "onnxruntime-web is not installed")
    assert_refused(serve_demo.main, ["--port", "-1"], "expected an integer >= 0")


def test_a_damaged_shipped_file_is_not_served(web, tmp_path):
    models = tmp_path / "models"
    shutil.copytree(ROOT / "saved_models" / "wgan_gp-ring8", models / "wgan_gp-ring8")
    onnx = models / "wgan_gp-ring8" / "1.onnx"
    onnx.write_bytes(onnx.read_bytes()[:-5])
    with pytest.raises(DamagedArtifact, match="1.onnx has sha256"):
        serve_demo.make_server(port=0, web=web, models=models)
    assert_refused(serve_demo.main, ["--web", web, "--models", models, "--port", "0"], "1.onnx has sha256")

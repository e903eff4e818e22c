"""Serve the demo page: ``python -m tools.serve_demo [--port 8000]`` (``genzoo serve-demo``), then open
http://127.0.0.1:8000/ in a browser.

The page (``web/``) runs the shipped ONNX generators in the browser with onnxruntime-web, which
``npm ci --prefix web`` installs (pinned in ``web/package.json``); nothing is fetched from the
internet. This server is the standard library's: it serves

- ``/`` and the page's own files from ``web/``;
- ``/ort/<file>``: onnxruntime-web's ``.mjs`` and ``.wasm`` files (``web/node_modules``);
- ``/models/index.json``: the shipped generators (``zoo.pretrained.list()``) with what the page
  needs of their cards;
- ``/models/<name>/<version>.onnx`` (and ``.encode.onnx``): the shipped files, each checked against
  its card's sha256 before the server starts (``zoo.integrity``).

Bad input (no web directory, onnxruntime-web not installed, a port in use, a damaged model) ends
with one message and exit code 2 before anything is served.
"""

import argparse
import json
from pathlib import Path

from zoo.cli.common import fail, non_negative_int

PROG = "python -m tools.serve_demo"
WEB_DIR = Path(__file__).resolve().parents[2] / "web"
ORT_DIST = Path("node_modules") / "onnxruntime-web" / "dist"
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".wasm": "application/wasm",
    ".onnx": "application/octet-stream",
}


def build_parser():
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=non_negative_int, default=8000, help="port (default: 8000; 0: any free port)")
    p.add_argument(
        "--models", default=None, help="directory of shipped models (default: $GENZOO_MODELS, else saved_models/)"
    )
    p.add_argument("--web", default=None, help="the page's directory (default: the checkout's web/)")
    return p


def model_index(models=None):
    """What the page reads of every shipped generator: name, version, its ONNX files (URLs under
    ``/models/``), the contract (latent size, data shape, output name and range, classes) and the
    figures of its card; files are verified against their card first.

    Returns:
        ``(index, files)``: the JSON-able list for ``/models/index.json`` and a dict from URL path to
        the file it serves.
    """
    from zoo import pretrained

    index, files = [], {}
    for row in pretrained.list(models):
        shipped = pretrained.locate(row["name"], row["version"], models)
        if shipped.onnx is None:
            continue
        card = shipped.card
        entry = {
            "name": shipped.name,
            "version": shipped.version,
            "model": card.get("model"),
            "dataset": row["dataset"],
            "latent_dim": card["latent_dim"],
            "num_classes": card.get("num_classes"),
            "data_shape": card["data_shape"],
            "output": card["output"],
            "onnx": f"/models/{shipped.name}/{shipped.onnx.name}",
        }
        files[entry["onnx"]] = shipped.onnx
        encoder = shipped.directory / f"{shipped.version}.encode.onnx"
        if encoder.is_file():
            from zoo.integrity import verify_export

            verify_export(encoder)
            entry["encode_onnx"] = f"/models/{shipped.name}/{encoder.name}"
            files[entry["encode_onnx"]] = encoder
        index.append(entry)
    return index, files


def make_server(host="127.0.0.1", port=0, models=None, web=None):
    """A ``ThreadingHTTPServer`` for the page (not yet serving: call ``serve_forever``).

    Raises:
        zoo.errors.BadInput: no page, no onnxruntime-web, no shipped models, a damaged file.
        OSError: the address cannot be bound.
    """
    import http.server

    from zoo.errors import BadInput

    web = Path(web) if web is not None else WEB_DIR
    if not (web / "index.html").is_file():
        raise BadInput(f"no demo page at {web} (expected index.html there: --web)")
    ort_dir = web / ORT_DIST
    if not (ort_dir / "ort.wasm.min.mjs").is_file():
        raise BadInput(
            f"onnxruntime-web is not installed in {web} (no {ORT_DIST}/ort.wasm.min.mjs): run `npm ci --prefix {web}`"
        )
    index, files = model_index(models)
    if not index:
        raise BadInput("no shipped model with an ONNX file to serve (--models)")
    index_bytes = json.dumps(index).encode()
    static = {f"/{p.name}": p for p in web.iterdir() if p.is_file() and p.suffix in _TYPES}
    static["/"] = web / "index.html"
    ort_files = {f"/ort/{p.name}": p for p in ort_dir.iterdir() if p.suffix in (".mjs", ".wasm")}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            path = self.path.split("?", 1)[0]
            if path == "/models/index.json":
                return self._send(index_bytes, _TYPES[".json"])
            target = files.get(path) or static.get(path) or ort_files.get(path)
            if target is None:
                self.send_error(404, "not part of the demo")
                return None
            return self._send(target.read_bytes(), _TYPES.get(target.suffix, "application/octet-stream"))

        def _send(self, body, content_type):
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):
            pass  # quiet: one line per file would bury the address line

    return http.server.ThreadingHTTPServer((host, port), Handler)


def main(argv=None):
    args = build_parser().parse_args(argv)
    from zoo.errors import BadInput

    try:
        server = make_server(args.host, args.port, args.models, args.web)
    except BadInput as err:
        return fail(PROG, err)
    except OSError as err:
        return fail(PROG, f"cannot listen on {args.host}:{args.port} ({err}): --port")
    host, port = server.server_address[:2]
    print(f"serving the demo at http://{host}:{port}/ (Ctrl-C stops it)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0

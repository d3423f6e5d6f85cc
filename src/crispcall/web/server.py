"""``crispcall serve``: the page, onnxruntime-web and the model files on localhost.

WASM threads need ``SharedArrayBuffer``, which browsers give only to cross-origin isolated
pages: every response carries ``Cross-Origin-Opener-Policy: same-origin`` and
``Cross-Origin-Embedder-Policy: require-corp`` (and ``Cross-Origin-Resource-Policy`` so the
page's own sub-resources pass that policy).
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import HTTPServer, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote, urlsplit

from crispcall.paths import ort_dir, ort_install_hint, page_dir, weights_dir
from crispcall.runtime.i420 import i420_twin

ISOLATION_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def model_index(models: Path) -> list[dict]:
    """The frame graphs in ``models`` (file, bytes, size multiple, receptive radius, and the
    file of its I420 twin, ``<stem>-i420.onnx``, when there is one), for the page's model menu;
    other ONNX files (NCHW peers, the I420 and luma graphs themselves) are left out."""
    from crispcall.runtime.backends import load_backend

    entries = []
    for path in sorted(models.glob("*.onnx")):
        try:
            backend = load_backend(path, "onnxruntime", threads=1)
        except ValueError:
            continue
        if backend.luma:
            continue
        entries.append(
            {
                "file": path.name,
                "bytes": path.stat().st_size,
                "size_multiple": backend.size_multiple,
                "radius": backend.radius,
            }
        )
        twin = i420_twin(path)
        if twin.is_file():
            entries[-1]["i420"] = twin.name
    return entries


# The browser peer's npm packages (UpscalerJS on TensorFlow.js), served at /npm/<package>/...
# from the node_modules beside onnxruntime-web; no other package is reachable.
PEER_PACKAGES = ("@tensorflow/tfjs", "@tensorflow/tfjs-backend-wasm", "upscaler", "@upscalerjs/default-model")


class PageHandler(SimpleHTTPRequestHandler):
    """Serves ``web_root`` at ``/``, onnxruntime-web's ``dist`` at ``/ort/``, the browser peer's
    packages (:data:`PEER_PACKAGES`) at ``/npm/``, the frame-graph ``.onnx`` files of ``models``
    at ``/models/`` with their list at ``/models/index.json``; nothing else of the file system."""

    extensions_map: ClassVar[dict[str, str]] = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".wasm": "application/wasm",
        ".onnx": "application/octet-stream",
    }

    def __init__(self, *args, web_root: Path, ort: Path, models: Path, index: bytes, **kwargs):
        self.web_root, self.ort, self.models, self.index = web_root, ort, models, index
        super().__init__(*args, directory=str(web_root), **kwargs)

    def do_GET(self) -> None:
        if urlsplit(self.path).path == "/models/index.json":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(self.index)))
            self.end_headers()
            self.wfile.write(self.index)
            return
        super().do_GET()

    def translate_path(self, path: str) -> str:
        parts = [p for p in unquote(urlsplit(path).path).split("/") if p]
        if any(p in ("..", ".") or "\\" in p for p in parts):
            return str(self.web_root / "missing")  # answered 404
        if parts[:1] == ["models"]:
            name = "/".join(parts[1:])
            return (
                str(self.models / name) if name.endswith(".onnx") and "/" not in name else str(self.models / "missing")
            )
        if parts[:1] == ["ort"]:
            return str(self.ort.joinpath(*parts[1:]))
        if parts[:1] == ["npm"]:
            package = next((p for p in PEER_PACKAGES if "/".join(parts[1:]).startswith(p + "/")), None)
            return str(self.ort.parents[1].joinpath(*parts[1:])) if package else str(self.web_root / "missing")
        if parts[:1] == ["node_modules"]:
            return str(self.web_root / "missing")
        return str(self.web_root.joinpath(*parts))

    def end_headers(self) -> None:
        for name, value in ISOLATION_HEADERS.items():
            self.send_header(name, value)
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:
        if self.server.verbose:  # type: ignore[attr-defined]
            super().log_message(format, *args)


def check_web_root(web_root: Path) -> Path:
    """Clear errors for a page that is missing or whose npm packages are not installed; returns
    onnxruntime-web's ``dist`` folder."""
    if not (web_root / "index.html").is_file():
        raise FileNotFoundError(f"no page at {web_root}/index.html (the web/ folder of a crispcall checkout)")
    ort = ort_dir(web_root)
    if not (ort / "ort.all.min.mjs").is_file():
        raise FileNotFoundError(f"onnxruntime-web is not installed: {ort_install_hint(web_root)}")
    return ort


def make_server(
    port: int = 8000,
    host: str = "127.0.0.1",
    web_root: Path | None = None,
    models: Path | None = None,
    verbose: bool = False,
) -> ThreadingHTTPServer:
    """A threaded HTTP server for the page (port 0 picks a free one: see ``server_port``);
    ``web_root`` defaults to the shipped page, ``models`` to the weights folder."""
    web_root = web_root or page_dir()
    ort = check_web_root(web_root)
    models = models or weights_dir()
    index = json.dumps(model_index(models)).encode()
    handler = functools.partial(PageHandler, web_root=web_root, ort=ort, models=models, index=index)
    server = ThreadingHTTPServer((host, port), handler)
    server.verbose = verbose  # type: ignore[attr-defined]
    return server


@contextmanager
def in_background(server: HTTPServer) -> Iterator[str]:
    """Run any ``http.server`` server (werkzeug's too) in a thread for the ``with`` block;
    yields its base URL."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{server.server_address[0]}:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def serving(**kwargs):
    """The page's server on a free port, in the background (:func:`in_background`)."""
    return in_background(make_server(**{"port": 0, **kwargs}))

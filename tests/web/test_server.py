import json
import urllib.error
import urllib.request

import pytest

from crispcall.paths import page_dir
from crispcall.runtime.backends import load_backend
from crispcall.web.server import ISOLATION_HEADERS, check_web_root, serving


def _get(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), b""


def test_page_model_list_and_isolation_headers(student_onnx):
    with serving(models=student_onnx.parent) as base:
        status, headers, body = _get(base)
        assert status == 200 and b"app.js" in body
        for name, value in ISOLATION_HEADERS.items():  # WASM threads need cross-origin isolation
            assert headers[name] == value
        status, headers, body = _get(base + "models/index.json")
        assert status == 200 and headers["Content-Type"] == "application/json"
        [entry] = json.loads(body)
        radius = load_backend(student_onnx).radius  # what the export measured and stored
        assert entry == {
            "file": "student.onnx",
            "bytes": student_onnx.stat().st_size,
            "size_multiple": 4,
            "radius": radius,
        }
        status, headers, body = _get(base + "models/student.onnx")
        assert status == 200 and body == student_onnx.read_bytes()
        status, headers, _ = _get(base + "ort/ort-wasm-simd-threaded.jsep.wasm")
        assert status == 200 and headers["Content-type"] == "application/wasm"
        status, headers, _ = _get(base + "ort/ort.all.min.mjs")
        assert status == 200 and headers["Content-type"] == "text/javascript"


def test_luma_graphs_stay_off_the_model_list(tmp_path):
    """The page runs frame graphs (and their I420 twins); a luma graph needs the native runtime."""
    import shutil

    from crispcall.paths import weights_dir
    from crispcall.web.server import model_index

    for name in ("student.onnx", "student-luma.onnx"):
        shutil.copy(weights_dir() / name, tmp_path / name)
    assert [entry["file"] for entry in model_index(tmp_path)] == ["student.onnx"]


def test_nothing_else_of_the_disk_is_served(student_onnx, tmp_path):
    (student_onnx.parent / "secret.pt").write_bytes(b"weights")
    with serving(models=student_onnx.parent) as base:
        for path in ("models/secret.pt", "models/../student.onnx", "%2e%2e/pyproject.toml", "node_modules/", "nope.js"):
            assert _get(base + path)[0] == 404, path
        # Of node_modules, only the browser peer's packages, at /npm/.
        assert _get(base + "npm/upscaler/package.json")[0] == 200
        assert _get(base + "npm/@tensorflow/tfjs/dist/tf.min.js")[0] == 200
        for path in ("npm/protobufjs/package.json", "npm/upscaler-evil/x.js", "npm/upscaler/../long/package.json"):
            assert _get(base + path)[0] == 404, path


def test_missing_page_or_packages_are_named(tmp_path, monkeypatch):
    monkeypatch.setenv("CRISPCALL_CACHE", str(tmp_path / "cache"))
    with pytest.raises(FileNotFoundError, match=r"index\.html"):
        check_web_root(tmp_path)
    (tmp_path / "index.html").write_text("<html></html>")
    with pytest.raises(FileNotFoundError, match="npm ci"):
        check_web_root(tmp_path)
    check_web_root(page_dir())  # the checkout's page, set up by make setup

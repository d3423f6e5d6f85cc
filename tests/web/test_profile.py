"""``crispcall profile --browser``: the same graph in onnxruntime-web, profiled in the page."""

import json
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("playwright", reason="the browser tests need the web extra")

from crispcall.bench.profile import WEBNN_GRAPH
from crispcall.cli.main import main
from crispcall.paths import weights_dir

ROOT = Path(__file__).resolve().parents[2]


def test_the_page_profiles_the_i420_graph_beside_native(tmp_path, capsys):
    out = tmp_path / "profile.json"
    model = weights_dir() / "student-lite-i420.onnx"
    args = ["profile", str(model), "--size", "128x96", "--received", "64x48", "--threads", "1", "--frames", "2"]
    assert main([*args, "--browser", "--json", str(out)]) == 0
    document = json.loads(out.read_text())
    native, page = document["native"], document["browser"]
    assert page["backend"] == "onnxruntime-web wasm" and page["received"] == "64x48" and page["threads"] == 1
    for profile in (native, page):
        assert "Resize" in profile["ms_per_op"] and all(ms >= 0 for ms in profile["ms_per_op"].values())
        assert profile["median_run_ms"] > 0
    assert page["agreement"] >= 0.99
    assert "in the page (onnxruntime-web wasm;" in capsys.readouterr().out


@pytest.fixture(scope="module")
def webnn_chromium() -> str:
    """The Chromium with WebNN that scripts/webnn-chromium.sh fetches (once, into the cache)."""
    script = ROOT / "scripts" / "webnn-chromium.sh"
    return subprocess.run(["bash", str(script)], capture_output=True, text=True, check=True).stdout.strip()


def test_webnn_runs_the_whole_fixed_graph_and_matches_native(tmp_path, capsys, monkeypatch, webnn_chromium):
    monkeypatch.setenv("CRISPCALL_CHROMIUM", webnn_chromium)
    out = tmp_path / "profile.json"
    model = weights_dir() / "student-web-i420.onnx"
    args = ["profile", str(model), "--size", "128x96", "--received", "64x48", "--threads", "1", "--frames", "2"]
    assert main([*args, "--browser", "--backend", "webnn", "--json", str(out)]) == 0
    document = json.loads(out.read_text())
    native, page = document["native"], document["browser"]
    assert native["fixed_shapes"] and page["backend"] == "onnxruntime-web webnn"
    assert list(page["ms_per_op"]) == [WEBNN_GRAPH]  # no node was left to WASM
    assert page["ms_per_op"][WEBNN_GRAPH] > 0 and page["agreement"] >= 0.99
    assert "in the page (onnxruntime-web webnn;" in capsys.readouterr().out


def test_webnn_needs_a_chromium_that_has_it(monkeypatch, capsys):
    monkeypatch.setenv("CRISPCALL_CHROMIUM", "/usr/bin/chromium")  # Debian's: built without WebNN
    model = weights_dir() / "student-web-i420.onnx"
    args = ["profile", str(model), "--size", "64x48", "--threads", "1", "--frames", "1", "--browser"]
    assert main([*args, "--backend", "webnn"]) == 2
    assert "scripts/webnn-chromium.sh" in capsys.readouterr().err
    assert main(["profile", str(model), "--size", "64x48", "--backend", "webnn"]) == 2
    assert "add --browser" in capsys.readouterr().err

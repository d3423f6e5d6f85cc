"""``crispcall profile --browser``: the same graph in onnxruntime-web, profiled in the page."""

import json

import pytest

pytest.importorskip("playwright", reason="the browser tests need the web extra")

from crispcall.cli.main import main
from crispcall.paths import weights_dir


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
    assert "in the page (onnxruntime-web wasm;" in capsys.readouterr().out

"""The WebGPU backend of crispcall.js on Chromium's software adapter (SwiftShader), checked
against the native runtime: the kernels a GPU would run, on a machine without one."""

import numpy as np
import onnxruntime as ort
import pytest

pytest.importorskip("playwright", reason="the browser tests need the web extra")

from crispcall.degrade.yuv import i420_planes
from crispcall.metrics.quality import share_within
from crispcall.paths import weights_dir
from crispcall.runtime.i420 import i420_feeds
from crispcall.web.browser import WEBGPU_SOFTWARE_FLAGS, call_browser


def test_webgpu_output_matches_the_native_runtime(tmp_path):
    # A 320x180 camera shown at 360 lines: every frame arrives below the display size, so it is sharpened.
    with call_browser(tmp_path, camera=(320, 180), flags=WEBGPU_SOFTWARE_FLAGS) as chromium:
        page = chromium.browser.new_page()
        page.goto(f"{chromium.base}record.html")  # any page of ours: WebGPU needs a secure origin
        adapter = page.evaluate("async () => Boolean(navigator.gpu && await navigator.gpu.requestAdapter())")
        if not adapter:
            pytest.skip("this Chromium offers no WebGPU adapter, not even SwiftShader")
        page.goto(f"{chromium.base}minimal.html?kbps=300&height=360&backend=webgpu")
        ready = "() => window.minimal.state.error || window.minimal.state.stats?.frames >= 1"
        page.wait_for_function(ready, timeout=120_000)
        assert page.evaluate("() => window.minimal.state.error") is None
        shot = page.evaluate(
            """async () => {
                const s = await window.minimal.snapshot();
                const hex = (a) => Array.from(a, (b) => b.toString(16).padStart(2, "0")).join("");
                return { ...s, input: hex(s.input), output: hex(s.output) };
            }"""
        )
        page.close()
    received = np.frombuffer(bytes.fromhex(shot["input"]), np.uint8)
    output = np.frombuffer(bytes.fromhex(shot["output"]), np.uint8)
    display = (shot["outHeight"], shot["outWidth"])
    assert display == (360, 640)
    # The same graph in native ONNX Runtime on the same received planes.
    session = ort.InferenceSession(str(weights_dir() / "student-web-i420.onnx"), providers=["CPUExecutionProvider"])
    planes = i420_planes(received, shot["width"], shot["height"])
    native = session.run(None, i420_feeds(*planes, display))[0]
    assert share_within(output, native, levels=1) >= 0.99

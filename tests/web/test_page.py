"""The page in headless Chromium (Debian's package), in a real WebRTC call fed by a fake camera."""

import time

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("playwright", reason="the browser tests need the web extra")

from crispcall.paths import weights_dir
from crispcall.runtime.sharpener import Sharpener
from crispcall.web.browser import PageRun, call_browser


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    """The page's server and one headless Chromium whose fake camera plays a 1280x720 clip."""
    with call_browser(tmp_path_factory.mktemp("browser")) as browser:
        yield browser


@pytest.fixture(scope="module")
def call_150k(chromium):
    """The page's default, the light FP32 student, sharpening a 150 kbps / 270p VP8 call at 640x360."""
    run = chromium.open(preset="150k", codec="VP8", model="student-lite.onnx", size=360)
    run.wait_for_frames(3)
    yield run
    run.close()


def _agreement(run, model: str) -> float:
    """Share of values where the page's output is within 2/255 of the Python runtime's on the
    same input frame, running the same graph (the page runs frame graphs, not luma twins)."""
    received, sharpened = run.snapshot()
    native = Sharpener(weights_dir() / model, luma=False)(np.ascontiguousarray(received))
    assert not np.array_equal(native, received)  # the model changed the frame
    return float((np.abs(native.astype(np.int16) - sharpened) <= 2).mean())


def test_frames_flow_through_the_call_and_are_sharpened(call_150k):
    _, first_out = call_150k.snapshot()
    state = call_150k.wait_for_frames(5)
    later_in, later_out = call_150k.snapshot()
    assert np.abs(later_out.astype(np.int16) - first_out).mean() > 1  # the camera pans: new frames arrive
    assert np.abs(later_out.astype(np.int16) - later_in).mean() > 0.2  # sharpened differs from received
    assert later_in.shape == (360, 640, 3) and state["size"] == [640, 360]
    # The call really runs at the preset's resolution and codec, and sends video.
    call = call_150k.call_stats()
    assert (call["width"], call["height"]) == (480, 270) and call["codec"] == "video/VP8"
    assert call["bitrate"] > 0


def test_page_output_matches_the_python_runtime(call_150k):
    assert _agreement(call_150k, "student-lite.onnx") >= 0.99


def test_page_reports_fps_and_latency(call_150k, screenshot_dir):
    time.sleep(1.5)  # the statistics are refreshed every second
    state, stats = call_150k.page.evaluate(
        "() => [{...window.crispcall.state}, document.getElementById('stats').textContent]"
    )
    assert state["fps"] > 0 and state["latencyMs"] > 0 and state["backend"] == "wasm"
    assert f"{state['fps']} fps" in stats and "kbps" in stats and "480x270" in stats
    path = screenshot_dir / "call-150kbps.png"
    call_150k.page.screenshot(path=str(path))
    shot = np.asarray(Image.open(path).convert("RGB"))
    assert shot.shape == (900, 1400, 3) and shot.std() > 20  # the page with its video, not a blank


def test_sharpened_track_is_published(call_150k):
    call_150k.page.evaluate("() => window.crispcall.publish()")
    call_150k.wait_for_frames(3)
    size = call_150k.page.evaluate(
        "() => new Promise((resolve) => { const v = document.getElementById('published');"
        " const check = () => v.videoWidth ? resolve([v.videoWidth, v.videoHeight]) : setTimeout(check, 100);"
        " check(); })"
    )
    assert size == [640, 360]
    assert call_150k.page.evaluate("() => window.crispcall.published.getVideoTracks()[0].readyState") == "live"


def test_split_view_cuts_the_sharpened_frame_at_the_slider(call_150k):
    page = call_150k.page
    page.select_option("#view", "split")
    page.fill("#split", "30")
    figure = "document.getElementById('sharpened').parentElement"
    assert page.evaluate("() => document.getElementById('views').className") == "split"
    assert page.evaluate(f"() => {figure}.style.clipPath") == "inset(0px 0px 0px 30%)"
    page.select_option("#view", "side")
    assert page.evaluate(f"() => {figure}.style.clipPath") == ""


def test_h264_call_with_the_int8_model(call_150k, chromium):
    call_150k.close()  # one call at a time: two would share the two cores
    # Shown at 540 lines: frames that arrive at the display size (360 here) pass unsharpened.
    run = chromium.open(preset="300k", codec="H264", model="student-int8.onnx", size=540)
    try:
        run.wait_for_frames(3)
        call = run.call_stats()
        assert call["codec"] == "video/H264" and (call["width"], call["height"]) == (640, 360)
        assert _agreement(run, "student-int8.onnx") >= 0.99
    finally:
        run.close()


def test_a_missing_model_is_reported_on_the_page(chromium):
    run = chromium.open(model="missing.onnx")
    try:
        with pytest.raises(RuntimeError, match="could not start"):
            run.wait_for_frames(1, timeout_s=60)
    finally:
        run.close()


def test_a_chosen_video_file_is_the_source(chromium, tmp_path):
    from crispcall.data.scene import build_clip
    from crispcall.runtime.video import encode_clip

    clip = encode_clip(tmp_path / "talk.mp4", build_clip(30, (640, 360)).clean, 30)
    page = chromium.browser.new_page()
    try:
        page.goto(f"{chromium.base}?size=360&preset=150k")
        page.wait_for_selector("#status:text-is('ready: press Start call')")
        page.select_option("#source", "file")
        page.set_input_files("#file", str(clip))
        page.click("#start")
        run = PageRun(page, page.url)
        state = run.wait_for_frames(3)
        assert state["size"] == [640, 360] and state["error"] is None
    finally:
        page.close()


def test_frames_that_arrive_at_the_display_size_are_shown_as_received(chromium):
    # The 300k preset sends 640x360 and keeps that size; shown at 360 lines, nothing is upscaled.
    for path in ("i420", "canvas"):
        run = chromium.open(preset="300k", codec="VP8", model="student-lite.onnx", size=360, path=path)
        try:
            state = run.poll(lambda s: s if s["passed"] >= 3 or s["error"] else None, 120)
            assert state is not None and state["error"] is None and state["passed"] >= 3
        finally:
            run.close()


def test_the_page_runs_crispcall_js_where_the_model_has_an_i420_twin(chromium):
    run = chromium.open(preset="300k", codec="VP8", model="student-lite.onnx", size=540, path="i420")
    try:
        state = run.wait_for_frames(3)
        assert state["path"] == "webcodecs-i420" and state["size"] == [968, 544] and state["fps"] >= 0
        run.page.wait_for_function("() => document.getElementById('stats').textContent.includes('webcodecs-i420')")
        shot = run.page.evaluate("() => window.crispcall.snapshot()")
        assert shot["format"] == "I420" and (shot["outWidth"], shot["outHeight"]) == (968, 544)
        assert run.page.evaluate("() => getComputedStyle(document.getElementById('sharpened')).display") == "none"
    finally:
        run.close()
    canvas = chromium.open(preset="300k", model="student-lite.onnx", size=540)  # the RGB path on request
    try:
        assert canvas.wait_for_frames(2)["path"] == "canvas-rgb"
    finally:
        canvas.close()

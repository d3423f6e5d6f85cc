"""Drive the page in Debian's Chromium, headless, with a fake camera: the browser tests and
``crispcall bench --browser`` share this.

Chromium plays a ``.y4m`` file as the camera (``--use-file-for-fake-video-capture``); the clip
is the demo's scene (a slide, a face, printed text) filmed with a slow pan, so every frame of
the call differs from the last. Playwright (the Python package) drives the browser it is
pointed at and never downloads one.
"""

from __future__ import annotations

import base64
import itertools
import json
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import cv2
import numpy as np

from crispcall.errors import InputError, Unavailable
from crispcall.metrics.quality import share_within
from crispcall.paths import chromium_path, ort_dir, ort_version, weights_dir
from crispcall.runtime.i420 import is_i420_graph
from crispcall.web.server import serving

CHROMIUM_FLAGS = (
    "--no-sandbox",  # root in a container has no user namespace for the sandbox
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # The machine's network is closed: Chromium's own background connections would only fail.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-ui-for-media-stream",  # grant the camera without a prompt
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
    # A hidden tab would be throttled: keep timers and video frames at full rate.
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
)


# WebGPU on Chromium's software adapter (SwiftShader's Vulkan), for machines without a GPU: slow,
# but it runs the same WebGPU kernels a GPU would, so outputs can be checked.
WEBGPU_SOFTWARE_FLAGS = (
    "--enable-unsafe-webgpu",
    "--enable-features=Vulkan",
    "--use-vulkan=swiftshader",
    "--use-webgpu-adapter=swiftshader",
)


# WebNN's CPU device (TFLite with XNNPACK in Chromium's builds that have it): behind a feature
# flag, and refused on a machine without a GPU unless the GPU blocklist is ignored.
WEBNN_FLAGS = ("--enable-features=WebMachineLearningNeuralNetwork", "--ignore-gpu-blocklist")


def launch_chromium(playwright, *args: str):
    """The Chromium :func:`~crispcall.paths.chromium_path` names (Debian's unless
    ``CRISPCALL_CHROMIUM`` says otherwise), headless, through Playwright (``playwright`` from
    ``sync_playwright()``)."""
    return playwright.chromium.launch(
        executable_path=str(chromium_path()), headless=True, args=[*CHROMIUM_FLAGS, *args]
    )


def write_y4m(path: Path, frames: list[np.ndarray], fps: int = 30) -> Path:
    """Write RGB uint8 frames (even sides) as a 4:2:0 YUV4MPEG2 file, the format Chromium's fake
    camera reads."""
    height, width = frames[0].shape[:2]
    if width % 2 or height % 2:
        raise InputError(f"4:2:0 needs even sides, got {width}x{height}")
    with open(path, "wb") as handle:
        handle.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420\n".encode())
        for frame in frames:
            handle.write(b"FRAME\n")
            handle.write(cv2.cvtColor(frame, cv2.COLOR_RGB2YUV_I420).tobytes())
    return path


def camera_clip(path: Path, size: tuple[int, int] = (1280, 720), frames: int = 60) -> Path:
    """The fake camera's clip: the demo scene at ``size``, panning."""
    from crispcall.data.scene import build_clip

    return write_y4m(path, build_clip(frames, size).clean)


def decode_rgba(text: str, width: int, height: int) -> np.ndarray:
    """A base64 RGBA buffer from the page as an H x W x 3 RGB array."""
    return np.frombuffer(base64.b64decode(text), np.uint8).reshape(height, width, 4)[..., :3]


@dataclass
class PageRun:
    """A page in a call: ``page`` is Playwright's; ``state()`` reads the page's state object
    (``state_of``: ``window.crispcall.state`` on the demo page)."""

    page: Any
    url: str
    state_of: str = "window.crispcall.state"

    def close(self) -> None:
        self.page.close()

    def state(self) -> dict:
        return self.page.evaluate(f"() => ({{...{self.state_of}}})")

    def poll(self, pick: Callable[[dict], Any], timeout_s: float) -> Any:
        """``pick(state)`` every 0.25 s until it gives something other than None (returned),
        or None when the time runs out."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = pick(self.state())
            if found is not None:
                return found
            time.sleep(0.25)
        return None

    def wait_for_frames(self, count: int, timeout_s: float = 120.0) -> dict:
        """Wait until ``count`` more frames have been sharpened; raise with the page's own status
        if it reports an error or the time runs out."""
        start = self.state()["frames"]

        def done(state: dict) -> dict | None:
            if state["error"]:
                raise RuntimeError(f"the page failed: {state['error']}")
            return state if state["frames"] >= start + count else None

        state = self.poll(done, timeout_s)
        if state is None:
            status = self.page.inner_text("#status")
            raise TimeoutError(f"{count} frames not sharpened in {timeout_s:.0f} s (page status: {status})")
        return state

    def call_stats(self, timeout_s: float = 15.0) -> dict:
        """The call's ``getStats`` figures once a bitrate has been measured (it takes two
        one-second samples)."""
        call = self.poll(
            lambda state: state["call"] if state["call"] and state["call"]["bitrate"] is not None else None, timeout_s
        )
        if call is None:
            raise TimeoutError(f"the page measured no bitrate in {timeout_s:.0f} s")
        return call

    def snapshot(self) -> tuple[np.ndarray, np.ndarray]:
        """The last frame the page's model saw and its output, both RGB uint8."""
        shot = self.page.evaluate("() => window.crispcall.snapshot()")
        if shot is None:
            raise RuntimeError("the page has sharpened no frame yet")
        size = shot["width"], shot["height"]
        return decode_rgba(shot["input"], *size), decode_rgba(shot["output"], *size)


@dataclass
class CallBrowser:
    """Headless Chromium with the fake camera, and the page's server; ``open`` starts a call."""

    browser: Any
    base: str

    def open(
        self,
        preset: str = "150k",
        codec: str = "VP8",
        model: str = "student-lite.onnx",
        backend: str = "wasm",
        size: int = 360,
        threads: int | None = None,
        path: str = "canvas",
    ) -> PageRun:
        """A new tab with the page, started by ``autostart`` with these settings (``threads``:
        the WASM model threads, None keeps the page's default; ``path``: ``canvas`` for the RGB
        frame path, ``i420`` for crispcall.js's where the model has an I420 twin)."""
        query = {"autostart": 1, "preset": preset, "codec": codec, "model": model, "backend": backend, "size": size}
        query["path"] = path
        if threads is not None:
            query["threads"] = threads
        page = self.browser.new_page(viewport={"width": 1400, "height": 900})
        url = f"{self.base}?{urlencode(query)}"
        page.goto(url)
        return PageRun(page, url)


@contextmanager
def call_browser(
    workdir: Path, camera: tuple[int, int] = (1280, 720), models: Path | None = None, flags: Sequence[str] = ()
) -> Iterator[CallBrowser]:
    """Serve the page and start headless Chromium whose camera plays the demo scene at
    ``camera`` size (with more command-line ``flags``), for the ``with`` block."""
    from playwright.sync_api import sync_playwright

    clip = camera_clip(workdir / "camera.y4m", camera)
    with serving(models=models) as base, sync_playwright() as playwright:
        browser = launch_chromium(playwright, f"--use-file-for-fake-video-capture={clip}", *flags)
        try:
            yield CallBrowser(browser, base)
        finally:
            browser.close()


def _bench_i420(chromium: CallBrowser, model: str, height: int, threads: int, frames: int, warmup: int,
                kbps: int, codec: str, degradation: str) -> dict:  # fmt: skip
    """``web/minimal.html``: a call at ``kbps`` (the sender's ``degradation`` preference) whose
    remote track ``crispcall.sharpen()`` sharpens to ``height`` lines in its Worker; the worker's
    frames per second and model times."""
    query = urlencode({"kbps": kbps, "codec": codec, "degradation": degradation, "height": height,
                       "threads": threads, "model": f"/models/{model}"})  # fmt: skip
    page = chromium.browser.new_page()
    try:
        page.goto(f"{chromium.base}minimal.html?{query}")
        run = PageRun(page, page.url, "window.minimal.state")

        def counted(target: int) -> Callable[[dict], dict | None]:
            def pick(state: dict) -> dict | None:
                if state["error"]:
                    raise RuntimeError(f"the page failed: {state['error']}")
                stats = state["stats"]
                return state if stats and stats["frames"] >= target and state["call"] else None

            return pick

        first = run.poll(counted(warmup), 120.0)
        if first is None:
            raise TimeoutError(f"{model}: {warmup} frames not sharpened in 120 s")
        started, start_frames = time.monotonic(), first["stats"]["frames"]
        start_decoded = first["call"]["framesDecoded"]
        last = run.poll(counted(start_frames + frames), 60.0 + frames)
        if last is None:
            raise TimeoutError(f"{model}: {frames} frames not sharpened in time")
        seconds = time.monotonic() - started
        done = last["stats"]["frames"] - start_frames
    finally:
        page.close()
    stats, call = last["stats"], last["call"]
    return {
        "method": f"{model} (browser, wasm, {threads} threads, {stats['path']})",
        "model": model,
        "path": stats["path"],
        "size": f"{stats['size'][0]}x{stats['size'][1]}",
        "input_size": f"{stats['received'][0]}x{stats['received'][1]}",
        "threads": threads,
        "median_ms": float(np.median(stats["modelMs"][-min(done, len(stats["modelMs"])) :])),
        "fps": done / seconds,
        "frames": done,
        "seconds": seconds,
        "call": {
            "kbps": kbps,
            "degradation": degradation,
            "codec": call["codec"],
            "bitrate": call["bitrate"],
            "fps": (call["framesDecoded"] - start_decoded) / seconds,
        },
    }


UPSCALERJS = "upscalerjs"  # the browser peer's name in crispcall bench --browser


def _bench_upscalerjs(chromium: CallBrowser, size: tuple[int, int], threads: int, frames: int, warmup: int) -> dict:
    """``web/upscalerjs.html``: UpscalerJS's default x2 model on TensorFlow.js's WASM backend,
    enlarging a camera frame of half ``size`` (width, height) to ``size``; its median time."""
    if not (ort_dir().parents[1] / "upscaler").is_dir():
        raise Unavailable("the browser peer needs UpscalerJS and TensorFlow.js (web/package.json): run npm ci in web/")
    width, height = size[0] // 2, size[1] // 2
    query = urlencode({"width": width, "height": height, "frames": frames, "warmup": warmup, "threads": threads})
    page = chromium.browser.new_page()
    try:
        page.goto(f"{chromium.base}upscalerjs.html?{query}")
        done = "() => window.upscalerjs.state.done || window.upscalerjs.state.error"
        page.wait_for_function(done, timeout=1000 * (120 + 60 * (frames + warmup)))
        state = page.evaluate("() => window.upscalerjs.state")
    finally:
        page.close()
    if state["error"]:
        raise RuntimeError(f"UpscalerJS failed in the page: {state['error']}")
    median = float(np.median(state["times"]))
    return {
        "method": f"{UPSCALERJS} x2 (browser, tfjs {state['backend']}, {threads} threads)",
        "size": f"{state['output'][1]}x{state['output'][0]}",
        "input_size": f"{width}x{height}",
        "threads": threads,
        "median_ms": median,
        "fps": 1000.0 / median,
        "frames": len(state["times"]),
    }


def bench_browser(
    workdir: Path,
    sizes: list[tuple[int, int]],
    models: list[str],
    frames: int = 30,
    warmup: int = 5,
    preset: str = "150k",
    codec: str = "VP8",
    threads: Sequence[int | None] = (None,),
    i420_kbps: int = 300,
    i420_degradation: str = "maintain-framerate",
) -> dict:
    """Each model sharpening a call in the page at each size (the frame size the page
    sharpens at; the camera sends the largest) with each WASM thread count (None: the page's
    default): the page's own sharpened-frames-per-second over ``frames`` frames after
    ``warmup``, and the median model time of those frames.

    A page's fps includes drawing the received frame, reading its pixels and showing the
    result; on this machine the call's encoder and decoder share the cores with the model.

    An I420 graph (:func:`is_i420_graph`) runs instead in ``web/minimal.html`` through
    ``crispcall.js``'s Worker, in a call held to ``i420_kbps`` whose sender picks its own
    resolution (``i420_degradation``: what its sender gives up first, frame rate or resolution;
    see web/call.js); the graph upscales what arrives to each size's height (one model thread
    when ``threads`` says None). ``upscalerjs`` (:data:`UPSCALERJS`), the browser peer, is timed on a
    camera frame of half each size (no call: its model time alone)."""
    missing = [m for m in models if m != UPSCALERJS and not (weights_dir() / m).is_file()]
    if missing:
        raise InputError(f"no such model in {weights_dir()}: {', '.join(missing)} (give a file name there)")
    camera = max(sizes, key=lambda s: s[0] * s[1])
    rows = []
    with call_browser(workdir, camera) as chromium:
        version = chromium.browser.version
        for model, count, (width, height) in itertools.product(models, threads, sizes):
            if model == UPSCALERJS:
                rows.append(_bench_upscalerjs(chromium, (width, height), count or 1, frames, warmup))
                continue
            if is_i420_graph(weights_dir() / model):
                rows.append(
                    _bench_i420(chromium, model, height, count or 1, frames, warmup, i420_kbps, codec, i420_degradation)
                )
                continue
            run = chromium.open(preset=preset, codec=codec, model=model, size=height, threads=count)
            try:
                run.wait_for_frames(warmup)
                started, first = time.monotonic(), run.state()["frames"]
                state = run.wait_for_frames(frames)
                seconds = time.monotonic() - started
                done = state["frames"] - first
                times = state["modelMs"][-done:]
                call = run.call_stats()
            finally:
                run.close()
            rows.append(
                {
                    "method": f"{model} (browser, {state['backend']}, {state['threads']} threads)",
                    "size": f"{state['size'][0]}x{state['size'][1]}",
                    "input_size": f"{call['width']}x{call['height']}",
                    "threads": state["threads"],
                    "median_ms": float(np.median(times)),
                    "fps": done / seconds,
                    "frames": done,
                    "call": {"preset": preset, "codec": call["codec"], "bitrate": call["bitrate"]},
                }
            )
    return {"chromium": version, "onnxruntime-web": ort_version(), "results": rows}


def page_events(lines: list[str]) -> list[dict]:
    """onnxruntime-web's profiler output (a JSON array printed one event a line) as events."""
    events = []
    for line in lines:
        line = line.strip().rstrip(",")
        if line.startswith("{"):
            events.append(json.loads(line))
    return events


# Untimed runs before the page's timed ones: WebAssembly's compiled code tiers up over the first
# second or so (with 2, a 720p graph timed 40% slower than after 30).
PAGE_WARMUP = 30


def profile_page(model: Path, width: int, height: int, threads: int = 1, frames: int = 20, per: str = "op",
                 received: tuple[int, int] | None = None, backend: str = "wasm") -> dict:  # fmt: skip
    """:func:`crispcall.bench.profile.profile_graph` in the browser: the same graph on the same
    feeds in onnxruntime-web (``web/profile.html``) in headless Chromium, its kernel times summed
    the same way, and the share of its output values within 2 levels of native ONNX Runtime's
    (``agreement``). ``backend``: ``"wasm"`` (``threads`` threads), or ``"webnn"``, WebNN's CPU
    device, which runs the graph's copy fixed to these feeds
    (:func:`~crispcall.bench.profile.fixed_graph`) in the browser's own kernels; Chromium needs it
    built in (``bash scripts/webnn-chromium.sh`` fetches one; Debian's has none)."""
    import onnxruntime as ort
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    from crispcall.bench.profile import WEBNN_GRAPH, fixed_graph, graph_feeds, kernel_ms, profile_document

    session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    arrays = graph_feeds(session, width, height, received)
    native = session.run(None, arrays)[0]
    webnn = backend == "webnn"
    with tempfile.TemporaryDirectory() as scratch:
        if webnn:
            arrays = fixed_graph(model, arrays, Path(scratch) / model.name)
        feeds = {
            name: {"type": str(array.dtype), "data": array.ravel().tolist(), "dims": list(array.shape)}
            for name, array in arrays.items()
        }
        models = Path(scratch) if webnn else model.parent
        with serving(models=models) as base, sync_playwright() as playwright:
            browser = launch_chromium(playwright, *(WEBNN_FLAGS if webnn else ()))
            try:
                page = browser.new_page()
                page.goto(f"{base}profile.html")
                page.wait_for_function("() => window.ready")
                args = {"model": f"/models/{model.name}", "feeds": feeds, "threads": threads,
                        "runs": PAGE_WARMUP + frames, "backend": backend}  # fmt: skip
                result = page.evaluate("(args) => window.profile(args)", args)
                version = browser.version
            except PlaywrightError as error:
                message = f"{model.name} failed in the page: {str(error).splitlines()[0].strip()}"
                if webnn:  # no WebNN context here, or one that cannot run this graph
                    hint = ("a Chromium with WebNN: export CRISPCALL_CHROMIUM=$(bash scripts/webnn-chromium.sh)"
                            if "'ML'" in message else "on WebNN")  # fmt: skip
                    raise Unavailable(f"{message} ({hint})") from error
                raise RuntimeError(message) from error
            finally:
                browser.close()
    per_op = kernel_ms(page_events(result["lines"]), frames, per, PAGE_WARMUP)
    run_ms = result["runMs"][PAGE_WARMUP:]
    if webnn:
        # The profiler times only the dispatch of WebNN's part of the graph (one node, WEBNN_<id>).
        per_op = Counter({key: ms for key, ms in per_op.items() if "WEBNN_" not in key})
        per_op[WEBNN_GRAPH] = float(np.median(run_ms)) - sum(per_op.values())
    document = profile_document(model, width, height, result["threads"], frames, per, per_op, run_ms, received)
    document["agreement"] = share_within(np.asarray(result["output"], native.dtype).reshape(native.shape), native, 2)
    return document | {"backend": f"onnxruntime-web {backend}", "onnxruntime-web": ort_version(), "chromium": version}

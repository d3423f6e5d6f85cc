"""``crispcall record``: send a source through a real WebRTC call in headless Chromium and keep
every frame the receiver decoded (the page ``web/record.html``; the folder's format is
:mod:`crispcall.data.recordings`).

Chromium plays the source as its fake camera (``.y4m``, looped forward and backward:
:func:`~crispcall.data.recordings.ping_pong`). The call is held to a bitrate
ceiling and the sender adapts resolution, frame rate and quantizer itself, as in a real call;
after a warm-up that lets that adaptation settle, frames are kept for one pass of the source,
copied out of each decoded ``VideoFrame`` as I420. Each is then aligned to the source frame it
shows (:func:`crispcall.data.recordings.align`).
"""

from __future__ import annotations

import base64
import json
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from crispcall.data.recordings import (
    META_FILE,
    MIN_MATCH_PSNR,
    RECEIVED_FILE,
    Source,
    align,
    match_psnr,
    ping_pong,
)
from crispcall.degrade.yuv import i420_planes
from crispcall.errors import InputError
from crispcall.sysinfo import run_meta
from crispcall.web.browser import PageRun, launch_chromium, write_y4m
from crispcall.web.server import serving

CODECS = ("vp8", "vp9", "h264", "av1")
TAKE_CHUNK = 30  # frames handed over by the page per call


@dataclass(frozen=True)
class CallSettings:
    """One recording preset: ``codec`` (one of :data:`CODECS`) at a ``kbps`` ceiling."""

    codec: str
    kbps: int

    @property
    def name(self) -> str:
        return f"{self.codec}-{self.kbps}"


def recording_name(source: Source, settings: CallSettings) -> str:
    return f"{source.name}-{settings.name}"


def run_call(source: Source, settings: CallSettings, workdir: Path, warmup_s: float) -> tuple[list[dict], dict]:
    """Play ``source`` through a call with ``settings`` in a fresh headless Chromium; return the
    kept frames (entries with their I420 planes as bytes) and what the page reports (the call's
    statistics every second, the browser's version)."""
    from playwright.sync_api import sync_playwright

    height, width = source.frames[0].shape[:2]
    camera = write_y4m(workdir / "camera.y4m", [source.frames[i] for i in ping_pong(len(source.frames))], source.fps)
    seconds = len(source.frames) / source.fps
    with serving() as base, sync_playwright() as playwright:
        browser = launch_chromium(playwright, f"--use-file-for-fake-video-capture={camera}")
        try:
            page = browser.new_page()
            page.goto(f"{base}record.html")
            page.wait_for_function("() => window.recorder !== undefined", timeout=30_000)
            options = {
                "codec": settings.codec.upper() if settings.codec != "h264" else "H264",
                "maxBitrate": settings.kbps * 1000,
                "width": width,
                "height": height,
                "frameRate": source.fps,
            }
            page.evaluate("options => window.recorder.start(options)", options)

            def started(state: dict) -> dict | None:
                if state["error"]:
                    raise InputError(f"the call failed: {state['error']}")
                return state if state["phase"] == "running" and state["received"] > 0 else None

            if PageRun(page, page.url, "window.recorder.state").poll(started, 30.0) is None:
                raise TimeoutError("no frame arrived within 30 s of the call's start")
            time.sleep(warmup_s)
            page.evaluate("() => window.recorder.begin()")
            time.sleep(seconds)
            report = page.evaluate("() => window.recorder.end()")
            if report["error"]:
                raise InputError(f"the call failed: {report['error']}")
            frames = []
            while chunk := page.evaluate("count => window.recorder.take(count)", TAKE_CHUNK):
                for frame in chunk:
                    frame["planes"] = base64.b64decode(frame["planes"])
                frames.extend(chunk)
            report["chromium"] = browser.version
        finally:
            browser.close()
    if not frames:
        raise InputError(f"no frame was received in {seconds:.1f} s of {source.name} at {settings.name}")
    return frames, report


def record(
    source: Source,
    settings: CallSettings,
    out: Path,
    warmup_s: float = 8.0,
    command: str = "",
) -> Path:
    """Record ``source`` through a call with ``settings`` into ``out/<source>-<codec>-<kbps>``
    (replaced when it exists). The folder is written under a hidden temporary name and renamed
    when complete, so an interrupted recording leaves nothing that looks finished."""
    if settings.codec not in CODECS:
        raise InputError(f"unknown codec {settings.codec!r}; codecs: {', '.join(CODECS)}")
    final = Path(out) / recording_name(source, settings)
    final.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    partial = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.", suffix=".partial"))
    try:
        frames, report = run_call(source, settings, partial, warmup_s)
        (partial / "camera.y4m").unlink()
        entries, lumas, offset = [], [], 0
        with open(partial / RECEIVED_FILE, "wb") as handle:
            for frame in frames:
                planes = np.frombuffer(frame.pop("planes"), np.uint8)
                lumas.append(i420_planes(planes, frame["width"], frame["height"])[0])
                handle.write(planes.tobytes())
                entries.append({**frame, "offset": offset, "bytes": planes.size})
                offset += planes.size
        played = ping_pong(len(source.frames))
        indices = [played[i] for i in align(lumas, source.frames, played)]
        for entry, luma, index in zip(entries, lumas, indices, strict=True):
            entry["source_index"] = int(index)
            entry["match_psnr"] = round(match_psnr(luma, source.frames[index]), 2)
        matches = [e["match_psnr"] for e in entries]
        meta = {
            **run_meta(),
            "command": command,
            "source": {"name": source.name, "frames": len(source.frames), "fps": source.fps, "origin": source.origin},
            "call": {"codec": settings.codec, "kbps": settings.kbps, "warmup_s": warmup_s},
            "chromium": report["chromium"],
            "received": report["received"],
            "alignment": {
                "median_match_psnr": float(np.median(matches)),
                "unreliable_frames": int(sum(m < MIN_MATCH_PSNR for m in matches)),
                "reliable": bool(np.median(matches) >= MIN_MATCH_PSNR),
            },
            "recording_seconds": round(time.monotonic() - started, 1),
            "stats": report["stats"],
            "frames": entries,
        }
        (partial / META_FILE).write_text(json.dumps(meta, indent=1))
        if final.exists():
            shutil.rmtree(final)
        partial.rename(final)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return final

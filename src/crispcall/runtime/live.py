"""Live frames: a camera, a stream URL or a file read at real-time pace, sharpened as they come.

A reader thread keeps only the newest frame. When sharpening is slower than the source, the
frames it could not take are dropped (and counted) rather than queued, so the output never
falls behind the source. The result goes to a window when a display exists, and/or to a file
in which each sharpened frame keeps its source time stamp (a dropped frame shows as the
previous one held). Ctrl-C (or SIGTERM through the command line) is the usual way to stop:
it ends the run like the end of the source, and the recording is finalised, not lost.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from crispcall.errors import InputError
from crispcall.runtime.video import ClipWriter


@dataclass
class LiveReport:
    """Every frame read was either sharpened or dropped (``read == sharpened + dropped``);
    ``interrupted``: stopped by Ctrl-C."""

    read: int = 0
    sharpened: int = 0
    dropped: int = 0
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def fps(self) -> float:
        return self.sharpened / self.seconds if self.seconds else 0.0


def parse_source(text: str) -> int | str:
    """A camera index ("0") or a file path / URL."""
    return int(text) if text.isdigit() else text


class LatestFrame:
    """Reads ``capture`` in a thread, at the file's frame rate when ``paced``; holds only the
    newest frame (RGB) with its index (a frame replaced before anyone took it is dropped)."""

    def __init__(self, capture: cv2.VideoCapture, paced: bool, fps: float):
        self.capture, self.paced, self.period = capture, paced, 1.0 / fps
        self.frame: tuple[int, np.ndarray] | None = None
        self.read = 0
        self.finished = False
        self.stopping = threading.Event()
        self.condition = threading.Condition()
        self.thread = threading.Thread(target=self._run, name="live-reader", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        start = time.perf_counter()
        try:
            while not self.stopping.is_set():
                ok, bgr = self.capture.read()
                if not ok:
                    return
                if self.paced:  # a file arrives no faster than it would play
                    delay = start + self.read * self.period - time.perf_counter()
                    if delay > 0:
                        time.sleep(delay)
                with self.condition:
                    self.frame = (self.read, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
                    self.read += 1
                    self.condition.notify()
        finally:
            with self.condition:
                self.finished = True
                self.condition.notify()

    def stop(self) -> None:
        """Stop reading and wait for the thread (before the capture is released)."""
        self.stopping.set()
        self.thread.join(timeout=5.0)

    def take(self) -> tuple[int, np.ndarray] | None:
        """The newest frame not yet taken, waiting for one; ``None`` at the end of the source."""
        with self.condition:
            while self.frame is None and not self.finished:
                self.condition.wait()
            frame, self.frame = self.frame, None
            return frame


def can_show() -> bool:
    """Whether a window can open: a display exists and OpenCV was built with a GUI (the
    headless wheel the project installs has none; a full opencv-python has)."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return False
    gui = re.search(r"^\s*GUI:\s*(\S+)", cv2.getBuildInformation(), re.MULTILINE)
    return gui is not None and gui.group(1).upper() != "NONE"


def run_live(
    source: int | str,
    sharpen: Callable[[np.ndarray], np.ndarray],
    out: str | Path | None = None,
    show: bool | None = None,
    max_seconds: float | None = None,
) -> LiveReport:
    """Sharpen ``source`` live until it ends, ``max_seconds`` pass, or q is pressed in the
    window. ``show`` defaults to whether a window can open (:func:`can_show`); without one,
    ``out`` is needed."""
    possible = can_show()
    if show and not possible:
        raise InputError("no window can open here (no display, or OpenCV without a GUI): use --out")
    show = possible if show is None else show
    if not show and out is None:
        raise InputError("no display here: give a file to write the sharpened frames to (--out)")
    if isinstance(source, str) and "://" not in source and not Path(source).is_file():
        raise FileNotFoundError(f"no such video file: {source}")
    capture = cv2.VideoCapture(source)
    if not capture.isOpened():
        raise InputError(f"cannot open video source {source!r}")
    fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
    is_file = isinstance(source, str) and "://" not in source
    reader = LatestFrame(capture, paced=is_file, fps=fps)
    report = LiveReport()
    started = time.perf_counter()
    try:
        with ClipWriter(out, fps) if out is not None else contextlib.nullcontext() as writer:
            try:
                while (item := reader.take()) is not None:
                    index, frame = item
                    sharp = sharpen(frame)
                    if writer is not None:
                        writer.write(sharp, index / fps)  # at its source time: a dropped frame is held
                    report.sharpened += 1
                    if show:
                        cv2.imshow("crispcall live (q quits)", cv2.cvtColor(sharp, cv2.COLOR_RGB2BGR))
                        if cv2.waitKey(1) & 0xFF == ord("q"):
                            break
                    if max_seconds is not None and time.perf_counter() - started > max_seconds:
                        break
            except KeyboardInterrupt:  # stop as at the source's end: the recording is kept
                report.interrupted = True
    finally:
        reader.stop()
        capture.release()
        if show:
            cv2.destroyAllWindows()
    report.seconds = time.perf_counter() - started
    report.read = reader.read  # the reader has stopped: no frame comes after this count
    report.dropped = report.read - report.sharpened
    return report

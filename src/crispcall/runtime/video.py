"""Sharpen a video file: PyAV decode, :class:`~crispcall.runtime.Sharpener`, H.264 encode.

Decoding, inference and encoding run in three threads joined by small queues, so the slowest
stage sets the pace (PyAV and ONNX Runtime release the GIL). The frame rate, the time stamps
and the rotation of the input are kept; audio packets are copied untouched, in their place
among the video packets. The output is written to a hidden temporary file beside the target
and renamed only when complete, so a failed or interrupted run leaves no file that looks
finished.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from tqdm import tqdm

from crispcall.degrade.ops import pad_to_multiple
from crispcall.files import written_whole
from crispcall.metrics.quality import FlickerMeter, psnr_ssim

QUEUE_FRAMES = 4  # frames in flight between two stages
_DONE = object()


@dataclass
class VideoReport:
    """What one run did. ``psnr``, ``ssim`` and ``flicker`` are set with a reference clip
    (means over frames; flicker of the input against the reference beside it)."""

    frames: int = 0
    seconds: float = 0.0
    audio_packets: int = 0
    psnr: float | None = None
    ssim: float | None = None
    flicker: float | None = None
    input_flicker: float | None = None
    per_frame: list[tuple[float, float]] = field(default_factory=list, repr=False)

    @property
    def fps(self) -> float:
        return self.frames / self.seconds if self.seconds else 0.0


def open_video(path: str | Path) -> av.container.InputContainer:
    """Open ``path`` for reading; a clear error when it is missing, unreadable or has no video."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such video file: {path}")
    try:
        container = av.open(str(path))
    except av.FFmpegError as error:
        raise ValueError(f"cannot read {path} as a video ({error})") from error
    if not container.streams.video:
        container.close()
        raise ValueError(f"{path} has no video stream (audio only?)")
    return container


class ClipWriter:
    """Writes RGB frames to an H.264 file (even sides: odd frames get one replicated row or
    column) under a temporary name, renamed when the ``with`` block ends without an error.
    ``write(frame, seconds)`` places a frame at its time; the default is the next frame slot."""

    def __init__(self, path: str | Path, fps: float, crf: int = 18):
        self.path = Path(path)
        self.fps, self.crf, self.count = Fraction(fps).limit_denominator(1001), crf, 0
        self.container: av.container.OutputContainer | None = None
        self.stream = None
        self._file = written_whole(self.path)

    def __enter__(self) -> ClipWriter:
        self.partial = self._file.__enter__()
        return self

    def write(self, frame: np.ndarray, seconds: float | None = None) -> None:
        frame = pad_to_multiple(frame, 2, "edge")
        if self.container is None:
            self.container = av.open(str(self.partial), "w")
            self.stream = self.container.add_stream("libx264", rate=self.fps)
            self.stream.width, self.stream.height = frame.shape[1], frame.shape[0]
            self.stream.pix_fmt = "yuv420p"
            self.stream.time_base = Fraction(1, 1000)
            self.stream.options = {"crf": str(self.crf), "preset": "veryfast"}
        video_frame = av.VideoFrame.from_ndarray(frame, format="rgb24")
        seconds = self.count / self.fps if seconds is None else seconds
        video_frame.pts, video_frame.time_base = round(seconds * 1000), Fraction(1, 1000)
        for packet in self.stream.encode(video_frame):
            self.container.mux(packet)
        self.count += 1

    def __exit__(self, kind, error, trace) -> None:
        try:
            if self.container is not None:
                if error is None:
                    for packet in self.stream.encode(None):
                        self.container.mux(packet)
                self.container.close()
            elif error is None:
                error = ValueError(f"no frames to write to {self.path}")
                raise error
        finally:
            self._file.__exit__(type(error) if error else None, error, trace)


def encode_clip(path: str | Path, frames: Sequence[np.ndarray], fps: float, crf: int = 18) -> Path:
    """Write ``frames`` as an H.264 clip at ``fps`` (:class:`ClipWriter`)."""
    with ClipWriter(path, fps, crf) as writer:
        for frame in frames:
            writer.write(frame)
    return Path(path)


def display_rotation(path: str | Path) -> int:
    """The display rotation of a video file's first frame, in degrees (0 when none). FFmpeg
    keeps it as display-matrix side data, which decoded frames carry."""
    with av.open(str(path)) as container:
        frame = next(container.decode(video=0), None)
        return int(frame.rotation) if frame is not None else 0


def _threaded(source: Iterator, work: Callable, name: str) -> Iterator:
    """``work(item)`` for every item of ``source``, run in a thread of its own with a bounded
    queue, yielded in order; an exception in the thread is raised here."""
    results: queue.Queue = queue.Queue(maxsize=QUEUE_FRAMES)
    failure: list[BaseException] = []
    stop = threading.Event()

    def run() -> None:
        try:
            for item in source:
                if stop.is_set():
                    break
                results.put(work(item))
        except BaseException as error:  # handed to the consumer, raised there
            failure.append(error)
        finally:
            if hasattr(source, "close"):
                source.close()  # stops and joins an upstream stage before the container closes
            results.put(_DONE)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    try:
        while (item := results.get()) is not _DONE:
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting on a full queue
            try:
                results.get_nowait()
            except queue.Empty:
                time.sleep(0.01)
    if failure:
        raise failure[0]


def sharpen_video(
    src: str | Path,
    dst: str | Path,
    sharpen: Callable[[np.ndarray], np.ndarray],
    side_by_side: bool = False,
    reference: str | Path | None = None,
    crf: int = 18,
    progress: bool = True,
) -> VideoReport:
    """Sharpen every frame of ``src`` into ``dst`` (H.264, yuv420p; the container from
    ``dst``'s extension). ``side_by_side`` puts the input left of the output. With
    ``reference`` (a clean clip of the same frames) PSNR, SSIM and flicker are measured."""
    dst = Path(dst)
    if dst.resolve() == Path(src).resolve():
        raise ValueError("the output would overwrite the input")
    container = open_video(src)
    ref_container = open_video(reference) if reference is not None else None
    report = VideoReport()
    try:
        with written_whole(dst) as partial:
            with av.open(str(partial), "w") as output:
                _transcode(container, ref_container, output, sharpen, side_by_side, crf, progress, report)
            if report.frames == 0:
                raise ValueError(f"{src} has no decodable video frames (corrupt or truncated?)")
    except av.FFmpegError as error:
        raise ValueError(f"cannot process {src}: {error}") from error
    finally:
        container.close()
        if ref_container is not None:
            ref_container.close()
    return report


def _transcode(container, ref_container, output, sharpen, side_by_side, crf, progress, report: VideoReport) -> None:
    video_in = container.streams.video[0]
    video_in.thread_type = "AUTO"
    audio_in = container.streams.audio[0] if container.streams.audio else None
    rate = video_in.average_rate or video_in.guessed_rate or 30
    width, height = video_in.codec_context.width, video_in.codec_context.height
    out_width = width * 2 if side_by_side else width
    video_out = output.add_stream("libx264", rate=rate)
    # yuv420p needs even sides: odd frames are padded by one replicated row or column.
    video_out.width, video_out.height = out_width + out_width % 2, height + height % 2
    video_out.pix_fmt = "yuv420p"
    video_out.time_base = video_in.time_base
    video_out.options = {"crf": str(crf), "preset": "veryfast"}
    rotation = display_rotation(container.name)
    if rotation:
        video_out.set_display_rotation(rotation)
    audio_out = output.add_stream_from_template(audio_in) if audio_in is not None else None
    reference_frames = ref_container.decode(video=0) if ref_container is not None else None
    flicker, input_flicker = FlickerMeter(), FlickerMeter()
    total = video_in.frames or None

    def packets() -> Iterator:
        streams = [s for s in (video_in, audio_in) if s is not None]
        for packet in container.demux(*streams):
            if packet.stream is audio_in:
                if packet.dts is not None:  # the last, empty packet only flushes
                    yield ("audio", packet)
                continue
            for frame in packet.decode():  # the last, empty packet flushes the decoder
                yield ("video", frame.to_ndarray(format="rgb24"), frame.pts, frame.time_base)

    def restore(item: tuple) -> tuple:
        if item[0] == "audio":
            return item
        image = item[1]
        return (*item, sharpen(image))

    bar = tqdm(total=total, unit="frame", desc="sharpening", disable=not progress, dynamic_ncols=True)

    def write(item: tuple) -> None:
        if item[0] == "audio":
            packet = item[1]
            packet.stream = audio_out
            output.mux(packet)
            report.audio_packets += 1
            return
        _kind, image, pts, time_base, sharp = item
        if reference_frames is not None:
            clean = next(reference_frames, None)
            if clean is None:
                raise ValueError("the reference clip has fewer frames than the input")
            clean = clean.to_ndarray(format="rgb24")
            if clean.shape != sharp.shape:
                raise ValueError(f"reference frames are {clean.shape[:2]}, the input's {sharp.shape[:2]}")
            report.per_frame.append(psnr_ssim(sharp, clean))
            flicker.update(sharp, clean)
            input_flicker.update(image, clean)
        shown = np.concatenate([image, sharp], axis=1) if side_by_side else sharp
        frame = av.VideoFrame.from_ndarray(pad_to_multiple(shown, 2, "edge"), format="rgb24")
        frame.pts, frame.time_base = pts, time_base
        for packet in video_out.encode(frame):
            output.mux(packet)
        report.frames += 1
        bar.update()

    started = time.perf_counter()
    stages = _threaded(_threaded(packets(), lambda x: x, "decode"), restore, "sharpen")
    with contextlib.closing(stages), bar:  # on any error, every stage stops before the files close
        for item in stages:
            write(item)
    for packet in video_out.encode(None):
        output.mux(packet)
    report.seconds = time.perf_counter() - started
    if report.per_frame:
        report.psnr = float(np.mean([p for p, _ in report.per_frame]))
        report.ssim = float(np.mean([s for _, s in report.per_frame]))
        if flicker.steps:
            report.flicker, report.input_flicker = flicker.value, input_flicker.value

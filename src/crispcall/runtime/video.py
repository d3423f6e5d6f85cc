"""Sharpen a video file: PyAV decode, :class:`~crispcall.runtime.Sharpener`, H.264 encode.

Decoding, inference and encoding run in three threads joined by small queues, so the slowest
stage sets the pace (PyAV and ONNX Runtime release the GIL). The time base, every time stamp
(variable frame rates too) and the rotation of the input are kept; every audio and subtitle
stream is copied untouched, in its place among the video packets, or, where the output's
container cannot hold its codec, audio is re-encoded as AAC and anything else is dropped, and
the report says which. The output is written to a hidden temporary file beside the target
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
from crispcall.degrade.yuv import FULL_RANGE, i420_to_rgb, video_frame_rgb
from crispcall.errors import InputError
from crispcall.files import written_whole
from crispcall.metrics.quality import FlickerMeter, psnr_ssim
from crispcall.runtime.i420 import I420Sharpener

QUEUE_FRAMES = 4  # frames in flight between two stages
CONTAINERS = (".mp4", ".mkv", ".mov")  # what an H.264 output is written as
_DONE = object()


@dataclass
class VideoReport:
    """What one run did. ``psnr``, ``ssim`` and ``flicker`` are set with a reference clip
    (means over frames; flicker of the input against the reference beside it)."""

    frames: int = 0
    seconds: float = 0.0
    copied_packets: int = 0  # of audio and subtitle streams
    i420_frames: int = 0  # frames sharpened on their yuv420p planes, without RGB
    notes: list[str] = field(default_factory=list)  # streams re-encoded or dropped, missing frames
    psnr: float | None = None
    ssim: float | None = None
    flicker: float | None = None
    input_flicker: float | None = None
    per_frame: list[tuple[float, float]] = field(default_factory=list, repr=False)

    @property
    def fps(self) -> float:
        return self.frames / self.seconds if self.seconds else 0.0


def video_document(report: VideoReport, src: str | Path, method: str, threads: int) -> dict:
    """The result document of one ``crispcall video`` run (``--json``)."""
    from crispcall.sysinfo import run_meta

    row = {
        "input": Path(src).name,
        "method": method,
        "path": "i420" if report.frames and report.i420_frames == report.frames else "rgb",
        "frames": report.frames,
        "i420_frames": report.i420_frames,
        "seconds": report.seconds,
        "fps": report.fps,
        "psnr": report.psnr,
    }
    return {"meta": run_meta(threads=threads), "results": [row]}


def video_table(names: Sequence[str], documents: Sequence[dict]) -> str:
    """One row per ``crispcall video --json`` run: the whole command's speed, decoding and
    encoding included."""
    lines = ["| run | input | method | path | frames | seconds | fps |", "|---|---|---|---|---|---|---|"]
    for name, document in zip(names, documents, strict=True):
        for row in document["results"]:
            lines.append(
                f"| `{Path(name).name}` | {row['input']} | {row['method']} | {row['path']} | {row['frames']} | "
                f"{row['seconds']:.1f} | {row['fps']:.1f} |"
            )
    if documents:
        meta = documents[0]["meta"]
        machine = f"{meta['machine']['cpu']} ({meta['machine']['cores']} cores)"
        lines += ["", f"{machine}, {meta['threads']} inference threads"]
    return "\n".join(lines)


def check_container(path: Path) -> Path:
    """Refuse an output name whose extension names no container crispcall writes."""
    if path.suffix.lower() not in CONTAINERS:
        raise InputError(f"cannot write {path}: name a video file {', '.join(CONTAINERS)}")
    return path


def open_video(path: str | Path) -> av.container.InputContainer:
    """Open ``path`` for reading; a clear error when it is missing, unreadable or has no video."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such video file: {path}")
    try:
        container = av.open(str(path))
    except av.FFmpegError as error:
        raise InputError(f"cannot read {path} as a video ({error})") from error
    if not container.streams.video:
        container.close()
        raise InputError(f"{path} has no video stream (audio only?)")
    return container


class ClipWriter:
    """Writes RGB frames to an H.264 file (even sides: odd frames get one replicated row or
    column) under a temporary name, renamed when the ``with`` block ends without an error.
    ``write(frame, seconds)`` places a frame at its time; the default is the next frame slot."""

    def __init__(self, path: str | Path, fps: float, crf: int = 18):
        self.path = check_container(Path(path))
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
    sharpen_i420: I420Sharpener | None = None,
) -> VideoReport:
    """Sharpen every frame of ``src`` into ``dst`` (H.264, yuv420p; the container from
    ``dst``'s extension). ``side_by_side`` puts the input left of the output. With
    ``reference`` (a clean clip of the same frames) PSNR, SSIM and flicker are measured.

    ``sharpen`` takes and gives RGB frames. With ``sharpen_i420`` (the same restorer on
    yuv420p planes), frames that the decoder hands out as limited-range yuv420p of a size it
    fits go through that instead, with no conversion to RGB and back; the report says how many."""
    dst = check_container(Path(dst))
    if dst.resolve() == Path(src).resolve():
        raise InputError("the output would overwrite the input")
    container = open_video(src)
    ref_container = open_video(reference) if reference is not None else None
    report = VideoReport()
    try:
        with written_whole(dst) as partial:
            with av.open(str(partial), "w") as output:
                planes = None if side_by_side else sharpen_i420
                _transcode(container, ref_container, output, sharpen, planes, side_by_side, crf, progress, report)
            if report.frames == 0:
                raise InputError(f"{src} has no decodable video frames (corrupt or truncated?)")
            declared = container.streams.video[0].frames
            if declared > report.frames:
                report.notes.append(
                    f"only {report.frames} of the {declared} frames {src} declares could be decoded (truncated?)"
                )
    except av.FFmpegError as error:
        raise InputError(f"cannot process {src}: {error}") from error
    finally:
        container.close()
        if ref_container is not None:
            ref_container.close()
    return report


def _named_layout(layout: av.AudioLayout) -> av.AudioLayout:
    """``layout``, or the usual one for its channel count when it has no order ("2 channels")."""
    usual = {1: "mono", 2: "stereo", 6: "5.1", 8: "7.1"}.get(layout.nb_channels)
    return av.AudioLayout(usual) if usual and layout.name.endswith("channels") else layout


def _side_streams(container, video_in, output, report: VideoReport) -> dict[int, tuple]:
    """Output streams for the input's streams other than ``video_in``, by input stream index:
    ``(output stream, re_encode)``. Audio and subtitles are copied when ``output``'s container
    can hold their codec; other audio is re-encoded as AAC; the rest is dropped. Each change is
    noted in ``report``."""
    container_name = output.format.name.split(",")[0]
    plan = {}
    for stream in container.streams:
        if stream is video_in:
            continue
        codec = stream.codec_context.name if stream.codec_context else "unknown"
        label = f"{stream.type} stream {stream.index} ({codec})"
        if stream.type in ("audio", "subtitle") and codec in output.supported_codecs:
            copy = output.add_stream_from_template(stream)
            if stream.type == "audio":
                # MP4 refuses PCM counted in Matroska's milliseconds, and channels without a layout.
                copy.time_base = Fraction(1, stream.codec_context.sample_rate)
                copy.codec_context.layout = _named_layout(stream.codec_context.layout)
            plan[stream.index] = (copy, False)
        elif stream.type == "audio":
            aac = output.add_stream("aac", rate=stream.codec_context.sample_rate)
            aac.layout = _named_layout(stream.codec_context.layout)
            plan[stream.index] = (aac, True)
            report.notes.append(f"{label} re-encoded as AAC: {container_name} cannot hold {codec}")
        elif stream.type == "subtitle":
            report.notes.append(f"{label} dropped: {container_name} cannot hold it (.mkv can)")
        else:
            report.notes.append(f"{label} dropped: only the first video stream, audio and subtitles are kept")
    return plan


def _as_i420(frame: av.VideoFrame, sharpen_i420: I420Sharpener | None) -> bool:
    """Whether ``sharpen_i420`` can take this decoded frame's planes as they are: yuv420p in
    limited (video) range, of a size it fits."""
    return (
        sharpen_i420 is not None
        and frame.format.name == "yuv420p"
        and frame.color_range != FULL_RANGE  # which the graph does not map
        and sharpen_i420.fits(frame.height, frame.width)
    )


def _transcode(
    container, ref_container, output, sharpen, sharpen_i420, side_by_side, crf, progress, report: VideoReport
) -> None:
    video_in = container.streams.video[0]
    video_in.thread_type = "AUTO"
    rate = video_in.average_rate or video_in.guessed_rate or 30
    width, height = video_in.codec_context.width, video_in.codec_context.height
    out_width = width * 2 if side_by_side else width
    video_out = output.add_stream("libx264", rate=rate)
    # yuv420p needs even sides: odd frames are padded by one replicated row or column.
    video_out.width, video_out.height = out_width + out_width % 2, height + height % 2
    video_out.pix_fmt = "yuv420p"
    # Every input time stamp is kept (variable frame rate too): the encoder counts in the
    # input's time base, not in 1/rate, where jittered stamps could collide.
    video_out.time_base = video_out.codec_context.time_base = video_in.time_base
    video_out.options = {"crf": str(crf), "preset": "veryfast"}
    rotation = display_rotation(container.name)
    if rotation:
        video_out.set_display_rotation(rotation)
    side = _side_streams(container, video_in, output, report)
    reference_frames = ref_container.decode(video=0) if ref_container is not None else None
    flicker, input_flicker = FlickerMeter(), FlickerMeter()
    total = video_in.frames or None

    def packets() -> Iterator:
        streams = [video_in, *(container.streams[index] for index in side)]
        for packet in container.demux(*streams):
            if packet.stream is not video_in:
                if packet.dts is not None:  # the last, empty packet only flushes
                    yield ("side", packet)
                continue
            for frame in packet.decode():  # the last, empty packet flushes the decoder
                if _as_i420(frame, sharpen_i420):
                    yield ("i420", frame.to_ndarray(format="yuv420p"), frame.pts, frame.time_base)
                else:
                    yield ("video", video_frame_rgb(frame), frame.pts, frame.time_base)

    def restore(item: tuple) -> tuple:
        if item[0] == "side":
            return item
        image = item[1]
        return (*item, sharpen_i420(image) if item[0] == "i420" else sharpen(image))

    bar = tqdm(total=total, unit="frame", desc="sharpening", disable=not progress, dynamic_ncols=True)

    def write(item: tuple) -> None:
        if item[0] == "side":
            packet = item[1]
            stream, re_encode = side[packet.stream.index]
            if re_encode:
                for frame in packet.decode():
                    frame.pts = None  # the encoder counts samples from the stream's start
                    output.mux(stream.encode(frame))
            else:
                packet.stream = stream
                output.mux(packet)
                report.copied_packets += 1
            return
        kind, image, pts, time_base, sharp = item
        if kind == "i420":
            report.i420_frames += 1
            frame = av.VideoFrame.from_ndarray(sharp, format="yuv420p")
            if reference_frames is not None:  # the metrics compare RGB frames
                image, sharp = (i420_to_rgb(planes.ravel(), frame.width, frame.height) for planes in (image, sharp))
        if reference_frames is not None:
            clean = next(reference_frames, None)
            if clean is None:
                raise InputError("the reference clip has fewer frames than the input")
            clean = video_frame_rgb(clean)
            if clean.shape != sharp.shape:
                raise InputError(f"reference frames are {clean.shape[:2]}, the input's {sharp.shape[:2]}")
            report.per_frame.append(psnr_ssim(sharp, clean))
            flicker.update(sharp, clean)
            input_flicker.update(image, clean)
        if kind != "i420":
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
    for stream, re_encode in side.values():
        if re_encode:
            output.mux(stream.encode(None))
    report.seconds = time.perf_counter() - started
    if report.per_frame:
        report.psnr = float(np.mean([p for p, _ in report.per_frame]))
        report.ssim = float(np.mean([s for _, s in report.per_frame]))
        if flicker.steps:
            report.flicker, report.input_flicker = flicker.value, input_flicker.value

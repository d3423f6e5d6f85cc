"""Real video-codec compression through PyAV: libx264 (H.264) and libvpx (VP8).

Images go through as one intra frame; clips as one stream (GOP and no B-frames as a
real-time call encoder would use). Quality is set by CRF or by a target bitrate.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from fractions import Fraction

import av
import numpy as np

from crispcall.degrade.checks import check_choice, check_range, check_rgb
from crispcall.degrade.ops import pad_to_multiple
from crispcall.degrade.yuv import video_frame_rgb
from crispcall.errors import InputError

ENCODERS = {"h264": "libx264", "vp8": "libvpx"}
DECODERS = {"h264": "h264", "vp8": "vp8"}
CRF_RANGES = {"h264": (0, 51), "vp8": (4, 63)}
# With a pinned quantizer the bitrate only caps the frame size; make it non-binding.
VP8_RATE_CEILING = 50_000_000


def _encoder(
    codec: str, width: int, height: int, crf: int | None, bitrate: int | None, gop: int, fps: int
) -> av.VideoCodecContext:
    check_choice(codec, "codec", tuple(ENCODERS))
    if (crf is None) == (bitrate is None):
        raise InputError("give exactly one of crf or bitrate")
    enc = av.CodecContext.create(ENCODERS[codec], "w")
    enc.width, enc.height = width, height
    enc.pix_fmt = "yuv420p"
    enc.time_base = Fraction(1, fps)
    enc.framerate = Fraction(fps, 1)
    enc.gop_size = gop
    enc.max_b_frames = 0
    enc.thread_count = 1  # one thread keeps the bitstream identical from run to run
    # libx264 keeps its defaults (preset medium), as BENCHMARK.md names no preset; libvpx
    # runs as WebRTC runs it: realtime deadline, no frame lag.
    options: dict[str, str] = {}
    if codec == "vp8":
        options.update({"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"})
    if crf is not None:
        low, high = CRF_RANGES[codec]
        check_range(crf, "crf", low, high)
        if codec == "vp8":
            # libvpx's constrained-quality mode does not bind on short clips (every CRF gave the
            # same frame), so VP8 "CRF" pins the quantizer instead, on libvpx's 4-63 scale.
            options.update({"qmin": str(int(crf)), "qmax": str(int(crf))})
            enc.bit_rate = VP8_RATE_CEILING
        else:
            options["crf"] = str(int(crf))
    else:
        check_range(bitrate, "bitrate", 10_000, 100_000_000)
        enc.bit_rate = int(bitrate)
    enc.options = options
    enc.open()
    return enc


def encode_decode_frames(
    frames: Iterable[np.ndarray],
    codec: str = "h264",
    crf: int | None = 30,
    bitrate: int | None = None,
    gop: int = 60,
    fps: int = 30,
) -> Iterator[np.ndarray]:
    """Encode ``frames`` as one stream and yield the decoded RGB frames, in order. PyAV converts
    each frame to yuv420p for the encoder (its luma as exact as OpenCV's) and the decoded
    planes go back to RGB through :func:`~crispcall.degrade.yuv.video_frame_rgb`, so the round
    trip keeps a frame's level as a codec does.

    Args:
        frames: RGB uint8 frames of one size.
        codec: ``"h264"`` (libx264) or ``"vp8"`` (libvpx).
        crf: H.264 constant rate factor (0-51) or VP8 fixed quantizer (4-63); or None with ``bitrate``.
        bitrate: target bits per second; or None with ``crf``.
        gop: distance between key frames; 1 makes every frame intra.
        fps: nominal frame rate, which sets the bitrate budget per frame.
    """
    check_range(gop, "gop", 1, 10_000)
    check_range(fps, "fps", 1, 1000)
    iterator = iter(frames)
    first = next(iterator, None)
    if first is None:
        return
    check_rgb(first, "frames[0]")
    height, width = first.shape[:2]
    padded_h, padded_w = height + height % 2, width + width % 2
    enc = _encoder(codec, padded_w, padded_h, crf, bitrate, gop, fps)
    dec = av.CodecContext.create(DECODERS[codec], "r")
    dec.thread_count = 1

    def decode(packets: Sequence[av.Packet]) -> Iterator[np.ndarray]:
        for packet in packets:
            for frame in dec.decode(packet):
                yield video_frame_rgb(frame)[:height, :width]

    def encode(frame: np.ndarray | None, index: int) -> list[av.Packet]:
        if frame is None:
            return enc.encode(None)
        check_rgb(frame, f"frames[{index}]")
        if frame.shape[:2] != (height, width):
            raise InputError(f"frames[{index}] has size {frame.shape[:2]}, expected {(height, width)}")
        # yuv420p needs even sides: replicate the last row or column where one is odd.
        video_frame = av.VideoFrame.from_ndarray(pad_to_multiple(frame, 2, "edge"), format="rgb24")
        video_frame = video_frame.reformat(format="yuv420p")
        video_frame.pts = index
        return enc.encode(video_frame)

    index = 0
    frame: np.ndarray | None = first
    while frame is not None:
        yield from decode(encode(frame, index))
        index += 1
        frame = next(iterator, None)
    yield from decode(encode(None, index))
    for decoded in dec.decode(None):
        yield video_frame_rgb(decoded)[:height, :width]


def encode_decode_image(
    image: np.ndarray, codec: str = "h264", crf: int | None = 30, bitrate: int | None = None
) -> np.ndarray:
    """Compress one image as a single intra frame and return the decoded frame."""
    check_rgb(image)
    (decoded,) = list(encode_decode_frames([image], codec, crf, bitrate, gop=1))
    return decoded

"""VMAF and VMAF-NEG of a restored clip against its clean original.

Computed by the ``libvmaf`` filter of the ffmpeg that the ``imageio-ffmpeg`` wheel bundles
(Debian's ffmpeg has no libvmaf), with libvmaf's built-in ``vmaf_v0.6.1`` model and its
``vmaf_v0.6.1neg`` twin, which does not reward plain sharpening ("no enhancement gain"). Frames
go to ffmpeg as raw RGB files and are converted to 4:2:0 YUV there, as a codec would see them.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

import numpy as np

from crispcall.degrade.checks import check_rgb
from crispcall.errors import InputError, Unavailable

MODELS = {"vmaf": "vmaf_v0.6.1", "vmaf_neg": "vmaf_v0.6.1neg"}


def ffmpeg_with_vmaf() -> str:
    """The path of imageio-ffmpeg's ffmpeg (the ``vmaf`` extra)."""
    try:
        import imageio_ffmpeg
    except ImportError as error:
        raise Unavailable("VMAF needs the vmaf extra: pip install 'crispcall[vmaf]'") from error
    return imageio_ffmpeg.get_ffmpeg_exe()


class VmafClip:
    """A restored clip and its original, frame pairs streamed to raw files as they come (a long
    clip is never held in memory); :meth:`scores` runs libvmaf once over them. Use it in a
    ``with`` block, which removes the files."""

    def __init__(self, threads: int = 2):
        self.threads, self.count, self.size = threads, 0, None
        self._stack = ExitStack()
        self.folder = Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix="crispcall-vmaf-")))
        names = ("distorted.rgb", "reference.rgb")
        self._files = [self._stack.enter_context(open(self.folder / name, "wb")) for name in names]  # noqa: SIM115

    def __enter__(self) -> VmafClip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove the frame files (closing twice is harmless)."""
        self._stack.close()

    def add(self, distorted: np.ndarray, reference: np.ndarray) -> None:
        """One frame of each clip (RGB uint8, one size for the whole clip; an odd side loses its
        last row or column, as 4:2:0 needs)."""
        if distorted.shape != reference.shape or (self.size is not None and reference.shape != self.size):
            raise InputError("VMAF needs every frame of both clips at one size")
        self.size = reference.shape
        height, width = (side - side % 2 for side in reference.shape[:2])
        if height < 2 or width < 2:
            raise InputError(f"frames of {reference.shape[1]}x{reference.shape[0]} are too small for VMAF")
        for handle, frame in zip(self._files, (distorted, reference), strict=True):
            handle.write(np.ascontiguousarray(check_rgb(frame)[:height, :width]).tobytes())
        self.count += 1

    def scores(self) -> dict[str, float]:
        """Mean VMAF and VMAF-NEG over the frames added."""
        if not self.count:
            raise InputError("VMAF needs at least one frame")
        for handle in self._files:
            handle.flush()
        height, width = (side - side % 2 for side in self.size[:2])
        models = "|".join(f"version={version}\\:name={name}" for name, version in MODELS.items())
        raw = ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-i"]
        log = self.folder / "vmaf.json"
        graph = (
            "[0:v]format=yuv420p[d];[1:v]format=yuv420p[r];"
            f"[d][r]libvmaf=model='{models}':log_fmt=json:log_path={log}:n_threads={self.threads}"
        )
        command = [ffmpeg_with_vmaf(), "-hide_banner", "-loglevel", "error"]
        command += [*raw, str(self.folder / "distorted.rgb"), *raw, str(self.folder / "reference.rgb")]
        command += ["-lavfi", graph, "-f", "null", "-"]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"ffmpeg's libvmaf failed: {result.stderr.strip()[-300:]}")
        pooled = json.loads(log.read_text())["pooled_metrics"]
        return {name: float(pooled[name]["mean"]) for name in MODELS}


def vmaf(distorted: Sequence[np.ndarray], reference: Sequence[np.ndarray], threads: int = 2) -> dict[str, float]:
    """Mean VMAF and VMAF-NEG over the frames of ``distorted`` against ``reference`` (RGB uint8
    frames of one size, in order; an odd side loses its last row or column, as 4:2:0 needs)."""
    if not distorted or len(distorted) != len(reference):
        raise InputError(f"VMAF needs clips of the same, non-zero length; got {len(distorted)} and {len(reference)}")
    with VmafClip(threads) as clip:
        for frame, original in zip(distorted, reference, strict=True):
            clip.add(frame, original)
        return clip.scores()

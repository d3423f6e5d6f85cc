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


def _raw(frames: Sequence[np.ndarray], path: Path, height: int, width: int) -> None:
    with open(path, "wb") as handle:
        for frame in frames:
            handle.write(np.ascontiguousarray(check_rgb(frame)[:height, :width]).tobytes())


def vmaf(distorted: Sequence[np.ndarray], reference: Sequence[np.ndarray], threads: int = 2) -> dict[str, float]:
    """Mean VMAF and VMAF-NEG over the frames of ``distorted`` against ``reference`` (RGB uint8
    frames of one size, in order; an odd side loses its last row or column, as 4:2:0 needs)."""
    if not distorted or len(distorted) != len(reference):
        raise InputError(f"VMAF needs clips of the same, non-zero length; got {len(distorted)} and {len(reference)}")
    height, width = (side - side % 2 for side in reference[0].shape[:2])
    if any(f.shape != reference[0].shape for f in [*distorted, *reference]):
        raise InputError("VMAF needs every frame of both clips at one size")
    if height < 2 or width < 2:
        raise InputError(f"frames of {reference[0].shape[1]}x{reference[0].shape[0]} are too small for VMAF")
    models = "|".join(f"version={version}\\:name={name}" for name, version in MODELS.items())
    with tempfile.TemporaryDirectory(prefix="crispcall-vmaf-") as scratch:
        folder = Path(scratch)
        _raw(distorted, folder / "distorted.rgb", height, width)
        _raw(reference, folder / "reference.rgb", height, width)
        raw = ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-i"]
        graph = (
            "[0:v]format=yuv420p[d];[1:v]format=yuv420p[r];"
            f"[d][r]libvmaf=model='{models}':log_fmt=json:log_path={folder / 'vmaf.json'}:n_threads={threads}"
        )
        command = [ffmpeg_with_vmaf(), "-hide_banner", "-loglevel", "error"]
        command += [*raw, str(folder / "distorted.rgb"), *raw, str(folder / "reference.rgb")]
        command += ["-lavfi", graph, "-f", "null", "-"]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"ffmpeg's libvmaf failed: {result.stderr.strip()[-300:]}")
        pooled = json.loads((folder / "vmaf.json").read_text())["pooled_metrics"]
    return {name: float(pooled[name]["mean"]) for name in MODELS}

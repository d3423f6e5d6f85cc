"""``crispcall export``: a trained weights file to the file the runtime runs, in one call.

Routes by format (ONNX or TFLite) and precision (FP32 or INT8, calibrated on training frames
only), and says how the written file was checked.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from crispcall.errors import InputError
from crispcall.paths import test_data_dir, train_dir


@dataclass
class Exported:
    """What :func:`export_checkpoint` wrote: the file, how it was checked, the network's size."""

    path: Path
    check: str
    parameters: int
    macs_1080p: float


def calibration_sets(roots: Sequence[Path], count: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """INT8 calibration frames and separate check frames, from training folders only."""
    from crispcall.data.folders import check_no_overlap
    from crispcall.quant.ptq import calibration_frames

    check_no_overlap(roots, [d for d in [test_data_dir()] if d])
    return calibration_frames(roots, count, seed=0), calibration_frames(roots, 8, seed=1)


def export_checkpoint(
    checkpoint: Path,
    out: Path,
    fmt: str = "onnx",
    int8: bool = False,
    calibration: Sequence[Path] = (),
    count: int = 64,
    size: tuple[int, int] = (1920, 1080),
    generic_io: bool = False,
    i420: bool = False,
) -> Exported:
    """Export the network in ``checkpoint`` (a student is fused first) to ``out``: ONNX or
    TFLite (``fmt``; TFLite at a fixed ``size``, width x height), FP32 or ``int8`` (calibrated
    on ``count`` frames of the ``calibration`` training folders, ``$CRISPCALL_TRAIN`` by
    default). ``generic_io`` exports the plain NCHW wrapper instead of the frame graph; ``i420``
    the graph on a decoded frame's planes (:mod:`crispcall.export.i420`, ONNX, FP32 or INT8)."""
    from crispcall.export.onnx import export_onnx
    from crispcall.models.complexity import parameter_count
    from crispcall.models.io import load_network
    from crispcall.models.student import Student
    from crispcall.runtime.backends import load_backend, onnx_metadata
    from crispcall.runtime.metadata import MACS_KEY

    if out.suffix != f".{fmt}":
        raise InputError(f"--out {out} should end in .{fmt} for --format {fmt}")
    if i420 and (fmt != "onnx" or generic_io):
        raise InputError("--i420 writes an ONNX graph: leave out --generic-io and --format tflite")
    if int8 and not calibration and not train_dir().is_dir():
        raise InputError(f"no training folder for INT8 calibration: {train_dir()} (pass --calibration)")
    model = load_network(checkpoint)
    if isinstance(model, Student):
        model.fuse()  # inference runs the collapsed, plain convolutions
    frames, check = calibration_sets(list(calibration) or [train_dir()], count) if int8 else ([], [])
    if fmt == "tflite":
        from crispcall.export.tflite import export_tflite

        path, figure = export_tflite(model, out, (size[1], size[0]), frames)
        checked = f"{figure:.1f} dB PSNR against PyTorch" if int8 else f"{figure:.2%} of values within 1/255"
    elif int8:
        from crispcall.export.i420 import export_i420
        from crispcall.quant.ptq import frame_feeds, quantize_onnx
        from crispcall.runtime.i420 import same_size_feeds

        with tempfile.TemporaryDirectory() as scratch:
            if i420:
                fp32, feeds = export_i420(model, Path(scratch) / "fp32.onnx", to_quantize=True), same_size_feeds
            else:
                fp32, feeds = export_onnx(model, Path(scratch) / "fp32.onnx", to_quantize=True), frame_feeds
            figure = quantize_onnx(fp32, out, frames, check, feeds)
        path, checked = out, f"{figure:.1f} dB PSNR against the FP32 graph" + (" (luma)" if i420 else "")
    elif i420:
        from crispcall.export.i420 import export_i420

        path, checked = export_i420(model, out), "verified against PyTorch"
    else:
        path, checked = export_onnx(model, out, generic=generic_io), "verified against PyTorch"
    # The MACs the written file states (counted once, at export), not a second count.
    stated = float(onnx_metadata(path)[MACS_KEY]) if i420 else load_backend(path, threads=1).macs_per_pixel
    macs = stated * 1920 * 1080
    return Exported(Path(path), checked, parameter_count(model), macs)

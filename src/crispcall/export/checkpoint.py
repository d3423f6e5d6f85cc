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
    graph: str = "frame",
    self_ensemble: bool = False,
) -> Exported:
    """Export the network in ``checkpoint`` (a student is fused first) to ``out``: ONNX or
    TFLite (``fmt``; TFLite at a fixed ``size``, width x height), FP32 or ``int8`` (calibrated
    on ``count`` frames of the ``calibration`` training folders, ``$CRISPCALL_TRAIN`` by
    default). ``generic_io`` exports the plain NCHW wrapper instead of the frame graph.
    ``graph``: ``frame`` (RGB frames in and out), ``i420`` (a decoded frame's planes:
    :mod:`crispcall.export.i420`) or ``luma`` (the network alone: :mod:`crispcall.export.luma`);
    the last two ONNX only, FP32 or INT8. ``self_ensemble`` writes the network averaged over the 8
    flips and rotations of its input (:class:`SelfEnsemble`; FP32 ONNX frame graph only): eight
    times the work, for a teacher whose outputs are targets or scores, not for a call."""
    from crispcall.export.i420 import export_i420
    from crispcall.export.luma import export_luma
    from crispcall.export.onnx import export_onnx
    from crispcall.models.blocks import SelfEnsemble
    from crispcall.models.complexity import parameter_count
    from crispcall.models.io import load_network
    from crispcall.models.student import Student
    from crispcall.quant.ptq import frame_feeds
    from crispcall.runtime.backends import load_backend, onnx_metadata
    from crispcall.runtime.i420 import same_size_feeds
    from crispcall.runtime.luma import luma_feeds
    from crispcall.runtime.metadata import MACS_KEY

    exporters = {
        "frame": (export_onnx, frame_feeds),
        "i420": (export_i420, same_size_feeds),
        "luma": (export_luma, luma_feeds),
    }
    if graph not in exporters:
        raise InputError(f"graph must be one of {', '.join(exporters)}; got {graph!r}")
    if out.suffix != f".{fmt}":
        raise InputError(f"--out {out} should end in .{fmt} for --format {fmt}")
    if graph != "frame" and (fmt != "onnx" or generic_io):
        raise InputError(f"--{graph} writes an ONNX graph: leave out --generic-io and --format tflite")
    if self_ensemble and (int8 or fmt != "onnx" or graph != "frame"):
        raise InputError("--self-ensemble writes an FP32 ONNX frame graph: leave out --int8, --i420, --luma and TFLite")
    if int8 and not calibration and not train_dir().is_dir():
        raise InputError(f"no training folder for INT8 calibration: {train_dir()} (pass --calibration)")
    model = load_network(checkpoint)
    if isinstance(model, Student):
        model.fuse()  # inference runs the collapsed, plain convolutions
    if self_ensemble:
        model = SelfEnsemble(model)
    frames, check = calibration_sets(list(calibration) or [train_dir()], count) if int8 else ([], [])
    if fmt == "tflite":
        from crispcall.export.tflite import export_tflite

        path, figure = export_tflite(model, out, (size[1], size[0]), frames)
        checked = f"{figure:.1f} dB PSNR against PyTorch" if int8 else f"{figure:.2%} of values within 1/255"
    elif int8:
        from crispcall.quant.ptq import quantize_onnx

        export, feeds = exporters[graph]
        with tempfile.TemporaryDirectory() as scratch:
            fp32 = export(model, Path(scratch) / "fp32.onnx", to_quantize=True)
            figure = quantize_onnx(fp32, out, frames, check, feeds)
        on = {"frame": "", "i420": " (luma)", "luma": " (the correction)"}[graph]
        path, checked = out, f"{figure:.1f} dB PSNR against the FP32 graph{on}"
    elif graph == "frame":
        path, checked = export_onnx(model, out, generic=generic_io), "verified against PyTorch"
    else:
        path, checked = exporters[graph][0](model, out), "verified against PyTorch"
    # The MACs the written file states (counted once, at export), not a second count.
    stated = load_backend(path, threads=1).macs_per_pixel if fmt == "tflite" else float(onnx_metadata(path)[MACS_KEY])
    macs = stated * 1920 * 1080
    return Exported(Path(path), checked, parameter_count(model), macs)

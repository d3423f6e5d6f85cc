"""TFLite export through litert-torch, FP32 or INT8, verified in the LiteRT interpreter.

litert-torch exports static shapes, so a ``.tflite`` file runs frames of one size (the
runtime tiles other sizes to it, :class:`crispcall.runtime.Sharpener`). The size multiple
and receptive radius go into a JSON file beside it, since the flatbuffer does not carry them.
INT8 uses litert-torch's PT2E quantizer (per-channel symmetric int8 weights, per-tensor
activations) calibrated on the same training frames as the ONNX INT8 graph.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn

from crispcall.errors import CheckFailed, InputError
from crispcall.export.onnx import MATCH_SHARE, FrameIO, frame_metadata, run_frame, size_multiple
from crispcall.files import written_whole
from crispcall.metrics.quality import agreement_psnr, share_within
from crispcall.quant import MIN_AGREEMENT_DB
from crispcall.runtime.backends import load_backend, tflite_sidecar
from crispcall.runtime.metadata import PRECISION_KEY


def export_tflite(
    model: nn.Module,
    path: str | Path,
    size: tuple[int, int],
    calibration: Sequence[np.ndarray] = (),
    check: np.ndarray | None = None,
) -> tuple[Path, float]:
    """Write ``model`` as a TFLite graph on uint8 NHWC frames of ``size`` (height, width);
    INT8 when ``calibration`` frames are given. Verified by running the file on ``check``
    (default: a synthetic frame of that size) against PyTorch's FP32 output: FP32 must match
    :data:`MATCH_SHARE` of values to within 1/255, INT8 must reach
    :data:`crispcall.quant.MIN_AGREEMENT_DB`.
    Returns the path and the figure checked (share, or PSNR in dB)."""
    import litert_torch

    from crispcall.data.scene import synthetic_frame

    path = Path(path)
    height, width = size
    multiple = size_multiple(model)
    if height % multiple or width % multiple:
        raise InputError(f"size {width}x{height} must divide by the network's side multiple {multiple}")
    model = model.eval()
    wrapped = FrameIO(model).eval()
    check = synthetic_frame(width, height) if check is None else check
    if check.shape != (height, width, 3):
        raise InputError(f"check frame must be {height}x{width}x3, got {check.shape}")
    example = (torch.from_numpy(check)[None],)
    if calibration:
        edge_model = _quantized(wrapped, example, calibration, litert_torch)
    else:
        edge_model = litert_torch.convert(wrapped, example)
    with written_whole(path) as partial:
        edge_model.export(str(partial))
        got = load_backend(partial, "tflite", threads=2).run(check[None])[0]
        expected = run_frame(wrapped, check)
        if calibration:
            figure = agreement_psnr([got], [expected])
            if figure < MIN_AGREEMENT_DB:
                raise CheckFailed(f"INT8 TFLite agrees with PyTorch to only {figure:.1f} dB (< {MIN_AGREEMENT_DB})")
        else:
            figure = share_within(got, expected)
            if figure < MATCH_SHARE:
                raise CheckFailed(f"TFLite export: only {figure:.1%} of values within 1/255 of PyTorch")
        metadata = {**frame_metadata(model), **({PRECISION_KEY: "int8"} if calibration else {})}
        with written_whole(tflite_sidecar(path)) as sidecar:
            sidecar.write_text(json.dumps(metadata) + "\n")
    return path, figure


def _quantized(wrapped: FrameIO, example: tuple[torch.Tensor], calibration: Sequence[np.ndarray], litert_torch):
    """PT2E static INT8 of ``wrapped``, calibrated on ``calibration`` frames (cropped or tiled
    to the example's size)."""
    from litert_torch.quantize.pt2e_quantizer import PT2EQuantizer, get_symmetric_quantization_config
    from litert_torch.quantize.quant_config import QuantConfig
    from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e

    height, width = example[0].shape[1:3]
    quantizer = PT2EQuantizer().set_global(get_symmetric_quantization_config(is_per_channel=True))
    prepared = prepare_pt2e(torch.export.export(wrapped, example).module(), quantizer)
    for frame in calibration:
        reps = (-(-height // frame.shape[0]), -(-width // frame.shape[1]), 1)
        tiled = np.ascontiguousarray(np.tile(frame, reps)[:height, :width])
        prepared(torch.from_numpy(tiled)[None])
    converted = convert_pt2e(prepared, fold_quantize=False)
    return litert_torch.convert(converted, example, quant_config=QuantConfig(pt2e_quantizer=quantizer))

"""``crispcall export``: trained weights to ONNX or TFLite, FP32 or INT8."""

from __future__ import annotations

import argparse
from pathlib import Path

from crispcall.cli.options import add_command, bounded, existing_dir, needs_extra, output


def register(sub) -> None:
    parser = add_command(
        sub,
        "export",
        "export trained weights to ONNX or TFLite, FP32 or INT8",
        "Export a trained network (the .pt that crispcall train writes; a student is fused first) as a graph on "
        "RGB uint8 frames (1 x H x W x 3), and check the written file by running it: FP32 against PyTorch (99% of "
        "values within 1/255), INT8 against FP32 (PSNR above 45 dB). ONNX: opset 17, dynamic height and width, "
        "simplified with onnxslim; INT8 is ONNX Runtime's static QDQ quantization (per-channel 7-bit weights, "
        "uint8 activations) calibrated on degraded training frames. TFLite (litert-torch; the tflite extra): a "
        "fixed frame size (--size; the runtime tiles other sizes to it); INT8 by litert-torch's PT2E quantizer "
        "on the same calibration frames. A failed export leaves no file.",
        [
            "crispcall export --checkpoint weights/student.pt --out weights/student.onnx",
            "crispcall export --checkpoint runs/student-qat/student.pt --out weights/student-int8.onnx --int8",
            "crispcall export --checkpoint weights/student.pt --out weights/student.tflite --format tflite",
            "crispcall export --checkpoint weights/student.pt --out weights/student-i420.onnx --i420",
            "crispcall export --checkpoint weights/student-qat.pt --out weights/student-int8-i420.onnx --i420 --int8",
            "crispcall export --checkpoint weights/student-qat.pt --out weights/student-int8-luma.onnx --luma --int8",
            "crispcall export --checkpoint weights/teacher-x3.pt --out weights/teacher-x3.onnx --self-ensemble",
        ],
    )
    parser.add_argument("--checkpoint", type=Path, required=True, help="weights written by crispcall train")
    parser.add_argument("--out", type=output(), required=True, help="file to write (.onnx or .tflite)")
    parser.add_argument("--format", choices=["onnx", "tflite"], default="onnx", help="(default: %(default)s)")
    parser.add_argument("--int8", action="store_true", help="quantize to INT8 (calibrated on training frames)")
    parser.add_argument(
        "--calibration",
        nargs="+",
        type=existing_dir,
        default=[],
        help="training folders for INT8 calibration (default: $CRISPCALL_TRAIN or ../shared/data/train)",
    )
    parser.add_argument("--count", type=bounded(int, 1), default=64, help="calibration frames (default: %(default)s)")
    parser.add_argument(
        "--generic-io",
        action="store_true",
        help="FP32 ONNX through the plain NCHW wrapper instead of the student's frame graph (to measure it)",
    )
    graph = parser.add_mutually_exclusive_group()
    graph.add_argument(
        "--i420",
        action="store_true",
        help="ONNX of a luma student on a decoded frame's I420 planes, upscaled to a display size in the graph "
        "(the browser's and crispcall video's frame path; crispcall.export.i420); with --int8, quantized",
    )
    graph.add_argument(
        "--luma",
        action="store_true",
        help="ONNX of a luma student's network alone: uint8 luma in, the correction out offset by 128 "
        "(crispcall.runtime.luma); written as <stem>-luma.onnx beside a frame graph, the runtime runs it with "
        "OpenCV doing the colour work; with --int8, quantized",
    )
    parser.add_argument(
        "--self-ensemble",
        action="store_true",
        help="FP32 ONNX of the network averaged over the 8 flips and rotations of its input: eight times the work, "
        "for a teacher (the x3 twin ships so)",
    )
    parser.add_argument(
        "--size", default="1920x1080", help="TFLite frame size WxH, multiples of 4 (default: %(default)s)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    from crispcall.bench.runner import parse_size

    with needs_extra("train"):
        from crispcall.export.checkpoint import export_checkpoint

    exported = export_checkpoint(
        args.checkpoint, args.out, args.format, args.int8, args.calibration, args.count, parse_size(args.size),
        args.generic_io, "i420" if args.i420 else "luma" if args.luma else "frame", args.self_ensemble,
    )  # fmt: skip
    print(f"wrote {exported.path} ({exported.path.stat().st_size:,} bytes), {exported.check}")
    print(f"parameters: {exported.parameters:,}; MACs per 1920x1080 frame: {exported.macs_1080p / 1e9:.1f} G")

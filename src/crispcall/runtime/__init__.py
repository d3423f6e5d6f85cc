"""Inference without PyTorch: exported models on ONNX Runtime, OpenVINO or TFLite."""

from crispcall.runtime.backends import BACKENDS, load_backend
from crispcall.runtime.sharpener import Sharpener, check_frame, sharpen_pil, to_rgb

__all__ = ["BACKENDS", "Sharpener", "check_frame", "load_backend", "sharpen_pil", "to_rgb"]

"""Exports of our networks for the runtime (ONNX now; TFLite and INT8 follow)."""

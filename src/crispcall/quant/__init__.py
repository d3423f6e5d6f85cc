"""INT8: post-training calibration and quantization-aware training, both ending in an ONNX
QDQ graph that ONNX Runtime runs with integer kernels."""

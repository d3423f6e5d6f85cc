"""INT8: post-training calibration and quantization-aware training, both ending in an ONNX
QDQ graph that ONNX Runtime runs with integer kernels."""

# Every INT8 file (ONNX or TFLite) must agree with its FP32 source to this PSNR (dB).
MIN_AGREEMENT_DB = 45.0

"""INT8: post-training calibration and quantization-aware training, both ending in an ONNX
QDQ graph that ONNX Runtime runs with integer kernels."""

# Every INT8 file (ONNX or TFLite) must agree with its FP32 source to this PSNR (dB).
MIN_AGREEMENT_DB = 45.0

# Weights are rounded to [-64, 64] (7 bits), ONNX Runtime's ``reduce_range``: without VNNI, x86
# CPUs multiply uint8 activations by int8 weights with ``vpmaddubsw``, which adds two products
# into a saturating int16. 255 x 64 x 2 = 32,640 fits, so every CPU (and the browser's WASM
# kernels) computes the same sums; full 8-bit weights (255 x 127 x 2) overflow on those CPUs.
WEIGHT_QMAX = 64

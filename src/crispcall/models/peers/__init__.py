"""PyTorch definitions of the peer super-resolution networks, written to load the published
weights in ``shared/peers`` (one file per family). Used only to export them to ONNX; inference
runs the export under ONNX Runtime, like our own models."""

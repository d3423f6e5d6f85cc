"""What an exported model file states about itself, read by :mod:`crispcall.runtime`
(no PyTorch needed to read it)."""

SIZE_MULTIPLE_KEY = "crispcall.size_multiple"  # the sides the network needs (pixel-unshuffle factor)
RADIUS_KEY = "crispcall.receptive_radius"  # input pixels an output pixel sees; tiles overlap by it
MACS_KEY = "crispcall.macs_per_input_pixel"  # convolution multiply-accumulates per input pixel, at 1080p
PRECISION_KEY = "crispcall.precision"  # "int8" for a quantized graph; absent: fp32
SCALE_KEY = "crispcall.scale"  # output side over input side: 2 for a network on the received frame; absent: 1

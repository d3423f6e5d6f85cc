"""What an exported model file states about itself, read by :mod:`crispcall.runtime`
(no PyTorch needed to read it)."""

SIZE_MULTIPLE_KEY = "crispcall.size_multiple"  # the sides the network needs (pixel-unshuffle factor)
RADIUS_KEY = "crispcall.receptive_radius"  # input pixels an output pixel sees; tiles overlap by it

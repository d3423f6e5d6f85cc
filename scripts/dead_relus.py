"""Share of each ReLU's channels that never fire (dead) on a batch of training inputs, for
luma student checkpoints: the diagnosis of session 19's stalled runs (docs/models/student.md).

A channel is dead when its ReLU output is 0 at every pixel of every input: no gradient reaches
its weights any more, so it never comes back.
Usage: python scripts/dead_relus.py CACHE CHECKPOINT [CHECKPOINT ...]
"""

import sys

import torch
import torch.nn.functional as F

from crispcall.data.cache import read_cache
from crispcall.models.student import BT601, Student, activation
from crispcall.train.loop import as_played, to_tensor


def training_inputs(cache: str, count: int = 32) -> torch.Tensor:
    """The first ``count`` degraded frames of a pair cache, as the student sees them."""
    degraded, clean, _ = read_cache(cache)
    return to_tensor(as_played(degraded[:count], clean.shape[1]), torch.device("cpu"))


def dead_channels(model: Student, frames: torch.Tensor) -> dict[str, torch.Tensor]:
    """For the head's ReLU (none with a linear head) and each block's inner ReLU, a mask of the
    channels that never fire on ``frames`` (for a leaky network: that are never positive)."""
    luma = (frames * frames.new_tensor(BT601).view(1, 3, 1, 1)).sum(1, keepdim=True)
    masks = {}
    with torch.no_grad():
        out = model.head(F.pixel_unshuffle(luma, model.unshuffle))
        if not model.linear_head:
            masks["head"] = out.amax(dim=(0, 2, 3)) <= 0
            out = activation(out, model.negative_slope)
        for index, block in enumerate(model.body):
            masks[f"block{index + 1}"] = block.conv1(out).amax(dim=(0, 2, 3)) <= 0
            out = block(out)
    return masks


def main(cache: str, checkpoints: list[str]) -> None:
    frames = training_inputs(cache)
    for path in checkpoints:
        state = torch.load(path, map_location="cpu", weights_only=False)
        model = Student(**state["config"]["model"]).eval()
        model.load_state_dict(state["model"])
        masks = dead_channels(model, frames)
        shares = ", ".join(f"{name} {float(mask.float().mean()):.0%}" for name, mask in masks.items())
        print(f"{path} (step {state.get('step', 'final')}): {shares}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])

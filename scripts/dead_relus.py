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


def dead_shares(model: Student, frames: torch.Tensor) -> dict[str, float]:
    """For the head's and each block's inner ReLU, the share of channels that never fire on
    ``frames`` (for a leaky network: that are never positive)."""
    luma = (frames * frames.new_tensor(BT601).view(1, 3, 1, 1)).sum(1, keepdim=True)
    shares = {}
    with torch.no_grad():
        out = model.head(F.pixel_unshuffle(luma, model.unshuffle))
        shares["head"] = float((out.amax(dim=(0, 2, 3)) <= 0).float().mean())
        out = activation(out, model.negative_slope)
        for index, block in enumerate(model.body):
            inner = block.conv1(out)
            shares[f"block{index + 1}"] = float((inner.amax(dim=(0, 2, 3)) <= 0).float().mean())
            out = block(out)
    return shares


def main(cache: str, checkpoints: list[str]) -> None:
    degraded, clean, _ = read_cache(cache)
    frames = to_tensor(as_played(degraded[:32], clean.shape[1]), torch.device("cpu"))
    for path in checkpoints:
        state = torch.load(path, map_location="cpu", weights_only=False)
        model = Student(**state["config"]["model"]).eval()
        model.load_state_dict(state["model"])
        shares = dead_shares(model, frames)
        print(f"{path} (step {state.get('step', 'final')}): " + ", ".join(f"{k} {v:.0%}" for k, v in shares.items()))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])

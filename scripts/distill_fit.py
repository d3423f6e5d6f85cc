"""Where the taught arm's error comes from: on training pairs, how far each arm of a distillation
ablation lies from the ground truth and from the teacher's targets, and the two arms' outputs
averaged (session 47, issue 15).

Each figure is one PSNR over the luma of every sampled patch pooled (flat patches make a
per-patch mean infinite). If the taught arm's deviation from the teacher were independent of the
teacher's own error, its squared error to the ground truth would be the sum of the two.
Usage: python scripts/distill_fit.py OUT.json TWIN TAUGHT CACHE:RESPONSES [CACHE:RESPONSES ...]
"""

import json
import sys

import numpy as np
import torch

from crispcall.data.cache import read_cache
from crispcall.distill.responses import read_responses
from crispcall.metrics.quality import luma
from crispcall.models.io import load_network
from crispcall.sysinfo import run_meta
from crispcall.train.loop import as_played, evenly_spaced, to_tensor

SAMPLES = 200


def pooled_psnr(a: np.ndarray, b: np.ndarray) -> float:
    """PSNR of the luma of N x H x W x 3 uint8 images ``a`` against ``b``, their squared errors pooled."""
    stacked = [luma(images.reshape(-1, *images.shape[2:])) for images in (a, b)]
    return float(10.0 * np.log10(255.0**2 / np.mean((stacked[0] - stacked[1]) ** 2)))


def as_uint8(images: np.ndarray) -> np.ndarray:
    """N x H x W x 3 float images in [0, 1] (beyond it clipped) as uint8, rounded half up."""
    return (np.clip(images, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


@torch.no_grad()
def restored(model: torch.nn.Module, inputs: torch.Tensor) -> np.ndarray:
    return as_uint8(model(inputs).permute(0, 2, 3, 1).numpy())


def fit(twin: torch.nn.Module, taught: torch.nn.Module, cache: str, responses: str) -> dict[str, float]:
    degraded, clean, _ = read_cache(cache)
    pick = evenly_spaced(len(clean), SAMPLES)
    clean = clean[pick]
    played = as_played(degraded[pick], clean.shape[1])
    inputs = to_tensor(played, torch.device("cpu"))
    teacher = as_uint8(read_responses(responses)[pick].astype(np.float32).transpose(0, 2, 3, 1))
    arms = {"twin": restored(twin, inputs), "taught": restored(taught, inputs)}
    scores = {"input": pooled_psnr(played, clean)}
    scores["teacher"] = pooled_psnr(teacher, clean)
    for name, out in arms.items():
        scores[name] = pooled_psnr(out, clean)
        scores[f"{name}_to_teacher"] = pooled_psnr(out, teacher)
    # The taught arm's score if its deviation from the teacher were independent of the teacher's error.
    summed = sum(10.0 ** (-scores[key] / 10.0) for key in ("teacher", "taught_to_teacher"))
    scores["taught_if_errors_add"] = float(-10.0 * np.log10(summed))
    averaged = (arms["twin"].astype(np.uint16) + arms["taught"] + 1) // 2
    scores["arms_averaged"] = pooled_psnr(averaged.astype(np.uint8), clean)
    return scores


def main(out: str, twin: str, taught: str, *pairs: str) -> None:
    torch.set_num_threads(2)
    networks = [load_network(weights, "student") for weights in (twin, taught)]
    results = {}
    for pair in pairs:
        cache, responses = pair.split(":")
        results[cache] = fit(*networks, cache, responses)
        print(cache, " ".join(f"{key} {value:.2f}" for key, value in results[cache].items()), flush=True)
    meta = run_meta(twin=twin, taught=taught, samples=SAMPLES, pairs=list(pairs))
    with open(out, "w") as file:
        json.dump({"meta": meta, "results": results}, file, indent=1)


if __name__ == "__main__":
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])

"""Session 51: how far the teacher's enhancement of the ground truth moves it (DIPNet's targets).

Compares the first COUNT clean patches of a pair cache with the targets ``crispcall train
responses --on-clean`` wrote for them: PSNR of the targets against the ground truth (all those
patches pooled, and the median patch), the mean and 99th percentile of the absolute change in
levels of 255, and the variance of the Laplacian (detail) of both, averaged over the patches.

Usage: python scripts/enhanced_targets.py CACHE TARGETS [COUNT] --json OUT
  python scripts/enhanced_targets.py data/pairs-teacher-x2-128.npz \\
    data/pairs-teacher-x2-128-t40-enhanced.npz 3000 --json docs/results/enhanced-targets-s51.json
"""

import argparse
import json
from pathlib import Path

import cv2
import numpy as np

from crispcall.files import written_whole
from crispcall.sysinfo import run_meta


def laplacian_variance(patches: np.ndarray) -> float:
    """The mean over N x H x W x 3 float patches of their Laplacian's variance."""
    return float(np.mean([cv2.Laplacian(patch, cv2.CV_32F).var() for patch in patches]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cache", type=Path)
    parser.add_argument("targets", type=Path)
    parser.add_argument("count", type=int, nargs="?", default=3000)
    parser.add_argument("--json", type=Path, required=True)
    args = parser.parse_args()
    # Only the first COUNT rows are kept: the whole arrays in float32 would not fit in memory.
    with np.load(args.cache) as data:
        truth = data["clean"][: args.count].astype(np.float32) / 255
    with np.load(args.targets) as data:
        targets = np.clip(data["responses"][: args.count].astype(np.float32), 0, 1).transpose(0, 2, 3, 1)
    squared = ((targets - truth) ** 2).reshape(len(truth), -1).mean(axis=1)
    change = np.abs(targets - truth) * 255
    result = {
        "patches": len(truth),
        "psnr_pooled_db": float(10 * np.log10(1 / squared.mean())),
        "psnr_median_patch_db": float(np.median(10 * np.log10(1 / np.maximum(squared, 1e-12)))),
        "mean_abs_change_levels": float(change.mean()),
        "p99_abs_change_levels": float(np.percentile(change, 99)),
        "laplacian_variance": {"truth": laplacian_variance(truth), "targets": laplacian_variance(targets)},
    }
    print(json.dumps(result, indent=1))
    meta = run_meta(command=f"python scripts/enhanced_targets.py {args.cache} {args.targets} {args.count}")
    with written_whole(args.json) as partial:
        partial.write_text(json.dumps({"meta": meta, "results": [result]}, indent=1) + "\n")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()

"""``crispcall flicker``: temporal stability over whole streams (BENCHMARK.md's flicker).

``crispcall eval`` scores every 10th frame of each test clip and pairs it with the next one. A
method with memory (``+temporal``) needs every frame in order, so here each clip's first
``frames`` frames go through the preset as one H.264 stream (the seed ``crispcall eval`` uses
for that clip) and every method restores all of them, in order, from a fresh state per clip.
With ``vmaf``, each restored clip is also scored with VMAF and VMAF-NEG against the original
(:mod:`crispcall.metrics.vmaf`; mean over clips).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

from crispcall.data.folders import decode_clip
from crispcall.degrade.presets import apply_preset_clip, preset_rng
from crispcall.evaluation.suites import VIDEO_SET, set_files
from crispcall.methods.base import Method
from crispcall.metrics import FlickerMeter, psnr
from crispcall.sysinfo import run_meta


def stream_stability(
    data_dir: Path,
    methods: Sequence[Method],
    preset: str = "call",
    frames: int = 90,
    progress: bool = True,
    vmaf: bool = False,
) -> dict:
    """Flicker (mean over clips) and PSNR (mean over frames) of each method on every clip, and
    with ``vmaf`` VMAF and VMAF-NEG (mean over clips)."""
    from crispcall.metrics.vmaf import MODELS
    from crispcall.metrics.vmaf import vmaf as vmaf_scores

    clips = set_files(data_dir, VIDEO_SET)
    flickers: dict[str, list[float]] = {m.name: [] for m in methods}
    psnrs: dict[str, list[float]] = {m.name: [] for m in methods}
    vmafs: dict[str, list[dict[str, float]]] = {m.name: [] for m in methods}
    for clip in tqdm(clips, unit="clip", desc=f"flicker ({preset})", disable=not progress):
        source, fps = decode_clip(clip)
        clean = list(itertools.islice(source, frames))
        source.close()
        degraded = [d.frame for d in apply_preset_clip(clean, preset, preset_rng(clip.name), fps)]
        for method in methods:
            method.reset()
            meter, restored = FlickerMeter(), []
            for received, target in zip(degraded, clean, strict=True):
                out = method.run(received)
                meter.update(out, target)
                psnrs[method.name].append(psnr(out, target))
                if vmaf:
                    restored.append(out)
            flickers[method.name].append(meter.value)
            if vmaf:
                vmafs[method.name].append(vmaf_scores(restored, clean))
    rows = [
        {
            "method": m.name,
            "preset": preset,
            "flicker": float(np.mean(flickers[m.name])),
            "psnr": float(np.mean(psnrs[m.name])),
            **{name: float(np.mean([s[name] for s in vmafs[m.name]])) for name in MODELS if vmafs[m.name]},
            "clips": len(clips),
            "frames_per_clip": frames,
        }
        for m in methods
    ]
    return {
        "meta": run_meta(data=str(data_dir)),
        "results": rows,
    }


def stability_table(document: dict) -> str:
    with_vmaf = "vmaf" in document["results"][0]
    lines = [
        "| method | preset | flicker (lower is steadier) | PSNR dB |" + (" VMAF | VMAF-NEG |" if with_vmaf else ""),
        "|---|---|---|---|" + ("---|---|" if with_vmaf else ""),
    ]
    for row in document["results"]:
        vmaf_cells = f" {row['vmaf']:.2f} | {row['vmaf_neg']:.2f} |" if with_vmaf else ""
        lines.append(f"| {row['method']} | {row['preset']} | {row['flicker']:.3f} | {row['psnr']:.2f} |{vmaf_cells}")
    first = document["results"][0]
    lines.append(f"\n{first['clips']} clips, the first {first['frames_per_clip']} frames of each, every frame scored.")
    return "\n".join(lines)

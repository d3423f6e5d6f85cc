"""``crispcall eval``: score methods on the test suites and presets of BENCHMARK.md."""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from crispcall.degrade.presets import get_preset
from crispcall.errors import InputError
from crispcall.evaluation.suites import OCR_SET, SUITES, VIDEO_SET, iter_items, set_files
from crispcall.evaluation.table import suite_mean
from crispcall.methods.base import Method
from crispcall.metrics import flicker, luma_scores, ocr_errors, ocr_text, sharpness, sharpness_ratio
from crispcall.paths import cache_dir
from crispcall.sysinfo import peak_memory_mb, run_meta

MAX_PENDING_OCR = 16
FRAME_METRICS = ("psnr", "ssim", "edge_ratio", "gt_edge_ratio", "level_error")  # what add_frame_scores gives each frame
METRICS = (*FRAME_METRICS, "ocr_cer", "ocr_word_error", "flicker", "vmaf", "vmaf_neg")
NOTES = (
    "x2 peers take the low-resolution frame the call delivered; at the x3 preset their x2 "
    "output is resized bilinearly to the target size.",
    "video: every 10th frame is scored; flicker pairs each scored frame with the next one.",
    "lossy: a vertical run of lost blocks is interpolated between the nearest received rows "
    "(for a single block: the rows just above and below it).",
)
VMAF_NOTE = (
    "video, with --vmaf: VMAF and VMAF-NEG per clip over its scored frames and their successors in order (pairs "
    "10 frames apart, so the motion term sees a jump between pairs, the same for every method); mean over clips."
)


@dataclass
class SetScores:
    """Per-item metric values of one (method, set, preset), averaged on demand."""

    values: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    pending_ocr: list[Future] = field(default_factory=list)  # each gives (CER, word error)

    def mean(self, metric: str) -> float | None:
        for cer, words in (f.result() for f in self.pending_ocr):
            self.values["ocr_cer"].append(cer)
            self.values["ocr_word_error"].append(words)
        self.pending_ocr.clear()
        values = [v for v in self.values.get(metric, []) if math.isfinite(v)]
        return float(np.mean(values)) if values else None


def add_frame_scores(
    values: dict[str, list[float]], out: np.ndarray, gt: np.ndarray, input_sharpness: float, gt_ratio: float
) -> None:
    """Append one restored frame's PSNR, SSIM, edge ratio over the input (whose sharpness is
    computed once per frame, for every method), the ground truth's own ratio and the frame's
    level error to ``values``."""
    score_psnr, score_ssim, score_level = luma_scores(out, gt)
    values["psnr"].append(score_psnr)
    values["ssim"].append(score_ssim)
    values["edge_ratio"].append(sharpness_ratio(out, input_sharpness))
    values["gt_edge_ratio"].append(gt_ratio)
    values["level_error"].append(score_level)


def _gt_text(image: np.ndarray) -> str:
    """Tesseract's reading of a ground-truth image, cached on disk by content."""
    digest = hashlib.sha256(image.tobytes() + str(image.shape).encode()).hexdigest()[:24]
    path = cache_dir() / "ocr" / f"{digest}.txt"
    if path.is_file():
        return path.read_text()
    text = ocr_text(image)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return text


def evaluate(
    data_dir: Path,
    suites: Sequence[str],
    presets: Sequence[str],
    methods: Sequence[Method],
    limit: int | None = None,
    ocr: bool = True,
    progress: bool = True,
    vmaf: bool = False,
    sets: Sequence[str] | None = None,
    per_file: bool = False,
    flicker_pairs: bool = True,
) -> dict:
    """Score ``methods`` and return the JSON document of ``crispcall eval``; with ``vmaf``,
    the video set also gets VMAF and VMAF-NEG (:data:`VMAF_NOTE`). ``sets`` keeps only those
    sets of the suites (a suite's score is then the mean over them). With ``per_file`` the
    document also lists each scored item's PSNR, SSIM, OCR CER and word error (``files``). Without
    ``flicker_pairs`` no method runs on a scored frame's successor: the video set costs half
    as much and has no flicker (nor VMAF, which needs those frames)."""
    if vmaf and not flicker_pairs:
        raise InputError("VMAF is measured on each scored frame and its successor: it needs the flicker pairs")
    for suite in suites:
        if suite not in SUITES:
            raise InputError(f"unknown suite {suite!r}; known suites: {', '.join(SUITES)}")
    for preset in presets:
        get_preset(preset)
    if not suites or not presets or not methods:
        raise InputError("eval needs at least one suite, one preset and one method")
    set_names = list(dict.fromkeys(s for suite in suites for s in SUITES[suite]))
    if sets is not None:
        if unknown := [name for name in sets if name not in set_names]:
            known = ", ".join(set_names)
            raise InputError(f"no set {', '.join(unknown)} in suite {', '.join(suites)}; its sets: {known}")
        set_names = [name for name in set_names if name in sets]
    files = {name: set_files(data_dir, name)[:limit] for name in set_names}
    scores: dict[tuple[str, str, str], SetScores] = defaultdict(SetScores)
    item_names: dict[tuple[str, str], list[str]] = defaultdict(list)  # (set, preset) -> items scored
    open_clips: dict[tuple[str, str], Any] = {}  # (method, clip) -> the VmafClip being filled
    pending: list[Future] = []
    if vmaf:
        from crispcall.metrics.vmaf import VmafClip, ffmpeg_with_vmaf

        ffmpeg_with_vmaf()  # a missing extra fails now, not after the first clip
    with ExitStack() as clips, ThreadPoolExecutor(max_workers=2) as ocr_pool:  # Tesseract runs as a subprocess
        for preset in presets:
            for set_name in set_names:
                unit = "clips" if set_name == VIDEO_SET else "images"
                bar = tqdm(
                    iter_items(files[set_name], set_name, preset),
                    desc=f"{preset:>5} {set_name}",
                    disable=not progress,
                    unit="frame" if set_name == VIDEO_SET else "img",
                    total=None if set_name == VIDEO_SET else len(files[set_name]),
                )
                for item in bar:
                    # Bound the OCR backlog: each pending job holds a full output frame.
                    while len(pending) > MAX_PENDING_OCR:
                        pending.pop(0).result()
                    item_names[(set_name, preset)].append(item.name)
                    gt_text = _gt_text(item.gt) if ocr and set_name == OCR_SET else None
                    input_sharpness = sharpness(item.degraded.frame)
                    gt_ratio = sharpness_ratio(item.gt, input_sharpness)
                    for method in methods:
                        out = method.restore(item.degraded)
                        cell = scores[(method.name, set_name, preset)]
                        add_frame_scores(cell.values, out, item.gt, input_sharpness, gt_ratio)
                        if gt_text is not None:
                            cell.pending_ocr.append(ocr_pool.submit(ocr_errors, out, gt_text))
                            pending.append(cell.pending_ocr[-1])
                        if flicker_pairs and item.next_degraded is not None:
                            following = method.restore(item.next_degraded)
                            cell.values["flicker"].append(flicker([out, following], [item.gt, item.next_gt]))
                            if vmaf:
                                clip = item.name.split("/")[0]
                                if (method.name, clip) not in open_clips:
                                    open_clips[(method.name, clip)] = clips.enter_context(VmafClip())
                                open_clips[(method.name, clip)].add(out, item.gt)
                                open_clips[(method.name, clip)].add(following, item.next_gt)
                for (name, _clip), clip_vmaf in open_clips.items():
                    for metric, value in clip_vmaf.scores().items():
                        scores[(name, set_name, preset)].values[metric].append(value)
                    clip_vmaf.close()  # a clip's frames take disk space: gone once scored
                open_clips.clear()
                bar.set_postfix_str(f"{len(files[set_name])} {unit}")
        results = _rows(scores, item_names, suites, set_names, presets, [m.name for m in methods])
    per_file_rows = {"files": _file_rows(scores, item_names)} if per_file else {}
    return {
        "meta": run_meta(
            data=str(data_dir),
            suites=list(suites),
            presets=list(presets),
            methods=[m.name for m in methods],
            limit=limit,
            ocr=ocr,
            sets={name: len(f) for name, f in files.items()},
            flicker_pairs=flicker_pairs,
            notes=list(NOTES) + ([VMAF_NOTE] if vmaf else []),
            peak_memory_mb=peak_memory_mb(),
        ),
        "results": results,
        **per_file_rows,
    }


def _file_rows(
    scores: dict[tuple[str, str, str], SetScores], item_names: dict[tuple[str, str], list[str]]
) -> list[dict]:
    """One row per scored item and method, in the order scored (call after :func:`_rows`,
    which waits for the OCR)."""
    rows = []
    for (method, set_name, preset), cell in scores.items():
        cer, words = cell.values.get("ocr_cer", []), cell.values.get("ocr_word_error", [])
        for i, name in enumerate(item_names[(set_name, preset)]):
            row = {"method": method, "set": set_name, "preset": preset, "file": name}
            row.update(psnr=cell.values["psnr"][i], ssim=cell.values["ssim"][i])
            row.update(ocr_cer=cer[i] if cer else None, ocr_word_error=words[i] if words else None)
            rows.append(row)
    return rows


def _rows(scores, item_names, suites, set_names, presets, method_names) -> list[dict]:
    rows = []
    for method in method_names:
        for suite in suites:
            for preset in presets:
                per_set = []
                for set_name in [name for name in SUITES[suite] if name in set_names]:
                    cell = scores[(method, set_name, preset)]
                    row = {"method": method, "suite": suite, "set": set_name, "preset": preset}
                    row.update({m: cell.mean(m) for m in METRICS})
                    row["n_images"] = len(item_names[(set_name, preset)])
                    per_set.append(row)
                rows.extend(per_set)
                rows.append(suite_mean(per_set, method, suite, preset))
    return rows

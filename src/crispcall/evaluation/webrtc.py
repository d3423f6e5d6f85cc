"""``crispcall eval --suite webrtc``: methods scored on recordings of real WebRTC calls
(``crispcall record``; the ``webrtc`` suite of BENCHMARK.md).

A recording preset is ``<codec>-<kbps>``. Each received frame is scored against the source
frame it was aligned to: a same-size method takes the received frame upscaled bilinearly to the
source size (as a player does), an x2 peer takes the received frame and its output is resized
bilinearly to the source size when the call's scale was not 2. A recording's score is the mean
over its frames (VMAF and flicker over its frames in order), a preset's the mean over
recordings; sets group recordings by source (``video`` for clips, the stills folder's name for
slideshows). Recordings whose alignment is unreliable are listed and left out.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

from crispcall.data.recordings import RECEIVED_FILE, Recording, find_recordings, read_recording
from crispcall.degrade.presets import Degraded
from crispcall.errors import InputError
from crispcall.evaluation.runner import FRAME_METRICS, add_frame_scores
from crispcall.methods.base import Method
from crispcall.metrics import FlickerMeter, sharpness, sharpness_ratio
from crispcall.sysinfo import run_meta

WEBRTC_SUITE = "webrtc"
CLIP_METRICS = ("flicker", "vmaf", "vmaf_neg")
NOTES = (
    "webrtc: same-size methods take the received frame upscaled bilinearly to the source size; x2 peers take "
    "the received frame, their output resized bilinearly to the source size when the call's scale was not 2.",
    "webrtc: a recording's score is the mean over its first frames (VMAF and flicker over them in order); a "
    "preset's, the mean over its recordings.",
)


def preset_of(recording: Recording) -> str:
    return f"{recording.meta['call']['codec']}-{recording.meta['call']['kbps']}"


def set_of(recording: Recording) -> str:
    source = recording.meta["source"]
    return "video" if source["origin"]["kind"] == "clip" else source["name"]


def recording_items(recording: Recording, frames: int) -> Iterator[tuple[np.ndarray, Degraded]]:
    """(source frame, the received frame as a degraded test frame) for the first ``frames``."""
    for received, source in itertools.islice(recording.pairs(), frames):
        height, width = source.shape[:2]
        upscaled = cv2.resize(received, (width, height), interpolation=cv2.INTER_LINEAR)
        yield source, Degraded(received, upscaled, max(1, round(width / received.shape[1])))


def score_recording(recording: Recording, methods: Sequence[Method], frames: int, vmaf: bool) -> dict[str, dict]:
    """Every metric of every method on one recording: ``{method: {metric: value}}``."""
    from crispcall.metrics.vmaf import VmafClip

    per_frame: dict[str, dict[str, list[float]]] = {m.name: defaultdict(list) for m in methods}
    meters = {m.name: FlickerMeter() for m in methods}
    for method in methods:  # a stateful method starts each recording afresh
        method.reset()
    with ExitStack() as stack:
        clips = {m.name: stack.enter_context(VmafClip()) for m in methods} if vmaf else {}
        for gt, degraded in recording_items(recording, frames):
            input_sharpness = sharpness(degraded.frame)
            gt_ratio = sharpness_ratio(gt, input_sharpness)
            for method in methods:
                out = method.restore(degraded)
                add_frame_scores(per_frame[method.name], out, gt, input_sharpness, gt_ratio)
                meters[method.name].update(out, gt)
                if vmaf:
                    clips[method.name].add(out, gt)
        scores = {}
        for method in methods:
            row = {metric: float(np.mean(per_frame[method.name][metric])) for metric in FRAME_METRICS}
            row["flicker"] = meters[method.name].value if meters[method.name].steps else None
            row.update(clips[method.name].scores() if vmaf else {"vmaf": None, "vmaf_neg": None})
            scores[method.name] = row
    return scores


def _mean(values: list[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return float(np.mean(kept)) if kept else None


def evaluate_recordings(
    root: Path,
    methods: Sequence[Method],
    presets: Sequence[str] | None = None,
    frames: int = 90,
    vmaf: bool = True,
    progress: bool = True,
) -> dict:
    """Score ``methods`` on the recordings under ``root`` (only ``presets``, such as
    ``vp8-300``, when given); return a document in the form of ``crispcall eval``'s."""
    if not methods:
        raise InputError("eval needs at least one method")
    if vmaf:
        from crispcall.metrics.vmaf import ffmpeg_with_vmaf

        ffmpeg_with_vmaf()  # a missing extra fails now, not after the first recording
    recordings = [read_recording(folder) for folder in find_recordings(root)]
    if presets:
        unknown = sorted(set(presets) - {preset_of(r) for r in recordings})
        if unknown:
            raise InputError(f"no recordings for {', '.join(unknown)} under {root}")
        recordings = [r for r in recordings if preset_of(r) in presets]
    unreliable = [r.name for r in recordings if not r.reliable]
    scored = [r for r in recordings if r.reliable]
    if not scored:
        raise InputError(f"no recording under {root} has a reliable alignment ({', '.join(unreliable)})")
    per_recording = []
    for recording in tqdm(scored, unit="recording", desc=WEBRTC_SUITE, disable=not progress):
        scores = score_recording(recording, methods, frames, vmaf)
        call_stats = [s for s in recording.meta["stats"] if s.get("keeping")]
        decoded = [s["framesDecoded"] for s in call_stats]
        qp = (
            (call_stats[-1]["qpSum"] - call_stats[0]["qpSum"]) / (decoded[-1] - decoded[0])
            if len(call_stats) > 1 and call_stats[0]["qpSum"] is not None and decoded[-1] > decoded[0]
            else None
        )
        sizes = sorted({(f["width"], f["height"]) for f in recording.meta["frames"]})
        per_recording.append(
            {
                "recording": recording.name,
                "set": set_of(recording),
                "preset": preset_of(recording),
                "frames": min(frames, len(recording.meta["frames"])),
                "received_sizes": [f"{w}x{h}" for w, h in sizes],
                "bitrate_kbps": _mean([s["bitrate"] / 1000 if s["bitrate"] else None for s in call_stats]),
                "mean_qp": qp,
                "match_psnr": recording.meta["alignment"]["median_match_psnr"],
                # how the recording was made: when, by which command, in how long, and its size
                "recorded": recording.meta.get("date"),
                "command": recording.meta.get("command"),
                "recording_seconds": recording.meta.get("recording_seconds"),
                "bytes": (recording.folder / RECEIVED_FILE).stat().st_size,
                "scores": scores,
            }
        )
    preset_names = list(dict.fromkeys(sorted(r["preset"] for r in per_recording)))
    set_names = list(dict.fromkeys(r["set"] for r in per_recording))
    rows = []
    for method in methods:
        for preset in preset_names:
            for set_name in [*set_names, "mean"]:
                chosen = [r for r in per_recording if r["preset"] == preset and set_name in ("mean", r["set"])]
                if not chosen:
                    continue
                row = {"method": method.name, "suite": WEBRTC_SUITE, "set": set_name, "preset": preset}
                for metric in (*FRAME_METRICS, *CLIP_METRICS):
                    row[metric] = _mean([r["scores"][method.name][metric] for r in chosen])
                row["ocr_cer"] = None
                row["n_images"] = sum(r["frames"] for r in chosen)
                rows.append(row)
    meta = run_meta(
        data=str(root),
        suites=[WEBRTC_SUITE],
        presets=preset_names,
        methods=[m.name for m in methods],
        limit=None,
        frames_per_recording=frames,
        recordings=len(scored),
        unreliable=unreliable,
        notes=list(NOTES),
    )
    return {"meta": meta, "results": rows, "recordings": per_recording}

"""``crispcall study make-clips``: the stimulus set of a blind viewer study.

Each source (a test clip or image) is degraded by each preset, then shown under every
condition: the clean original, the received (degraded) version, and the received version
restored by the unsharp mask, the student and the teacher. Files get random names, so
nothing a rater's browser sees (URL, file name, order) reveals the condition; the mapping lives
only in ``manifest.json``. Training stimuli (P.910's anchors: excellent and bad) come from the
demo's generated scene, never from the rated sources.
"""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from tqdm import tqdm

from crispcall.data.folders import decode_clip, load_rgb
from crispcall.degrade.ops import crop_to_multiple
from crispcall.degrade.presets import Degraded, apply_preset, apply_preset_clip, preset_rng
from crispcall.errors import InputError
from crispcall.evaluation.suites import VIDEO_SET, set_files
from crispcall.files import write_json
from crispcall.methods.registry import create_method
from crispcall.runtime.video import encode_clip

CONDITIONS = ("original", "degraded", "unsharp", "student", "teacher")
# The test sets a study draws from, and the content type each stands for.
CONTENT = {"video": "faces (video)", "faces": "faces", "screens": "screens", "BSD100": "natural"}
MAX_SIDE = 640  # stills are centre-cropped to at most this, so a pair fits a screen
MANIFEST = "manifest.json"


@dataclass
class Stimulus:
    id: str  # random, also the file's stem: reveals nothing
    file: str
    kind: str  # "video" or "image"
    source: str
    content: str
    preset: str
    condition: str


def _centre_crop(image: np.ndarray, side: int = MAX_SIDE) -> np.ndarray:
    height, width = image.shape[:2]
    top, left = max(0, (height - side) // 2), max(0, (width - side) // 2)
    return crop_to_multiple(np.ascontiguousarray(image[top : top + side, left : left + side]))


def _versions(degraded: list[Degraded], methods: dict) -> dict[str, list[np.ndarray]]:
    """Each method's frames, as eval makes them (an x2 network enlarges the received frame)."""
    return {name: [method.restore(frame) for frame in degraded] for name, method in methods.items()}


def _write(out: Path, frames: list[np.ndarray], kind: str, fps: int) -> str:
    name = secrets.token_hex(8)
    if kind == "image":
        file = f"{name}.png"
        Image.fromarray(frames[0]).save(out / file)
    else:
        file = f"{name}.mp4"
        encode_clip(out / file, frames, fps, crf=12)  # near-lossless: the study rates the content, not this encode
    return file


def make_clips(
    data_dir: Path,
    out: Path,
    presets: Sequence[str] = ("call",),
    per_set: int = 2,
    seconds: float = 3.0,
    sets: Sequence[str] = tuple(CONTENT),
    progress: bool = True,
) -> Path:
    """Write the stimuli and ``manifest.json`` into ``out`` (made fresh: a half-built folder
    never looks complete, as it is built beside and renamed at the end). Returns the manifest."""
    if per_set < 1:
        raise InputError(f"per_set must be at least 1, got {per_set}")
    if out.exists():
        raise FileExistsError(f"{out} exists: choose a new folder for the stimulus set")
    unknown = set(sets) - set(CONTENT)
    if unknown:
        raise InputError(f"unknown sets {sorted(unknown)}; known: {', '.join(CONTENT)}")
    jobs = [(set_name, path) for set_name in sets for path in set_files(data_dir, set_name)[:per_set]]
    methods = {name: create_method(name) for name in ("unsharp", "student", "teacher")}
    out.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".partial"))
    stimuli: list[Stimulus] = []
    try:
        for set_name, path in tqdm(jobs, desc="sources", unit="source", disable=not progress):
            kind = "video" if set_name == VIDEO_SET else "image"
            source = path.parent.name if kind == "video" else path.stem
            if kind == "video":
                frames_iter, fps = decode_clip(path)
                clean = [frame for _, frame in zip(range(round(seconds * fps)), frames_iter, strict=False)]
            else:
                fps, clean = 1, [_centre_crop(load_rgb(path))]  # read as crispcall eval reads it
            for preset in presets:
                rng = preset_rng(path.name)
                if kind == "video":
                    degraded = list(apply_preset_clip(clean, preset, rng, fps=fps))
                else:
                    degraded = [apply_preset(clean[0], preset, rng)]
                shown = [d.frame for d in degraded]
                versions = {"original": clean, "degraded": shown, **_versions(degraded, methods)}
                for condition in CONDITIONS:
                    file = _write(building, versions[condition], kind, fps)
                    stimuli.append(Stimulus(Path(file).stem, file, kind, source, CONTENT[set_name], preset, condition))
        training = _training_stimuli(building)
        manifest = {"conditions": list(CONDITIONS), "stimuli": [asdict(s) for s in stimuli], "training": training}
        write_json(building / MANIFEST, manifest)
        building.rename(out)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return out / MANIFEST


def _training_stimuli(out: Path) -> list[dict]:
    """The anchors shown before rating: the demo scene clean (excellent) and through the
    ``poor`` preset (bad), as stills."""
    from crispcall.data.scene import build_clip

    clean = build_clip(frames=1, size=(640, 320)).clean[0]
    bad = apply_preset(clean, "poor", preset_rng("study-training")).frame
    return [
        {"file": _write(out, [clean], "image", 1), "kind": "image", "label": "excellent (5)"},
        {"file": _write(out, [bad], "image", 1), "kind": "image", "label": "bad (1)"},
    ]


def load_manifest(clips: Path) -> dict:
    """The manifest of a stimulus folder, with clear errors for a wrong folder."""
    path = clips / MANIFEST
    if not path.is_file():
        raise FileNotFoundError(f"no {MANIFEST} in {clips}: build the stimuli with crispcall study make-clips")
    manifest = json.loads(path.read_text())
    missing = [s["file"] for s in manifest["stimuli"] + manifest["training"] if not (clips / s["file"]).is_file()]
    if missing:
        raise FileNotFoundError(f"{clips} lacks {len(missing)} stimulus files, e.g. {missing[0]}")
    return manifest

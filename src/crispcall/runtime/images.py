"""Sharpen image files: the format, EXIF, ICC profile and DPI kept; grey and alpha too."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError
from tqdm import tqdm

from crispcall.files import written_whole
from crispcall.runtime.sharpener import sharpen_pil

SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff")
# Lossy formats are re-encoded near-transparently; the source's own settings are not kept by Pillow.
SAVE_QUALITY = {"JPEG": {"quality": 95, "subsampling": 0}, "WEBP": {"quality": 95}}


def image_jobs(inputs: Sequence[str | Path], out_dir: str | Path) -> list[tuple[Path, Path]]:
    """(source, target) pairs: files as named, folders searched recursively for images (their
    layout kept under ``out_dir``). Refuses missing paths, non-image files named directly, and
    targets that would overwrite a source."""
    out_dir = Path(out_dir)
    jobs = []
    for item in map(Path, inputs):
        if item.is_dir():
            found = sorted(p for p in item.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            jobs += [(p, out_dir / item.name / p.relative_to(item)) for p in found]
        elif item.is_file():
            if item.suffix.lower() not in SUFFIXES:
                raise ValueError(f"{item} is not an image ({', '.join(SUFFIXES)})")
            jobs.append((item, out_dir / item.name))
        else:
            raise FileNotFoundError(f"no such file or folder: {item}")
    if not jobs:
        raise ValueError("no images found in the inputs")
    sources = {p.resolve() for p, _ in jobs}
    targets = [t.resolve() for _, t in jobs]
    if sources & set(targets):
        raise ValueError(f"output folder {out_dir} would overwrite an input image; choose another")
    if len(set(targets)) != len(targets):
        raise ValueError("two inputs have the same file name; put them in folders, or run them apart")
    return jobs


def sharpen_image_file(src: Path, dst: Path, sharpen: Callable[[np.ndarray], np.ndarray]) -> None:
    """Sharpen one file into ``dst`` in the source's format, written under a temporary name."""
    try:
        with Image.open(src) as image:
            image.load()
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError(f"cannot read {src} as an image ({error})") from error
    result = sharpen_pil(image, sharpen)
    fmt = image.format or "PNG"
    options = dict(SAVE_QUALITY.get(fmt, {}))
    for key in ("exif", "icc_profile", "dpi"):
        if key in image.info:
            options[key] = image.info[key]
    if fmt == "JPEG" and result.mode in ("LA", "RGBA"):
        result = result.convert(result.mode[:-1])
    with written_whole(dst) as partial:
        result.save(partial, format=fmt, **options)


def sharpen_images(
    jobs: Sequence[tuple[Path, Path]], sharpen: Callable[[np.ndarray], np.ndarray], progress: bool = True
) -> list[tuple[Path, str]]:
    """Sharpen every job; a file that fails is reported, not fatal. Returns the failures."""
    failures = []
    for src, dst in tqdm(jobs, unit="image", desc="sharpening", disable=not progress):
        try:
            sharpen_image_file(src, dst, sharpen)
        except ValueError as error:
            failures.append((src, str(error)))
    return failures

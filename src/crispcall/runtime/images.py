"""Sharpen image files: the format, EXIF, ICC profile and DPI kept; grey, alpha, every page of
a multi-page file, and 16-bit or floating-point depth too."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageSequence, UnidentifiedImageError
from tqdm import tqdm

from crispcall.errors import InputError
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
                raise InputError(f"{item} is not an image ({', '.join(SUFFIXES)})")
            jobs.append((item, out_dir / item.name))
        else:
            raise FileNotFoundError(f"no such file or folder: {item}")
    if not jobs:
        raise InputError("no images found in the inputs")
    sources = {p.resolve() for p, _ in jobs}
    targets = [t.resolve() for _, t in jobs]
    if sources & set(targets):
        raise InputError(f"output folder {out_dir} would overwrite an input image; choose another")
    if len(set(targets)) != len(targets):
        raise InputError("two inputs have the same file name; put them in folders, or run them apart")
    return jobs


def is_deep(image: Image.Image, src: Path) -> bool:
    """Whether ``image`` (opened, not yet decoded) has 16-bit or floating-point samples, which
    Pillow would cut to 8 bits."""
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):
        return True
    if image.format == "PNG":
        with open(src, "rb") as handle:
            return handle.read(25)[24:] == b"\x10"  # IHDR's bit depth
    if image.format == "TIFF":
        bits = image.tag_v2.get(258, 8)  # BitsPerSample
        return max(bits if isinstance(bits, tuple) else (bits,)) > 8
    return False


def sharpen_deep(pixels: np.ndarray, sharpen: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Sharpen a 16-bit or floating-point (0 to 1) image as OpenCV reads it (grey, BGR or
    BGRA) at its own depth: the network sees an 8-bit copy, and its correction is added to the
    full-depth samples, so smooth gradients keep every level. Alpha is kept as it is."""
    if pixels.dtype not in (np.uint16, np.float32):
        raise InputError(f"{pixels.dtype} samples are not supported (8-bit, 16-bit or 32-bit float)")
    scale = 65535.0 if pixels.dtype == np.uint16 else 1.0
    grey = pixels.ndim == 2
    colour = np.repeat(pixels[..., None], 3, axis=2) if grey else pixels[..., 2::-1]  # to RGB
    values = colour.astype(np.float32) / scale
    if not (np.isfinite(values).all() and values.min() >= 0.0 and values.max() <= 1.0):
        raise InputError("floating-point samples outside 0 to 1 (HDR) are not supported")
    proxy = np.round(values * 255).astype(np.uint8)
    sharp = sharpen(proxy)
    if sharp.shape != proxy.shape:
        raise InputError("an enlarging model cannot keep 16-bit or floating-point depth: use a same-size model")
    restored = np.clip(values + (sharp.astype(np.float32) - proxy) / 255, 0.0, 1.0)
    restored = restored.mean(axis=2) if grey else restored[..., ::-1]  # back to OpenCV's order
    out = np.round(restored * scale).astype(np.uint16) if pixels.dtype == np.uint16 else restored
    if not grey and pixels.shape[2] == 4:
        out = np.concatenate([out, pixels[..., 3:]], axis=2)
    return np.ascontiguousarray(out)


def _sharpen_deep_file(src: Path, dst: Path, sharpen: Callable[[np.ndarray], np.ndarray]) -> None:
    """Every page at full depth, through OpenCV (which keeps neither EXIF nor ICC profiles)."""
    ok, pages = cv2.imreadmulti(str(src), flags=cv2.IMREAD_UNCHANGED)
    if not ok or not pages:
        raise InputError(f"cannot read {src} as an image")
    sharp = [sharpen_deep(page, sharpen) for page in pages]
    with written_whole(dst) as partial:
        written = cv2.imwritemulti(str(partial), sharp) if len(sharp) > 1 else cv2.imwrite(str(partial), sharp[0])
        if not written:
            raise InputError(f"OpenCV cannot write {dst.suffix} files with {sharp[0].dtype} samples")


def sharpen_image_file(src: Path, dst: Path, sharpen: Callable[[np.ndarray], np.ndarray]) -> None:
    """Sharpen one file into ``dst`` in the source's format (every page of a multi-page file;
    16-bit and floating-point files at their depth, :func:`sharpen_deep`), written under a
    temporary name."""
    try:
        with Image.open(src) as image:
            if is_deep(image, src):
                return _sharpen_deep_file(src, dst, sharpen)
            pages = [sharpen_pil(page.copy(), sharpen) for page in ImageSequence.Iterator(image)]
    except Image.DecompressionBombError as error:
        raise InputError(f"{src} is too large to sharpen safely ({error})") from error
    except (UnidentifiedImageError, OSError) as error:
        raise InputError(f"cannot read {src} as an image ({error})") from error
    fmt = image.format or "PNG"
    options = dict(SAVE_QUALITY.get(fmt, {}))
    for key in ("exif", "icc_profile", "dpi"):
        if key in image.info:
            options[key] = image.info[key]
    if fmt == "JPEG":
        pages = [page.convert(page.mode[:-1]) if page.mode in ("LA", "RGBA") else page for page in pages]
    if len(pages) > 1:
        options.update(save_all=True, append_images=pages[1:])
    with written_whole(dst) as partial:
        pages[0].save(partial, format=fmt, **options)


def sharpen_images(
    jobs: Sequence[tuple[Path, Path]], sharpen: Callable[[np.ndarray], np.ndarray], progress: bool = True
) -> list[tuple[Path, str]]:
    """Sharpen every job; a file that fails (unreadable, too large, unwritable) is reported, not
    fatal. Returns the failures."""
    failures = []
    for src, dst in tqdm(jobs, unit="image", desc="sharpening", disable=not progress):
        try:
            sharpen_image_file(src, dst, sharpen)
        except (InputError, OSError) as error:
            failures.append((src, str(error)))
    return failures

"""Counts of unique source images per content category."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from crispcall.data.folders import file_digest, find_images

CATEGORIES = ("natural", "faces", "text/screens")


def category(path: Path, root: Path) -> str:
    """``faces`` or ``text/screens`` by folder or file name below ``root`` (or a rendered-text
    sidecar), else ``natural``."""
    parts = [p.lower() for p in path.relative_to(root).parts] if path != root else [path.name.lower()]
    if any("face" in p for p in parts):
        return "faces"
    if any("screen" in p or "text" in p for p in parts) or path.with_suffix(".txt").is_file():
        return "text/screens"
    return "natural"


def source_stats(roots: Sequence[str | Path]) -> dict[str, int]:
    """Unique images (by content hash) per category under ``roots``, and their ``total``."""
    seen: dict[str, str] = {}
    for root in roots:
        for path in find_images(root):
            seen.setdefault(file_digest(path), category(path, Path(root)))
    counts = Counter(seen.values())
    return {**{c: counts.get(c, 0) for c in CATEGORIES}, "total": len(seen)}

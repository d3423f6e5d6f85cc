"""Files that appear whole or not at all."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def partial_path(path: Path) -> Path:
    """The hidden temporary name a file is written under before it is renamed to ``path``
    (the extension is kept, so writers that go by it still know the format)."""
    return path.with_name(f".{path.stem}.partial{path.suffix}")


@contextmanager
def written_whole(path: str | Path) -> Iterator[Path]:
    """Yield the temporary path to write ``path`` under: renamed to ``path`` when the block
    ends normally, removed when it raises, so a failed or interrupted write leaves nothing
    that looks finished."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = partial_path(path)
    try:
        yield partial
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)

"""Files that appear whole or not at all."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from crispcall.errors import InputError


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # read once, at import: os.umask can only be read by setting it


def _unwritable(path: Path, error: OSError) -> InputError:
    return InputError(f"cannot write {path}: {error.strerror or error}")


@contextmanager
def written_whole(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write ``path`` under: renamed to ``path`` when the block ends
    normally, removed when it raises, so a failed or interrupted write leaves nothing that looks
    finished. The temporary name is new and hidden (``.NAME.<random>.partial.EXT``: created
    exclusively, so it can never be an existing file, and the extension is kept for writers that
    go by it); the file ends with the permissions a plain ``open`` would have given it."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:  # a file where a folder should be, a read-only disk
        raise _unwritable(path, error) from error
    partial = None
    try:
        while partial is None:
            # The name is known before the file exists, so an interrupt (Ctrl-C, SIGTERM) landing
            # just after its creation still finds it to remove; signal masks cannot promise that
            # once other threads (ONNX Runtime's) may take the signal.
            partial = path.parent / f".{path.stem}.{secrets.token_hex(8)}.partial{path.suffix}"
            try:
                os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            except FileExistsError:
                partial = None  # someone else's file: leave it, draw another name
            except OSError as error:  # what check_writable cannot foresee: /proc, a read-only disk
                partial = None
                raise _unwritable(path, error) from error
        yield partial
        partial.chmod(0o666 & ~_UMASK)
        os.replace(partial, path)
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)


def check_writable(path: str | Path, folder: bool = False) -> Path:
    """Refuse, before any work, an output that could not be written: a file path that is a
    folder (or a folder path that is a file), a parent that is a file, or a nearest existing
    folder this user may not write in. Missing folders are fine (writers create them)."""
    path = Path(path)
    if path.exists() and path.is_dir() != folder:
        raise InputError(f"{path} is a {'file' if folder else 'folder'}; give a {'folder' if folder else 'file'} path")
    existing = path if folder and path.is_dir() else path.parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(f"cannot write {path}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(f"cannot write {path}: no permission to write in {existing}")
    return path


def sampled_digest(path: str | Path, chunk: int = 1 << 20) -> str:
    """A content signature of a file, cheap for gigabytes: SHA-256 over its size and its first,
    middle and last ``chunk`` bytes. A file rebuilt byte for byte (the pair caches are) signs
    the same on any machine; a replaced one, almost surely not."""
    path = Path(path)
    size = path.stat().st_size
    digest = hashlib.sha256(str(size).encode())
    with path.open("rb") as handle:
        for start in sorted({0, max(0, size // 2 - chunk // 2), max(0, size - chunk)}):
            handle.seek(start)
            digest.update(handle.read(chunk))
    return digest.hexdigest()


def read_json(path: str | Path) -> dict | list:
    """The JSON document at ``path`` (a result file); a clear error when it is missing or not JSON."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path} does not exist")
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise InputError(f"{path} is not JSON ({error})") from error


def write_json(path: str | Path, document: dict | list) -> Path:
    """``document`` as indented JSON, written whole (:func:`written_whole`)."""
    with written_whole(path) as partial:
        partial.write_text(json.dumps(document, indent=1) + "\n")
    return Path(path)


def save_figure(figure, path: str | Path, dpi: int | None = None) -> Path:
    """A matplotlib figure as PNG, written whole; the figure is closed."""
    import matplotlib.pyplot as plt

    with written_whole(path) as partial:
        figure.savefig(partial, dpi=dpi, format="png")
    plt.close(figure)
    return Path(path)


def pyplot():
    """matplotlib's pyplot on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt

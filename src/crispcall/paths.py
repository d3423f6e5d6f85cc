"""Every default path and environment variable of crispcall, in one place.

=====================  ==============================================  ==========================================
variable               what                                            default
=====================  ==============================================  ==========================================
``CRISPCALL_WEIGHTS``  our model files (``student.onnx``, ...)         the checkout's ``weights/``, else the
                                                                       files shipped in the installed package
``CRISPCALL_DATA``     test data (BENCHMARK.md's sets)                 ``../shared/data/test`` when it exists
``CRISPCALL_TRAIN``    training images (INT8 calibration)              ``../shared/data/train``
``CRISPCALL_PEERS``    peer weights                                    ``../shared/peers``
``CRISPCALL_CACHE``    peers' ONNX exports, OCR results, the page's    ``~/.cache/crispcall``
                       npm packages outside a checkout
``CRISPCALL_ORT``      onnxruntime-web's ``dist`` folder               ``node_modules/onnxruntime-web/dist``
                                                                       beside the page, else under the cache
``CRISPCALL_CHROMIUM`` the Chromium that drives the page               ``/usr/bin/chromium``, then ``PATH``
=====================  ==============================================  ==========================================

A checkout is told from an installed wheel by the ``pyproject.toml`` beside ``src/``; the wheel
carries the page and the default student (and its INT8 twin) as package data, so nothing here
ever points into the installed package for writing.
"""

from __future__ import annotations

import json
import os
import shutil
from importlib.resources import files
from pathlib import Path

# package data: the default students, FP32, INT8 and INT8 for CPUs with AVX2 alone, and the page's
# light one, each with its twins
SHIPPED_WEIGHTS = tuple(
    f"student{kind}{twin}.onnx"
    for kind in ("", "-int8", "-int8-avx2", "-lite", "-web")
    for twin in ("", "-i420", "-luma")
)


def checkout_root() -> Path | None:
    """The repository this module runs from (``src/crispcall/paths.py`` two levels down), or
    ``None`` in an installed package."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").is_file() and (root / "src" / "crispcall").is_dir() else None


def _packaged(folder: str) -> Path:
    return Path(str(files("crispcall").joinpath(folder)))


def _from_env(variable: str) -> Path | None:
    value = os.environ.get(variable)
    return Path(value) if value else None


def weights_dir() -> Path:
    """``$CRISPCALL_WEIGHTS``, else the checkout's ``weights/``, else the package's own."""
    root = checkout_root()
    return _from_env("CRISPCALL_WEIGHTS") or (root / "weights" if root else _packaged("weights"))


def page_dir() -> Path:
    """The browser page: the checkout's ``web/``, else the package's copy."""
    root = checkout_root()
    return root / "web" if root else _packaged("page")


def cache_dir() -> Path:
    """``$CRISPCALL_CACHE``, else ``~/.cache/crispcall``: anything made once and reused."""
    return _from_env("CRISPCALL_CACHE") or Path.home() / ".cache" / "crispcall"


def ort_dir(page: Path | None = None) -> Path:
    """onnxruntime-web's ``dist``: ``$CRISPCALL_ORT``, else installed by npm beside ``page``
    (a checkout's ``web/``), else under the cache (where :func:`ort_install_hint` puts it)."""
    given = _from_env("CRISPCALL_ORT")
    if given:
        return given
    beside = (page or page_dir()) / "node_modules" / "onnxruntime-web" / "dist"
    return beside if beside.is_dir() else cache_dir() / "web" / "node_modules" / "onnxruntime-web" / "dist"


def ort_version(page: Path | None = None) -> str | None:
    """The version of the onnxruntime-web that :func:`ort_dir` finds (its package.json), or
    None when that folder is not an npm package's ``dist``."""
    package = ort_dir(page).parent / "package.json"
    return json.loads(package.read_text())["version"] if package.is_file() else None


def ort_install_hint(page: Path | None = None) -> str:
    """The one command that installs the onnxruntime-web version the page was tested with."""
    page = page or page_dir()
    if checkout_root():
        return f"run `npm ci` in {page} (make setup does)"
    version = json.loads((page / "package.json").read_text())["dependencies"]["onnxruntime-web"]
    return f"run `npm install --prefix {cache_dir() / 'web'} onnxruntime-web@{version}`, or set CRISPCALL_ORT"


def test_data_dir() -> Path | None:
    """``$CRISPCALL_DATA``, else ``../shared/data/test`` when it exists."""
    shared = Path("../shared/data/test")
    return _from_env("CRISPCALL_DATA") or (shared if shared.is_dir() else None)


def train_dir() -> Path:
    """``$CRISPCALL_TRAIN``, else ``../shared/data/train``."""
    return _from_env("CRISPCALL_TRAIN") or Path("../shared/data/train")


def peers_dir() -> Path:
    """``$CRISPCALL_PEERS``, else ``../shared/peers``."""
    return _from_env("CRISPCALL_PEERS") or Path("../shared/peers")


def chromium_path() -> Path:
    """``$CRISPCALL_CHROMIUM``, else Debian's ``/usr/bin/chromium`` or ``chromium`` on PATH."""
    for candidate in (os.environ.get("CRISPCALL_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FileNotFoundError("no Chromium: apt-get install chromium (make setup does), or set CRISPCALL_CHROMIUM")

"""What machine a figure was measured on."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from crispcall import __version__
from crispcall.paths import checkout_root

# The libraries whose versions can move a figure (those not installed are left out).
LIBRARIES = (
    "numpy",
    "onnxruntime",
    "opencv-contrib-python-headless",
    "av",
    "pillow",
    "scikit-image",
    "torch",
    "onnx",
    "openvino",
    "ai-edge-litert",
    "ncnn",
    "playwright",
)


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo, else the platform's processor string."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


CPU_FLAGS = ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8")  # what picks the kernels


def cpu_flags() -> list[str]:
    """Which of :data:`CPU_FLAGS` /proc/cpuinfo lists (empty where it does not exist)."""
    cpuinfo = Path("/proc/cpuinfo")
    for line in cpuinfo.read_text().splitlines() if cpuinfo.is_file() else []:
        if line.startswith("flags"):
            present = set(line.split(":", 1)[1].split())
            return [flag for flag in CPU_FLAGS if flag in present]
    return []


def machine_summary() -> dict[str, object]:
    return {
        "cpu": cpu_model(),
        "cpu_flags": cpu_flags(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def library_versions() -> dict[str, str]:
    """The installed version of each of :data:`LIBRARIES`."""
    versions = {}
    for name in LIBRARIES:
        with contextlib.suppress(PackageNotFoundError):
            versions[name] = version(name)
    return versions


CODE_PATHS = ("src", "weights", "configs", "pyproject.toml", "requirements")  # what makes a figure


def git_commit() -> str | None:
    """The checkout's commit, ``-dirty`` when the code, weights or configs differ from it (the
    results and docs a run writes do not count); ``None`` in an installed package or without git."""
    root = checkout_root()
    if root is None:
        return None
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True)
        changes = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", *CODE_PATHS],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return head.stdout.strip() + ("-dirty" if changes.stdout.strip() else "")


def peak_memory_mb() -> float | None:
    """This process's peak resident memory so far, in MiB (None where the system does not
    keep it: Windows). On Linux it is the kernel's VmHWM, this program's own: getrusage would
    also count what the process that started it held when it forked."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB elsewhere


def run_meta(**fields: object) -> dict[str, object]:
    """The ``meta`` block of a results document: version, commit and date, the run's own
    ``fields``, the machine and the libraries."""
    return {
        "crispcall": __version__,
        "commit": git_commit(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **fields,
        "machine": machine_summary(),
        "libraries": library_versions(),
    }

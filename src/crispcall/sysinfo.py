"""What machine a figure was measured on."""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path

from crispcall import __version__


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo, else the platform's processor string."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def machine_summary() -> dict[str, object]:
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def run_meta(**fields: object) -> dict[str, object]:
    """The ``meta`` block of a results document: version and date, the run's own ``fields``,
    and the machine."""
    return {
        "crispcall": __version__,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **fields,
        "machine": machine_summary(),
    }

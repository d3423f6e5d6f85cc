import os
import re

import numpy as np
import onnxruntime as ort

from crispcall.paths import checkout_root
from crispcall.sysinfo import peak_memory_mb, run_meta


def test_run_meta_names_the_commit_and_the_libraries():
    meta = run_meta(threads=2)
    assert meta["threads"] == 2 and meta["machine"]["cores"] >= 1
    assert meta["libraries"]["numpy"] == np.__version__ and meta["libraries"]["onnxruntime"] == ort.__version__
    if checkout_root() is not None and (checkout_root() / ".git").exists():
        assert re.fullmatch(r"[0-9a-f]{40}(-dirty)?", meta["commit"])


def test_peak_memory_counts_what_the_process_holds_in_mib():
    block = np.ones(2**25)  # 256 MiB, written
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20
    assert block.nbytes / 2**20 <= peak_memory_mb() < physical  # the unit is MiB, not KiB or bytes

"""``crispcall bench``: the speed of the full frame path, per BENCHMARK.md.

RGB uint8 H x W x 3 in, RGB uint8 out, batch 1, a fixed thread count, warm-up frames, then the
median over the timed frames. Every row of one run is measured on the same machine, back to
back, so the ratios between rows are the figures to quote. The run also measures the CPU's own
ceiling (:mod:`crispcall.bench.ceiling`); a network whose file states its MACs gets its
effective rate and the fraction of that ceiling it reaches (``peak_fraction``).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

from crispcall.bench.ceiling import SIDES, measure_ceilings
from crispcall.data.scene import synthetic_frame
from crispcall.degrade.yuv import rgb_to_i420
from crispcall.errors import InputError
from crispcall.methods.base import Method
from crispcall.sysinfo import run_meta

FLOOR = "bilinear"
MAX_SIDE = 7680  # 8K UHD: a larger frame is a typo, and would take its memory before failing


def parse_size(text: str) -> tuple[int, int]:
    """``"1920x1080"`` -> (1920, 1080)."""
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise InputError(f"size must look like 1920x1080, got {text!r}") from None
    if width < 16 or height < 16:
        raise InputError(f"size must be at least 16x16, got {text!r}")
    if max(width, height) > MAX_SIDE:
        raise InputError(f"size must be at most {MAX_SIDE} pixels a side, got {text!r}")
    return width, height


def time_frames(run: Callable[[np.ndarray], np.ndarray], frame: np.ndarray, warmup: int, frames: int) -> list[float]:
    """Milliseconds per call of ``run`` on ``frame``, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        run(frame)
    times = []
    for _ in range(frames):
        start = time.perf_counter()
        run(frame)
        times.append((time.perf_counter() - start) * 1000.0)
    return times


def benchmark(
    methods: Iterable[Method],
    sizes: Sequence[tuple[int, int]],
    threads: int,
    warmup: int = 5,
    frames: int = 30,
    progress: bool = True,
    ceiling_repeats: int = 10,
    planes: bool = False,
) -> dict:
    """Time the bilinear floor and every method at every output size.

    ``methods`` is consumed one method at a time (a generator may create each on demand), and
    each is timed at every size before the next, so only one model's buffers are held at once:
    a run over every peer at 1080p fits in memory. With ``planes``, a method with an I420 twin
    (``Method.i420``) is also timed on the same frame's yuv420p planes, the path ``crispcall
    video`` takes: a row ``NAME (yuv420p planes)``, outside BENCHMARK.md's RGB protocol."""
    if frames < 1 or warmup < 0:
        raise InputError("frames must be >= 1 and warmup >= 0")
    cv2.setNumThreads(threads)
    first = measure_ceilings(threads, ceiling_repeats)
    inputs = {}
    for width, height in sizes:
        full = synthetic_frame(width, height)
        inputs[(width, height)] = (full, cv2.resize(full, (width // 2, height // 2), interpolation=cv2.INTER_AREA))
    rows: dict[tuple[int, int], list[dict]] = {size: [] for size in sizes}
    floor_ms: dict[tuple[int, int], float] = {}

    def measure(name: str, run, size: tuple[int, int], frame: np.ndarray, method: Method | None = None) -> None:
        median = statistics.median(time_frames(run, frame, warmup, frames))
        floor_ms.setdefault(size, median)
        if frame.ndim == 2:  # yuv420p planes, H * 3 / 2 x W
            frame = frame[: frame.shape[0] * 2 // 3]
        row = {
            "method": name,
            "size": f"{size[0]}x{size[1]}",
            "input_size": f"{frame.shape[1]}x{frame.shape[0]}",
            "threads": threads,
            "median_ms": median,
            "fps": 1000.0 / median,
            "x_bilinear": median / floor_ms[size],
            "frames": frames,
        }
        if method is not None and method.graph is not None:
            row["graph"] = method.graph
        if method is not None and method.macs_per_pixel is not None:
            gmac = method.macs_per_pixel * frame.shape[0] * frame.shape[1] / 1e9
            row.update(precision=method.precision, gmac_per_frame=gmac, gmac_per_s=gmac / (median / 1000.0))
        rows[size].append(row)

    for size, (_full, low) in inputs.items():

        def floor(image: np.ndarray, size=size) -> np.ndarray:
            return cv2.resize(image, size, interpolation=cv2.INTER_LINEAR)

        measure(FLOOR, floor, size, low)
    for method in tqdm(methods, desc="methods", unit="method", disable=not progress):
        for size, (full, low) in inputs.items():
            measure(method.name, method.run, size, low if method.low_input else full, method)
            if planes and method.i420 is not None and method.i420.fits(size[1], size[0]):
                yuv = rgb_to_i420(full).reshape(size[1] * 3 // 2, size[0])
                measure(f"{method.name} (yuv420p planes)", method.i420, size, yuv, method)
        del method  # release its session before the next one loads
    # The ceiling is measured before and after the rows, and the higher figure kept: on a shared
    # machine, the best the hardware did in this run.
    last = measure_ceilings(threads, ceiling_repeats)
    ceilings = {precision: max(first[precision], last[precision]) for precision in first}
    results = [row for size in sizes for row in rows[size]]
    for row in results:
        if "gmac_per_s" in row:
            row["peak_fraction"] = row["gmac_per_s"] / ceilings[row["precision"]]
    meta = run_meta(threads=threads, warmup=warmup, frames=frames, ceiling_gmac_per_s=ceilings)
    return {"meta": {**meta, "ceiling_runs": [first, last]}, "results": results}


def markdown_table(document: dict) -> str:
    """The run's rows; with the CPU's ceiling when the run measured it (and then each network's
    GMAC/s and fraction of the ceiling of its precision)."""
    meta = document["meta"]
    ceilings = meta.get("ceiling_gmac_per_s")
    lines = [
        f"CPU: {meta['machine']['cpu']} ({meta['machine']['cores']} cores), {meta['threads']} threads, "
        f"median of {meta['frames']} frames after {meta['warmup']} warm-up",
        "",
        "| method | output | input | median ms | fps | x bilinear |" + (" GMAC/s | of peak |" if ceilings else ""),
        "|---|---|---|---|---|---|" + ("---|---|" if ceilings else ""),
    ]
    if ceilings:
        flags = cpu_flags(meta["machine"])
        lines.insert(
            1,
            f"Ceiling in this run: FP32 {ceilings['fp32']:.1f} GMAC/s, INT8 {ceilings['int8']:.1f} GMAC/s "
            f"(square products of side {' and '.join(map(str, SIDES))} through ONNX Runtime); CPU flags: {flags}",
        )
    for r in document["results"]:
        line = (
            f"| {r['method']} | {r['size']} | {r['input_size']} | {r['median_ms']:.2f} | "
            f"{r['fps']:.1f} | {r['x_bilinear']:.1f} |"
        )
        if ceilings:
            line += f" {r['gmac_per_s']:.1f} | {r['peak_fraction']:.0%} |" if "peak_fraction" in r else " | |"
        lines.append(line)
    notes = [
        f"- {r['method']}: {r['x_native']:.2f}x the native time; the call delivered {r['call']['fps']:.1f} fps at "
        f"{r['call']['bitrate'] / 1000:.0f} kbps ({r['call']['codec']}"
        + (f", sender {r['call']['degradation']}" if "degradation" in r["call"] else "")
        + f"), {r['frames']} frames in {r['seconds']:.0f} s"
        for r in document["results"]
        if "x_native" in r
    ]
    return "\n".join(lines + ([""] if notes else []) + notes) + "\n"


def ratio_table(names: Sequence[str], documents: Sequence[dict], against: str) -> str:
    """Each method's median time as a fraction of ``against``'s in the same run, one column a
    run (``names``: the runs' files), then the median and the largest over the runs: the figure
    to judge a speed budget by where timings drift from run to run. Rows follow the first run's
    order, bilinear left out; each size is its own row. The heading names the runs' CPUs and
    their flags: the same files keep other ratios on other kernels."""
    ratios: dict[tuple[str, str], list[float]] = {}
    for document in documents:
        times = {(r["method"], r["size"]): r["median_ms"] for r in document["results"] if r["method"] != FLOOR}
        sizes = {size for _, size in times}
        if not all((against, size) in times for size in sizes):
            raise InputError(f"a bench run has no {against!r} to compare with")
        for (method, size), ms in times.items():
            ratios.setdefault((method, size), []).append(ms / times[against, size])
    runs = len(documents)
    lines = [
        f"| method | size | {' | '.join(f'`{Path(name).name}`' for name in names)} | median | largest |",
        "|---|---|" + "---|" * (runs + 2),
    ]
    for (method, size), values in ratios.items():
        if len(values) != runs:
            raise InputError(f"{method} at {size} is not in every bench run")
        cells = " | ".join(f"{v:.2f}" for v in values)
        lines.append(f"| {method} | {size} | {cells} | {statistics.median(values):.2f} | {max(values):.2f} |")
    machines = [d["meta"]["machine"] for d in documents if "meta" in d]
    cpus = " / ".join(dict.fromkeys(f"{m['cpu']}, {m['cores']} cores, flags {cpu_flags(m)}" for m in machines))
    heading = f"Median time as a fraction of {against}'s in the same run" + (f" (CPU: {cpus})" if cpus else "")
    return heading + "\n\n" + "\n".join(lines) + "\n"


def cpu_flags(machine: dict) -> str:
    """The flags of a bench run's CPU that pick ONNX Runtime's kernels (:data:`crispcall.sysinfo.CPU_FLAGS`)."""
    return ", ".join(machine.get("cpu_flags", [])) or "none of AVX2, AVX-512, VNNI"


def time_i420(path: Path, received: tuple[int, int], display: tuple[int, int], threads: int, warmup: int,
              frames: int) -> list[float]:  # fmt: skip
    """Milliseconds per run of an I420 graph (``crispcall export --i420``) in ONNX Runtime with
    ``threads``: a frame received at ``received`` (width, height) shown at ``display``."""
    import onnxruntime as ort

    from crispcall.degrade.yuv import i420_planes, rgb_to_i420
    from crispcall.runtime.backends import session_options
    from crispcall.runtime.i420 import i420_feeds

    session = ort.InferenceSession(str(path), session_options(threads), providers=["CPUExecutionProvider"])
    width, height = received
    planes = i420_planes(rgb_to_i420(synthetic_frame(width, height)), width, height)
    feeds = i420_feeds(*planes, display[::-1])
    return time_frames(lambda f: session.run(None, f), feeds, warmup, frames)


def add_browser_rows(document: dict, browser: dict, models_dir: Path | None = None) -> dict:
    """Merge the page's rows (:func:`crispcall.web.browser.bench_browser`) into a
    :func:`benchmark` document, each with its ratio to bilinear resize at the same size. An I420
    graph's row is followed by the same graph in native ONNX Runtime (from ``models_dir``) at
    the sizes the page ran it, with the same threads, and the page's ratio to it."""
    document["meta"]["browser"] = {"chromium": browser["chromium"], "onnxruntime-web": browser["onnxruntime-web"]}
    meta = document["meta"]
    for row in browser["results"]:
        floor = next(r for r in document["results"] if r["method"] == FLOOR and r["size"] == row["size"])
        document["results"].append({**row, "x_bilinear": row["median_ms"] / floor["median_ms"]})
        if "i420" not in row.get("path", "") or models_dir is None:
            continue
        received, display = parse_size(row["input_size"]), parse_size(row["size"])
        times = time_i420(models_dir / row["model"], received, display, row["threads"], meta["warmup"], meta["frames"])
        native = statistics.median(times)
        row_native = {
            "method": f"{row['model']} (native ONNX Runtime, {row['threads']} threads)",
            "size": row["size"],
            "input_size": row["input_size"],
            "threads": row["threads"],
            "median_ms": native,
            "fps": 1000.0 / native,
            "x_bilinear": native / floor["median_ms"],
        }
        document["results"].append(row_native)
        document["results"][-2]["x_native"] = row["median_ms"] / native
    return document

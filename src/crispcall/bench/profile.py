"""``crispcall profile``: where the time of one ONNX frame graph goes, per operator type.

ONNX Runtime's own profiler times every node; the kernel times of the timed frames are summed
per operator type (Conv, QLinearConv, MatMul, DepthToSpace, Cast...), or per node, so a change
to the graph shows where it saved or cost time, and which layers take it.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

from crispcall.data.scene import synthetic_frame
from crispcall.runtime.i420 import same_size_feeds, takes_i420
from crispcall.runtime.luma import apply_correction, correction_parts, luma_feeds, takes_luma
from crispcall.sysinfo import run_meta

# The entry for a luma graph's colour work, done by OpenCV outside ONNX Runtime.
OPENCV_COLOUR = "OpenCV colour (outside the graph)"


def profile_graph(model: str | Path, width: int, height: int, threads: int, frames: int = 20, per: str = "op") -> dict:
    """Milliseconds per frame for each operator type (``per="op"``) or node (``"node"``: its
    name and type), after two warm-up frames. A frame graph gets an RGB frame; an I420 graph
    (``crispcall export --i420``) its planes, shown at their own size (``crispcall video``); a
    luma graph (``crispcall export --luma``) the frame's luma, and the OpenCV colour work the
    runtime does around it (:func:`~crispcall.runtime.luma.run_luma`) is timed on the same
    frame and counted as one more entry, :data:`OPENCV_COLOUR`."""
    import onnxruntime as ort

    from crispcall.runtime.backends import session_options

    options = session_options(threads)  # what the runtime runs, plus the profiler
    with tempfile.TemporaryDirectory() as scratch:
        options.enable_profiling = True
        options.profile_file_prefix = str(Path(scratch) / "profile")
        session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        frame = synthetic_frame(width, height)
        luma = takes_luma(session)
        if luma:
            feeds = luma_feeds(frame)
        elif takes_i420(session):  # the frame's planes, shown at its own size
            feeds = same_size_feeds(frame)
        else:
            feeds = {session.get_inputs()[0].name: frame[None]}
        for _ in range(2 + frames):
            outputs = session.run(None, feeds)
        events = json.loads(Path(session.end_profiling()).read_text())
    runs = [e for e in events if e.get("cat") == "Session" and e.get("name") == "model_run"]
    timed_from = runs[2]["ts"] if len(runs) > 2 else 0
    per_op: Counter[str] = Counter()
    for event in events:
        if event.get("cat") == "Node" and event["name"].endswith("_kernel_time") and event["ts"] >= timed_from:
            op = event["args"]["op_name"]
            key = op if per == "op" else f"{event['name'].removesuffix('_kernel_time')} ({op})"
            per_op[key] += event["dur"] / 1000.0 / frames
    if luma:
        out = np.empty_like(frame)
        apply_correction(frame, *correction_parts(outputs[0]), out)  # warm-up
        start = time.perf_counter()
        for _ in range(frames):
            luma_feeds(frame)
            apply_correction(frame, *correction_parts(outputs[0]), out)
        per_op[OPENCV_COLOUR] = (time.perf_counter() - start) * 1000.0 / frames
    return {
        "meta": run_meta(threads=threads, frames=frames),
        "model": str(model),
        "size": f"{width}x{height}",
        "threads": threads,
        "per": per,
        "ms_per_op": dict(per_op.most_common()),
    }


# ONNX Runtime's convolution kernels (plain, fused with an activation, INT8, NHWC).
CONVOLUTIONS = frozenset({"Conv", "FusedConv", "QLinearConv", "NhwcConv", "NhwcFusedConv", "ConvInteger"})


def convolution_ms(profile: dict) -> float:
    """Milliseconds a frame in convolution kernels; the rest of the frame is the work around
    them (colour, layout, the pixel-(un)shuffles, the correction's spread, add, clip and casts,
    and the residual adds)."""
    ops = profile["ms_per_op"]
    if profile.get("per", "op") == "op":
        return sum(ms for op, ms in ops.items() if op in CONVOLUTIONS)
    return sum(ms for key, ms in ops.items() if key.rsplit(" (", 1)[-1].rstrip(")") in CONVOLUTIONS)


def profile_table(profile: dict) -> str:
    total = sum(profile["ms_per_op"].values())
    convolutions = convolution_ms(profile)
    lines = [
        f"{profile['model']} at {profile['size']}, {profile['threads']} threads: {total:.1f} ms of kernels a frame; "
        f"convolutions {convolutions:.1f} ms ({convolutions / total:.0%}), everything else "
        f"{total - convolutions:.1f} ms ({1 - convolutions / total:.0%})",
        "",
        f"| {'operator' if profile.get('per', 'op') == 'op' else 'node (operator)'} | ms a frame | share |",
        "|---|---|---|",
    ]
    lines += [f"| {op} | {ms:.2f} | {ms / total:.0%} |" for op, ms in profile["ms_per_op"].items()]
    return "\n".join(lines)

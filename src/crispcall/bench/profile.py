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
from crispcall.degrade.yuv import i420_planes, rgb_to_i420
from crispcall.errors import InputError
from crispcall.runtime.i420 import i420_feeds, takes_i420
from crispcall.runtime.luma import apply_correction, correction_parts, luma_feeds, takes_luma
from crispcall.sysinfo import run_meta

# The entry for a luma graph's colour work, done by OpenCV outside ONNX Runtime.
OPENCV_COLOUR = "OpenCV colour (outside the graph)"


WARMUP = 2  # untimed runs before the timed ones


def kernel_ms(events: list[dict], frames: int, per: str = "op", warmup: int = WARMUP) -> Counter[str]:
    """Milliseconds a frame per operator type (``per="op"``) or node (``"node"``: its name and
    type) from an ONNX Runtime profile (native or onnxruntime-web's: the same trace events) of
    ``warmup`` + ``frames`` runs: each node's first ``warmup`` kernel times are left out."""
    seen: Counter[str] = Counter()
    per_op: Counter[str] = Counter()
    for event in events:
        if event.get("cat") != "Node" or not event["name"].endswith("_kernel_time"):
            continue
        node, op = event["name"].removesuffix("_kernel_time"), event["args"]["op_name"]
        seen[node] += 1
        if seen[node] > warmup:
            per_op[op if per == "op" else f"{node} ({op})"] += event["dur"] / 1000.0 / frames
    return per_op


def graph_feeds(session, width: int, height: int, received: tuple[int, int] | None = None) -> dict[str, np.ndarray]:
    """A synthetic frame's feeds for an ONNX Runtime ``session``'s graph: an RGB frame of
    ``width`` x ``height``; for an I420 graph the planes of a frame received at ``received``
    (width, height; default: the same size) shown at ``width`` x ``height``."""
    if takes_i420(session):
        frame = synthetic_frame(*(received or (width, height)))
        planes = i420_planes(rgb_to_i420(frame), frame.shape[1], frame.shape[0])
        return i420_feeds(*planes, (height, width))
    if received is not None:
        raise InputError("a received size needs an I420 graph (crispcall export --i420)")
    frame = synthetic_frame(width, height)
    return luma_feeds(frame) if takes_luma(session) else {session.get_inputs()[0].name: frame[None]}


def fixed_graph(model: str | Path, feeds: dict[str, np.ndarray], path: Path) -> dict[str, np.ndarray]:
    """Write ``model`` to ``path`` fixed to ``feeds``: each input's dimensions set to its feed's
    shape, and the int64 inputs (an I420 graph's display ``size``) made constants, so that every
    shape in the graph is known before it runs (WebNN builds its graph for fixed shapes). Returns
    the feeds the copy still takes. Needs the ``onnx`` package (the train extra)."""
    import onnx
    from onnx import numpy_helper

    proto = onnx.load(str(model))
    left = {}
    for value in list(proto.graph.input):
        feed = feeds[value.name]
        if feed.dtype == np.int64:
            proto.graph.input.remove(value)
            proto.graph.initializer.append(numpy_helper.from_array(feed, value.name))
            continue
        for dim, length in zip(value.type.tensor_type.shape.dim, feed.shape, strict=True):
            dim.dim_value = length
        left[value.name] = feed
    onnx.save(proto, str(path))
    return left


def profile_graph(
    model: str | Path,
    width: int,
    height: int,
    threads: int,
    frames: int = 20,
    per: str = "op",
    received: tuple[int, int] | None = None,
    fixed: bool = False,
) -> dict:
    """Milliseconds per frame for each operator type (``per="op"``) or node (``"node"``: its
    name and type), after :data:`WARMUP` frames. A frame graph gets an RGB frame; an I420 graph
    (``crispcall export --i420``) its planes, received at ``received`` (default: the frame's
    own size, as ``crispcall video`` runs it); a luma graph (``crispcall export --luma``) the
    frame's luma, and the OpenCV colour work the runtime does around it
    (:func:`~crispcall.runtime.luma.run_luma`) is timed on the same frame and counted as one
    more entry, :data:`OPENCV_COLOUR`. ``fixed``: time the graph's copy fixed to this frame
    (:func:`fixed_graph`), the one a WebNN page runs."""
    import onnxruntime as ort

    from crispcall.runtime.backends import session_options

    plain = ort.InferenceSession(str(model), session_options(threads), providers=["CPUExecutionProvider"])
    feeds = graph_feeds(plain, width, height, received)
    with tempfile.TemporaryDirectory() as scratch:
        graph = Path(model)
        if fixed:
            graph = Path(scratch) / graph.name
            feeds = fixed_graph(model, feeds, graph)
            plain = ort.InferenceSession(str(graph), session_options(threads), providers=["CPUExecutionProvider"])
        run_ms = []
        for _ in range(WARMUP + frames):  # first without the profiler, whose timing costs time of its own
            start = time.perf_counter()
            plain.run(None, feeds)
            run_ms.append((time.perf_counter() - start) * 1000.0)
        options = session_options(threads)  # what the runtime runs, plus the profiler
        options.enable_profiling = True
        options.profile_file_prefix = str(Path(scratch) / "profile")
        session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        for _ in range(WARMUP + frames):
            outputs = session.run(None, feeds)
        events = json.loads(Path(session.end_profiling()).read_text())
    per_op = kernel_ms(events, frames, per)
    if takes_luma(session):
        frame = synthetic_frame(width, height)
        out = np.empty_like(frame)
        apply_correction(frame, *correction_parts(outputs[0]), out)  # warm-up
        start = time.perf_counter()
        for _ in range(frames):
            luma_feeds(frame)
            apply_correction(frame, *correction_parts(outputs[0]), out)
        per_op[OPENCV_COLOUR] = (time.perf_counter() - start) * 1000.0 / frames
    document = profile_document(model, width, height, threads, frames, per, per_op, run_ms[WARMUP:], received)
    return document | {"fixed_shapes": True} if fixed else document


def profile_document(model: str | Path, width: int, height: int, threads: int, frames: int, per: str,
                     per_op: Counter[str], run_ms: list[float], received: tuple[int, int] | None = None,
                     ) -> dict:  # fmt: skip
    """A profile's JSON document (:func:`profile_graph`'s, and the page's): the kernel times with
    the profiler on, and the median time of a whole run with it off (``median_run_ms``)."""
    document = {
        "meta": run_meta(threads=threads, frames=frames),
        "model": str(model),
        "size": f"{width}x{height}",
        "threads": threads,
        "per": per,
        "median_run_ms": float(np.median(run_ms)),
        "ms_per_op": dict(per_op.most_common()),
    }
    if received is not None:
        document["received"] = f"{received[0]}x{received[1]}"
    return document


# A WebNN page profile's entry for the part of the graph WebNN ran, timed whole (the median run's
# time less the nodes left to WASM): ONNX Runtime's profiler sees only its dispatch.
WEBNN_GRAPH = "WebNN (its part of the graph, whole)"

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


def compare_table(native: dict, page: dict) -> str:
    """The same graph's kernel times natively and in the browser page, per operator (or node),
    with the page's time over the native one: where the page loses its milliseconds."""
    totals = [sum(p["ms_per_op"].values()) for p in (native, page)]
    received = f", received at {native['received']}" if "received" in native else ""
    runs = [p["median_run_ms"] for p in (native, page)]
    agreement = (f"; the page's output is within 2 levels of the native one on {page['agreement']:.1%} of values"
                 if "agreement" in page else "")  # fmt: skip
    if WEBNN_GRAPH in page["ms_per_op"]:
        kernels = "WebNN's part of the graph is timed whole (the page's kernels are not timed apart)"
    else:
        kernels = (f"With it on, the kernels take {totals[0]:.1f} and {totals[1]:.1f} ms "
                   f"({totals[1] / totals[0]:.2f}x), convolutions {convolution_ms(native):.1f} and "
                   f"{convolution_ms(page):.1f} ms")  # fmt: skip
    lines = [
        f"{native['model']} at {native['size']}{received}, {native['threads']} thread(s): a run takes "
        f"{runs[0]:.1f} ms in native ONNX Runtime and {runs[1]:.1f} ms in the page ({page['backend']}; "
        f"{runs[1] / runs[0]:.2f}x; medians with the profiler off){agreement}. {kernels}",
        "",
        f"| {'operator' if native.get('per', 'op') == 'op' else 'node (operator)'} | native ms | page ms | page / "
        "native |",
        "|---|---|---|---|",
    ]
    for op in dict.fromkeys([*page["ms_per_op"], *native["ms_per_op"]]):
        ms = [p["ms_per_op"].get(op, 0.0) for p in (native, page)]
        lines.append(f"| {op} | {ms[0]:.2f} | {ms[1]:.2f} | " + (f"{ms[1] / ms[0]:.1f}x |" if ms[0] > 0 else "– |"))
    return "\n".join(lines)

"""INT8 ONNX graphs from an FP32 one: ONNX Runtime's static QDQ quantization, calibrated on
degraded frames made from training images only."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

from crispcall.data.folders import ImageFolder
from crispcall.degrade.presets import apply_preset
from crispcall.errors import CheckFailed, InputError
from crispcall.files import written_whole
from crispcall.metrics.quality import agreement_psnr
from crispcall.quant import MIN_AGREEMENT_DB, WEIGHT_QMAX
from crispcall.runtime.luma import INPUT as LUMA_INPUT
from crispcall.runtime.luma import signed_correction
from crispcall.runtime.metadata import PRECISION_KEY

CALIBRATION_PRESETS = ("call", "poor", "lossy", "x2")
QUANTIZED_OPS = ["Conv", "Relu", "LeakyRelu", "DepthToSpace", "SpaceToDepth"]


def calibration_frames(
    roots: Sequence[str | Path], count: int = 64, side: int = 264, seed: int = 0
) -> list[np.ndarray]:
    """``count`` degraded crops (``side`` pixels square, a multiple of 12 as the benchmark
    crops) of training images, the presets in turn, as the network meets them at inference.
    Images are drawn from the whole pool."""
    paths = ImageFolder.scan(list(roots)).paths
    if not paths:
        raise InputError(f"no images under {', '.join(map(str, roots))}")
    rng = np.random.default_rng(seed)
    chosen = [paths[i] for i in rng.choice(len(paths), size=min(count, len(paths)), replace=False)]
    frames = []
    for index, (_path, image) in enumerate(ImageFolder(chosen)):
        height, width = image.shape[:2]
        if min(height, width) < side:
            continue
        top, left = rng.integers(0, height - side + 1), rng.integers(0, width - side + 1)
        crop = np.ascontiguousarray(image[top : top + side, left : left + side])
        preset = CALIBRATION_PRESETS[index % len(CALIBRATION_PRESETS)]
        frames.append(apply_preset(crop, preset, np.random.default_rng((seed, index))).frame)
    if not frames:
        raise InputError(f"no training image is at least {side} pixels on its short side")
    return frames


def frame_feeds(frame: np.ndarray) -> dict[str, np.ndarray]:
    """A frame graph's feeds for one RGB frame (its input, as the runtime gives it)."""
    return {"input": frame[None]}


class _FeedReader:
    """ONNX Runtime's CalibrationDataReader over the feeds of frames."""

    def __init__(self, frames: Sequence[np.ndarray], feeds: Callable[[np.ndarray], dict[str, np.ndarray]]):
        self.frames: Iterator[np.ndarray] = iter(tqdm(frames, desc="calibrating", leave=False))
        self.feeds = feeds

    def get_next(self) -> dict[str, np.ndarray] | None:
        frame = next(self.frames, None)
        return None if frame is None else self.feeds(frame)


def agreement_db(
    fp32: str | Path,
    int8: str | Path,
    frames: Sequence[np.ndarray],
    feeds: Callable[[np.ndarray], dict[str, np.ndarray]] = frame_feeds,
) -> float:
    """PSNR of the INT8 graph's output against the FP32 graph's, over ``frames`` (frame sides
    multiples of the network's; for an I420 graph, on luma, the one plane it changes; for a luma
    graph, on its correction in levels)."""
    import onnxruntime as ort

    from crispcall.runtime.backends import session_options

    sessions = [
        ort.InferenceSession(str(path), session_options(2), providers=["CPUExecutionProvider"]) for path in (int8, fp32)
    ]
    outputs: list[list[np.ndarray]] = [[], []]
    for frame in frames:
        feed = feeds(frame)
        kept = feed["y"].size if "y" in feed else None
        for session, into in zip(sessions, outputs, strict=True):
            got = session.run(None, feed)
            into.append(signed_correction(got[0]) if LUMA_INPUT in feed else got[0].reshape(-1)[:kept])
    return agreement_psnr(*outputs)


def quantize_onnx(
    fp32: str | Path,
    out: str | Path,
    frames: Sequence[np.ndarray],
    check: Sequence[np.ndarray],
    feeds: Callable[[np.ndarray], dict[str, np.ndarray]] = frame_feeds,
) -> float:
    """Write the INT8 QDQ graph of ``fp32`` to ``out``: convolutions quantized, each with the
    ReLU after it folded in, and the pixel-shuffle on quantized values (activations per tensor
    uint8 by min/max over ``frames``; weights per channel, symmetric, within
    :data:`~crispcall.quant.WEIGHT_QMAX`; the scheme :mod:`crispcall.quant.qat` trains for,
    whose output rounding before a ReLU is a coarser step than the folded graph's).
    The result must agree with the FP32 graph to :data:`MIN_AGREEMENT_DB` on ``check`` frames;
    returns that PSNR. ``feeds`` makes the graph's inputs from a frame: :func:`frame_feeds` for
    a frame graph, :func:`~crispcall.runtime.i420.same_size_feeds` for an I420 graph (the
    degraded frames the network meets, shown at their own size),
    :func:`~crispcall.runtime.luma.luma_feeds` for a luma graph. Where the graph's uint8 ends
    allow, no float work is left around them (:func:`_fixed_ranges`, :func:`_on_uint8`).
    Written under a temporary name and renamed once checked."""
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    with tempfile.TemporaryDirectory() as scratch, written_whole(out) as partial:
        prepared = Path(scratch) / "prepared.onnx"
        quant_pre_process(str(fp32), str(prepared), skip_symbolic_shape=True)
        quantize_static(
            str(prepared),
            str(partial),
            _FeedReader(frames, feeds),
            quant_format=QuantFormat.QDQ,
            # With Relu listed, each ReLU's output quantization becomes its convolution's, so
            # ONNX Runtime clamps inside QLinearConv instead of dequantizing, applying ReLU in
            # float and quantizing again; with DepthToSpace, the pixel-shuffle moves uint8
            # rather than float. Both cost no accuracy and save a sixth of the student's frame.
            # SpaceToDepth likewise: the stem's unshuffle then moves uint8 luma.
            op_types_to_quantize=QUANTIZED_OPS,
            per_channel=True,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            calibrate_method=CalibrationMethod.MinMax,
            reduce_range=True,  # 7-bit weights: WEIGHT_QMAX
            extra_options={
                "WeightSymmetric": True,
                "ActivationSymmetric": False,
                "TensorQuantOverrides": _fixed_ranges(prepared),
            },
        )
        _on_uint8(partial)
        _copy_metadata(fp32, partial, {PRECISION_KEY: "int8"})
        if (peak := int8_weight_peak(partial)) > WEIGHT_QMAX:
            raise CheckFailed(f"INT8 weights reach {peak}, beyond {WEIGHT_QMAX}: they would saturate without VNNI")
        agreement = agreement_db(fp32, partial, check, feeds)
        if agreement < MIN_AGREEMENT_DB:
            raise CheckFailed(f"INT8 graph agrees with FP32 to only {agreement:.1f} dB (< {MIN_AGREEMENT_DB})")
    return agreement


def _fixed_ranges(path: Path) -> dict[str, list[dict[str, np.float32]]]:
    """Quantization ranges (ONNX Runtime's ``TensorQuantOverrides``) that make a graph's uint8
    ends its quantized tensors themselves, so that :func:`_on_uint8` can drop the float work
    around them: the float copy (Cast) of a uint8 input, and a SpaceToDepth or DepthToSpace of
    it, over 0-255 (scale 1, zero point 0); the float tensor a uint8 output quantizes, and
    the one a SpaceToDepth or DepthToSpace moves into it, over that output's own range."""
    import onnx

    graph = onnx.load(str(path)).graph
    producer = {out: node for node in graph.node for out in node.output}
    constants, uint8_inputs = _constants(graph), _uint8_inputs(graph)
    quantized_inputs = {name for node in graph.node if node.op_type in QUANTIZED_OPS for name in node.input}
    ranges: dict[str, tuple[float, float]] = {}
    for node in graph.node:
        if node.op_type == "Cast" and node.input[0] in uint8_inputs and node.output[0] in quantized_inputs:
            ranges[node.output[0]] = (0.0, 255.0)
    for output in graph.output:
        node = producer.get(output.name)
        if node is not None and node.op_type == "QuantizeLinear" and set(node.input[1:]) <= set(constants):
            scale, zero = float(constants[node.input[1]]), int(constants[node.input[2]])
            ranges[node.input[0]] = (-zero * scale, (255 - zero) * scale)
    for node in graph.node:  # data movement keeps the range of what it moves
        if node.op_type in ("SpaceToDepth", "DepthToSpace"):
            if node.input[0] in ranges:
                ranges.setdefault(node.output[0], ranges[node.input[0]])
            elif node.output[0] in ranges:
                ranges[node.input[0]] = ranges[node.output[0]]
    return {name: [{"rmin": np.float32(low), "rmax": np.float32(high)}] for name, (low, high) in ranges.items()}


def _on_uint8(path: Path) -> None:
    """Rewrite the INT8 graph at ``path`` so that uint8 values stay uint8 where float work
    around them is an identity on every value (:func:`_fixed_ranges` sets that up): each uint8
    input quantized as itself (scale 1, zero point 0) feeds its dequantization directly,
    without the Cast to float and the QuantizeLinear back; each SpaceToDepth or DepthToSpace
    between a dequantization and a quantization with the same scale and zero point moves the
    uint8 values itself; and a quantization of a dequantization with the same scale and zero
    point is its input, so a uint8 output is the last quantized tensor. ONNX Runtime's optimizer
    left the first and the last in place, each a pass or two over the frame."""
    import onnx

    model = onnx.load(str(path))
    graph = model.graph
    values, uint8_inputs = _constants(graph), _uint8_inputs(graph)
    producer = {out: node for node in graph.node for out in node.output}
    consumers: dict[str, list] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)

    def params(node) -> tuple[float, int, np.dtype]:
        zero = values[node.input[2]]
        return float(values[node.input[1]]), int(zero), zero.dtype

    renamed: dict[str, str] = {}  # a dropped node's output -> the tensor that replaces it
    dropped = []
    for node in graph.node:
        source = producer.get(node.input[0]) if node.input else None
        if source is None:
            continue
        if node.op_type == "QuantizeLinear" and source.op_type == "Cast" and source.input[0] in uint8_inputs:
            if params(node) == (1.0, 0, np.uint8):
                renamed[node.output[0]] = source.input[0]
                dropped += [node]
        elif node.op_type == "QuantizeLinear" and source.op_type == "DequantizeLinear":
            if params(node) == params(source):
                renamed[node.output[0]] = source.input[0]
                dropped += [node]
        elif node.op_type in ("SpaceToDepth", "DepthToSpace") and source.op_type == "DequantizeLinear":
            readers = consumers.get(node.output[0], [])
            after = readers[0] if len(readers) == 1 else None
            if after is not None and after.op_type == "QuantizeLinear" and params(after) == params(source):
                node.input[0], node.output[0] = source.input[0], after.output[0]
                dropped += [after]
    for node in dropped:
        graph.node.remove(node)
    for node in graph.node:
        node.input[:] = [renamed.get(name, name) for name in node.input]
    inputs = {i.name for i in graph.input}
    for output in graph.output:  # an output that is another tensor now: that tensor takes its name
        tensor = renamed.get(output.name)
        if tensor is not None and tensor not in inputs:
            for node in graph.node:
                node.input[:] = [output.name if name == tensor else name for name in node.input]
                node.output[:] = [output.name if name == tensor else name for name in node.output]
    _drop_unused(graph)
    onnx.save(model, str(path))


def _constants(graph) -> dict[str, np.ndarray]:
    """The values of an ONNX graph's initializers and Constant nodes, by name."""
    from onnx import numpy_helper

    values = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    constant_nodes = (n for n in graph.node if n.op_type == "Constant")
    return values | {n.output[0]: numpy_helper.to_array(n.attribute[0].t) for n in constant_nodes}


def _uint8_inputs(graph) -> set[str]:
    """The names of an ONNX graph's uint8 inputs."""
    import onnx

    return {i.name for i in graph.input if i.type.tensor_type.elem_type == onnx.TensorProto.UINT8}


def _drop_unused(graph) -> None:
    """Remove from an ONNX ``graph`` the nodes whose outputs nothing reads and the
    initializers no node reads, as a rewrite leaves them (ONNX Runtime warns of each on load)."""
    outputs = {o.name for o in graph.output}
    while True:
        read = outputs | {name for node in graph.node for name in node.input}
        unused = [node for node in graph.node if not read & set(node.output)]
        if not unused:
            break
        for node in unused:
            graph.node.remove(node)
    read = {name for node in graph.node for name in node.input}
    for initializer in [t for t in graph.initializer if t.name not in read]:
        graph.initializer.remove(initializer)


def int8_weight_peak(path: str | Path) -> int:
    """The largest magnitude of the INT8 weights of an ONNX graph (0 when it has none)."""
    import onnx
    from onnx import numpy_helper

    weights = [
        numpy_helper.to_array(t) for t in onnx.load(str(path)).graph.initializer if t.data_type == onnx.TensorProto.INT8
    ]
    return max((int(np.abs(w.astype(np.int16)).max()) for w in weights if w.size), default=0)


def _copy_metadata(source: str | Path, target: Path, extra: dict[str, str]) -> None:
    """``source``'s metadata, and ``extra``, into ``target`` (keys it has already are kept)."""
    import onnx

    model = onnx.load(str(target))
    known = {p.key for p in model.metadata_props}
    for key, value in [*((p.key, p.value) for p in onnx.load(str(source)).metadata_props), *extra.items()]:
        if key not in known:
            model.metadata_props.add(key=key, value=value)
    onnx.save(model, str(target))

"""The CPU's own ceiling, measured in the same run as the networks: a dense square matrix
products through ONNX Runtime with the same threads (two sizes, the faster kept: which one
the kernels favour depends on the CPU's caches), in FP32 (MatMul) and INT8 (MatMulInteger,
uint8 x int8, the kernel family ONNX Runtime's INT8 convolutions use). A network's effective
rate over that ceiling is a figure that holds from one machine, and one hour, to the next.

The two graphs ship as package data; :func:`ceiling_graph` makes them (with the ``onnx``
package), and a test checks the shipped files against it.
"""

from __future__ import annotations

import statistics
import time
from importlib import resources

import numpy as np

GRAPHS = {"fp32": "matmul-fp32.onnx", "int8": "matmul-u8s8.onnx"}
SIDES = (1024, 2048)  # 1.07 and 8.6 G multiply-accumulates a product


def ceiling_graph(precision: str) -> bytes:
    """The serialised ONNX graph of one square product, ``fp32`` or ``int8``."""
    import onnx
    from onnx import TensorProto, helper

    if precision == "fp32":
        inputs, node, out = (TensorProto.FLOAT, TensorProto.FLOAT), "MatMul", TensorProto.FLOAT
    else:
        inputs, node, out = (TensorProto.UINT8, TensorProto.INT8), "MatMulInteger", TensorProto.INT32
    graph = helper.make_graph(
        [helper.make_node(node, ["a", "b"], ["c"])],
        f"ceiling-{precision}",
        [helper.make_tensor_value_info(name, kind, ["n", "n"]) for name, kind in zip("ab", inputs, strict=True)],
        [helper.make_tensor_value_info("c", out, ["n", "n"])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8, producer_name="")
    onnx.checker.check_model(model)
    return model.SerializeToString()


def measure_ceilings(threads: int, repeats: int = 10) -> dict[str, float]:
    """GMAC/s of the FP32 and INT8 products on ``threads`` threads: for each size the median
    of ``repeats`` runs, and the faster size."""
    import onnxruntime as ort

    from crispcall.runtime.backends import session_options

    rng = np.random.default_rng(0)
    rates = {}
    for precision, name in GRAPHS.items():
        graph = resources.files("crispcall.bench").joinpath(name).read_bytes()
        session = ort.InferenceSession(graph, session_options(threads), providers=["CPUExecutionProvider"])
        rates[precision] = 0.0
        for side in SIDES:
            if precision == "fp32":
                a, b = rng.random((side, side), np.float32), rng.random((side, side), np.float32)
            else:
                a, b = rng.integers(0, 256, (side, side), np.uint8), rng.integers(-64, 64, (side, side), np.int8)
            session.run(None, {"a": a, "b": b})  # warm-up: packs and allocates
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                session.run(None, {"a": a, "b": b})
                times.append(time.perf_counter() - start)
            rates[precision] = max(rates[precision], side**3 / statistics.median(times) / 1e9)
    return rates

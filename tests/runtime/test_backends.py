import subprocess
import sys

# Six sessions of a graph with 16 MB tensors, run one after the other in a fresh process; prints
# how far the peak resident memory grew, in MB.
SESSIONS = """
import sys
import numpy as np, onnxruntime as ort
from onnx import TensorProto, helper
from crispcall.runtime.backends import session_options
from crispcall.sysinfo import peak_memory_mb
side = [1, 1, 2048, 2048]
nodes = [helper.make_node("Add", ["x", "x"], ["a"]), helper.make_node("Mul", ["a", "x"], ["b"]),
         helper.make_node("Sub", ["b", "a"], ["y"])]
graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, side)],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, side)])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=9).SerializeToString()
options = (lambda: session_options(1)) if sys.argv[1] == "crispcall" else ort.SessionOptions
sessions = [ort.InferenceSession(model, options(), providers=["CPUExecutionProvider"]) for _ in range(6)]
before = peak_memory_mb()
for session in sessions:
    session.run(None, {"x": np.ones(side, np.float32)})
print(peak_memory_mb() - before)
"""


def _peak_growth_mb(options: str) -> float:
    run = subprocess.run([sys.executable, "-c", SESSIONS, options], capture_output=True, text=True, check=True)
    return float(run.stdout)


def test_sessions_share_one_arena_instead_of_keeping_one_each():
    own, shared = _peak_growth_mb("default"), _peak_growth_mb("crispcall")
    assert own > 6 * 16  # each session's arena keeps at least one tensor's memory
    assert shared < own / 3

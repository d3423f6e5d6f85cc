import time

import pytest

from crispcall.bench import benchmark, markdown_table, parse_size, ratio_table
from crispcall.methods import create_method
from crispcall.methods.base import Method


class Sleeper(Method):
    """A same-size method that takes at least 20 ms a frame."""

    name = "sleeper"

    def run(self, image):
        time.sleep(0.02)
        return image


def test_bench_rows_cover_floor_and_methods():
    methods = [create_method("input"), create_method("unsharp"), Sleeper()]
    doc = benchmark(methods, [(64, 48)], threads=1, warmup=1, frames=3, progress=False, ceiling_repeats=1)
    rows = doc["results"]
    assert [r["method"] for r in rows] == ["bilinear", "input", "unsharp", "sleeper"]
    assert rows[0]["input_size"] == "32x24" and rows[1]["input_size"] == "64x48"
    assert rows[0]["x_bilinear"] == 1.0
    assert rows[3]["median_ms"] >= 20 and rows[3]["fps"] <= 50  # it measures the time a frame really takes
    assert set(doc["meta"]["ceiling_gmac_per_s"]) == {"fp32", "int8"} and "cpu_flags" in doc["meta"]["machine"]
    assert "peak_fraction" not in rows[1]  # the input states no MACs
    assert doc["meta"]["machine"]["cpu"]
    assert "| unsharp | 64x48 |" in markdown_table(doc)


def _run(times: dict[str, float]) -> dict:
    rows = [{"method": m, "size": "64x48", "median_ms": ms} for m, ms in {"bilinear": 1.0, **times}.items()]
    return {"results": rows}


def test_a_ratio_table_gives_each_run_against_one_method_with_median_and_largest():
    runs = [
        _run({"budget": 40.0, "ours": 30.0}),
        _run({"ours": 44.0, "budget": 40.0}),
        _run({"budget": 50.0, "ours": 45.0}),
    ]
    runs[0]["meta"] = {"machine": {"cpu": "AMD EPYC", "cores": 2, "cpu_flags": ["avx2", "fma"]}}
    table = ratio_table(["r/a.json", "r/b.json", "r/c.json"], runs, "budget")
    heading = "Median time as a fraction of budget's in the same run (CPU: AMD EPYC, 2 cores, flags avx2, fma)\n"
    assert table.startswith(heading)
    assert "| method | size | `a.json` | `b.json` | `c.json` | median | largest |" in table
    assert "| ours | 64x48 | 0.75 | 1.10 | 0.90 | 0.90 | 1.10 |" in table
    assert table.index("| budget |") < table.index("| ours |") and "bilinear" not in table
    with pytest.raises(ValueError, match="no 'budget'"):
        ratio_table(["a"], [_run({"ours": 30.0})], "budget")
    with pytest.raises(ValueError, match="not in every bench run"):
        ratio_table(["a", "b"], [runs[0], _run({"budget": 40.0})], "budget")


def test_a_network_gets_its_rate_and_fraction_of_the_ceiling(student_onnx):
    from crispcall.methods.models import ModelMethod

    method = ModelMethod("student", student_onnx, threads=1)
    assert method.macs_per_pixel > 0 and method.precision == "fp32"
    doc = benchmark([method], [(64, 48)], threads=1, warmup=1, frames=2, progress=False, ceiling_repeats=1)
    row = doc["results"][1]
    ceiling = doc["meta"]["ceiling_gmac_per_s"]["fp32"]
    assert row["gmac_per_frame"] == pytest.approx(method.macs_per_pixel * 64 * 48 / 1e9)
    assert row["peak_fraction"] == pytest.approx(row["gmac_per_frame"] / (row["median_ms"] / 1000) / ceiling)
    assert "| student | 64x48 |" in markdown_table(doc) and "Ceiling in this run" in markdown_table(doc)


def test_planes_rows_time_the_i420_twin_beside_the_rgb_graph():
    methods = [create_method("student", threads=1), create_method("unsharp")]
    doc = benchmark(methods, [(64, 48)], threads=1, warmup=1, frames=2, progress=False, ceiling_repeats=1, planes=True)
    rows = {r["method"]: r for r in doc["results"]}
    assert list(rows) == ["bilinear", "student", "student (yuv420p planes)", "unsharp"]  # unsharp has no twin
    planes = rows["student (yuv420p planes)"]
    assert planes["input_size"] == "64x48" and planes["gmac_per_frame"] == rows["student"]["gmac_per_frame"]
    assert planes["median_ms"] > 0


@pytest.mark.parametrize("text", ["1920", "axb", "8x8", "99999x99999"])
def test_bad_sizes(text):
    with pytest.raises(ValueError, match="size"):
        parse_size(text)


def test_profile_sums_kernel_time_per_operator(student_onnx, capsys):
    from crispcall.bench.profile import profile_graph
    from crispcall.cli.main import main

    profile = profile_graph(student_onnx, 64, 48, threads=1, frames=3)
    assert profile["ms_per_op"] and all(ms > 0 for ms in profile["ms_per_op"].values())
    assert "Conv" in profile["ms_per_op"]
    assert main(["profile", str(student_onnx), "--size", "64x48", "--frames", "2", "--threads", "1"]) == 0
    assert "| Conv |" in capsys.readouterr().out
    assert main(["profile", "missing.onnx"]) == 2


def test_profile_feeds_an_i420_graph_its_planes():
    from crispcall.bench.profile import profile_graph
    from crispcall.paths import weights_dir

    profile = profile_graph(weights_dir() / "student-i420.onnx", 64, 48, threads=1, frames=2)
    assert "Resize" in profile["ms_per_op"] and "Conv" in profile["ms_per_op"]
    received = profile_graph(weights_dir() / "student-i420.onnx", 64, 48, threads=1, frames=2, received=(32, 24))
    assert received["received"] == "32x24" and "Resize" in received["ms_per_op"]


def test_a_fixed_graph_knows_every_shape_and_gives_the_same_output(tmp_path):
    import numpy as np
    import onnxruntime as ort

    from crispcall.bench.profile import fixed_graph, graph_feeds, profile_graph
    from crispcall.paths import weights_dir

    model = weights_dir() / "student-i420.onnx"
    session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    feeds = graph_feeds(session, 64, 48, received=(32, 24))
    left = fixed_graph(model, feeds, tmp_path / "fixed.onnx")
    fixed = ort.InferenceSession(str(tmp_path / "fixed.onnx"), providers=["CPUExecutionProvider"])
    assert sorted(left) == ["u", "v", "y"]  # the display size is a constant now
    shapes = {i.name: i.shape for i in fixed.get_inputs()}
    assert shapes == {"y": [1, 1, 24, 32], "u": [1, 1, 12, 16], "v": [1, 1, 12, 16]}
    assert fixed.get_outputs()[0].shape == [64 * 48 * 3 // 2]
    np.testing.assert_array_equal(fixed.run(None, left)[0], session.run(None, feeds)[0])
    profile = profile_graph(model, 64, 48, threads=1, frames=2, received=(32, 24), fixed=True)
    assert profile["fixed_shapes"] and "Conv" in profile["ms_per_op"]


def test_a_received_size_needs_an_i420_graph(student_onnx):
    from crispcall.bench.profile import profile_graph

    with pytest.raises(ValueError, match="I420 graph"):
        profile_graph(student_onnx, 64, 48, threads=1, frames=1, received=(32, 24))


def test_kernel_times_leave_out_each_nodes_warm_up_runs():
    from crispcall.bench.profile import WARMUP, kernel_ms

    def event(node: str, op: str, us: float) -> dict:
        return {"cat": "Node", "name": f"{node}_kernel_time", "dur": us, "args": {"op_name": op}}

    events = [{"cat": "Session", "name": "model_run", "dur": 1}]
    nodes = [("/a", "Conv", 3000.0), ("/b", "Add", 1000.0), ("/c", "Conv", 1000.0)]
    events += [event(node, op, 9000.0) for node, op, _us in nodes] * WARMUP  # warm-up: not counted
    events += [event(*node) for node in nodes] * 2
    assert kernel_ms(events, frames=2) == {"Conv": 4.0, "Add": 1.0}
    assert kernel_ms(events, frames=2, per="node") == {"/a (Conv)": 3.0, "/b (Add)": 1.0, "/c (Conv)": 1.0}


def test_the_page_against_native_table():
    from crispcall.bench.profile import compare_table

    native = {"model": "m.onnx", "size": "64x48", "received": "32x24", "threads": 1, "median_run_ms": 2.5}
    native["ms_per_op"] = {"Conv": 2.0}
    page = {
        **native,
        "backend": "onnxruntime-web wasm",
        "median_run_ms": 5.0,
        "ms_per_op": {"Conv": 8.0, "FusedConv": 1.0},
    }
    table = compare_table(native, page)
    assert "a run takes 2.5 ms in native ONNX Runtime and 5.0 ms in the page (onnxruntime-web wasm; 2.00x;" in table
    assert "the kernels take 2.0 and 9.0 ms (4.50x)" in table
    assert "| Conv | 2.00 | 8.00 | 4.0x |" in table and "| FusedConv | 0.00 | 1.00 | – |" in table


def test_convolution_time_per_op_and_per_node():
    from crispcall.bench.profile import convolution_ms, profile_table

    per_op = {"per": "op", "ms_per_op": {"QLinearConv": 6.0, "MatMul": 3.0, "Conv": 1.0}}
    nodes = {"/head/Conv (QLinearConv)": 6.0, "/MatMul (MatMul)": 3.0, "/Cast (Cast)": 1.0}
    per_node = {"per": "node", "ms_per_op": nodes}
    assert convolution_ms(per_op) == 7.0 and convolution_ms(per_node) == 6.0
    table = profile_table({**per_node, "model": "m.onnx", "size": "64x48", "threads": 1})
    assert "10.0 ms of kernels a frame; convolutions 6.0 ms (60%), everything else 4.0 ms (40%)" in table


def test_a_page_row_of_an_i420_graph_gets_its_native_twin(student_net, tmp_path):
    pytest.importorskip("torch", reason="the graph is exported from PyTorch (train extra)")
    from crispcall.bench import add_browser_rows
    from crispcall.export.i420 import export_i420

    export_i420(student_net, tmp_path / "tiny-i420.onnx")
    doc = benchmark([], [(64, 48)], threads=1, warmup=1, frames=2, progress=False, ceiling_repeats=1)
    page = {
        "method": "tiny-i420.onnx (browser)", "model": "tiny-i420.onnx", "path": "webcodecs-i420", "size": "64x48",
        "input_size": "32x24", "threads": 1, "median_ms": 50.0, "fps": 20.0, "frames": 10, "seconds": 0.5,
        "call": {"fps": 20.0, "bitrate": 300_000, "codec": "video/VP8"},
    }  # fmt: skip
    add_browser_rows(doc, {"chromium": "test", "onnxruntime-web": "1.30.0", "results": [page]}, tmp_path)
    assert doc["meta"]["browser"] == {"chromium": "test", "onnxruntime-web": "1.30.0"}
    browser, native = doc["results"][-2:]
    assert native["method"] == "tiny-i420.onnx (native ONNX Runtime, 1 threads)" and native["median_ms"] > 0
    assert browser["x_native"] == pytest.approx(50.0 / native["median_ms"])
    assert "x the native time; the call delivered 20.0 fps" in markdown_table(doc)


def test_profile_of_a_luma_graph_counts_the_colour_work_around_it():
    from crispcall.bench.profile import OPENCV_COLOUR, convolution_ms, profile_graph
    from crispcall.paths import weights_dir

    profile = profile_graph(weights_dir() / "student-luma.onnx", 64, 48, threads=1, frames=2)
    assert profile["ms_per_op"][OPENCV_COLOUR] > 0 and "Conv" in profile["ms_per_op"]
    assert convolution_ms(profile) < sum(profile["ms_per_op"].values())

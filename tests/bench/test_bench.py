import time

import pytest

from crispcall.bench import benchmark, markdown_table, parse_size
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
    doc = benchmark(methods, [(64, 48)], threads=1, warmup=1, frames=3, progress=False)
    rows = doc["results"]
    assert [r["method"] for r in rows] == ["bilinear", "input", "unsharp", "sleeper"]
    assert rows[0]["input_size"] == "32x24" and rows[1]["input_size"] == "64x48"
    assert rows[0]["x_bilinear"] == 1.0
    assert rows[3]["median_ms"] >= 20 and rows[3]["fps"] <= 50  # it measures the time a frame really takes
    assert doc["meta"]["machine"]["cpu"]
    assert "| unsharp | 64x48 |" in markdown_table(doc)


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

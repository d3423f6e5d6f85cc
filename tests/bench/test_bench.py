import pytest

from crispcall.bench import benchmark, markdown_table, parse_size
from crispcall.methods import create_method


def test_bench_rows_cover_floor_and_methods():
    methods = [create_method("input"), create_method("unsharp")]
    doc = benchmark(methods, [(64, 48)], threads=1, warmup=1, frames=3, progress=False)
    rows = doc["results"]
    assert [r["method"] for r in rows] == ["bilinear", "input", "unsharp"]
    assert rows[0]["input_size"] == "32x24" and rows[1]["input_size"] == "64x48"
    assert rows[0]["x_bilinear"] == 1.0
    assert all(r["fps"] == pytest.approx(1000 / r["median_ms"]) for r in rows)
    assert doc["meta"]["machine"]["cpu"]
    assert "| unsharp | 64x48 |" in markdown_table(doc)


@pytest.mark.parametrize("text", ["1920", "axb", "8x8"])
def test_bad_sizes(text):
    with pytest.raises(ValueError, match="size"):
        parse_size(text)

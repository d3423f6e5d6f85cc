"""The browser peer: UpscalerJS's x2 model on TensorFlow.js, timed in headless Chromium."""

import pytest

pytest.importorskip("playwright", reason="the browser tests need the web extra")

from crispcall.bench import add_browser_rows, benchmark
from crispcall.web.browser import UPSCALERJS, bench_browser


def test_upscalerjs_is_timed_at_the_bench_sizes(tmp_path):
    browser = bench_browser(tmp_path, [(128, 72)], [UPSCALERJS], frames=2, warmup=1, threads=[1])
    [row] = browser["results"]
    assert row["method"] == "upscalerjs x2 (browser, tfjs wasm, 1 threads)"
    assert (row["size"], row["input_size"]) == ("128x72", "64x36") and row["median_ms"] > 0 and row["frames"] == 2
    doc = add_browser_rows(benchmark([], [(128, 72)], 1, 1, 2, progress=False, ceiling_repeats=1), browser)
    assert doc["results"][-1]["x_bilinear"] > 1

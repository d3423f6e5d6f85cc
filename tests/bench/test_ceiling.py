from importlib import resources

import pytest

from crispcall.bench.ceiling import GRAPHS, ceiling_graph, measure_ceilings


@pytest.mark.parametrize("precision", sorted(GRAPHS))
def test_the_shipped_ceiling_graphs_are_what_the_generator_makes(precision):
    pytest.importorskip("onnx")
    shipped = resources.files("crispcall.bench").joinpath(GRAPHS[precision]).read_bytes()
    assert shipped == ceiling_graph(precision)


def test_ceilings_are_measured_for_both_precisions():
    rates = measure_ceilings(threads=1, repeats=1)
    assert set(rates) == {"fp32", "int8"} and all(rate > 0 for rate in rates.values())

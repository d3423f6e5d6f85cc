"""``crispcall bench``: frame-path speed per BENCHMARK.md."""

from crispcall.bench.runner import benchmark, markdown_table, parse_size

__all__ = ["benchmark", "markdown_table", "parse_size"]

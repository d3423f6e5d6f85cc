"""``crispcall bench``: frame-path speed per BENCHMARK.md."""

from crispcall.bench.runner import add_browser_rows, benchmark, markdown_table, parse_size, ratio_table

__all__ = ["add_browser_rows", "benchmark", "markdown_table", "parse_size", "ratio_table"]

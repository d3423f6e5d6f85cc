"""``crispcall eval``: the reference table of BENCHMARK.md."""

from crispcall.evaluation.runner import evaluate
from crispcall.evaluation.suites import SUITES, default_data_dir
from crispcall.evaluation.table import difference_table, markdown_tables, merge_documents

__all__ = ["SUITES", "default_data_dir", "difference_table", "evaluate", "markdown_tables", "merge_documents"]

"""``crispcall eval``: the reference table of BENCHMARK.md."""

from crispcall.evaluation.runner import evaluate
from crispcall.evaluation.suites import SUITES
from crispcall.evaluation.table import difference_table, markdown_tables, merge_documents

__all__ = ["SUITES", "difference_table", "evaluate", "markdown_tables", "merge_documents"]

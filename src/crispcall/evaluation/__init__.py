"""``crispcall eval``: the reference table of BENCHMARK.md."""

from crispcall.evaluation.runner import evaluate
from crispcall.evaluation.suites import SUITES, default_data_dir
from crispcall.evaluation.table import markdown_tables

__all__ = ["SUITES", "default_data_dir", "evaluate", "markdown_tables"]

"""``crispcall report``: docs/REPORT.md (and an HTML copy) generated from measured results."""

from crispcall.report.build import build_report

__all__ = ["build_report"]

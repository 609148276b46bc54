"""Comparing sets of runs: outcome statistics with bootstrap confidence intervals
(:mod:`sim.compare.stats`) and their tables as CSV or Markdown (:mod:`sim.compare.table`)."""

from sim.compare.stats import (
    COLUMNS,
    bootstrap_difference,
    common_fields,
    difference_table,
    metric_seed,
    summarise,
)
from sim.compare.table import to_csv, to_markdown

__all__ = [
    "COLUMNS",
    "bootstrap_difference",
    "common_fields",
    "difference_table",
    "metric_seed",
    "summarise",
    "to_csv",
    "to_markdown",
]

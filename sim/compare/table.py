"""Writing comparison tables (lists of flat dicts, e.g. from
:func:`sim.compare.stats.difference_table`) as CSV and as GitHub Markdown.

Columns are the keys of the rows in order of first appearance (:data:`COLUMNS
<sim.compare.stats.COLUMNS>` when there are no rows). Missing values (None or NaN) are an
empty CSV field and ``n/a`` in Markdown.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.compare.stats import COLUMNS

MISSING = "n/a"

#: Markdown headers of the difference-table columns (other keys are shown as they are).
HEADERS = {
    "label": "input",
    "reference": "reference",
    "metric": "metric",
    "reference_value": "reference value",
    "value": "value",
    "difference": "difference",
    "n_reference": "n (reference)",
    "n": "n",
}


def _columns(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None) -> list[str]:
    if columns is not None:
        return list(columns)
    if not rows:
        return list(COLUMNS)
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _csv_cell(value: Any) -> Any:
    if _is_missing(value):
        return ""
    return repr(float(value)) if isinstance(value, float) else value


def to_csv(
    rows: Sequence[Mapping[str, Any]], path: str | Path, columns: Sequence[str] | None = None
) -> Path:
    """Write the rows to ``path`` (UTF-8, a header line, floats at full precision)."""
    path = Path(path)
    cols = _columns(rows, columns)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(cols)
        for row in rows:
            writer.writerow([_csv_cell(row.get(c)) for c in cols])
    return path


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def format_cell(value: Any) -> str:
    """Floats to 3 decimals, missing as ``n/a``, everything else as text."""
    if _is_missing(value):
        return MISSING
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _ci_cell(low: Any, high: Any) -> str:
    if _is_missing(low) or _is_missing(high):
        return MISSING
    return f"[{format_cell(float(low))}, {format_cell(float(high))}]"


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """An aligned GitHub Markdown table: every cell padded to its column's width, numbers
    right-aligned (``---:``) and text left-aligned, floats to 3 decimals.

    ``ci_low`` and ``ci_high`` are shown as one column ``[low, high]`` headed ``95% CI``
    (from the rows' ``level``, which is then not shown as a column when all rows share it).
    """
    cols = _columns(rows, columns)
    levels = {row.get("level") for row in rows}
    merge_ci = "ci_low" in cols and "ci_high" in cols
    ci_header = "CI"
    if merge_ci and "level" in cols and len(levels) <= 1:
        level = next(iter(levels), None)
        if _is_number(level):
            ci_header = f"{100 * level:g}% CI"
            cols.remove("level")
        elif not rows:
            ci_header = "95% CI"
            cols.remove("level")

    # (header, cells, right-aligned) per shown column
    shown: list[tuple[str, list[str], bool]] = []
    for col in cols:
        if merge_ci and col == "ci_high":
            continue
        if merge_ci and col == "ci_low":
            cells = [_ci_cell(row.get("ci_low"), row.get("ci_high")) for row in rows]
            shown.append((ci_header, cells, True))
            continue
        values = [row.get(col) for row in rows]
        numeric = bool(values) and all(_is_number(v) or _is_missing(v) for v in values)
        cells = [_escape(format_cell(v)) for v in values]
        shown.append((_escape(HEADERS.get(col, col)), cells, numeric))

    widths = [max(3, len(h), *(len(c) for c in cells)) for h, cells, _ in shown]

    def line(cells: list[str], right: list[bool]) -> str:
        padded = [
            c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right, strict=True)
        ]
        return "| " + " | ".join(padded) + " |"

    right = [r for *_, r in shown]
    rules = [("-" * (w - 1) + ":") if r else "-" * w for w, r in zip(widths, right, strict=True)]
    out = [line([h for h, _, _ in shown], right), "| " + " | ".join(rules) + " |"]
    out += [line([cells[k] for _, cells, _ in shown], right) for k in range(len(rows))]
    return "\n".join(out) + "\n"

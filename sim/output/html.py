"""A self-contained HTML report: one file with inline CSS, no scripts, no external links
or fonts, and PNG figures embedded as ``data:image/png;base64,...``.

Every text (title, headings, paragraphs, table cells, captions) is escaped with
:func:`html.escape`, so it shows as written and can never inject markup.
"""

from __future__ import annotations

import base64
import html
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
       color: #111; background: #fff; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; border-bottom: 2px solid #333; padding-bottom: .3rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #999; }
table { border-collapse: collapse; margin: 1rem 0; font-size: .9rem; }
caption { caption-side: top; text-align: left; font-weight: 600; padding: .2rem 0; }
th, td { border: 1px solid #666; padding: .25rem .5rem; text-align: left; }
th { background: #eee; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; display: block; }
figcaption { font-size: .9rem; color: #333; margin-top: .3rem; }
@media print {
  body { max-width: none; margin: 0; font-size: 10pt; }
  h1, h2 { page-break-after: avoid; break-after: avoid; }
  table, figure { page-break-inside: avoid; break-inside: avoid; }
  th { background: #eee; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
""".strip()


@dataclass(frozen=True)
class Table:
    """A table: column headers and rows of cells (floats shown to 3 decimals, None empty)."""

    header: Sequence[Any]
    rows: Sequence[Sequence[Any]]
    caption: str = ""


@dataclass(frozen=True)
class Figure:
    """A PNG file on disk, embedded into the page, with an optional caption."""

    path: str | Path
    caption: str = ""


@dataclass(frozen=True)
class Section:
    """One section of the report: a heading, then paragraphs, tables and figures.

    ``tables`` items are :class:`Table` or ``(header, rows)`` pairs; ``figures`` items are
    :class:`Figure`, a path, or ``(path, caption)`` pairs.
    """

    heading: str
    paragraphs: Sequence[str] = ()
    tables: Sequence[Table | tuple[Sequence[Any], Sequence[Sequence[Any]]]] = ()
    figures: Sequence[Figure | str | Path | tuple[str | Path, str]] = ()


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _cell(value: Any) -> tuple[str, bool]:
    """The cell's text and whether it is a number."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "", False
    if isinstance(value, bool):
        return str(value), False
    if isinstance(value, float):
        return f"{value:.3f}", True
    return str(value), isinstance(value, int)


def _as_table(item: Any) -> Table:
    if isinstance(item, Table):
        return item
    header, rows = item
    return Table(header, rows)


def _as_figure(item: Any) -> Figure:
    if isinstance(item, Figure):
        return item
    if isinstance(item, str | os.PathLike):
        return Figure(item)
    path, caption = item
    return Figure(path, caption)


def png_data_uri(path: str | Path) -> str:
    """The PNG file as a ``data:image/png;base64,...`` URI; ValueError if it is not a PNG."""
    data = Path(path).read_bytes()
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError(f"{path}: not a PNG file")
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def _table_html(table: Table) -> list[str]:
    out = ["<table>"]
    if table.caption:
        out.append(f"<caption>{_e(table.caption)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in table.header) + "</tr></thead>")
    out.append("<tbody>")
    for row in table.rows:
        cells = []
        for value in row:
            text, numeric = _cell(value)
            cells.append(f'<td class="num">{_e(text)}</td>' if numeric else f"<td>{_e(text)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out += ["</tbody>", "</table>"]
    return out


def _figure_html(figure: Figure) -> list[str]:
    alt = figure.caption or Path(figure.path).name
    out = ["<figure>", f'<img src="{png_data_uri(figure.path)}" alt="{_e(alt)}">']
    if figure.caption:
        out.append(f"<figcaption>{_e(figure.caption)}</figcaption>")
    out.append("</figure>")
    return out


def html_report(title: str, sections: Sequence[Section]) -> str:
    """The whole page as text: ``<h1>`` title, then per section an ``<h2>`` heading, its
    paragraphs, tables and figures (in that order). Raises FileNotFoundError for a missing
    figure and ValueError for a figure that is not a PNG."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>\n{CSS}\n</style>",
        "</head>",
        "<body>",
        f"<h1>{_e(title)}</h1>",
    ]
    for section in sections:
        out += ["<section>", f"<h2>{_e(section.heading)}</h2>"]
        out += [f"<p>{_e(p)}</p>" for p in section.paragraphs]
        for table in section.tables:
            out += _table_html(_as_table(table))
        for figure in section.figures:
            out += _figure_html(_as_figure(figure))
        out.append("</section>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def write_report(path: str | Path, title: str, sections: Sequence[Section]) -> Path:
    """Write :func:`html_report` to ``path`` (UTF-8; written to a temporary sibling and
    renamed, so a failure leaves no partial file). Returns the path."""
    path = Path(path)
    page = html_report(title, sections)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(page, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path

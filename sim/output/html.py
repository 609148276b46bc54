"""A self-contained HTML report: one file with inline CSS, no scripts, no external links
or fonts, and PNG figures embedded as ``data:image/png;base64,...``.

Every text (title, headings, paragraphs, table cells, captions) is escaped with
:func:`html.escape`, so it shows as written and can never inject markup.

Made to be read on a screen and printed: a table of contents (links to the sections'
``id`` anchors, the only links of the page); long table cells wrap so every column fits the
page width; figures keep their natural size up to the page width (never enlarged); values
show as a reader writes them (floats to 3 decimals with ``-0.000`` as ``0.000``, booleans
as ``yes``/``no``, missing as empty); rows a caller marks (e.g. significant differences)
are highlighted; ``@media print`` sets A4 margins, keeps table rows and figures whole and
shrinks a figure taller than the page to fit it.
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
       color: #111; background: #fff; max-width: 72rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; border-bottom: 2px solid #333; padding-bottom: .3rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #999; }
nav.toc { border: 1px solid #bbb; background: #f7f7f7; padding: .4rem 1rem; }
nav.toc ol { margin: .2rem 0; padding-left: 1.4rem; }
nav.toc a { color: #1f4f8a; text-decoration: none; }
table { border-collapse: collapse; margin: 1rem 0; font-size: .9rem; max-width: 100%; }
table.wide { width: 100%; table-layout: fixed; }
caption { caption-side: top; text-align: left; font-weight: 600; padding: .2rem 0; }
th, td { border: 1px solid #666; padding: .25rem .5rem; text-align: left;
         vertical-align: top; overflow-wrap: anywhere; word-break: break-word; }
th { background: #eee; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.mark td { background: #fff3b0; font-weight: 600; }
td.none { color: #555; font-style: italic; border: none; padding-left: 0; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; display: block; }
figcaption { font-size: .9rem; color: #333; margin-top: .3rem; }
@page { size: A4; margin: 12mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 9.5pt; }
  table { font-size: 8pt; }
  h1, h2 { page-break-after: avoid; break-after: avoid; }
  figure, tr { page-break-inside: avoid; break-inside: avoid; }
  figure img { max-height: 230mm; width: auto; margin: 0 auto; }
  th, tr.mark td, nav.toc { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
""".strip()


@dataclass(frozen=True)
class Table:
    """A table: column headers and rows of cells (shown by :func:`cell_text`).

    A header of empty names (a key-value table) is left out, and a table without rows
    shows "none" under its caption. ``widths`` (shares of the
    page width, one per column) fix the columns' widths and make the table as wide as the
    page, its long cells wrapping; ``marked`` (one flag per row) highlights rows.
    """

    header: Sequence[Any]
    rows: Sequence[Sequence[Any]]
    caption: str = ""
    widths: Sequence[float] = ()
    marked: Sequence[bool] = ()


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


def cell_text(value: Any) -> tuple[str, bool]:
    """A cell's text and whether it is a number: None and NaN empty, booleans ``yes`` and
    ``no``, floats to 3 decimals (a value that rounds to zero shows as ``0.000``, never
    ``-0.000``), anything else as ``str``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "", False
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, float):
        text = f"{value:.3f}"
        return ("0.000" if text == "-0.000" else text), True
    return str(value), isinstance(value, int)


def anchor(heading: str, taken: set[str]) -> str:
    """A section's ``id``: its heading in lower-case letters and digits joined by ``-``
    (``s`` when none), with ``-2``, ``-3``, ... when already ``taken`` (which it joins)."""
    base = "-".join("".join(c if c.isalnum() else " " for c in heading.lower()).split()) or "s"
    name, k = base, 1
    while name in taken:
        k += 1
        name = f"{base}-{k}"
    taken.add(name)
    return name


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
    out = ['<table class="wide">' if table.widths or not table.rows else "<table>"]
    if table.caption:
        out.append(f"<caption>{_e(table.caption)}</caption>")
    if table.widths and table.rows:
        total = sum(table.widths)
        cols = "".join(f'<col style="width:{100 * w / total:.1f}%">' for w in table.widths)
        out.append(f"<colgroup>{cols}</colgroup>")
    if not table.rows:  # a caption, and "none" instead of an empty header
        out += ['<tbody><tr><td class="none">none</td></tr></tbody>', "</table>"]
        return out
    if any(str(h).strip() for h in table.header):
        head = "".join(f"<th>{_e(h)}</th>" for h in table.header)
        out.append(f"<thead><tr>{head}</tr></thead>")
    out.append("<tbody>")
    marked = list(table.marked) + [False] * len(table.rows)
    for row, mark in zip(table.rows, marked, strict=False):
        cells = []
        for value in row:
            text, numeric = cell_text(value)
            cells.append(f'<td class="num">{_e(text)}</td>' if numeric else f"<td>{_e(text)}</td>")
        out.append(('<tr class="mark">' if mark else "<tr>") + "".join(cells) + "</tr>")
    out += ["</tbody>", "</table>"]
    return out


def _figure_html(figure: Figure) -> list[str]:
    alt = figure.caption or Path(figure.path).name
    out = ["<figure>", f'<img src="{png_data_uri(figure.path)}" alt="{_e(alt)}">']
    if figure.caption:
        out.append(f"<figcaption>{_e(figure.caption)}</figcaption>")
    out.append("</figure>")
    return out


def toc_html(headings: Sequence[tuple[str, str]]) -> list[str]:
    """The table of contents: one link per (anchor, heading)."""
    items = [f'<li><a href="#{_e(a)}">{_e(h)}</a></li>' for a, h in headings]
    return ['<nav class="toc">', "<strong>Contents</strong>", "<ol>", *items, "</ol>", "</nav>"]


def html_report(title: str, sections: Sequence[Section]) -> str:
    """The whole page as text: ``<h1>`` title, the table of contents, then per section an
    ``<h2>`` heading (with its anchor), its paragraphs, tables and figures (in that order).
    Raises FileNotFoundError for a missing figure and ValueError for a figure that is not a
    PNG."""
    taken: set[str] = set()
    anchors = [anchor(s.heading, taken) for s in sections]
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
        *toc_html([(a, s.heading) for a, s in zip(anchors, sections, strict=True)]),
    ]
    for section, name in zip(sections, anchors, strict=True):
        out += ["<section>", f'<h2 id="{_e(name)}">{_e(section.heading)}</h2>']
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

"""Self-contained HTML report (sim.output.html)."""

from __future__ import annotations

import base64
import html
import re
import struct
import zlib

import pytest

from sim.output.html import CSS, Figure, Section, Table, html_report, write_report


def png_bytes(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A minimal valid PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def figures(tmp_path):
    paths = []
    for k, (size, rgb) in enumerate(
        [((3, 2), (255, 0, 0)), ((5, 4), (0, 90, 200)), ((1, 1), (0,) * 3)]
    ):
        path = tmp_path / f"fig{k}.png"
        path.write_bytes(png_bytes(*size, rgb))
        paths.append(path)
    return paths


def sections(figures):
    return [
        Section(
            heading="Outcomes <by> scenario",
            paragraphs=[
                "Shares of agreement & partial agreement.",
                "<script>alert('x')</script> must show as text",
            ],
            tables=[
                Table(
                    header=["metric", "value", "CI <95%>"],
                    rows=[["share.agreement", 0.5, "[0.100, 0.900]"], ["round", None, "n/a"]],
                    caption='Differences from the "baseline"',
                ),
                (["party", "utility"], [["RU", 0.12345], ["UA", 3]]),
            ],
            figures=[Figure(figures[0], "Offers per round"), (figures[1], "Utilities & more")],
        ),
        Section(heading="Utility plane", figures=[figures[2]]),
        Section(heading="Notes only", paragraphs=["Nothing else here."]),
    ]


def test_every_figure_is_embedded_and_decodes_to_the_png(figures):
    page = html_report("Report", sections(figures))
    assert page.count('<img src="data:image/png;base64,') == len(figures)
    embedded = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert [base64.b64decode(e, validate=True) for e in embedded] == [
        p.read_bytes() for p in figures
    ]
    assert "<figcaption>Offers per round</figcaption>" in page
    assert "<figcaption>Utilities &amp; more</figcaption>" in page
    assert 'alt="fig2.png"' in page  # no caption: the file name


def test_every_heading_and_table_is_present_and_escaped(figures):
    page = html_report("Ceasefire <comparison>", sections(figures))
    assert "<title>Ceasefire &lt;comparison&gt;</title>" in page
    assert "<h1>Ceasefire &lt;comparison&gt;</h1>" in page
    for anchor, heading in (
        ("outcomes-by-scenario", "Outcomes &lt;by&gt; scenario"),
        ("utility-plane", "Utility plane"),
        ("notes-only", "Notes only"),
    ):
        assert f'<h2 id="{anchor}">{heading}</h2>' in page
        assert f'<li><a href="#{anchor}">{heading}</a></li>' in page  # table of contents
    assert page.count("<table>") == 2 and page.count("</table>") == 2
    assert "<caption>Differences from the &quot;baseline&quot;</caption>" in page
    assert "<th>CI &lt;95%&gt;</th>" in page
    assert '<td class="num">0.500</td>' in page and "<td>share.agreement</td>" in page
    assert '<td class="num">0.123</td>' in page and '<td class="num">3</td>' in page
    assert "<td></td>" in page  # None
    assert "<p>Shares of agreement &amp; partial agreement.</p>" in page


def test_text_cannot_inject_markup(figures):
    page = html_report("<script>t()</script>", sections(figures))
    assert "<script" not in page.lower()
    assert html.escape("<script>alert('x')</script>") in page


def test_page_is_self_contained(figures):
    page = html_report("Report", sections(figures))
    lowered = page.lower()
    for forbidden in ("http://", "https://", "<link", "@import", "url(", "<script"):
        assert forbidden not in lowered
    assert re.findall(r'href="(?!#)', page) == []  # only the table of contents' anchors
    sources = re.findall(r'src="([^"]*)"', page)
    assert len(sources) == len(figures)
    assert all(s.startswith("data:image/png;base64,") for s in sources)
    assert "<style>" in page and CSS in page


def test_print_friendly_styling():
    assert "max-width: 100%" in CSS
    assert re.search(r"th, td \{[^}]*border: 1px solid", CSS)
    assert "@media print" in CSS


def test_figures_must_be_png_files(tmp_path):
    not_png = tmp_path / "plot.png"
    not_png.write_bytes(b"GIF89a...")
    with pytest.raises(ValueError, match="not a PNG"):
        html_report("R", [Section("S", figures=[not_png])])
    with pytest.raises(FileNotFoundError):
        html_report("R", [Section("S", figures=[tmp_path / "missing.png"])])


def test_write_report(tmp_path, figures):
    out = write_report(tmp_path / "report.html", "Report", sections(figures))
    assert out == tmp_path / "report.html"
    assert out.read_text(encoding="utf-8") == html_report("Report", sections(figures))
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".png") == ["report.html"]


def test_empty_report_is_a_valid_page():
    page = html_report("Empty", [])
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<h1>Empty</h1>" in page and "<img" not in page

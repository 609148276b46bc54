"""The report and the figures made fit for a briefing (issue 19, part 2): table cells as a
reader writes them, a table of contents, wide tables that wrap, highlighted significant
differences, figures in a meaningful order with human captions, one y-axis policy, event
tags off the lines, withdrawals marked, dated time axes and per-cell heatmap counts."""

from __future__ import annotations

import dataclasses
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from sim.output.html import Section, Table, anchor, cell_text, html_report
from sim.output.report_common import caption, figure_paths, figures_section
from sim.output.report_compare import significant
from sim.output.style import (
    MIN_TERRITORY_SPAN,
    event_tag,
    has_dates,
    mark_events,
    territory_scale,
    time_axis,
)
from sim.scenario import load_scenario
from tests.conftest import BASELINE, SCENARIOS, TWO_PARTY

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 8


# ------------------------------------------------------------------------------- HTML


@pytest.mark.parametrize(
    "value, text, numeric",
    [
        (False, "no", False),
        (True, "yes", False),
        (-0.0, "0.000", True),
        (-0.0004, "0.000", True),  # rounds to zero: no minus sign
        (-0.0006, "-0.001", True),
        (0.12345, "0.123", True),
        (None, "", False),
        (float("nan"), "", False),
        (7, "7", True),
    ],
)
def test_cells_read_as_written(value, text, numeric):
    assert cell_text(value) == (text, numeric)


def test_page_has_no_false_no_negative_zero_no_empty_header():
    page = html_report(
        "t",
        [Section("A", tables=[Table(["", ""], [["interrupted", False], ["d", -0.0]])])],
    )
    assert "False" not in page and "-0.000" not in page
    assert "<th>" not in page and "<thead>" not in page  # a key-value table has no header
    assert "<td>no</td>" in page and '<td class="num">0.000</td>' in page
    empty = html_report("t", [Section("A", tables=[Table(["x", "y"], [], caption="Left out (0)")])])
    assert "<th>" not in empty and '<td class="none">none</td>' in empty


def test_table_of_contents_links_every_section():
    sections = [Section("Outcome"), Section("Figures"), Section("Figures"), Section("Sobol' …")]
    page = html_report("t", sections)
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', page)
    assert links == [
        ("outcome", "Outcome"),
        ("figures", "Figures"),
        ("figures-2", "Figures"),
        ("sobol", "Sobol&#x27; …"),
    ]
    for name, _ in links:  # every link has its target
        assert page.count(f'id="{name}"') == 1
    assert page.index('<nav class="toc">') < page.index("<h2")
    assert anchor("", set()) == "s"


def test_wide_tables_wrap_and_marked_rows_are_highlighted():
    table = Table(["a", "b"], [[1, 2], [3, 4]], widths=(1, 3), marked=[False, True])
    page = html_report("t", [Section("S", tables=[table])])
    assert '<table class="wide">' in page
    assert '<col style="width:25.0%"><col style="width:75.0%">' in page
    assert page.count('<tr class="mark">') == 1
    assert '<tr class="mark"><td class="num">3</td>' in page
    assert "table-layout: fixed" in page and "overflow-wrap: anywhere" in page
    assert "@media print" in page and "@page" in page


def test_significant_differences():
    assert significant({"ci_low": "0.1", "ci_high": "0.3"})
    assert significant({"ci_low": "-0.3", "ci_high": "-0.01"})
    assert not significant({"ci_low": "-0.1", "ci_high": "0.3"})
    assert not significant({"ci_low": "0.0", "ci_high": "0.0"})  # no difference at all
    assert not significant({"ci_low": "0.04", "ci_high": "0.04"})  # two single runs: no test
    assert not significant({"ci_low": "", "ci_high": ""})


# -------------------------------------------------------------------------- figures


def test_figures_come_in_a_meaningful_order_with_human_captions(tmp_path):
    names = [
        "beliefs",
        "heatmap_0_2",
        "heatmap_0_1",
        "offers",
        "outcomes",
        "rounds",
        "sobol",
        "terms_10",
        "terms_2",
        "utilities",
        "utility_plane",
        "war",
        "zz_other",
    ]
    for name in names:
        (tmp_path / f"{name}.png").write_bytes(PNG)
    order = [p.stem for p in figure_paths(tmp_path)]
    assert order == [
        "outcomes",
        "heatmap_0_1",
        "heatmap_0_2",
        "offers",
        "utilities",
        "utility_plane",
        "war",
        "beliefs",
        "terms_2",
        "terms_10",  # by number, not alphabetically
        "rounds",
        "sobol",
        "zz_other",  # unknown figures last
    ]
    params = ["russia · territory · salience", "support[0] · level", "protocol · max rounds"]
    text = caption(tmp_path / "heatmap_0_2.png", params)
    assert "russia · territory · salience and protocol · max rounds" in text
    assert "0_2" not in text.replace("heatmap_0_2.png", "")
    assert "against support[0] · level" in caption(tmp_path / "terms_1.png", params)
    section = figures_section(tmp_path, params)
    assert section.figures[0].caption.startswith("Figure 1. Outcome shares")
    assert "parameter pair" not in " ".join(f.caption for f in section.figures)


def test_territory_axis_has_a_minimum_span():
    issue = load_scenario(BASELINE).issue("territory")  # scale 0–1
    fig, ax = plt.subplots()
    territory_scale(ax, issue, np.array([0.22, 0.24, 0.25]))  # a 0.03 move
    lo, hi = ax.get_ylim()
    assert hi - lo == pytest.approx(MIN_TERRITORY_SPAN + 0.04)  # + 2% margins
    assert lo < 0.22 and hi > 0.25 and (lo + hi) / 2 == pytest.approx(0.235)
    territory_scale(ax, issue, np.array([0.02, 0.05]))  # near the edge: kept inside
    assert ax.get_ylim() == pytest.approx((-0.02, MIN_TERRITORY_SPAN + 0.02))
    territory_scale(ax, issue, np.array([0.1, 0.9]))  # a large move: its span + 10% + 2%
    assert ax.get_ylim() == pytest.approx((0.04, 0.96))
    plt.close(fig)


def test_event_tags_sit_above_the_panel():
    assert event_tag([1, 2, 3, 4, 5]) == "[1–5]"
    assert event_tag([1, 2]) == "[1,2]" and event_tag([4]) == "[4]"
    assert event_tag([1, 3, 4]) == "[1,3,4]"

    class Run:
        def events(self):
            return [(1.0, "a"), (1.0, "b"), (1.0, "c"), (4.0, "d")]

    fig, ax = plt.subplots()
    ax.plot([1, 12], [0, 1])
    ax.set_title("Panel")
    mark_events(ax, Run())
    tags = [t for t in ax.texts if t.get_text().startswith("[")]
    assert [t.get_text() for t in tags] == ["[1–3]", "[4]"]  # one tag per round
    fig.canvas.draw()
    top = ax.get_window_extent().y1
    for tag in tags:  # wholly above the plotting area, under the (moved) title
        box = tag.get_window_extent()
        assert box.y0 >= top - 0.5
        assert box.y1 <= ax.title.get_window_extent().y0 + 1
    plt.close(fig)


def test_time_axes_show_dates_only_where_the_round_length_is_stated():
    baseline = load_scenario(BASELINE)  # round_days: 14, with its assumption
    job = load_scenario(SCENARIOS / "textbook_job_offer.yaml")  # the format's default
    assert has_dates(baseline) and not has_dates(job)
    fig, ax = plt.subplots()
    ax.plot([1, 12], [0, 1])
    time_axis(ax, baseline)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert "2\n16 Jun 25" in labels and "4\n14 Jul 25" in labels  # 2 June + (k − 1)·14 days
    assert "14 days a round" in ax.get_xlabel()
    _, ax2 = plt.subplots()
    ax2.plot([1, 12], [0, 1])
    time_axis(ax2, job)
    assert ax2.get_xlabel() == "round"
    plt.close("all")


@pytest.fixture(scope="module")
def two_party_run(tmp_path_factory):
    from sim.jobs.run import run_to_folder
    from sim.output.run_data import load_run

    folder, _ = run_to_folder(TWO_PARTY, out=tmp_path_factory.mktemp("r") / "run", plots=False)
    return load_run(folder)


@pytest.mark.slow
def test_utility_line_stops_where_a_party_withdraws(two_party_run):
    from sim.output.run_plots import utilities_figure

    rows = [dict(r) for r in two_party_run.rounds]
    for r in rows:
        r["withdrawn"] = "ukraine" if int(r["round"]) >= 3 else ""
    run = dataclasses.replace(two_party_run, rounds=rows)
    assert run.withdrawals() == {"ukraine": 3.0}
    fig = utilities_figure(run)
    ukraine = next(ax for ax in fig.axes if ax.get_title() == "Ukraine")
    solid = next(ln for ln in ukraine.lines if ln.get_label() == "utility of the offer")
    assert max(solid.get_xdata()) < 3  # stopped before the withdrawal
    after = [ln for ln in ukraine.lines if "after withdrawing" in ln.get_label()]
    assert after and min(after[0].get_xdata()) == 3
    assert not [ln for ln in ukraine.lines if "agreement in force" in ln.get_label()]
    mark = [ln for ln in ukraine.lines if ln.get_label() == "Ukraine withdraws (round 3)"]
    assert mark and list(mark[0].get_xdata()) == [3, 3]
    russia = next(ax for ax in fig.axes if ax.get_title() == "Russia")
    assert not any("withdraws" in ln.get_label() for ln in russia.lines)
    assert "Ukraine withdraws (round 3)" in [t.get_text() for t in fig.legends[0].get_texts()]
    assert ukraine.get_ylim() == (0, 1)  # utilities on the fixed 0–1 scale
    plt.close(fig)


def test_offers_footnote_names_kyiv_only_in_the_ceasefire_scenarios():
    from sim.output.run_plots import scale_note

    assert "Kyiv" in scale_note(load_scenario(BASELINE))
    assert "Kyiv" not in scale_note(load_scenario(SCENARIOS / "textbook_job_offer.yaml"))


@pytest.mark.slow
def test_plane_labels_sit_above_every_marker(two_party_run):
    from sim.output.run_plots import utility_plane_figure

    fig = utility_plane_figure(two_party_run)
    ax = fig.axes[0]
    labels = [t for t in ax.texts if t.get_text().startswith("round")]
    top_marker = max(c.get_zorder() for c in ax.collections)
    assert labels and all(t.get_zorder() > top_marker for t in labels)
    rounds = [int(x) for t in labels for x in t.get_text().split(" ", 1)[1].split(", ")]
    assert sorted(rounds) == sorted(int(r["round"]) for r in two_party_run.rounds)
    plt.close(fig)


def test_heatmap_counts_every_cell_and_explains_empty_ones():
    from sim.output.sweep_plots import heatmap_figure

    data = {  # 2 x 2 levels; the cell (a=1, b=1) has no run
        "outcome": np.array(["agreement", "none", "agreement", "agreement", "none"]),
        "param.a": np.array([0.0, 0.0, 0.0, 1.0, 0.0]),
        "param.b": np.array([0.0, 0.0, 1.0, 0.0, 1.0]),
    }
    fig = heatmap_figure(data, "a", "b", "t")
    texts = sorted(t.get_text() for t in fig.axes[0].texts)
    assert texts == ["1/1", "1/2", "1/2", "no runs"]
    assert any("hatched grey: no run there" in t.get_text() for t in fig.texts)
    plt.close(fig)


def test_sweep_terms_use_the_issue_scale_like_the_comparison():
    from sim.output.sweep_plots import terms_figure

    issue = load_scenario(BASELINE).issue("territory")
    data = {
        "outcome": np.array(["agreement"] * 4),
        "param.a": np.array([0.0, 0.0, 1.0, 1.0]),
        "term.territory": np.array([0.49, 0.5, 0.495, 0.5]),  # noise of 0.01
    }
    fig = terms_figure(data, "a", ["territory"], {}, "t", {"territory": issue})
    assert fig.axes[0].get_ylim() == pytest.approx((-0.05, 1.05))
    plt.close(fig)


def test_utilities_and_shares_keep_the_unit_scale():
    from sim.output.style import unit_scale

    fig, (a, b) = plt.subplots(1, 2)
    a.plot([1, 2], [0.45, 0.47])  # a small drift stays small on 0–1
    a.axvline(1.5)  # a vertical mark is not data
    unit_scale(a)
    assert a.get_ylim() == (0.0, 1.0)
    b.plot([1, 2], [-0.2, 0.5])  # a reservation below 0 widens every axis given
    unit_scale(a, b)
    assert a.get_ylim() == b.get_ylim() == pytest.approx((-0.2 - 0.024, 1.024))
    plt.close(fig)

"""CSV and Markdown comparison tables (sim.compare.table)."""

from __future__ import annotations

import csv
import re

from sim.compare.stats import COLUMNS, difference_table
from sim.compare.table import to_csv, to_markdown


def run(outcome, round_, terms, utilities):
    return {"outcome": outcome, "round": round_, "terms": terms, "utilities": utilities}


A = [
    run("agreement", 3, {"ceasefire": 0.4}, {"RU": 0.5, "UA": 0.3}),
    run("none", None, {"ceasefire": None}, {"RU": 0.1, "UA": 0.0}),
    {"outcome": "error"},
]
B = [
    run("agreement", 2, {"ceasefire": 0.3}, {"RU": 0.6, "UA": 0.4}),
    run("agreement", 4, {"ceasefire": 0.5}, {"RU": 0.4, "UA": 0.5}),
    run("partial", 1, {"ceasefire": None}, {"RU": 0.3, "UA": 0.3}),
]
ROWS = [
    {
        "label": "boulware",
        "reference": "baseline",
        "metric": "share.agreement",
        "reference_value": 0.5,
        "value": 2 / 3,
        "difference": 1 / 6,
        "ci_low": -0.5,
        "ci_high": 0.83333,
        "level": 0.95,
        "n_reference": 2,
        "n": 3,
    },
    {
        "label": "no|deal",
        "reference": "baseline",
        "metric": "round",
        "reference_value": 3.0,
        "value": None,
        "difference": None,
        "ci_low": None,
        "ci_high": None,
        "level": 0.95,
        "n_reference": 1,
        "n": 0,
    },
]


def test_markdown_exact_layout():
    assert to_markdown(ROWS) == (
        "| input    | reference | metric          | reference value | value | difference"
        " |          95% CI | n (reference) |   n |\n"
        "| -------- | --------- | --------------- | --------------: | ----: | ---------:"
        " | --------------: | ------------: | --: |\n"
        "| boulware | baseline  | share.agreement |           0.500 | 0.667 |      0.167"
        " | [-0.500, 0.833] |             2 |   3 |\n"
        "| no\\|deal | baseline  | round           |           3.000 |   n/a |        n/a"
        " |             n/a |             1 |   0 |\n"
    )


def test_markdown_of_a_difference_table_is_aligned():
    rows = difference_table([("A", A), ("B", B)], n_resamples=200)
    text = to_markdown(rows)
    lines = text.splitlines()
    assert len(lines) == 2 + len(rows)
    assert lines[0].split("|")[1].strip() == "input"
    for header in ("metric", "reference value", "value", "difference", "95% CI", "n"):
        assert f" {header} " in lines[0]
    assert re.fullmatch(r"\|( -+:? \|)+", lines[1])
    # every line has its column separators at the same positions
    bars = [[k for k, ch in enumerate(line) if ch == "|"] for line in lines]
    assert all(b == bars[0] for b in bars)
    assert len(bars[0]) == 10  # 9 columns: the CI bounds share one and level is not shown
    for row, line in zip(rows, lines[2:], strict=True):
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[0] == "B" and cells[2] == row["metric"]
        assert cells[3] == f"{row['reference_value']:.3f}"
        assert cells[6] == f"[{row['ci_low']:.3f}, {row['ci_high']:.3f}]"
        assert cells[7] == str(row["n_reference"]) and cells[8] == str(row["n"])


def test_markdown_of_generic_rows_and_no_rows():
    text = to_markdown([{"name": "a", "x": 1.23456}, {"name": "bbbb", "x": 2}])
    assert text.splitlines() == [
        "| name |     x |",
        "| ---- | ----: |",
        "| a    | 1.235 |",
        "| bbbb |     2 |",
    ]
    empty = to_markdown([]).splitlines()
    assert len(empty) == 2 and "95% CI" in empty[0] and "metric" in empty[0]


def test_csv_round_trip(tmp_path):
    path = to_csv(ROWS, tmp_path / "diff.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames) == COLUMNS
        back = list(reader)
    assert back[0]["label"] == "boulware"
    assert float(back[0]["value"]) == 2 / 3  # full precision
    assert back[0]["n"] == "3"
    assert back[1]["label"] == "no|deal"
    assert back[1]["value"] == "" and back[1]["ci_low"] == ""


def test_csv_of_a_difference_table_and_of_nothing(tmp_path):
    rows = difference_table([("A", A), ("B", B)], n_resamples=200)
    with to_csv(rows, tmp_path / "d.csv").open(encoding="utf-8", newline="") as fh:
        back = list(csv.DictReader(fh))
    assert [r["metric"] for r in back] == [r["metric"] for r in rows]
    assert [float(r["ci_low"]) for r in back] == [r["ci_low"] for r in rows]
    to_csv([], tmp_path / "empty.csv")
    assert (tmp_path / "empty.csv").read_text(encoding="utf-8") == ",".join(COLUMNS) + "\n"

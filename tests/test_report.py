"""``sim report``: one self-contained HTML file for a run, a sweep and a comparison, with
every figure of the folder, every table, the provenance and the manifest, and no external
links."""

from __future__ import annotations

import base64
import csv
import html
import re
from pathlib import Path

import pytest
import yaml

from sim.cli import main
from tests import test_compare_cli as tc
from tests.conftest import TWO_PARTY, write_yaml


def check_self_contained(page: str, folder: Path) -> None:
    """One data URI per PNG under the folder (decoding to its bytes); nothing external."""
    pngs = sorted(folder.rglob("*.png"))
    uris = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(uris) == len(pngs) > 0
    assert sorted(base64.b64decode(u) for u in uris) == sorted(p.read_bytes() for p in pngs)
    assert "http://" not in page and "https://" not in page
    assert re.findall(r'src="(?!data:image/png;base64,)', page) == []
    assert re.findall(r'href="(?!#)', page) == []  # only the table of contents' anchors
    assert "<script" not in page and "<link" not in page


def captions(page: str) -> list[str]:
    return [html.unescape(c) for c in re.findall(r"<caption>(.*?)</caption>", page)]


def report(folder: Path, capsys) -> str:
    assert main(["report", str(folder)]) == 0
    assert f"report written to {folder / 'report.html'}" in capsys.readouterr().out
    return (folder / "report.html").read_text(encoding="utf-8")


def test_report_of_a_run(in_tmp, capsys):
    from sim.jobs.run import run_to_folder

    folder, summary = run_to_folder(TWO_PARTY, out=in_tmp / "run")
    page = report(folder, capsys)
    check_self_contained(page, folder)
    assert len(list((folder / "plots").glob("*.png"))) == 3
    assert captions(page) == [
        "Outcome",
        "Terms",
        "Utilities",
        "Reference points: utilities",
        "Reference points: terms",
        "Sourced values (0)",
        "Assumptions (8)",  # status quo; per party fighting cost, ideal, salience; the
        # default round_days the resolved scenario writes with its provenance
        "manifest.json",
    ]
    assert len(re.findall(r'<table( class="wide")?>', page)) == len(captions(page))
    for text in (">Reference points</h2>", ">Manifest</h2>", "kalai_smorodinsky"):
        assert text in page
    assert f"<td>{summary['outcome']}</td>" in page
    assert "test value: reservation 0.5 - 0.5 = 0" in html.unescape(page)  # a reason


def test_report_lists_sources_with_quote_and_where(in_tmp, capsys):
    scen = tc.scenario_dict()
    scen["parties"][0]["positions"]["territory"]["ideal"] = {
        "value": 1.0,
        "source": {
            "quote": "all four regions",
            "where": "memorandum of 2 June",
            "date": "2025-06-02",
        },
        "coding": "1.0 = Moscow's maximal demand",
    }
    folder = tc.make_run(in_tmp / "run", "agreement", 3, 0.4, (0.4, 0.6), scen)
    (folder / "plots").mkdir()
    from sim.compare.inputs import load_input
    from sim.output.compare_distribution_plots import terms_distribution_figure
    from sim.output.style import save

    save(
        terms_distribution_figure([load_input(folder, "x", 0)], ["territory"]),
        folder / "plots" / "terms.png",
    )
    page = html.unescape(report(folder, capsys))
    assert "Sourced values (1)" in page and "Assumptions (6)" in page
    row = re.search(r"<tr><td>parties\.russia\.positions\.territory\.ideal</td>(.*?)</tr>", page)
    assert row and all(
        t in row.group(1) for t in ("1.000", "all four regions", "memorandum of 2 June", "maximal")
    )
    assert "7 values carry provenance: 1 are sourced" in page


@pytest.mark.slow
def test_report_of_a_sweep(in_tmp, capsys):
    from sim.jobs.sweep import finish, run_sweep
    from sim.sweep import load_sweep

    write_yaml(in_tmp / "base.yaml", tc.scenario_dict())
    sweep = {
        "title": "tiny sweep",
        "base": "base.yaml",
        "design": "grid",
        "replications": 2,
        "seed": 1,
        "parameters": [{"path": tc.FIGHTING_COST, "values": [0.3, 0.5]}],
    }
    file = in_tmp / "tiny.yaml"
    file.write_text(yaml.safe_dump(sweep), encoding="utf-8")
    run = run_sweep(file, workers=1, out=in_tmp / "sweep", progress=False)
    finish(run, load_sweep(run.folder / "sweep.yaml"))
    page = report(run.folder, capsys)
    check_self_contained(page, run.folder)
    assert {p.name for p in (run.folder / "plots").iterdir()} == {
        "rounds.png",
        "outcomes.png",
        "terms_0.png",
    }
    assert captions(page)[:6] == [
        "Sweep",
        "Swept parameters",
        "Outcome shares",
        "Settled shares and mean terms",
        "Mean utilities (final state)",
        "Sourced values (0)",
    ]
    assert captions(page)[6:] == ["Assumptions (7)", "manifest.json"]  # of the base scenario
    text = html.unescape(page)
    assert "russia · fighting cost" in text and "values: 0.3, 0.5" in text
    assert '<h2 id="provenance-of-the-base-scenario">Provenance of the base scenario</h2>' in text
    assert '<a href="#provenance-of-the-base-scenario">' in text  # in the table of contents


def test_report_of_a_comparison(in_tmp, capsys):
    a = tc.make_run(
        in_tmp / "a", "agreement", 3, 0.4, (0.4, 0.6), tc.scenario_dict(extra_issue=True)
    )
    s1 = tc.make_sweep(in_tmp / "s1", tc.S1)
    assert main(["compare", str(a), str(s1), "--labels", "run,sweep", "--out", "cmp"]) == 0
    capsys.readouterr()
    folder = in_tmp / "cmp"
    page = report(folder, capsys)
    check_self_contained(page, folder)
    assert captions(page)[:2] == ["Inputs", "Left out (1)"]
    assert captions(page)[2].startswith("Differences (differences.csv; ")
    assert {
        "Outcome shares and mean agreement round",
        "Mean agreed terms",
        "Mean utilities",
        "Provenance counts",
        "Sourced values of 'run' (0)",
        "Assumptions of 'run' (12)",  # 2 status quo + 2 parties x 5
        "Sourced values of 'sweep' that differ from 'run' (0)",
    } <= set(captions(page))
    text = html.unescape(page)
    with (folder / "differences.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    bounds = [(float(r["ci_low"]), float(r["ci_high"])) for r in rows]
    significant = [lo for lo, hi in bounds if lo < hi and (lo > 0 or hi < 0)]
    assert 0 < len(significant) < len(rows)
    assert text.count('<tr class="mark">') == len(significant)  # highlighted, the others not
    assert f"{len(significant)} significant, highlighted" in text
    for row in rows:  # every row of the difference table is in the page
        assert re.search(
            rf'<tr( class="mark")?><td>{re.escape(row["label"])}</td>'
            rf"<td>{re.escape(row['metric'])}</td>",
            text,
        )
    assert "left out issue sanctions" in text and "2000 resamples, seed 0" in text
    assert ">Manifest</h2>" in text


def test_report_errors_write_nothing(in_tmp, capsys):
    (in_tmp / "junk").mkdir()
    assert main(["report", str(in_tmp / "junk")]) == 2
    assert "not a result folder" in capsys.readouterr().err
    assert not (in_tmp / "junk" / "report.html").exists()
    assert main(["report", str(in_tmp / "missing")]) == 2
    run = tc.make_run(in_tmp / "run", "none", None, None, (0.5, 0.5))
    assert main(["report", str(run), "--out", str(in_tmp / "no" / "r.html")]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert main(["report", str(run), "--out", str(in_tmp / "r.html")]) == 0
    assert (in_tmp / "r.html").is_file() and not (run / "report.html").exists()

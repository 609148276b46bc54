"""sim discover end to end on a small real sweep of the baseline (Moscow's Option 1
threshold x its fighting cost, 4 points x 4 seeds), and its section in sim report."""

from __future__ import annotations

import csv
import json
import shutil

import numpy as np
import pyarrow.parquet as pq
import pytest

from sim.cli import main
from sim.discover.boxes import in_box
from tests.conftest import BASELINE, write_yaml

pytestmark = pytest.mark.slow

OPTION_1 = "parties.russia.conditions.ceasefire_options.any_of.option_1.all_of.0.at_least"
COST = "parties.russia.fighting_cost"


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    root = tmp_path_factory.mktemp("discover")
    spec = {
        "title": "Option 1 threshold x Moscow's fighting cost",
        "base": str(BASELINE),
        "design": "grid",
        "replications": 4,
        "seed": 3,
        "parameters": [
            {"path": OPTION_1, "values": [0.0, 0.9]},
            {"path": COST, "values": [0.05, 0.15]},
        ],
    }
    file = write_yaml(root / "mini.yaml", spec)
    folder = root / "sweep"
    assert main(["sweep", str(file), "--workers", "1", "--out", str(folder), "--no-plots"]) == 0
    return folder


@pytest.fixture(scope="module")
def discovered(sweep):
    assert main(["discover", str(sweep), "--where", "general_ceasefire", "--seed", "1"]) == 0
    return sweep / "discover"


def _rows(folder):
    table = pq.read_table(folder / "runs")
    return {c: np.array(table.column(c).to_pylist()) for c in table.column_names}


def test_files_and_figures_are_written(discovered):
    names = {p.name for p in discovered.iterdir()}
    assert {"discovery.json", "box.csv", "trajectory.csv", "cart_rules.txt"} <= names
    assert "feature_scores.csv" in names
    plots = {p.name for p in (discovered / "plots").iterdir()}
    assert plots == {
        "discover_tradeoff.png",
        "discover_box_limits.png",
        "discover_scatter.png",
        "discover_feature_scores.png",
    }
    for png in (discovered / "plots").iterdir():
        assert png.read_bytes().startswith(b"\x89PNG")


def test_counts_and_box_statistics_are_those_of_the_rows(sweep, discovered):
    data = json.loads((discovered / "discovery.json").read_text())
    rows = _rows(sweep)
    y = np.array([r is not None for r in rows["ceasefire_round"]])
    assert data["runs"] == 16 and data["runs_of_interest"] == int(y.sum())
    x = np.column_stack([rows[f"param.{p}"].astype(float) for p in data["parameters"]])
    limits = {r["parameter"]: r for r in data["box"]["limits"]}
    lows = np.array([limits[p]["low"] for p in data["parameters"]])
    highs = np.array([limits[p]["high"] for p in data["parameters"]])
    inside = in_box(x, lows, highs)
    assert data["box"]["mass"] == pytest.approx(inside.mean())
    assert data["box"]["density"] == pytest.approx(y[inside].mean())
    assert data["box"]["coverage"] == pytest.approx(y[inside].sum() / y.sum())
    with (discovered / "box.csv").open() as f:
        table = list(csv.DictReader(f))
    assert {r["parameter"] for r in table} == {OPTION_1, COST}
    restricted = [r for r in table if r["restricted"] == "True"]
    assert all(float(r["quasi_p"]) < 1 for r in restricted)


def test_the_ceasefire_needs_option_1_relaxed(discovered):
    """The model's answer on this grid: Moscow's stated Option 1 (territory >= 0.9) opens no
    ceasefire; only the relaxed threshold does, so the box keeps the threshold at 0."""
    data = json.loads((discovered / "discovery.json").read_text())
    limits = {r["parameter"]: r for r in data["box"]["limits"]}
    assert 0 < data["runs_of_interest"] < data["runs"]
    assert limits[OPTION_1]["restricted"] and limits[OPTION_1]["high"] < 0.9
    assert data["feature_scores"][0]["parameter"] in (OPTION_1, COST)


def test_the_report_has_a_discovery_section(sweep, discovered, capsys):
    assert main(["report", str(sweep)]) == 0
    page = (sweep / "report.html").read_text()
    assert "Scenario discovery</h2>" in page
    assert "PRIM box (step" in page and "CART leaves" in page
    assert page.count('alt="PRIM&#x27;s peeling trajectory') == 1  # shown once, in its section


def test_bad_input_is_a_clear_error_and_writes_nothing(sweep, tmp_path, capsys):
    out = tmp_path / "d"
    assert main(["discover", str(sweep), "--where", "ceasfire <= 0.3", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "unknown column 'ceasfire'" in err and "did you mean 'term.ceasefire'" in err
    assert "Traceback" not in err and not out.exists()
    assert main(["discover", str(sweep), "--where", "__import__('os')", "--out", str(out)]) == 2
    assert "a function call is not allowed" in capsys.readouterr().err
    assert main(["discover", str(sweep), "--where", "round < 0", "--out", str(out)]) == 1
    assert "nothing to discover" in capsys.readouterr().err and not out.exists()
    assert main(["discover", str(tmp_path), "--where", "agreement"]) == 2
    assert "not a result folder" in capsys.readouterr().err
    args = ["discover", str(sweep), "--where", "exchange", "--min-density", "2", "--out", str(out)]
    assert main(args) == 2
    assert "--min-density: must be in [0, 1]" in capsys.readouterr().err
    (out).mkdir()
    assert main(["discover", str(sweep), "--where", "general_ceasefire", "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_a_missing_package_is_named(sweep, monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "sklearn" else real(name, *a)
    )
    assert main(["discover", str(sweep), "--where", "general_ceasefire"]) == 2
    err = capsys.readouterr().err
    assert "scikit-learn" in err and "ceasefire-sim[discover]" in err


def test_a_rerun_replaces_the_folder(sweep, discovered, tmp_path):
    copy = tmp_path / "sweep"
    shutil.copytree(sweep, copy)
    assert main(["discover", str(copy), "--where", "exchange and general_ceasefire"]) == 0
    data = json.loads((copy / "discover" / "discovery.json").read_text())
    assert data["where"] == "exchange and general_ceasefire"
    assert not [p for p in copy.iterdir() if p.name.startswith(".discover")]


def test_a_failed_rerun_keeps_the_previous_discovery(sweep, discovered, tmp_path, monkeypatch):
    copy = tmp_path / "sweep"
    shutil.copytree(sweep, copy)
    before = (copy / "discover" / "discovery.json").read_text()

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("sim.output.discover_plots.plot_discovery", broken)
    assert main(["discover", str(copy), "--where", "exchange and general_ceasefire"]) == 2
    assert (copy / "discover" / "discovery.json").read_text() == before
    assert not [p for p in copy.iterdir() if p.name.startswith(".discover")]

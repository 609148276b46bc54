"""``sim compare``: the difference table against hand computation on small synthetic result
folders, mismatched inputs, labels, and the figures' content."""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sim.cli import main
from sim.compare.inputs import load_input
from sim.compare.match import match_inputs
from sim.compare.stats import bootstrap_difference, metric_seed
from sim.output import compare_distribution_plots as cdp
from sim.output import compare_plane_plots as cpp
from sim.output import compare_style as cs
from sim.output import compare_sweep_plots as csp
from sim.output import compare_time_plots as ctp
from sim.output.run_files import write_csv
from sim.output.sweep_store import run_schema
from tests.conftest import TWO_PARTY, load_dict, write_yaml

PARTIES = ("russia", "ukraine")
FIGHTING_COST = "parties.russia.fighting_cost"


# ----------------------------------------------------------------- synthetic folders


def scenario_dict(**changes: Any) -> dict[str, Any]:
    """The two-party test scenario; ``extra_issue=True`` adds a second issue."""
    data = copy.deepcopy(load_dict(TWO_PARTY))
    if changes.get("extra_issue"):
        data["issues"].append(
            {
                "id": "sanctions",
                "label": "Sanctions",
                "status_quo": {"value": 0.0, "assumption": "test value"},
            }
        )
        for party, ideal in zip(data["parties"], (1.0, 0.0), strict=True):
            party["positions"]["sanctions"] = {
                "ideal": {"value": ideal, "assumption": "test value"},
                "salience": {"value": 0.5, "assumption": "test value"},
            }
    if changes.get("rename_issue"):
        issue = data["issues"][0]
        issue["id"] = changes["rename_issue"]
        for party in data["parties"]:
            party["positions"] = {changes["rename_issue"]: party["positions"]["territory"]}
    return data


def rounds_rows(offers: list[float], settle: int | None, issues: list[str]) -> list[dict]:
    """Minimal rounds.csv rows: alternating proposers; russia's utility = the offer."""
    rows = []
    for k, x in enumerate(offers, start=1):
        row: dict[str, Any] = {"round": k, "proposer": PARTIES[(k - 1) % 2]}
        row |= {f"offer.{i}": x for i in issues}
        for pid, u in zip(PARTIES, (x, 1 - x), strict=True):
            row |= {f"utility.{pid}": u, f"threshold.{pid}": 0.9, f"reservation.{pid}": 0.0}
            row[f"response.{pid}"] = "proposer" if pid == row["proposer"] else "reject"
        done = settle is not None and k == settle
        row |= {"settled": ";".join(issues) if done else "", "agreement": done}
        row |= {"withdrawn": "", "events": ""}
        rows.append(row)
    return rows


def make_run(
    folder: Path,
    outcome: str,
    rnd: int | None,
    term: float | None,
    utilities: tuple[float, float],
    scenario: dict | None = None,
) -> Path:
    """A run folder with the chosen outcome, round, term and utilities (see README)."""
    scenario = scenario or scenario_dict()
    issues = [i["id"] for i in scenario["issues"]]
    folder.mkdir(parents=True)
    write_yaml(folder / "scenario.yaml", scenario)
    offers = [0.9, 0.1, 0.8, 0.2, 0.7, 0.3][: (rnd or 6)]
    if term is not None:
        offers[-1] = term
    write_csv(folder / "rounds.csv", rounds_rows(offers, rnd, issues))
    write_csv(folder / "frontier.csv", [{"russia": x, "ukraine": 1 - x} for x in (0, 0.5, 1)])
    terms = dict.fromkeys(issues, term) if term is not None else {}
    point = {"terms": dict.fromkeys(issues, 0.5), "utilities": dict.fromkeys(PARTIES, 0.5)}
    summary = {
        "scenario": scenario["title"],
        "seed": 1,
        "outcome": outcome,
        "round": rnd,
        "rounds_played": len(offers),
        "max_rounds": 9,
        "terms": terms,
        "final_state": {i: terms.get(i, 0.5) for i in issues},
        "utilities": dict(zip(PARTIES, utilities, strict=True)),
        "reservation": dict.fromkeys(PARTIES, 0.0),
        "partial_agreements": [],
        "notes": [],
        "reference": {
            "disagreement": dict.fromkeys(PARTIES, 0.0),
            "nash": point,
            "kalai_smorodinsky": point,
        },
    }
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    (folder / "manifest.json").write_text(json.dumps({"seed": 1}), encoding="utf-8")
    return folder


def make_sweep(folder: Path, runs: list[tuple], path: str = FIGHTING_COST) -> Path:
    """A sweep folder over the two-party scenario with the chosen rows: each run is
    (parameter value, outcome, round, term, utility of russia, utility of ukraine)."""
    folder.mkdir(parents=True)
    write_yaml(folder / "base_scenario.yaml", scenario_dict())
    values = sorted({r[0] for r in runs})
    sweep = {
        "title": f"synthetic sweep {folder.name}",
        "base": "base_scenario.yaml",
        "design": "grid",
        "replications": 1,
        "seed": 0,
        "parameters": [{"path": path, "values": values}],
    }
    write_yaml(folder / "sweep.yaml", sweep)
    rows = []
    for k, (x, outcome, rnd, term, ur, uu) in enumerate(runs):
        rows.append(
            {
                "run_id": k,
                "point": values.index(x),
                "replication": 0,
                "seed": k,
                f"param.{path}": x,
                "outcome": outcome,
                "round": rnd,
                "rounds_played": 9,
                "settled.territory": term is not None,
                "term.territory": term,
                "utility.russia": ur,
                "utility.ukraine": uu,
            }
        )
    schema = run_schema([path], ["territory"], list(PARTIES))
    table = pa.table({f.name: pa.array([r.get(f.name) for r in rows], f.type) for f in schema})
    (folder / "runs").mkdir()
    pq.write_table(table, folder / "runs" / "part-000000000000-test.parquet")
    return folder


S1 = [
    (0.3, "agreement", 2, 0.4, 0.4, 0.6),
    (0.3, "agreement", 4, 0.6, 0.6, 0.4),
    (0.5, "partial", 3, 0.5, 0.5, 0.5),
    (0.5, "none", None, None, 0.5, 0.5),
]
S2 = [
    (0.3, "agreement", 6, 0.8, 0.8, 0.2),
    (0.3, "none", None, None, 0.5, 0.5),
    (0.5, "none", None, None, 0.5, 0.5),
    (0.5, "error", None, None, None, None),
]


def read_table(path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """differences.csv keyed by (label, metric), numbers as floats (empty as None)."""
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = {}
    for row in rows:
        num = {
            k: (float(v) if v != "" else None)
            for k, v in row.items()
            if k not in ("label", "reference", "metric")
        }
        out[(row["label"], row["metric"])] = row | num
    return out


def check(row: dict, expected: tuple) -> None:
    """(reference value, value, difference, n_reference, n); a run's interval has zero width."""
    ref, value, diff, n_ref, n = expected
    for key, want in (("reference_value", ref), ("value", value), ("difference", diff)):
        if want is None:
            assert row[key] is None, (row, key)
        else:
            assert row[key] == pytest.approx(want, abs=1e-12), (row, key)
    assert (row["n_reference"], row["n"]) == (n_ref, n)


# --------------------------------------------------------------------------- tables


def test_difference_table_of_runs_equals_hand_computation(in_tmp, capsys):
    a = make_run(in_tmp / "a", "agreement", 3, 0.4, (0.4, 0.6))
    b = make_run(in_tmp / "b", "agreement", 5, 0.7, (0.7, 0.3))
    c = make_run(in_tmp / "c", "none", None, None, (0.5, 0.5))
    code = main(["compare", str(a), str(b), str(c), "--labels", "A, B ,C", "--out", "cmp"])
    out = capsys.readouterr().out
    assert code == 0
    table = read_table(in_tmp / "cmp" / "differences.csv")
    expected = {
        ("B", "share.agreement"): (1, 1, 0, 1, 1),
        ("B", "share.partial"): (0, 0, 0, 1, 1),
        ("B", "share.none"): (0, 0, 0, 1, 1),
        ("B", "term.territory"): (0.4, 0.7, 0.3, 1, 1),
        ("B", "utility.russia"): (0.4, 0.7, 0.3, 1, 1),
        ("B", "utility.ukraine"): (0.6, 0.3, -0.3, 1, 1),
        ("B", "round"): (3, 5, 2, 1, 1),
        ("C", "share.agreement"): (1, 0, -1, 1, 1),
        ("C", "share.partial"): (0, 0, 0, 1, 1),
        ("C", "share.none"): (0, 1, 1, 1, 1),
        ("C", "term.territory"): (0.4, None, None, 1, 0),
        ("C", "utility.russia"): (0.4, 0.5, 0.1, 1, 1),
        ("C", "utility.ukraine"): (0.6, 0.5, -0.1, 1, 1),
        ("C", "round"): (3, None, None, 1, 0),
    }
    assert set(table) == set(expected)
    for key, want in expected.items():
        check(table[key], want)
        row = table[key]
        if row["difference"] is not None:  # one run each: no sampling variation
            assert row["ci_low"] == pytest.approx(row["difference"])
            assert row["ci_high"] == pytest.approx(row["difference"])
        assert row["reference"] == "A"
    data = json.loads((in_tmp / "cmp" / "comparison.json").read_text())
    assert data["labels"] == ["A", "B", "C"]
    assert data["bootstrap"]["resamples"] == 2000 and data["bootstrap"]["seed"] == 0
    assert [i["kind"] for i in data["inputs"]] == ["run"] * 3
    md = (in_tmp / "cmp" / "differences.md").read_text()
    assert "| B " in md and "term.territory" in md and "2000 resamples, seed 0" in md
    assert "| C " in out and "results written to cmp" in out
    assert (in_tmp / "cmp" / "inputs" / "2" / "scenario.yaml").is_file()


def test_difference_table_of_sweeps_equals_hand_computation(in_tmp, capsys):
    s1, s2 = make_sweep(in_tmp / "s1", S1), make_sweep(in_tmp / "s2", S2)
    assert main(["compare", str(s1), str(s2), "--out", "cmp"]) == 0
    table = read_table(in_tmp / "cmp" / "differences.csv")
    expected = {
        "share.agreement": (2 / 4, 1 / 3, 1 / 3 - 1 / 2, 4, 3),  # the failed run is left out
        "share.partial": (1 / 4, 0, -1 / 4, 4, 3),
        "share.none": (1 / 4, 2 / 3, 2 / 3 - 1 / 4, 4, 3),
        "term.territory": ((0.4 + 0.6 + 0.5) / 3, 0.8, 0.8 - 0.5, 3, 1),  # partial counts
        "utility.russia": (0.5, (0.8 + 0.5 + 0.5) / 3, 0.1, 4, 3),
        "utility.ukraine": (0.5, (0.2 + 0.5 + 0.5) / 3, -0.1, 4, 3),
        "round": ((2 + 4) / 2, 6, 3, 2, 1),  # full agreements only
    }
    assert {m for (_, m) in table} == set(expected)
    for metric, want in expected.items():
        row = table[("s2", metric)]
        check(row, want)
        assert row["ci_low"] <= row["difference"] + 1e-12 <= row["ci_high"] + 2e-12
    # the interval is the documented seeded percentile bootstrap with 2000 resamples
    a, b = np.array([1.0, 1, 0, 0]), np.array([1.0, 0, 0])
    seed = metric_seed(0, "s2", "share.agreement")
    _, low, high = bootstrap_difference(a, b, n_resamples=2000, seed=seed)
    row = table[("s2", "share.agreement")]
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high))
    assert low < row["difference"] < high
    figures = {p.name for p in (in_tmp / "cmp" / "plots").iterdir()}
    assert {"sweep_outcomes.png", "sweep_terms_0.png", "terms_distribution.png"} <= figures
    assert "offers.png" not in figures  # no run among the inputs


# ------------------------------------------------------------------- mismatched inputs


def test_different_issues_are_compared_on_the_common_ones(in_tmp, capsys):
    a = make_run(in_tmp / "a", "agreement", 3, 0.4, (0.4, 0.6), scenario_dict(extra_issue=True))
    b = make_run(in_tmp / "b", "agreement", 5, 0.7, (0.7, 0.3))
    assert main(["compare", str(a), str(b), "--out", "cmp"]) == 0
    out = capsys.readouterr().out
    assert "left out issue sanctions: only in 'a'; not in 'b'" in out
    data = json.loads((in_tmp / "cmp" / "comparison.json").read_text())
    assert data["compared_on"]["issues"] == ["territory"]
    assert data["left_out"]["issues"] == [
        {"issue": "sanctions", "reason": "only in 'a'; not in 'b'"}
    ]
    assert any("sanctions" in n for n in data["notes"])
    assert "left out issue sanctions" in (in_tmp / "cmp" / "differences.md").read_text()
    metrics = {m for (_, m) in read_table(in_tmp / "cmp" / "differences.csv")}
    assert "term.territory" in metrics and "term.sanctions" not in metrics


def test_different_swept_parameters_leave_out_the_parameter_figures(in_tmp, capsys):
    s1 = make_sweep(in_tmp / "s1", S1)
    s3 = make_sweep(in_tmp / "s3", S2, path="parties.ukraine.fighting_cost")
    assert main(["compare", str(s1), str(s3), "--out", "cmp"]) == 0
    out = capsys.readouterr().out
    assert "different swept parameters cannot share axes" in out
    assert "'s1' sweeps russia · fighting cost; 's3' sweeps ukraine · fighting cost" in out
    figures = {p.name for p in (in_tmp / "cmp" / "plots").iterdir()}
    assert "sweep_outcomes.png" not in figures and "terms_distribution.png" in figures
    data = json.loads((in_tmp / "cmp" / "comparison.json").read_text())
    assert data["left_out"]["figures"][0]["figure"].startswith("sweep_outcomes.png")


def test_a_folder_that_is_not_a_result_is_an_error_and_nothing_is_written(in_tmp, capsys):
    a = make_run(in_tmp / "a", "agreement", 3, 0.4, (0.4, 0.6))
    (in_tmp / "junk").mkdir()
    (in_tmp / "junk" / "notes.txt").write_text("hello")
    assert main(["compare", str(a), str(in_tmp / "junk"), "--out", "cmp"]) == 2
    err = capsys.readouterr().err
    assert "input 2 ('junk')" in err and "not a result folder" in err
    assert main(["compare", str(a), str(in_tmp / "missing")]) == 2
    err = capsys.readouterr().err
    assert "input 2 ('missing')" in err and "no such folder" in err
    assert not (in_tmp / "cmp").exists() and not (in_tmp / "results").exists()
    assert {p.name for p in in_tmp.iterdir()} == {"a", "junk"}


def test_wrong_number_of_labels_is_an_error(in_tmp, capsys):
    a = make_run(in_tmp / "a", "agreement", 3, 0.4, (0.4, 0.6))
    b = make_run(in_tmp / "b", "agreement", 5, 0.7, (0.7, 0.3))
    assert main(["compare", str(a), str(b), "--labels", "x,y,z"]) == 2
    assert "2 inputs but 3 labels" in capsys.readouterr().err
    assert main(["compare", str(a), str(b), "--labels", "x,x"]) == 2
    assert "repeated: x" in capsys.readouterr().err
    assert main(["compare", str(a)]) == 2
    assert "at least two" in capsys.readouterr().err
    assert not (in_tmp / "results").exists()


def test_inputs_without_a_common_issue_are_an_error(in_tmp, capsys):
    a = make_run(in_tmp / "a", "agreement", 3, 0.4, (0.4, 0.6))
    b = make_run(
        in_tmp / "b", "agreement", 5, 0.7, (0.7, 0.3), scenario_dict(rename_issue="salary")
    )
    assert main(["compare", str(a), str(b)]) == 2
    err = capsys.readouterr().err
    assert "no issue in common with input 'a'" in err and "'b' has salary" in err
    assert not (in_tmp / "results").exists()


def test_default_folder_is_new_under_results(in_tmp, capsys):
    a = make_run(in_tmp / "a", "agreement", 3, 0.4, (0.4, 0.6))
    assert main(["compare", str(a), str(a)]) == 0  # the same folder twice: labels a, a-2
    (folder,) = (in_tmp / "results").iterdir()
    assert folder.name.startswith("compare-")
    data = json.loads((folder / "comparison.json").read_text())
    assert data["labels"] == ["a", "a-2"]
    assert not [p for p in (in_tmp / "results").iterdir() if p.name.startswith(".")]


# ----------------------------------------------------------------------------- figures


def legend_texts(fig) -> list[str]:
    return [t.get_text() for leg in fig.legends for t in leg.get_texts()] + [
        t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()
    ]


@pytest.fixture
def inputs(in_tmp):
    scen = scenario_dict()
    runs = [
        make_run(in_tmp / "a", "agreement", 3, 0.4, (0.4, 0.6), scen),
        make_run(in_tmp / "b", "none", None, None, (0.5, 0.5), scen),
        make_sweep(in_tmp / "s1", S1),
        make_sweep(in_tmp / "s2", S2),
    ]
    return [load_input(f, f.name, k) for k, f in enumerate(runs)]


def test_time_figures_have_axes_labels_and_a_legend_entry_per_run(inputs):
    runs = inputs[:2]
    fig = ctp.offers_figure(runs, ["territory"])
    ax = fig.axes[0]
    assert ax.get_xlabel() == "round" and ax.get_ylabel() == "offer (issue scale)"
    assert ax.get_title() == "Territory"
    texts = legend_texts(fig)
    assert {"a (run)", "b (run)", "status quo"} <= set(texts)
    lines = [ln for ln in ax.get_lines() if len(ln.get_xdata()) > 1]
    assert len(lines) >= 2  # one line per run (plus the status quo)
    colors = {ln.get_color() for ln in lines[:2]}
    assert len(colors) == 2
    fig = ctp.utilities_figure(runs, list(PARTIES))
    assert [a.get_title() for a in fig.axes] == ["Russia", "Ukraine"]
    assert fig.axes[0].get_ylabel() == "utility of the offer (0–1)"
    assert {"a (run)", "b (run)"} <= set(legend_texts(fig))


def test_sweep_figures_have_the_parameter_axis_and_one_line_per_sweep(inputs):
    sweeps = inputs[2:]
    fig = csp.sweep_outcomes_figure(sweeps, [FIGHTING_COST])
    assert fig.axes[-1].get_xlabel() == "russia · fighting cost"
    assert [a.get_title() for a in fig.axes] == [
        "full agreement",
        "partial agreement only",
        "no agreement",
    ]
    assert "share of runs" in fig.axes[0].get_ylabel()
    assert set(legend_texts(fig)) == {"s1 (sweep)", "s2 (sweep)"}
    # full-agreement share at 0.3 and 0.5: s1 2/2 and 0/2; s2 1/2 and 0/1 (a run failed)
    ys = [c.lines[0].get_ydata() for c in fig.axes[0].containers]
    assert np.allclose(ys[0], [1.0, 0.0]) and np.allclose(ys[1], [0.5, 0.0])
    fig = csp.sweep_terms_figure(sweeps, FIGHTING_COST, ["territory"])
    assert fig.axes[0].get_xlabel() == "russia · fighting cost"
    assert "mean agreed value" in fig.axes[0].get_ylabel()
    assert set(legend_texts(fig)) == {"s1 (sweep)", "s2 (sweep)"}


def test_distribution_and_plane_figures_show_every_input(inputs):
    fig = cdp.terms_distribution_figure(inputs, ["territory"])
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "s1", "s2"]
    assert ax.get_ylabel() == "agreed value (issue scale)"
    assert set(legend_texts(fig)) == {"a (run)", "b (run)", "s1 (sweep)", "s2 (sweep)"}
    assert "n=3" in [t.get_text() for t in ax.texts]  # s1 agreed the issue in 3 runs
    fig = cdp.rounds_distribution_figure(inputs)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "round of the full agreement"
    assert ax.get_ylabel() == "share of the input's runs"
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[0] == "2" and ticks[-1] == "no full\nagreement"
    assert set(legend_texts(fig)) == {
        "a (run)",
        "b (run)",
        "s1 (sweep, 4 runs)",
        "s2 (sweep, 3 runs)",
    }
    m = match_inputs(inputs)
    assert m.pair == ("russia", "ukraine")
    fig = cpp.utility_plane_figure(inputs, m.pair)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "utility of Russia (0–1)"
    assert ax.get_ylabel() == "utility of Ukraine (0–1)"
    texts = legend_texts(fig)
    assert {"a (run)", "s2 (sweep)"} <= set(texts)
    assert any("Nash" in t for t in texts) and any("Kalai" in t for t in texts)
    assert "N = KS" in [t.get_text() for t in ax.texts]


def test_every_input_keeps_its_style_in_every_figure(inputs):
    styles = [cs.input_style(inp.index) for inp in inputs]
    assert len({(s["color"], s["marker"], str(s["linestyle"])) for s in styles}) == 4
    assert len({s["marker"] for s in styles}) == 4  # greyscale: markers differ too
    for fig in (
        cdp.terms_distribution_figure(inputs, ["territory"]),
        cpp.utility_plane_figure(inputs, ("russia", "ukraine")),
    ):
        handles = {h.get_label(): h for leg in fig.legends for h in leg.legend_handles}
        for inp, style in zip(inputs, styles, strict=True):
            h = handles[f"{inp.label} ({inp.kind})"]
            assert (h.get_color(), h.get_marker()) == (style["color"], style["marker"])


@pytest.mark.slow
def test_real_runs_with_a_war_get_the_war_figures(in_tmp, capsys):
    from sim.jobs.run import run_to_folder

    scen = scenario_dict()
    a = lambda v: {"value": v, "assumption": "test value"}  # noqa: E731
    scen["war"] = {
        "territory_issue": "territory",
        "drift_scale": a(0.03),
        "volatility": a(0.01),
        "trend": a(0.004),
        "discount": a(0.95),
        "loss_volatility": a(0.3),
        "resources": {"russia": a(1.0), "ukraine": a(0.8)},
        "beliefs": {
            "russia": {"mean": a(0.01), "sd": a(0.006)},
            "ukraine": {"mean": a(-0.002), "sd": a(0.006)},
        },
    }
    scen["protocol"]["max_rounds"] = a(scen["protocol"]["max_rounds"])
    for party in scen["parties"]:
        party["strategy"]["reason"] = "test: a known course of concessions to compare"
    file = write_yaml(in_tmp / "war.yaml", scen)
    for seed in (1, 2):
        run_to_folder(file, seed, 5, in_tmp / f"seed{seed}")
    code = main(["compare", "seed1", "seed2", "--labels", "one,two", "--out", "cmp"])
    assert code == 0
    figures = {p.name for p in (in_tmp / "cmp" / "plots").iterdir()}
    assert {"offers.png", "utilities.png", "bargaining_range.png", "territory.png"} <= figures
    inputs = [load_input(in_tmp / f"seed{s}", f"s{s}", s - 1) for s in (1, 2)]
    fig = ctp.bargaining_range_figure(inputs)
    assert "reservation utility of Russia" in fig.axes[0].get_ylabel()
    assert fig.axes[-1].get_xlabel() == "round"
    assert any("Fearon" in t for t in legend_texts(fig))
    fig = ctp.territory_figure(inputs)
    assert "line of control" in fig.axes[0].get_ylabel()
    assert {"s1 (run)", "s2 (run)"} <= set(legend_texts(fig))

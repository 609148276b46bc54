"""End-to-end: ``sim run`` on the shipped scenarios writes complete, reproducible folders."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml

from sim.cli import main
from sim.output.run_data import load_run
from sim.output.run_plots import offers_figure, utilities_figure, utility_plane_figure
from tests.conftest import BASELINE, SCENARIOS, TWO_PARTY

pytestmark = pytest.mark.slow


def test_run_writes_a_complete_folder(in_tmp, capsys):
    assert main(["run", str(BASELINE), "--out", "a"]) == 0
    out = capsys.readouterr().out
    assert "outcome:" in out and "results written to a" in out
    folder = in_tmp / "a"
    names = {p.name for p in folder.iterdir()}
    assert {
        "scenario.yaml",
        "manifest.json",
        "rounds.csv",
        "summary.json",
        "frontier.csv",
        "principals_frontier.csv",
        "plots",
    } <= names
    assert {p.name for p in (folder / "plots").iterdir()} == {
        "offers.png",
        "utilities.png",
        "utility_plane.png",
        "war.png",
        "beliefs.png",
    }
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["seed"] == 20250602 and len(manifest["scenario_sha256"]) == 64
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["outcome"] in {"agreement", "partial", "none"}
    assert set(summary["utilities"]) == {"russia", "ukraine", "united_states", "european_allies"}


def test_same_seed_gives_identical_files(in_tmp):
    assert main(["run", str(BASELINE), "--out", "a", "--seed", "5"]) == 0
    assert main(["run", str(BASELINE), "--out", "b", "--seed", "5"]) == 0
    for name in (
        "summary.json",
        "rounds.csv",
        "frontier.csv",
        "principals_frontier.csv",
        "scenario.yaml",
    ):
        assert (in_tmp / "a" / name).read_bytes() == (in_tmp / "b" / name).read_bytes(), name


def test_default_folders_never_overwrite(in_tmp):
    assert main(["run", str(TWO_PARTY)]) == 0
    assert main(["run", str(TWO_PARTY)]) == 0
    folders = sorted(p.name for p in (in_tmp / "results").iterdir())
    assert len(folders) == 2 and all(f.startswith("two_party_one_issue-") for f in folders)


def test_existing_out_folder_is_refused(in_tmp, capsys):
    (in_tmp / "taken").mkdir()
    assert main(["run", str(TWO_PARTY), "--out", "taken"]) == 2
    assert "never overwritten" in capsys.readouterr().err
    assert not any((in_tmp / "taken").iterdir())


def test_rounds_override_is_recorded(in_tmp):
    assert main(["run", str(BASELINE), "--out", "a", "--rounds", "3"]) == 0
    summary = json.loads((in_tmp / "a" / "summary.json").read_text())
    assert summary["max_rounds"] == 3 and summary["rounds_played"] <= 3
    protocol = yaml.safe_load((in_tmp / "a" / "scenario.yaml").read_text())["protocol"]
    assert protocol["max_rounds"] == {
        "value": 3,
        "assumption": "simulation horizon set on the command line (--rounds)",
    }


def _legend_texts(fig):
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    return [t.get_text() for lg in legends for t in lg.get_texts()]


def test_figures_have_titles_labels_and_legends(in_tmp):
    assert main(["run", str(BASELINE), "--out", "a"]) == 0
    run = load_run(in_tmp / "a")
    offers = offers_figure(run)
    assert run.scenario.title in offers._suptitle.get_text()
    assert {ax.get_title() for ax in offers.axes if ax.get_visible()} == {
        i.label for i in run.scenario.issues
    }
    # the baseline states its round length: rounds carry their dates
    assert "round and its start date (14 days a round)" in {ax.get_xlabel() for ax in offers.axes}
    assert {"offer by Ukraine", "offer by Russia", "status quo"} <= set(_legend_texts(offers))

    utilities = utilities_figure(run)
    assert {ax.get_title() for ax in utilities.axes if ax.get_visible()} == set(
        run.party_names.values()
    )
    assert "utility (0–1)" in {ax.get_ylabel() for ax in utilities.axes}
    assert {
        "utility of the offer",
        "threshold (aspiration)",
        "reservation (value of fighting on)",
    } <= set(_legend_texts(utilities))

    plane = utility_plane_figure(run)
    ax = plane.axes[0]
    assert run.scenario.title in ax.get_title()
    assert ax.get_xlabel() == "utility of Russia (0–1)"
    assert ax.get_ylabel() == "utility of Ukraine (0–1)"
    assert {
        "Pareto frontier (Russia–Ukraine), whole space",
        "Pareto frontier (Russia–Ukraine), within every red line",
    } <= set(_legend_texts(plane))


@pytest.mark.parametrize("scenario", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_scenario_runs(in_tmp, scenario):
    assert main(["run", str(scenario), "--out", "x", "--rounds", "4"]) == 0


def test_python_dash_m_entry_point(in_tmp):
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "validate", str(TWO_PARTY)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0 and "valid" in proc.stdout


def test_no_plots_writes_the_data_only(in_tmp):
    assert main(["run", str(TWO_PARTY), "--out", "a", "--no-plots"]) == 0
    names = {p.name for p in (in_tmp / "a").iterdir()}
    assert {"rounds.csv", "summary.json", "scenario.yaml", "manifest.json"} <= names
    assert "plots" not in names

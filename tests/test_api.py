"""The Python API (sim.load/run/sweep/compare) and the Mesa conventions (DataCollector,
batch_run) against the files the command line writes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import mesa
import numpy as np
import pandas as pd
import pytest

import sim
from sim.cli import main
from sim.jobs.load import load_game
from sim.model.model import NegotiationModel
from sim.output.folders import read_json
from sim.scenario import InputError
from sim.sweep.design import run_seed
from tests.conftest import BASELINE, ROOT, TWO_PARTY

README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_python_blocks() -> list[str]:
    """The ```python blocks of the README's "Python API" section, in order."""
    section = README.split("## Python API", 1)[1].split("\n## ", 1)[0]
    return [b.split("\n```", 1)[0] for b in section.split("```python\n")[1:]]


def cli_run(tmp_path, seed: int, rounds: int, scenario=BASELINE):
    """rounds.csv (as pandas reads it) and summary.json of `sim run` with seed and rounds."""
    out = tmp_path / f"cli-{seed}-{rounds}"
    args = ["run", str(scenario), "--seed", str(seed), "--rounds", str(rounds)]
    assert main([*args, "--out", str(out), "--no-plots"]) == 0
    return pd.read_csv(out / "rounds.csv"), read_json(out / "summary.json"), out


def test_readme_snippets_run_and_equal_the_files_of_sim_run(tmp_path, monkeypatch):
    blocks = readme_python_blocks()
    assert len(blocks) == 2
    monkeypatch.chdir(ROOT)  # the snippets name scenarios relative to the repository
    ns: dict = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), ns)
    run = ns["run"]
    rounds, summary, _ = cli_run(tmp_path, seed=7, rounds=12)
    pd.testing.assert_frame_equal(run.rounds, rounds)
    assert run.summary == summary
    pd.testing.assert_frame_equal(run.world, rounds[run.world.columns])
    assert {"territory", "win_share", "events"} <= set(run.world.columns)
    assert set(ns["figures"]) == {"offers", "utility_plane"}
    plt.close("all")
    # batch_run: 2 seeds x 2 costs, one row per run and party at the last round
    last = ns["last"]
    assert sorted(last["RunId"].unique()) == [0, 1, 2, 3]
    assert set(ns["outcomes"]["parties.russia.fighting_cost"]) == {0.05, 0.1}


def test_run_accepts_a_path_and_saves_the_folder_sim_run_writes(tmp_path):
    run = sim.run(TWO_PARTY, seed=3)
    rounds, summary, cli = cli_run(
        tmp_path, seed=3, rounds=run.summary["max_rounds"], scenario=TWO_PARTY
    )
    pd.testing.assert_frame_equal(run.rounds, rounds)
    assert run.summary == summary
    folder = run.save(tmp_path / "saved", plots=False)
    assert (folder / "rounds.csv").read_bytes() == (cli / "rounds.csv").read_bytes()
    assert (folder / "frontier.csv").read_bytes() == (cli / "frontier.csv").read_bytes()
    pd.testing.assert_frame_equal(run.frontier, pd.read_csv(cli / "frontier.csv"))
    pair = cli / "principals_frontier.csv"
    assert (folder / pair.name).read_bytes() == pair.read_bytes()
    assert run._data().pair_frontier is not None
    assert run.world.columns.tolist()[0] == "round"


def test_plot_gives_the_run_figures_by_name():
    run = sim.run(BASELINE, seed=1, rounds=3)
    figures = run.plot()
    assert list(figures) == ["offers", "utilities", "utility_plane", "war", "beliefs"]
    for name, figure in figures.items():
        titles = [figure._suptitle.get_text() if figure._suptitle else ""]
        titles += [ax.get_title() for ax in figure.axes]
        assert any(run.title in t for t in titles), name
    offers = figures["offers"]
    assert {ax.get_title() for ax in offers.axes if ax.get_visible()} == {
        i.label for i in run.result.game.scenario.issues
    }
    plt.close("all")
    with pytest.raises(ValueError, match="unknown figure 'offer'"):
        run.plot("offer")


def test_short_reprs():
    game = load_game(BASELINE)
    assert repr(game).startswith("Game(title='Istanbul talks")
    assert "parties=4, issues=10, frontier=not computed" in repr(game)
    n = len(game.frontier)
    assert repr(game).endswith(f"frontier={n} points)")
    scenario = sim.load(BASELINE)
    assert len(repr(scenario)) < 200 and len(str(scenario)) < 200
    run = sim.run(scenario, seed=2, rounds=2)
    assert repr(run) == (
        f"Run(title={scenario.title!r}, seed=2, rounds=2, outcome={run.summary['outcome']!r}, "
        f"deal={run.summary['deal']!r}, round={run.summary['round']})"
    )


def test_bad_input_raises_the_command_line_message():
    with pytest.raises(InputError, match="--rounds"):
        sim.run(BASELINE, rounds=0)
    with pytest.raises(InputError, match=r"missing\.yaml"):
        sim.load(ROOT / "missing.yaml")
    with pytest.raises(TypeError, match="one of them"):
        NegotiationModel()
    with pytest.raises(TypeError, match="file path"):
        NegotiationModel(load_game(BASELINE), 1, **{"parties.russia.fighting_cost": 0.1})


def test_datacollector_holds_the_rounds_of_rounds_csv():
    """Model and agent reporters, row k = round k + 1, equal rounds.csv of the same run;
    collecting does not change the run."""
    run = sim.run(BASELINE, seed=11)
    model = NegotiationModel(scenario=BASELINE, seed=11)
    while model.running:
        model.step()
    table = model.datacollector.get_model_vars_dataframe()
    rounds = run.rounds
    assert table["round"].tolist() == rounds["round"].tolist()
    assert table["proposer"].tolist() == rounds["proposer"].tolist()
    issues = [c for c in rounds.columns if c.startswith("offer.")]
    np.testing.assert_array_equal(table[issues].to_numpy(float), rounds[issues].to_numpy(float))
    np.testing.assert_array_equal(table["territory"], rounds["territory"])
    assert table["ceasefire_in_force"].tolist() == rounds["ceasefire_in_force"].tolist()
    agents = model.datacollector.get_agent_vars_dataframe().reset_index()
    for pid in load_game(BASELINE).party_ids:
        mine = agents[agents["party"] == pid].sort_values("Step")
        assert mine["Step"].tolist() == list(range(len(rounds)))
        for what in ("utility", "threshold", "reservation"):
            np.testing.assert_array_equal(mine[what], rounds[f"{what}.{pid}"], err_msg=what)
        assert mine["response"].fillna("").tolist() == rounds[f"response.{pid}"].fillna("").tolist()
    final = agents[agents["Step"] == len(rounds) - 1].set_index("party")["state_utility"]
    for pid, u in run.summary["utilities"].items():
        assert final[pid] == pytest.approx(u, abs=1e-11)
    assert table["outcome"].iloc[-1] == run.summary["outcome"]


@pytest.mark.slow
def test_batch_run_gives_the_numbers_of_sim_sweep(tmp_path):
    """The same runs (parameter value and seed) through mesa.batch_run and sim sweep:
    outcome, rounds played, settled issues and every party's final utility agree."""
    path = "parties.russia.fighting_cost"
    sweep_file = tmp_path / "s.yaml"
    sweep_file.write_text(
        f"title: batch_run check\nbase: {BASELINE}\ndesign: grid\nreplications: 2\nseed: 5\n"
        f"parameters:\n  - path: {path}\n    values: [0.03, 0.1]\n",
        encoding="utf-8",
    )
    result = sim.run_sweep(sweep_file, workers=1, out=tmp_path / "sweep", plots=False)
    runs = result.runs.set_index("run_id")
    assert len(runs) == 4 and "runs=4" in repr(result)
    seeds = [run_seed(5, k) for k in range(4)]
    assert runs["seed"].tolist() == seeds
    rows = mesa.batch_run(
        NegotiationModel,
        parameters={"scenario": str(BASELINE), "seed": seeds, path: [0.03, 0.1]},
        max_steps=10_000,
        display_progress=False,
    )
    table = pd.DataFrame(rows)
    game = load_game(BASELINE)
    for run_id, row in runs.iterrows():
        mine = table[(table["seed"] == row["seed"]) & (table[path] == row[f"param.{path}"])]
        assert len(mine) == game.n_parties, run_id
        first = mine.iloc[0]
        assert first["outcome"] == row["outcome"]
        assert first["round"] == row["rounds_played"] == first["Step"] + 1
        settled = set(filter(None, first["settled_issues"].split(";")))
        assert settled == {i for i in game.issue_ids if row[f"settled.{i}"]}
        for _, agent in mine.iterrows():
            assert agent["state_utility"] == pytest.approx(
                row[f"utility.{agent['party']}"], abs=1e-11
            )
    # the two parameter values do change something, so the matching is not vacuous
    assert runs.groupby(f"param.{path}")["utility.russia"].mean().nunique() == 2


@pytest.mark.slow
def test_compare_folders_reads_back_the_difference_table(tmp_path):
    a = sim.run(BASELINE, seed=1).save(tmp_path / "a", plots=False)
    b = sim.run(BASELINE, seed=2, rounds=4).save(tmp_path / "b", plots=False)
    comparison = sim.compare_folders([a, b], labels=["first", "second"], out=tmp_path / "c")
    assert comparison.folder == tmp_path / "c"
    pd.testing.assert_frame_equal(
        comparison.table, pd.read_csv(comparison.folder / "differences.csv")
    )
    assert len(comparison.table) > 0 and comparison.plots
    assert repr(comparison).startswith("Comparison(folder=")

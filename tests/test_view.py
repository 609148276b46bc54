"""``sim view`` without a browser: its controls, its model and the data its panels draw.

The browser test is tests/test_view_browser.py."""

from __future__ import annotations

import socket

import numpy as np
import pytest

from sim.cli import main
from sim.jobs.load import load_game
from sim.jobs.run import run_game
from sim.output.run_files import read_csv, write_csv
from sim.view.controls import LINKED, SEED, ViewSetup, _nice_step
from sim.view.live import live_run
from sim.view.model import ViewModel
from tests.conftest import BASELINE

RU_COST = "parties.russia.fighting_cost"


@pytest.fixture(scope="module")
def setup() -> ViewSetup:
    return ViewSetup.from_file(BASELINE)


def _by_path(setup: ViewSetup) -> dict:
    return {c.path: c for c in setup.controls}


def test_controls_cover_costs_support_principal_saliences_and_strategies(setup):
    controls = _by_path(setup)
    # fighting cost of Russia: 0.10, declared range [0.05, 0.15] (scenario file)
    cost = controls[RU_COST]
    assert (cost.value, cost.low, cost.high) == (0.10, 0.05, 0.15)
    # support levels: 1.0 on [0, 1] (no declared range)
    level = controls["war.support.0.level"]
    assert (level.value, level.low, level.high) == (1.0, 0.0, 1.0)
    assert level.label == "support level United States → Ukraine"
    # saliences of the two principals only, one per issue
    saliences = [p for p in controls if p.endswith(".salience")]
    n_issues = len(setup.scenario.issues)
    assert len(saliences) == 2 * n_issues
    assert {p.split(".")[1] for p in saliences} == {"russia", "ukraine"}
    # every numeric strategy parameter with provenance, e.g. Russia's aspiration [0.4, 0.8]
    aspiration = controls["parties.russia.strategy.params.aspiration"]
    assert (aspiration.value, aspiration.low, aspiration.high) == (0.6, 0.4, 0.8)
    # no declared range: 0 to twice the value, at least 0 to 1
    assert controls["parties.european_allies.strategy.params.min_concession"].high == 1.0


def test_model_params_are_sliders_a_seed_and_the_linked_toggle(setup):
    params = setup.model_params()
    assert params["setup"] is setup  # fixed: passed as is to every rebuilt model
    assert params[SEED]["value"] == 0  # k added to the scenario's seed
    assert ViewModel(setup, **{SEED: 3}).seed_used == setup.scenario.seed + 3
    assert params[LINKED] == {
        "type": "Checkbox",
        "label": "linked conditions (red lines tied to other issues)",
        "value": True,
    }
    slider = params[RU_COST]
    assert slider["type"] == "SliderFloat"
    assert (slider["min"], slider["value"], slider["max"], slider["step"]) == (
        0.05,
        0.10,
        0.15,
        0.001,
    )


@pytest.mark.parametrize(("step", "nice"), [(0.001, 0.001), (0.0037, 0.002), (0.06, 0.05)])
def test_slider_steps_are_1_2_or_5_times_a_power_of_ten(step, nice):
    assert _nice_step(step) == pytest.approx(nice)


def test_a_moved_control_changes_exactly_its_number(setup):
    base = setup.game({}, True)
    moved = setup.game({RU_COST: 0.15}, True)
    i = base.index("russia")
    assert moved.fighting_cost[i] == 0.15 and base.fighting_cost[i] == 0.10
    others = np.arange(base.n_parties) != i
    assert np.array_equal(moved.fighting_cost[others], base.fighting_cost[others])
    assert setup.game({RU_COST: 0.10}, True) is base  # unchanged values reuse the game


def test_the_toggle_removes_the_linked_conditions(setup):
    assert len(setup.game({}, True).prefs.conditions) > 0
    assert setup.game({}, False).prefs.conditions == ()


def test_a_rejected_value_plays_the_scenario_as_written_and_says_why(setup):
    model = ViewModel(setup, **{"parties.russia.strategy.params.aspiration": 5.0})
    assert "aspiration" in model.problem
    assert model.base_game is setup.game({}, True)


def test_the_view_draws_the_numbers_sim_run_writes(setup, tmp_path):
    """Stepped to the end, the view's run data equal rounds.csv and summary.json of a run
    of the same scenario and seed."""
    model = ViewModel(setup)
    while model.running:
        model.step()
    live = live_run(model, model.seed_used)
    result = run_game(load_game(BASELINE))
    write_csv(tmp_path / "rounds.csv", result.round_rows())
    assert live.rounds == read_csv(tmp_path / "rounds.csv")
    assert live.summary == result.summary()
    assert np.array_equal(live.frontier, result.game.frontier.utilities)


def test_mid_run_the_outcome_says_so_far(setup):
    model = ViewModel(setup)
    model.step()
    assert live_run(model, model.seed_used).summary["outcome"].endswith(" so far")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["view", "no_such_file.yaml"], "no_such_file.yaml"),
        (["view", str(BASELINE), "--port", "70000"], "--port: must be in 1..65535, got 70000"),
    ],
)
def test_bad_input_is_a_clear_error_before_any_server_starts(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_port_in_use_is_a_clear_error(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["view", str(BASELINE), "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"--port: cannot listen on 127.0.0.1:{port} (Address already in use)" in err

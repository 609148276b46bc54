"""Counterfactual scenarios differ from the baseline only where their titles say."""

from __future__ import annotations

import pytest

from sim.cli import main
from sim.scenario import InputError, load_scenario
from sim.scenario.diff import scenario_diff
from tests.conftest import BASELINE, SCENARIOS, write_yaml

# file -> the field paths (prefixes) it may change besides title and description
EXPECTED = {
    "cf_no_bomber_strike.yaml": ["events.bomber_strike."],
    "cf_us_withdraws_at_once.yaml": ["events.us_ultimatum.round"],
    "cf_reassurance_force.yaml": ["events.reassurance_force."],
    "cf_momentum_stalls.yaml": ["war.trend."],
    "cf_longer_talks.yaml": ["protocol.max_rounds"],
    "cf_unconditional_ceasefire.yaml": ["parties.russia.conditions", "notes"],
    "cf_package_talks.yaml": ["parties.ukraine.settle_first.", "notes"],
    "cf_backstop_for_arms_pause.yaml": [
        "parties.ukraine.settle_first.",
        "parties.russia.conditions.ceasefire_options.any_of.option_2.all_of.0.at_least",
        "parties.united_states.positions.guarantees.ideal.",
        "notes",
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_counterfactual_changes_only_its_fields(name):
    base, variant = load_scenario(BASELINE), load_scenario(SCENARIOS / name)
    paths = [p for p, _, _ in scenario_diff(base, variant)]
    assert {"title", "description"} <= set(paths)
    changed = [p for p in paths if p not in ("title", "description")]
    assert changed, "a counterfactual must change something"
    assert all(any(p.startswith(e) for e in EXPECTED[name]) for p in changed), changed


def test_every_counterfactual_is_listed():
    assert {p.name for p in SCENARIOS.glob("cf_*.yaml")} == set(EXPECTED)


def test_specific_changes():
    assert load_scenario(SCENARIOS / "cf_momentum_stalls.yaml").war.trend.value == 0.0
    assert load_scenario(SCENARIOS / "cf_longer_talks.yaml").protocol.max_rounds == 26
    labels = [e.id for e in load_scenario(SCENARIOS / "cf_no_bomber_strike.yaml").events]
    assert "bomber_strike" not in labels and "us_ultimatum" in labels


def test_diff_command(capsys):
    assert main(["validate", "--diff", str(BASELINE), str(SCENARIOS / "cf_longer_talks.yaml")]) == 0
    out = capsys.readouterr().out
    assert "4 differences" in out and "protocol.max_rounds.value: 12 → 26" in out


def test_bad_variant_paths_are_reported(tmp_path):
    bad = write_yaml(
        tmp_path / "bad.yaml",
        {"extends": str(BASELINE), "changes": [{"path": "parties.belarus.role", "set": "x"}]},
    )
    with pytest.raises(InputError) as err:
        load_scenario(bad)
    assert "changes[0]" in str(err.value) and "belarus" in str(err.value)
    missing = write_yaml(tmp_path / "missing.yaml", {"extends": "nowhere.yaml"})
    with pytest.raises(InputError) as err:
        load_scenario(missing)
    assert "extends" in str(err.value) and "not found" in str(err.value)
    loop = write_yaml(tmp_path / "loop.yaml", {"extends": "loop.yaml"})
    with pytest.raises(InputError) as err:
        load_scenario(loop)
    assert "extends itself" in str(err.value)

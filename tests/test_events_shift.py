"""Preference events rebuild only the positions they change, and give the scenario a full
validation would."""

from __future__ import annotations

import pytest

from sim.behaviour.events import shifted_scenario
from sim.jobs.load import load_game
from sim.scenario.schema import Scenario
from tests.conftest import ROOT

SHIFTS = ("position_shift", "consultation")


def cases():
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        scenario = load_game(path).scenario
        shifts = [k for k, ev in enumerate(scenario.events) if ev.type in SHIFTS]
        if shifts:
            yield pytest.param(scenario, tuple(shifts), id=path.stem)


@pytest.mark.parametrize(("scenario", "indices"), list(cases()))
def test_shifted_scenario_is_what_a_full_validation_gives(scenario, indices):
    shifted = shifted_scenario(scenario, indices)
    dump = shifted.model_dump(mode="python", exclude_none=True)
    assert Scenario.model_validate(dump) == shifted
    changed = set()
    for k in indices:
        ev = scenario.events[k]
        if ev.type == "position_shift":
            pos = shifted.party(ev.party).positions[ev.issue]
            for name in ("ideal", "salience", "red_line"):
                if getattr(ev, name) is not None and k == max(
                    j
                    for j in indices
                    if scenario.events[j].type == "position_shift"
                    and (scenario.events[j].party, scenario.events[j].issue) == (ev.party, ev.issue)
                ):
                    assert getattr(pos, name).value == getattr(ev, name)
            changed.add(ev.party)
        else:
            changed.update(ev.parties)
    for before, after in zip(scenario.parties, shifted.parties, strict=True):
        if before.id not in changed:
            assert after is before  # untouched parties are shared, not rebuilt
    assert shifted.events is scenario.events

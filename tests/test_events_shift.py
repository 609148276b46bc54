"""Preference events rebuild only the positions they change, and give the scenario a full
validation would."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.behaviour.events import shifted_game, shifted_scenario
from sim.game import Game, compile_game
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


@pytest.mark.parametrize(("scenario", "indices"), list(cases()))
def test_shifted_game_equals_a_compile_of_the_shifted_scenario(scenario, indices):
    base = compile_game(scenario)
    made = shifted_game(base, indices)
    compiled = compile_game(shifted_scenario(scenario, indices))
    for f in dataclasses.fields(Game):
        if f.name in ("variants", "derived"):
            continue
        mine, theirs = getattr(made, f.name), getattr(compiled, f.name)
        if f.name == "prefs":
            assert mine.digest == theirs.digest
        else:
            assert _same(mine, theirs), f.name
    assert made.offer_key == compiled.offer_key
    assert made.derived == {} and made.variants == {}


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(a, b, equal_nan=True)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b

"""Nobody at the table knows the simulation horizon, so it changes nothing inside it:
for the same seed, rounds 1..k are the same for every ``max_rounds`` >= k."""

from __future__ import annotations

import pytest

from sim.jobs.load import load_game
from sim.jobs.run import run_game
from sim.scenario import load_scenario
from tests.conftest import SCENARIOS

CEASEFIRE_SCENARIOS = sorted(
    p
    for p in SCENARIOS.rglob("*.yaml")
    if not {"sweeps", "fits"} & set(p.parts) and load_scenario(p).war
)


def test_there_are_ceasefire_scenarios():
    assert len(CEASEFIRE_SCENARIOS) >= 5


@pytest.mark.slow
@pytest.mark.parametrize("path", CEASEFIRE_SCENARIOS, ids=lambda p: p.stem)
def test_rounds_do_not_depend_on_the_horizon(path):
    game = load_game(path)
    for seed in (1, 2, 3):
        short = run_game(game, seed=seed, max_rounds=5)
        long = run_game(game, seed=seed, max_rounds=30)
        k = len(short.records)
        assert k == 5 or short.summary()["outcome"] == "agreement"
        assert repr(long.round_rows()[:k]) == repr(short.round_rows())
        assert repr(long.world[:k]) == repr(short.world)

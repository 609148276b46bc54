"""Per-game caches: bounded, and invisible in the results."""

from __future__ import annotations

import numpy as np

import sim.game
from sim.jobs.load import load_game
from sim.jobs.run import run_game
from sim.jobs.sweep_worker import result_row
from sim.sweep.design import RunSpec
from tests.conftest import BASELINE


def test_lookup_table_is_bounded_and_returns_what_was_built(monkeypatch):
    monkeypatch.setattr(sim.game, "TABLE_SIZE", 5)
    game = load_game(BASELINE)
    built = []

    def build(k):
        built.append(k)
        return k * k

    assert [game.cached("squares", k, lambda k=k: build(k)) for k in range(12)] == [
        k * k for k in range(12)
    ]
    assert game.cached("squares", 11, lambda: build(-1)) == 121  # still held: not rebuilt
    assert built == list(range(12))
    assert len(game.derived["table.squares"]) <= 5


def run_facts(game, seed):
    result = run_game(game, seed=seed)
    rows = [(r.outcome.tolist(), r.thresholds.tolist(), r.responses) for r in result.records]
    return rows, result_row(RunSpec(seed, 0, 0, seed, ()), result)


def test_warm_caches_give_the_results_of_a_fresh_game():
    # Runs on a freshly compiled game (every cache empty) equal the same runs after 60
    # other runs have filled the game's caches (offer sets, tables, reference facts).
    warm = load_game(BASELINE)
    for seed in range(60):
        run_game(warm, seed=seed)
    for seed in (3, 17, 59, 1000):
        fresh_rows, fresh_row = run_facts(load_game(BASELINE), seed)
        warm_rows, warm_row = run_facts(warm, seed)
        assert fresh_rows == warm_rows
        assert fresh_row == warm_row
    assert np.isfinite(fresh_row["utility.russia"])

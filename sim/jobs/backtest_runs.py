"""What a backtest run is scored on: the observables of an episode's record, per run.

For each record item (:mod:`sim.scenario.record`), a run gives two 0/1 values: whether
the observable was agreed in the rounds up to the one holding the item's ``by`` date, and
whether it was agreed *and* still in force ``held_rounds`` rounds later (30 days). Run
in worker processes in chunks, like sweeps (:mod:`sim.jobs.sweep_worker`).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from sim.jobs.run import RunResult, run_game
from sim.jobs.sweep_worker import game_for
from sim.scenario.record import HELD_DAYS, Record
from sim.scenario.schema import Scenario
from sim.sweep.design import PlannedRun


class Target(NamedTuple):
    """A record item in run terms: kind, issue index (-1 if none), last round it may
    happen in (``by``) and the rounds it must then hold."""

    kind: str
    issue: int
    by_round: int
    held_rounds: int


def targets(scenario: Scenario, record: Record) -> list[Target]:
    """The record's items as :class:`Target` objects of ``scenario``."""
    held = math.ceil(HELD_DAYS / scenario.protocol.round_days)
    ids = scenario.issue_ids
    return [
        Target(
            item.observable.kind,
            ids.index(item.observable.issue) if item.observable.issue else -1,
            scenario.round_of(item.by),
            held,
        )
        for item in record
    ]


def horizon(targets_: list[Target]) -> int:
    """Rounds a run needs to observe every target and its holding."""
    return max(t.by_round + t.held_rounds for t in targets_)


def observe(result: RunResult, target: Target) -> tuple[bool, bool]:
    """(agreed by ``by_round``, agreed and not broken within ``held_rounds`` after)."""
    first = _first_round(result, target)
    if first is None or first > target.by_round:
        return False, False
    if target.kind == "exchange" or (
        target.kind == "settled" and result.game.separable[target.issue]
    ):
        return True, True  # agreed alone: the model implements it, nothing reopens it
    broken = any(first < r <= first + target.held_rounds for r, _, _ in result.breaks)
    return True, not broken


def _first_round(result: RunResult, target: Target) -> int | None:
    """The first round in which the target's observable was agreed."""
    if target.kind == "ceasefire":
        return min(result.ceasefires, default=None)
    for rec in result.records:
        if target.kind == "agreement" and rec.agreement:
            return rec.round
        if target.kind in ("exchange", "settled") and (
            target.issue in rec.settled or target.issue in rec.exchanged
        ):
            return rec.round
    return None


def run_chunk(
    base_key: str,
    base: dict[str, Any],
    master_seed: int,
    runs: list[PlannedRun],
    targets_: list[Target],
) -> np.ndarray:
    """(runs, targets, 2) booleans: agreed and held, for every run of the chunk. A run
    lasts the scenario's ``max_rounds``, or longer if the record needs more rounds."""
    out = np.zeros((len(runs), len(targets_), 2), dtype=bool)
    for k, spec in enumerate(run.with_seed(master_seed) for run in runs):
        game = game_for(base_key, base, spec.params)
        rounds = max(horizon(targets_), game.scenario.protocol.max_rounds)
        result = run_game(game, seed=spec.seed, max_rounds=rounds)
        out[k] = [observe(result, t) for t in targets_]
    return out

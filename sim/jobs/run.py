"""Running one scenario: ``run_game(game, seed) -> RunResult`` and its tables.

Round numbers in every output count from 1. ``summary["round"]`` is the round of the full
agreement, or of the last partial agreement or exchange when there is none, or ``null``.
``summary["deal"]`` names what was reached (:func:`deal_kind`) and
``summary["ceasefire"]`` when a general ceasefire came into force and whether it broke.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.behaviour.negotiation import Negotiation, RoundRecord
from sim.behaviour.world import WorldRecord
from sim.game import Game
from sim.jobs.load import check_scenario
from sim.jobs.reference import reference_block
from sim.model.model import NegotiationModel
from sim.output.drawer import FigureDrawer
from sim.output.folders import atomic_folder, choose_folder
from sim.output.run_files import write_run_files
from sim.scenario import InputError, Problem, Scenario, load_scenario
from sim.scenario.base import Provenance


@dataclass(frozen=True)
class RunResult:
    """A finished negotiation: its game, seed, round records and final state."""

    game: Game
    seed: int
    max_rounds: int
    records: list[RoundRecord]
    negotiation: Negotiation
    world: list[WorldRecord]
    ceasefires: tuple[int, ...] = ()
    breaks: tuple[tuple[int, tuple[str, ...], int], ...] = ()

    def summary(self) -> dict[str, Any]:
        """The run's outcome as plain JSON-ready data (see the module docstring)."""
        g, neg = self.game, self.negotiation
        final = neg.final_outcome()
        utilities = g.prefs.utilities(final)[0]
        agreed = ~np.isnan(neg.settled)
        return {
            "scenario": g.scenario.title,
            "seed": self.seed,
            "outcome": neg.outcome_kind(),
            "deal": deal_kind(self),
            "round": outcome_round(neg),
            "rounds_played": len(self.records),
            "max_rounds": self.max_rounds,
            "terms": {
                k: v for k, v in g.format_outcome(final).items() if agreed[g.issue_ids.index(k)]
            },
            "final_state": g.format_outcome(final),
            "utilities": _by_party(g, utilities),
            "reservation": _by_party(g, self._last_reservation()),
            "partial_agreements": [
                {
                    "issue": g.issue_ids[j],
                    "value": g.format_outcome(final)[g.issue_ids[j]],
                    "round": r,
                }
                for j, _, r in neg.partials
            ],
            "exchanges": [
                {
                    "issue": g.issue_ids[e.issue],
                    "value": e.value,
                    "size": e.size,
                    "round": e.round,
                    "date": g.scenario.round_date(e.round).isoformat(),
                }
                for e in neg.exchanges
            ],
            "ceasefire": {
                "agreed_in_rounds": list(self.ceasefires),
                "in_force_at_end": neg.ceasefire_in_force(),
                "broken": [
                    {"round": r, "by": list(by), "held_rounds": held} for r, by, held in self.breaks
                ],
            },
            "notes": list(g.notes),
            "reference": reference_block(g, final, self._last_reservation()),
        }

    def _last_reservation(self) -> np.ndarray:
        if self.records:
            return self.records[-1].reservation
        return self.game.reservation(self.negotiation.status_quo)

    def round_rows(self) -> list[dict[str, Any]]:
        """One flat row per round: proposer, offer per issue, and per party its utility
        for the offer, threshold (aspiration), reservation and response."""
        g = self.game
        rows = []
        for rec in self.records:
            row: dict[str, Any] = {"round": rec.round, "proposer": rec.proposer_id}
            row |= {f"offer.{k}": v for k, v in g.format_outcome(rec.outcome).items()}
            for i, pid in enumerate(g.party_ids):
                row[f"utility.{pid}"] = float(rec.utilities[i])
                row[f"threshold.{pid}"] = float(rec.thresholds[i])
                row[f"reservation.{pid}"] = float(rec.reservation[i])
                row[f"response.{pid}"] = rec.responses[i]
            row["settled"] = ";".join(g.issue_ids[j] for j in rec.settled)
            row["exchanged"] = ";".join(g.issue_ids[j] for j in rec.exchanged)
            row["agreement"] = rec.agreement
            row["phase"] = rec.phase
            for i, pid in enumerate(g.party_ids):
                row[f"blocked.{pid}"] = rec.blocked[i] if rec.blocked else ""
            for j in np.flatnonzero(g.separable):
                side = rec.side[j] if rec.side is not None else np.nan
                row[f"alone.{g.issue_ids[j]}"] = "" if np.isnan(side) else float(side)
            row |= self._world_columns(self.world[rec.round - 1])
            rows.append(row)
        return rows

    def world_columns(self) -> list[str]:
        """The columns of :meth:`round_rows` that describe the war and the events."""
        return list(self._world_columns(self.world[0])) if self.world else []

    def _world_columns(self, w: WorldRecord) -> dict[str, Any]:
        """War state and events of a round (war columns only when the scenario has a war)."""
        g = self.game
        row: dict[str, Any] = {}
        if g.scenario.war is not None:
            row["territory"] = w.territory
            row["win_share"] = w.share
            row["fearon_low"], row["fearon_high"] = w.fearon
            for i in np.flatnonzero(g.principals):
                pid = g.party_ids[i]
                row[f"belief_mean.{pid}"] = float(w.belief_mean[i])
                row[f"belief_sd.{pid}"] = float(w.belief_sd[i])
                row[f"losses.{pid}"] = float(w.losses[i])
        if g.ceasefire is not None:
            row["ceasefire_in_force"] = w.truce
        row["withdrawn"] = ";".join(
            p for p, out in zip(g.party_ids, w.withdrawn, strict=True) if out
        )
        row["events"] = " | ".join(w.events)
        return row


MAX_ROUNDS = 10_000
"""The longest simulation horizon (as ``protocol.max_rounds`` in the schema)."""


def outcome_round(neg: Negotiation) -> int | None:
    """The full agreement's round, else the last round that settled or exchanged
    anything, else ``None``."""
    rounds = [r for _, _, r in neg.partials] + [e.round for e in neg.exchanges]
    return neg.agreement_round or (max(rounds) if rounds else None)


def deal_kind(result: RunResult) -> str:
    """What the run reached, in words: ``comprehensive with ceasefire``,
    ``comprehensive without ceasefire``, ``comprehensive agreement`` (a scenario without
    ``war.ceasefire``), ``interim ceasefire`` (a ceasefire in force, the rest open),
    ``ceasefire broken``, ``partial`` (issues settled or exchanged alone), or ``none``."""
    neg = result.negotiation
    if neg.agreement_round is not None:
        if result.game.ceasefire is None:
            return "comprehensive agreement"
        with_ceasefire = neg.ceasefire_in_force()
        return "comprehensive " + ("with" if with_ceasefire else "without") + " ceasefire"
    if neg.ceasefire_in_force():
        return "interim ceasefire"
    if result.breaks:
        return "ceasefire broken"
    return "partial" if neg.partials or neg.exchanges else "none"


def _by_party(game: Game, values: np.ndarray) -> dict[str, float]:
    return {pid: float(v) for pid, v in zip(game.party_ids, values, strict=True)}


def run_game(game: Game, seed: int | None = None, max_rounds: int | None = None) -> RunResult:
    """Play the scenario's negotiation to the end with the given (or the scenario's) seed."""
    seed = game.scenario.seed if seed is None else seed
    model = NegotiationModel(game, seed, max_rounds, collect=False)
    try:
        while model.running:
            model.step()
    finally:
        model.release()
    return result_of(model, seed)


def result_of(model: NegotiationModel, seed: int) -> RunResult:
    """The rounds ``model`` has played so far (all of them once it has stopped) as a
    :class:`RunResult` of its base game."""
    neg = model.negotiation
    return RunResult(
        model.base_game,
        seed,
        model.max_rounds,
        neg.records,
        neg,
        model.world_records,
        tuple(model.ceasefires),
        tuple(model.breaks),
    )


def resolve(scenario: Scenario, seed: int | None, rounds: int | None) -> Scenario:
    """The scenario with command-line overrides applied (``--seed``, ``--rounds``)."""
    update: dict[str, Any] = {}
    if seed is not None:
        update["seed"] = seed
    if rounds is not None:
        protocol = scenario.protocol
        note = Provenance(assumption="simulation horizon set on the command line (--rounds)")
        update["protocol"] = protocol.model_copy(
            update={"max_rounds": rounds, "provenance": protocol.provenance | {"max_rounds": note}}
        )
    return scenario.model_copy(update=update)


def prepare_game(
    scenario: Scenario | str | Path, seed: int | None = None, rounds: int | None = None
) -> Game:
    """The game ``sim run`` plays: a scenario (or file) with ``--seed`` and ``--rounds``
    applied and checked; :class:`InputError` names the option or the file's field."""
    if rounds is not None and not 1 <= rounds <= MAX_ROUNDS:
        raise InputError(
            "sim run", [Problem("--rounds", f"must be in 1..{MAX_ROUNDS:,}, got {rounds}")]
        )
    if seed is not None and seed < 0:
        raise InputError("sim run", [Problem("--seed", f"must be >= 0, got {seed}")])
    if isinstance(scenario, Scenario):
        return check_scenario(resolve(scenario, seed, rounds), scenario.title)
    return check_scenario(resolve(load_scenario(scenario), seed, rounds), str(scenario))


def run_to_folder(
    scenario_file: str | Path,
    seed: int | None = None,
    rounds: int | None = None,
    out: str | Path | None = None,
    plots: bool = True,
) -> tuple[Path, dict[str, Any]]:
    """Load, run, and write a new result folder (all or nothing); return it and the
    summary. ``plots=False`` writes the data files only."""
    with FigureDrawer(fork=None if plots else False) as drawer:  # matplotlib loads meanwhile
        game = prepare_game(scenario_file, seed, rounds)
        return write_run_folder(lambda: run_game(game), scenario_file, out, plots, drawer)


def write_run_folder(
    result: RunResult | Callable[[], RunResult],
    scenario_file: str | Path,
    out: str | Path | None = None,
    plots: bool = True,
    drawer: FigureDrawer | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Write a run's result folder (all or nothing; ``result`` may be a function that runs
    it, called once the folder is known to be writable); return it and the summary. The
    figures are drawn by ``drawer`` (:mod:`sim.output.drawer`), else in this process."""
    folder = choose_folder(Path(scenario_file).stem, out)
    with atomic_folder(folder) as tmp:  # the target is writable before the run starts
        result = result() if callable(result) else result
        summary = result.summary()
        write_run_files(tmp, result, scenario_file, summary)
        if plots:
            (drawer or FigureDrawer(fork=False)).draw(tmp)
    return folder, summary

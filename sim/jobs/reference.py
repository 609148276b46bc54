"""Reference points of a scenario and where an outcome stands relative to them.

The solutions are first taken on the feasible part of the Pareto frontier
(:mod:`sim.theory.frontier`: frontier outcomes within every party's red lines; the exact
efficient set on finite domains). When every issue is continuous they are then computed
exactly, by optimisation over the region where every red line holds, started from those
frontier points (:mod:`sim.theory.reference`); on a mixed domain, by the same optimisation
for each combination of the finite issues' values (:mod:`sim.theory.mixed_reference`);
``sim solve`` says which (``method``). The
disagreement point d is the parties' reservation utilities before the first round.

* ``nash``: max Π (u_i − d_i) (Nash 1950); ``weighted_nash``: max Π (u_i − d_i)^{β_i} with
  β the parties' ``bargaining_power`` (Kalai 1977), when every party has one;
* ``kalai_smorodinsky``: max–min of normalised gains (Kalai & Smorodinsky 1975);
* ``utilitarian``: max Σ u_i; ``egalitarian``: max min (u_i − d_i) (Kalai 1977);
* ``forecast_median`` / ``forecast_mean``: per issue, the salience × capability weighted
  median / mean of the ideal points (Bueno de Mesquita 1994), when every party has a
  ``capability``; on discrete issues the label with the highest weighted score;
* ``rubinstein``: the first proposer's subgame-perfect offer, under the rubinstein protocol.

An outcome is *Pareto-efficient* when no feasible frontier outcome gives every party at
least as much and one party more (tolerance 1e-9), and *individually rational* when every
party gets at least its reservation utility (tolerance 1e-9). Distances are Euclidean in
the utility space of all negotiating parties.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.game import FRONTIER_RESOLUTION, Game
from sim.theory import bargaining
from sim.theory import mixed_reference as mixed
from sim.theory import reference as theory
from sim.theory.forecast import forecast
from sim.theory.pareto import dominating_row
from sim.theory.reference import all_continuous
from sim.theory.rubinstein import rubinstein_offer

TOLERANCE = 1e-9


def feasible(game: Game) -> tuple[np.ndarray, np.ndarray]:
    """(outcomes, utilities) of the frontier outcomes within every red line (read-only;
    shared by the games that share the frontier, :data:`sim.game.SHARED_TABLES`)."""

    def build() -> tuple[np.ndarray, np.ndarray]:
        f = game.feasible_frontier()
        outcomes, utilities = f.outcomes, f.utilities
        outcomes.flags.writeable = utilities.flags.writeable = False
        return outcomes, utilities

    return game.cached("feasible", b"", build)


def reference_points(game: Game) -> dict[str, Any]:
    """Every reference point as {"terms": ..., "utilities": ...} (None when undefined).

    Besides the offer tables' inputs (:attr:`~sim.game.Game.offer_key`), the points depend
    only on the disagreement point, the bargaining powers and capabilities, and, under
    the rubinstein protocol, the discount factors and the first proposer; games that
    share all of these share one read-only result (e.g. the points of a sweep that vary
    strategy parameters). The party ids and the issues' ids and labels, which the result
    names, are part of the key too."""
    d = game.reservation(game.status_quo)
    protocol = game.scenario.protocol
    key = (
        d.tobytes(),
        *(_bytes(_all_values(game, field)) for field in ("bargaining_power", "capability")),
        protocol.kind,
        protocol.proposer_order[0],
        game.discount.tobytes(),
        tuple(game.party_ids),
        tuple((issue.id, tuple(issue.values or ())) for issue in game.scenario.issues),
    )
    return game.cached("reference_points", key, lambda: _reference_points(game))


def _bytes(values: np.ndarray | None) -> bytes | None:
    return None if values is None else values.tobytes()


def _reference_points(game: Game) -> dict[str, Any]:
    outcomes, utilities = feasible(game)
    d = game.reservation(game.status_quo)
    found = bargaining.bargaining_indices(utilities, d) if len(utilities) else {}
    indices = {
        "nash": found.get("nash"),
        "kalai_smorodinsky": found.get("kalai_smorodinsky"),
        "utilitarian": utilitarian_index(game) if len(utilities) else None,
        "egalitarian": found.get("egalitarian"),
    }
    powers = _all_values(game, "bargaining_power")
    if powers is not None and len(utilities):
        indices["weighted_nash"] = bargaining.nash_index(utilities, d, powers)
    starts = {k: outcomes[i] for k, i in indices.items() if i is not None}
    exact = {}
    if all_continuous(game.prefs):
        exact = optimised(game, d, starts, powers)
    elif mixed.applies(game.prefs):
        found = mixed.mixed_points(game.prefs, d, powers)
        exact = {k: s.x for k, s in found.items() if s is not None and k in indices}
    chosen = {k: exact.get(k, outcomes[i]) for k, i in indices.items() if i is not None}
    capability = _all_values(game, "capability")
    if capability is not None:
        for kind, outcome in forecast_outcomes(game, capability).items():
            chosen[f"forecast_{kind}"] = outcome
    protocol = game.scenario.protocol
    if protocol.kind == "rubinstein" and len(utilities):
        first = game.index(protocol.proposer_order[0])
        _, chosen["rubinstein"] = rubinstein_offer(utilities, outcomes, game.discount, d, first)
    return dict.fromkeys(indices) | _points(game, chosen)


def optimised(
    game: Game, d: np.ndarray, starts: dict[str, np.ndarray], powers: np.ndarray | None
) -> dict[str, np.ndarray]:
    """The reference points' outcomes computed by optimisation on the continuous space
    (:mod:`sim.theory.reference`), each started from its frontier point (the ideal point of
    Kalai–Smorodinsky from each party's best rational frontier outcome)."""
    prefs = game.prefs
    solvers = {
        "nash": lambda x: theory.nash_point(prefs, d, x),
        "weighted_nash": lambda x: theory.nash_point(prefs, d, x, powers),
        "kalai_smorodinsky": lambda x: theory.kalai_smorodinsky_point(prefs, d, x, feasible(game)),
        "utilitarian": lambda _: utilitarian(game),
        "egalitarian": lambda x: theory.egalitarian_point(prefs, d, x),
    }
    found = {k: solvers[k](x) for k, x in starts.items()}
    return {k: s.x for k, s in found.items() if s is not None}


def utilitarian_index(game: Game) -> int:
    """The feasible frontier row with the largest sum of utilities; it does not depend on
    the disagreement point, so games that share their offer tables share it."""
    return game.cached(
        "utilitarian", b"index", lambda: bargaining.utilitarian_index(feasible(game)[1])
    )


def utilitarian(game: Game) -> theory.Solution | None:
    """The exact utilitarian point (:func:`sim.theory.reference.utilitarian_point`); it
    depends on the preferences only, so games that share their offer tables share it
    (``utilitarian``, :data:`sim.game.SHARED_TABLES`)."""

    def build() -> theory.Solution | None:
        found = theory.utilitarian_point(game.prefs)
        if found is not None:
            found.x.flags.writeable = False  # shared by games
        return found

    return game.cached("utilitarian", b"", build)


def reference_method(game: Game) -> str:
    """How :func:`reference_points` computes the bargaining solutions of this game."""
    if all_continuous(game.prefs):
        return (
            "optimised on the continuous space (utilitarian in closed form; Nash,"
            " Kalai-Smorodinsky and egalitarian by Lagrangian duality when every loss is"
            " quadratic, else by SLSQP started from the frontier points)"
        )
    if mixed.applies(game.prefs):
        return (
            "optimised on the mixed space: for each combination of the discrete and integer"
            " issues' acceptable values, the continuous issues optimised as on a continuous"
            " domain (disagreement point shifted by the fixed issues' utilities); the best"
            " combination wins"
        )
    if game.frontier.exact and mixed.continuous_issues(game.prefs).any():
        return (
            "on the grid: the best outcome of the exact efficient set of the domain with its"
            f" continuous issues on a grid of {FRONTIER_RESOLUTION + 1} values (more than"
            f" {mixed.MIXED_LIMIT:,} combinations of the finite issues' values for the mixed"
            " optimisation)"
        )
    if game.frontier.exact:
        return "exact: the best outcome of the exact efficient set of the finite domain"
    return "approximate: the best outcome of the sampled frontier"


def _all_values(game: Game, field: str) -> np.ndarray | None:
    values = [getattr(game.scenario.party(pid), field) for pid in game.party_ids]
    if any(v is None for v in values):
        return None
    return np.array([v.value for v in values])


def _point(game: Game, outcome: np.ndarray) -> dict[str, Any]:
    return _points(game, {"": outcome})[""]


def _points(game: Game, outcomes: dict[str, np.ndarray]) -> dict[str, dict[str, Any]]:
    """Each named outcome as {"terms": ..., "utilities": ...} (utilities evaluated at once)."""
    if not outcomes:
        return {}
    u = game.prefs.utilities(np.array(list(outcomes.values())))
    return {
        k: {"terms": game.format_outcome(x), "utilities": _by_party(game, row)}
        for (k, x), row in zip(outcomes.items(), u, strict=True)
    }


def _by_party(game: Game, values: np.ndarray) -> dict[str, float]:
    return {pid: float(v) for pid, v in zip(game.party_ids, values, strict=True)}


def forecast_outcomes(game: Game, capability: np.ndarray) -> dict[str, np.ndarray]:
    """The weighted median and mean outcomes (discrete issues: best weighted label);
    they depend on the preferences and capabilities only, so games that share their
    offer tables share them too (``forecasts``, :data:`sim.game.SHARED_TABLES`)."""
    return game.cached("forecasts", capability.tobytes(), lambda: _forecasts(game, capability))


def _forecasts(game: Game, capability: np.ndarray) -> dict[str, np.ndarray]:
    p = game.prefs
    weights = p.weights * capability[:, None]
    result = forecast(p.ideal, p.weights, capability)
    out = {}
    for kind in ("median", "mean"):
        outcome = np.array(result[kind], dtype=float)
        for j in np.flatnonzero(~p.spatial):
            outcome[j] = float(np.argmax(weights[:, j] @ p.tables[j]))
        out[kind] = np.where(p.integer, np.round(outcome), outcome)
        out[kind].flags.writeable = False  # shared by games and runs
    return out


def assess(
    game: Game, outcome: np.ndarray, reservation: np.ndarray, points: dict, detail: bool = True
) -> dict:
    """Distances to each reference point, Pareto efficiency and individual rationality
    (``detail=False`` leaves out the dominating outcome and the per-party verdicts)."""
    u, distance, dominator = outcome_facts(game, outcome, points)
    rational = u >= reservation - TOLERANCE
    verdict = {
        "distance": dict(distance),
        "pareto_efficient": dominator is None,
        "individually_rational": bool(rational.all()),
    }
    if detail:
        outcomes = feasible(game)[0]
        verdict["dominated_by"] = None if dominator is None else _point(game, outcomes[dominator])
        verdict["rational_by_party"] = {
            pid: bool(r) for pid, r in zip(game.party_ids, rational, strict=True)
        }
    return verdict


def outcome_facts(
    game: Game, outcome: np.ndarray, points: dict
) -> tuple[np.ndarray, dict[str, float], int | None]:
    """Utilities of ``outcome``, its distance to each reference point in ``points``, and
    the feasible outcome dominating it (``None`` if none). Cached per outcome: runs of a
    sweep often end on the same terms."""

    def facts() -> tuple[np.ndarray, dict[str, float], int | None]:
        u = game.prefs.utilities(outcome)[0]
        utilities = feasible(game)[1]
        dominator = dominating_row(utilities, u, TOLERANCE) if len(utilities) else None
        names, matrix = game.memo("reference_matrix", lambda: _reference_matrix(points))
        distances = np.linalg.norm(matrix - u, axis=1) if names else []
        return u, {k: float(d) for k, d in zip(names, distances, strict=True)}, dominator

    return game.cached("outcome_facts", outcome.tobytes(), facts)


def _reference_matrix(points: dict) -> tuple[list[str], np.ndarray]:
    """The defined reference points' names and their utilities as rows."""
    names = [k for k, v in points.items() if v is not None]
    return names, np.array([list(points[k]["utilities"].values()) for k in names])


def reference_block(game: Game, outcome: np.ndarray, reservation: np.ndarray) -> dict:
    """The ``reference`` block of ``summary.json``: points plus the outcome's assessment."""
    points = game.memo("reference_points", lambda: reference_points(game))
    return {
        "disagreement": _by_party(game, game.reservation(game.status_quo)),
        **points,
        "outcome": assess(game, outcome, reservation, points),
    }

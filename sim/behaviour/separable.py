"""Deals on a single separable issue (an exchange of prisoners, a partial truce).

Each round in which the package offer is not accepted, the proposer also offers a deal on
every open separable issue alone: its most preferred value of the issue's grid among
those that every party whose consent the issue needs strictly prefers to the status quo
(v_ij(x) > v_ij(sq_j)) and for which "the status quo with this value" breaks none of their
red lines on the issue — plain, or linked red lines that govern it. Every such party
prefers it, so it is agreed (:mod:`sim.behaviour.negotiation`). A mediator offers the
value with the largest product of the gains (the Nash point on that issue).
"""

from __future__ import annotations

import numpy as np

from sim.behaviour.strategies.base import MEDIATOR_INDEX
from sim.game import Game

GAIN_TOLERANCE = 1e-12


def separable_offer(
    game: Game, j: int, status_quo: np.ndarray, must: np.ndarray, proposer: int
) -> float | None:
    """The value ``proposer`` offers on separable issue ``j`` alone, or ``None`` if no
    value of the issue's grid is strictly better than its status quo for every party in
    ``must`` and within their red lines on ``j`` (plain, and linked ones governing ``j``
    with the other issues at their status quo). A party offers its most preferred such
    value (ties: the first on the grid); a mediator (:data:`MEDIATOR_INDEX`) the one with
    the largest product of the gains. Cached per game and state."""
    linked = any(c.issue == j for c in game.prefs.conditions)
    key = (
        j,
        float(status_quo[j]),
        must.tobytes(),
        proposer,
        status_quo.tobytes() if linked else b"",
    )

    def build() -> float | None:
        grid = game.cached("separable_grid", j, lambda: _issue_grid(game, j))
        gains = game.prefs.issue_values(j, grid) - game.prefs.issue_values(j, status_quo[[j]])
        better = (gains[must] > GAIN_TOLERANCE).all(axis=0)
        outcomes = np.repeat(status_quo[None, :], len(grid), axis=0)
        outcomes[:, j] = grid
        alone = np.arange(game.n_issues) == j
        ok = better & game.prefs.acceptable(outcomes, alone)[:, must].all(axis=1)
        if not ok.any():
            return None
        score = gains[proposer] if proposer != MEDIATOR_INDEX else np.prod(gains[must], axis=0)
        return float(grid[np.flatnonzero(ok)[np.argmax(score[ok])]])

    return game.cached("separable_offers", key, build)


def _issue_grid(game: Game, j: int) -> np.ndarray:
    """The values a single-issue offer on ``j`` is chosen from (the frontier's grid)."""
    from sim.theory.frontier import issue_grid

    return issue_grid(game.prefs, j, 100, game.anchor_points()[:, j])

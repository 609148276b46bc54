"""Equilibrium play of the Rubinstein (1982) alternating-offers game.

Under the ``rubinstein`` protocol two parties alternate offers and discount a deal one
round later by their factors δ_i. The stationary subgame-perfect strategies, on the two
parties' Pareto frontier u_2 = f(u_1) relative to the reservation point d, are:

* propose your own SPE offer (x* if you are party 1, y* if party 2), where
  y*_1 − d_1 = δ_1 (x*_1 − d_1) and x*_2 − d_2 = δ_2 (y*_2 − d_2);
* accept an offer iff it gives you at least d_i + δ_i (v_i − d_i), with v_i your utility in
  your own SPE offer (what you get by rejecting and proposing next round).

So the first proposer's offer is accepted in round 1
(:func:`sim.theory.rubinstein.spe_on_frontier`).
The frontier is the offer set's two-party Pareto frontier, linearly interpolated; the
offer's outcome interpolates the two neighbouring frontier outcomes (exact when utilities
are linear on the segment, as for a single linear issue).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from sim.behaviour.offers import Bid
from sim.behaviour.strategies.base import RoundContext, Strategy, register
from sim.theory.rubinstein import rubinstein_offer


@register
class RubinsteinSPE(Strategy):
    """Play the stationary subgame-perfect equilibrium of Rubinstein's game."""

    name = "rubinstein"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": 0,
        "concession": "equilibrium",
        "opponent_model": True,
    }

    def raw_threshold(self, me: int, ctx: RoundContext) -> float:
        d, delta = ctx.reservation[me], ctx.discount[me]
        own = self._spe(me, ctx)[0][me]
        return float(d + delta * (own - d))

    def propose(self, me: int, ctx: RoundContext, threshold: float) -> Bid:
        return ctx.evaluate(self._spe(me, ctx)[1])

    def _spe(self, me: int, ctx: RoundContext) -> tuple[np.ndarray, np.ndarray]:
        """(utilities, outcome) of ``me``'s SPE offer."""
        offers = ctx.offers
        ok = offers.acceptable.all(axis=1)
        return rubinstein_offer(
            offers.utilities[ok], offers.outcomes[ok], ctx.discount, ctx.reservation, me
        )

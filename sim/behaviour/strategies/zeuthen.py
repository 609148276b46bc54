"""Zeuthen's risk-based concession (Zeuthen 1930; Harsanyi 1956).

Each party's *risk limit* is the largest probability of conflict it would accept rather
than take the opponent's offer: r_i = (u_i(x_i) − u_i(x_j)) / (u_i(x_i) − d_i), with x_i its
own last offer, x_j the opponent's and d_i its reservation utility. The party with the
smaller risk limit concedes (both when equal). Harsanyi showed r_i <= r_j exactly when the
Nash product (u_i − d_i)(u_j − d_j) of x_i is at most that of x_j, so the rule is:

* no own offer yet: demand the best outcome (threshold = hi);
* own Nash product > opponent's: hold (threshold = u_i(x_i));
* otherwise concede as little as possible: threshold = the highest u_i among outcomes
  within both parties' red lines whose Nash product exceeds that of x_j (then the
  opponent must concede next);
  if there is none, threshold = u_i(x_j) (take the opponent's terms).

The process ends at (a grid neighbour of) the Nash bargaining solution (Harsanyi 1956).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from sim.behaviour.strategies.base import Offer, Params, RoundContext, Strategy, register


class ZeuthenParams(Params):
    """``opponent``: the party whose offers set the risk comparison."""

    opponent: str = Field(description="party id of the bargaining opponent")


def nash_product(u: np.ndarray, d: np.ndarray, i: int, j: int) -> np.ndarray:
    """(u_i − d_i)^+ · (u_j − d_j)^+ for each row of ``u`` (or a single utility vector)."""
    u = np.atleast_2d(u)
    return np.clip(u[:, i] - d[i], 0, None) * np.clip(u[:, j] - d[j], 0, None)


@register
class Zeuthen(Strategy):
    """Concede when your risk limit is the smaller one (Zeuthen–Harsanyi)."""

    name = "zeuthen"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": 2,
        "concession": "risk",
        "opponent_model": True,
    }
    Params = ZeuthenParams

    def check(self, me: str, party_ids: tuple[str, ...]) -> list[tuple[str, str]]:
        opp = self.params.opponent
        if opp == me or opp not in party_ids:
            return [("opponent", f"must be another party, one of {', '.join(party_ids)}")]
        return []

    def raw_threshold(self, me: int, ctx: RoundContext) -> float:
        lo, hi = ctx.bounds(me)
        opp = self.party_ids.index(self.params.opponent)
        mine, theirs = _last_offer(ctx.history, me), _last_offer(ctx.history, opp)
        if mine is None:
            return hi
        if theirs is None:
            return float(mine.utilities[me])
        d = ctx.reservation
        target = nash_product(theirs.utilities, d, me, opp)[0]
        if nash_product(mine.utilities, d, me, opp)[0] > target:
            return float(mine.utilities[me])
        offers = ctx.offers
        both = offers.acceptable[:, me] & offers.acceptable[:, opp]
        better = both & (nash_product(offers.utilities, d, me, opp) > target)
        if better.any():
            return float(offers.utilities[better, me].max())
        return max(float(theirs.utilities[me]), lo)


def _last_offer(history: list[Offer], party: int) -> Offer | None:
    return next((o for o in reversed(history) if o.proposer == party), None)

"""Reciprocal concession: tit-for-tat in utility (after Faratin et al. 1998, Axelrod 1984).

The party starts by demanding ``initial`` of the way from lo to hi and lowers its
threshold by ``scale`` times each concession of its ``opponent``. A concession of the
opponent is the drop in the opponent's *own* utility between two consecutive offers it
made (what it gave up). Concessions smaller than ``min_concession`` are ignored: they are
repeated ultimatums, not movement. So after the opponent's offers o_1, o_2, ..., o_k:

    threshold = max(lo, lo + initial·(hi − lo) − scale · Σ_t c_t · [c_t >= min_concession]),
    c_t = u_opp(o_{t−1}) − u_opp(o_t).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

from pydantic import Field

from sim.behaviour.strategies.base import Offer, Params, RoundContext, Strategy, register


class TitForTatParams(Params):
    """Parameters of :class:`TitForTat`."""

    opponent: str = Field(description="party id whose concessions are reciprocated")
    scale: float = Field(default=1.0, ge=0.0, le=10.0)
    min_concession: float = Field(default=0.0, ge=0.0, le=1.0)
    initial: float = Field(default=1.0, ge=0.0, le=1.0)


@register
class TitForTat(Strategy):
    """Concede as much as the opponent conceded (scaled), only for real concessions."""

    name = "tit_for_tat"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": float("inf"),
        "concession": "reciprocal",
        "opponent_model": False,
    }
    Params = TitForTatParams

    def check(self, me: str, party_ids: tuple[str, ...]) -> list[tuple[str, str]]:
        return opponent_problems(self.params.opponent, me, party_ids)

    def raw_threshold(self, me: int, ctx: RoundContext) -> float:
        lo, hi = ctx.bounds(me)
        return max(lo, lo + self.params.initial * (hi - lo) - self.params.scale * self._credit(ctx))

    @cached_property
    def _opponent(self) -> int:
        return self.party_ids.index(self.params.opponent)

    def _credit(self, ctx: RoundContext) -> float:
        return opponent_credit(ctx.history, self._opponent, self.params.min_concession)


def opponent_problems(opp: str, me: str, party_ids: tuple[str, ...]) -> list[tuple[str, str]]:
    """The ``opponent`` parameter names another party of the scenario."""
    if opp == me:
        return [("opponent", "a party cannot reciprocate its own concessions")]
    if opp not in party_ids:
        return [("opponent", f"unknown party '{opp}'; parties: {', '.join(party_ids)}")]
    return []


def opponent_credit(history: list[Offer], opponent: int, min_concession: float) -> float:
    """Σ_t c_t · [c_t >= min_concession] over ``opponent``'s offers so far, c_t the drop
    in its own utility from its previous offer."""
    smallest = max(min_concession, 1e-12)
    credit, previous = 0.0, None
    for offer in history:
        if offer.proposer == opponent:
            own = float(offer.utilities[opponent])
            if previous is not None and previous - own >= smallest:
                credit += previous - own
            previous = own
    return credit

"""Concession driven by the war, the other side's moves and dated pressure — never by the
clock (the strategy of the ceasefire scenarios).

The party demands a share ``aspiration`` of the surplus its best attainable outcome holds
over its fallback, gives back ``reciprocity`` times every real concession of its
``opponent``, and lowers its aspiration at dated ``aspiration_shift`` events (a deadline
that bites, a sanctions threat):

    threshold = lo + max(0, (aspiration − Σ_events δ)·(hi − lo) − reciprocity · C),

with lo = max(worst, reservation) and hi the party's best utility over the offer set, and
C the opponent's concessions so far: the drops in its own utility between consecutive
offers it made, each counted only when at least ``min_concession`` (after Faratin, Sierra &
Jennings 1998; Axelrod 1984). The reservation is the party's expected value of fighting on
(beliefs, costs, support: :mod:`sim.behaviour.war`), so the threshold falls when the war
goes worse for the party and rises when it goes better (Fearon 1995; Slantchev 2003).
Nothing in the rule depends on the round number or on the simulation horizon.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

from pydantic import Field

from sim.behaviour.strategies.base import Params, RoundContext, Strategy, register
from sim.behaviour.strategies.reciprocal import opponent_credit, opponent_problems


class FallbackParams(Params):
    """Parameters of :class:`Fallback`."""

    aspiration: float = Field(default=0.5, ge=0.0, le=1.0)
    opponent: str | None = Field(default=None, description="party whose concessions count")
    reciprocity: float = Field(default=0.0, ge=0.0, le=10.0)
    min_concession: float = Field(default=0.0, ge=0.0, le=1.0)


@register
class Fallback(Strategy):
    """Demand a share of the surplus over the value of fighting on; reciprocate."""

    name = "fallback"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": float("inf"),
        "concession": "fallback",
        "opponent_model": False,
    }
    Params = FallbackParams

    def check(self, me: str, party_ids: tuple[str, ...]) -> list[tuple[str, str]]:
        opp = self.params.opponent
        if opp is None and self.params.reciprocity > 0:
            return [("opponent", "needed when reciprocity > 0: whose concessions count")]
        return [] if opp is None else opponent_problems(opp, me, party_ids)

    def raw_threshold(self, me: int, ctx: RoundContext) -> float:
        lo, hi = ctx.bounds(me)
        aspiration = self.params.aspiration - ctx.pressure_on(me)
        credit = 0.0
        if self._opponent is not None and self.params.reciprocity > 0:
            credit = opponent_credit(ctx.history, self._opponent, self.params.min_concession)
        return lo + max(0.0, aspiration * (hi - lo) - self.params.reciprocity * credit)

    @cached_property
    def _opponent(self) -> int | None:
        opp = self.params.opponent
        return None if opp is None else self.party_ids.index(opp)

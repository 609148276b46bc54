"""A mediator proposing single negotiating texts that move toward the Nash point.

Raiffa's (1982) single-text procedure: the mediator tables one text, the parties accept or
reject it, the mediator revises. Here the text starts at the status quo (or the middle of
every issue, ``start: midpoint``) and each round moves a fraction ``step`` of the way to
the Nash bargaining solution of the current offer set (outcomes within every red line,
disagreement point = the parties' current reservation utilities):

    text_k = text_{k−1} + step · (nash − text_{k−1})        (spatial issues),

rounded on integer issues; on discrete issues the text takes the Nash label (labels have
no order to move along). If no outcome gives every party more than its reservation, the
mediator tables its previous text again.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field

from sim.behaviour.offers import Bid
from sim.behaviour.strategies.base import (
    MEDIATOR_INDEX,
    Params,
    RoundContext,
    Strategy,
    register,
)
from sim.theory.bargaining import nash_index


class MediatorParams(Params):
    """``step`` in (0, 1]: share of the way to the Nash point per round; ``start``."""

    step: float = Field(default=0.25, gt=0.0, le=1.0)
    start: Literal["status_quo", "midpoint"] = "status_quo"


@register
class Mediator(Strategy):
    """Table a single text each round, moving toward the Nash point."""

    name = "mediator"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": 1,
        "concession": "mediation",
        "opponent_model": True,
    }
    Params = MediatorParams

    def raw_threshold(self, me: int, ctx: RoundContext) -> float:
        return float("nan")

    def propose(self, me: int, ctx: RoundContext, threshold: float) -> Bid:
        previous = next(
            (o.outcome for o in reversed(ctx.history) if o.proposer == MEDIATOR_INDEX), None
        )
        text = self._start(ctx) if previous is None else previous
        target = self._nash_outcome(ctx)
        if target is not None:
            space = ctx.space
            text = text + self.params.step * (target - text)
            text = np.where(space.integer, np.round(text), text)
            text = np.where(space.discrete, target, text)
        return ctx.evaluate(text)

    def _start(self, ctx: RoundContext) -> np.ndarray:
        if self.params.start == "midpoint":
            space = ctx.space
            middle = (space.lo + space.hi) / 2
            return np.where(space.integer | space.discrete, np.floor(middle), middle)
        return ctx.status_quo.copy()

    @staticmethod
    def _nash_outcome(ctx: RoundContext) -> np.ndarray | None:
        offers = ctx.offers
        ok = np.flatnonzero(offers.acceptable.all(axis=1))
        if ok.size == 0:
            return None
        k = nash_index(offers.utilities[ok], ctx.reservation)
        return None if k is None else offers.outcomes[ok[k]]

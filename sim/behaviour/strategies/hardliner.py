"""A hardliner: a fixed, high demand (the ultimatum player of the bargaining literature).

    threshold = lo + aspiration · (hi − lo),   aspiration in [0.5, 1], default 0.95,

constant over rounds: it never goes below this aspiration.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from sim.behaviour.strategies.base import Params, RoundContext, Strategy, register


class HardlinerParams(Params):
    """``aspiration``: the share of the way from lo to hi the party insists on."""

    aspiration: float = Field(default=0.95, ge=0.5, le=1.0)


@register
class Hardliner(Strategy):
    """Demands a constant, high share of its attainable utility."""

    name = "hardliner"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": 0,
        "concession": "none",
        "opponent_model": False,
    }
    Params = HardlinerParams

    def raw_threshold(self, me: int, ctx: RoundContext) -> float:
        lo, hi = ctx.bounds(me)
        return lo + self.params.aspiration * (hi - lo)

"""Time-dependent concession: Boulware, linear and Conceder (Faratin, Sierra & Jennings 1998).

Threshold at relative time t = (round + 1) / (max_rounds + 1):

    threshold(t) = lo + (hi − lo) · (1 − t^e),

with hi the party's best utility over the offer set and lo = max(worst, reservation).
e > 1 concedes late (Boulware), e = 1 linearly, e < 1 early (Conceder). This is the
"polynomial" time-dependent tactic in the form used by the ANAC literature
(Baarslag et al. 2014), with the exponent on t.

An optional ``tolerance`` δ lowers the threshold to max(lo, threshold(t) − δ), for
proposing and accepting alike. NegMAS's time-based negotiators (``PolyAspiration``
max_aspiration · (1 − t^e), scaled to [lo, hi] by its ``UtilityInverter``) use δ = 1e-4
(``eps``) and the named exponents boulware 4, linear 1, conceder 0.25
(``POLY_ASPIRATION_EXPONENTS``, NegMAS 0.16); with ``protocol.offer_policy:
lowest_own_utility`` and the ``stacked_alternating`` protocol these strategies then
make NegMAS's offers (``benchmarks/negmas_reference.py``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from sim.behaviour.offers import LOWEST_OWN_UTILITY, Bid, lowest_own_utility
from sim.behaviour.strategies.base import Params, RoundContext, Strategy, register


class LinearParams(Params):
    """Linear: e = 1; ``tolerance`` δ >= 0 (default 0); ``snap`` >= 0 (default 0), see
    :func:`sim.behaviour.offers.lowest_own_utility` (NegMAS: 1e-6)."""

    tolerance: float = Field(default=0.0, ge=0.0, le=1.0)
    snap: float = Field(default=0.0, ge=0.0, le=0.01)


class TimeDependentParams(LinearParams):
    """``exponent`` e > 0 of the concession curve, ``tolerance``, ``snap``."""

    exponent: float = Field(default=1.0, gt=0.0, le=100.0)


class BoulwareParams(LinearParams):
    """Boulware: e > 1 (default 3), ``tolerance``, ``snap``."""

    exponent: float = Field(default=3.0, gt=1.0, le=100.0)


class ConcederParams(LinearParams):
    """Conceder: 0 < e < 1 (default 1/3), ``tolerance``, ``snap``."""

    exponent: float = Field(default=1 / 3, gt=0.0, lt=1.0)


def time_dependent_threshold(
    lo: float, hi: float, t: float, exponent: float, tolerance: float = 0.0
) -> float:
    """max(lo, lo + (hi − lo)(1 − t^e) − δ) (Faratin et al. 1998; δ: module docstring).

    Evaluated as NegMAS does, (hi − lo)·a + lo with a = 1 − t^e, so that both give the
    same floating-point number."""
    level = (hi - lo) * (1.0 - t**exponent) + lo
    return level if tolerance == 0.0 else max(lo, level - tolerance)


@register
class TimeDependent(Strategy):
    """Concede along lo + (hi − lo)(1 − t^e) with a free exponent e."""

    name = "time_dependent"
    classifier: ClassVar[dict[str, Any]] = {
        "stochastic": False,
        "memory_depth": 0,
        "concession": "time",
        "opponent_model": False,
    }
    Params = TimeDependentParams

    def raw_threshold(self, me: int, ctx: RoundContext) -> float:
        lo, hi = ctx.bounds(me)
        return time_dependent_threshold(
            lo, hi, ctx.relative_time, self.exponent, self.params.tolerance
        )

    def propose(self, me: int, ctx: RoundContext, threshold: float) -> Bid:
        """As every strategy, with this strategy's ``snap`` under ``lowest_own_utility``."""
        offers, snap = ctx.offers, self.params.snap
        if snap > 0.0 and offers.policy == LOWEST_OWN_UTILITY:
            return offers.bid(lowest_own_utility(offers, me, threshold, snap))
        return super().propose(me, ctx, threshold)

    @property
    def exponent(self) -> float:
        return self.params.exponent


@register
class Boulware(TimeDependent):
    """Time-dependent with e > 1: holds out and concedes near the deadline."""

    name = "boulware"
    Params = BoulwareParams


@register
class Conceder(TimeDependent):
    """Time-dependent with e < 1: concedes early."""

    name = "conceder"
    Params = ConcederParams


@register
class Linear(TimeDependent):
    """Time-dependent with e = 1: concedes at a constant rate."""

    name = "linear"
    Params = LinearParams

    @property
    def exponent(self) -> float:
        return 1.0

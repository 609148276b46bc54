"""Strategies, registered by name (importing this package registers all of them)."""

from sim.behaviour.strategies import (
    equilibrium,
    fallback,
    hardliner,
    mediator,
    reciprocal,
    time_based,
    zeuthen,
)
from sim.behaviour.strategies.base import (
    REGISTRY,
    Offer,
    RoundContext,
    Strategy,
    StrategyError,
    make_strategy,
)
from sim.identity_cache import IdentityCache
from sim.scenario.schema import StrategySpec

MEDIATOR = mediator.Mediator.name
RUBINSTEIN = equilibrium.RubinsteinSPE.name

STRATEGIES = IdentityCache(256)
"""Strategies by the identity of their scenario block, the party and the parties."""


def strategy_of(spec: StrategySpec, me: str, party_ids: tuple[str, ...]) -> Strategy:
    """:func:`make_strategy` of a party's strategy block ``spec`` (its ``name`` and
    ``params``), remembered by the block's identity, the party and the parties
    (:data:`STRATEGIES`): strategies hold only parameters, so runs share them, and so do
    the points of a sweep that change no strategy parameter (they share the base's
    block). Raises :class:`StrategyError` as :func:`make_strategy` does."""
    return STRATEGIES.get(
        (spec,), (me, party_ids), lambda: make_strategy(spec.name, spec.params, me, party_ids)
    )


__all__ = [
    "MEDIATOR",
    "REGISTRY",
    "RUBINSTEIN",
    "STRATEGIES",
    "Offer",
    "RoundContext",
    "Strategy",
    "StrategyError",
    "equilibrium",
    "fallback",
    "hardliner",
    "make_strategy",
    "mediator",
    "reciprocal",
    "strategy_of",
    "time_based",
    "zeuthen",
]

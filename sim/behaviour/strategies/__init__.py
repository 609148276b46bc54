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

MEDIATOR = mediator.Mediator.name
RUBINSTEIN = equilibrium.RubinsteinSPE.name

__all__ = [
    "MEDIATOR",
    "REGISTRY",
    "RUBINSTEIN",
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
    "time_based",
    "zeuthen",
]

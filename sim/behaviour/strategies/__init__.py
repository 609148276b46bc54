"""Strategies, registered by name (importing this package registers all of them)."""

from sim.behaviour.strategies import hardliner, reciprocal, time_based
from sim.behaviour.strategies.base import (
    REGISTRY,
    Offer,
    RoundContext,
    Strategy,
    StrategyError,
    make_strategy,
)

__all__ = [
    "REGISTRY",
    "Offer",
    "RoundContext",
    "Strategy",
    "StrategyError",
    "hardliner",
    "make_strategy",
    "reciprocal",
    "time_based",
]

"""Scenario files: schema, loading and clear input errors (knows nothing of the engine)."""

from sim.scenario.errors import InputError, Problem
from sim.scenario.loader import load_scenario, parse_scenario, read_yaml
from sim.scenario.schema import Issue, Party, Position, Protocol, Scenario

__all__ = [
    "InputError",
    "Issue",
    "Party",
    "Position",
    "Problem",
    "Protocol",
    "Scenario",
    "load_scenario",
    "parse_scenario",
    "read_yaml",
]

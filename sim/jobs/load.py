"""Loading a scenario file into a playable game, with every input error reported."""

from __future__ import annotations

from pathlib import Path

from sim.behaviour.strategies import (
    MEDIATOR,
    REGISTRY,
    RUBINSTEIN,
    StrategyError,
    strategy_of,
)
from sim.game import Game, compile_game
from sim.scenario import InputError, Problem, Scenario, load_scenario


def strategy_problems(scenario: Scenario) -> list[Problem]:
    """Unknown strategy names and invalid strategy parameters, with field paths."""
    negotiators = tuple(p.id for p in scenario.parties if p.role != "mediator")
    problems = []
    for k, party in enumerate(scenario.parties):
        if (party.role == "mediator") != (party.strategy.name == MEDIATOR):
            problems.append(
                Problem(
                    f"parties[{k}].strategy.name",
                    f"role {party.role} and strategy '{party.strategy.name}' "
                    f"do not fit: mediators (and only they) use '{MEDIATOR}'",
                )
            )
            continue
        if party.strategy.name == RUBINSTEIN and scenario.protocol.kind != "rubinstein":
            problems.append(
                Problem(
                    f"parties[{k}].strategy.name",
                    "the 'rubinstein' strategy "
                    "plays the equilibrium of the rubinstein protocol only",
                )
            )
        try:
            strategy_of(party.strategy, party.id, negotiators)
        except StrategyError as exc:
            problems += [Problem(f"parties[{k}].strategy.{f}", m) for f, m in exc.problems]
            continue
        if _knows_the_deadline(scenario, party.strategy.name, party.strategy.reason):
            problems.append(
                Problem(
                    f"parties[{k}].strategy.reason",
                    f"'{party.strategy.name}' concedes toward the end of the simulation, "
                    "which nobody at a ceasefire table knows: use a strategy without a "
                    "deadline (e.g. 'fallback') or say why in 'reason'",
                )
            )
    return problems


def _knows_the_deadline(scenario: Scenario, name: str, reason: str | None) -> bool:
    """A time-dependent strategy in a ceasefire scenario (one with a war) without a reason."""
    concession = REGISTRY[name].classifier.get("concession")
    return scenario.war is not None and concession == "time" and reason is None


def check_scenario(scenario: Scenario, file: str) -> Game:
    """Check strategies and compile; raise :class:`InputError` naming the file and fields."""
    problems = strategy_problems(scenario)
    if problems:
        raise InputError(file, problems)
    return compile_game(scenario)


def load_game(path: str | Path) -> Game:
    """Read, validate and compile a scenario file."""
    return check_scenario(load_scenario(path), str(path))

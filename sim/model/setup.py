"""The game a model plays, from what ``mesa.batch_run`` can pass as keyword arguments.

``batch_run`` builds models from keyword parameters only, so a model can be given a
scenario file and parameters named by the sweep paths of :mod:`sim.scenario.paths`
(e.g. ``parties.russia.fighting_cost``). They are applied exactly as a sweep applies
them (:func:`sim.sweep.design.scenario_for` on the raw file with its ``extends`` resolved
and its ``record`` left out), so a model built this way plays the game of the sweep point
with the same parameter values. Compiled games are kept (least recently used, 64), so
the replications of a point share one game, as in a sweep's workers.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path

from sim.game import Game, compile_game
from sim.scenario import Scenario, parse_scenario
from sim.scenario.record import raw_inputs

CACHE_SIZE = 64
_GAMES: OrderedDict[tuple, Game] = OrderedDict()


def game_of(scenario: Game | Scenario | str | Path, params: Mapping[str, float]) -> Game:
    """The game of a compiled game, a validated scenario, or a scenario file with the
    sweep-path ``params`` set (parameters need a file: they are set on its raw data)."""
    if isinstance(scenario, Game | Scenario):
        if params:
            names = ", ".join(params)
            raise TypeError(f"parameters ({names}) need the scenario as a file path")
        return scenario if isinstance(scenario, Game) else compile_game(scenario)
    path = Path(scenario)
    items = tuple((name, float(value)) for name, value in params.items())
    key = (str(path.resolve()), path.stat().st_mtime_ns, items)
    if key in _GAMES:
        _GAMES.move_to_end(key)
        return _GAMES[key]
    from sim.sweep.design import scenario_for  # the sweep machinery only for file paths

    data = scenario_for(raw_inputs(path), items)
    label = f"{path} with {dict(items)}" if items else str(path)
    game = compile_game(parse_scenario(data, label))
    _GAMES[key] = game
    if len(_GAMES) > CACHE_SIZE:
        _GAMES.popitem(last=False)
    return game

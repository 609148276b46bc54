"""The controls of ``sim view``: the scenario's main assumptions as sliders and a toggle.

A control addresses one number of the scenario by its dotted path
(:mod:`sim.scenario.paths`, the same paths as ``sim sweep``):

* every party's per-round ``fighting_cost``;
* every support level of the war (``war.support.<k>.level``);
* the saliences of the principals (``parties.<id>.positions.<issue>.salience``);
* every numeric strategy parameter (``parties.<id>.strategy.params.<name>``).

A slider spans the assumption's declared ``range`` when it has one; otherwise 0 to 1 for
saliences and support levels, and 0 to twice the value (at least 0 to 1) for the rest.
The toggle ``linked_conditions`` (shown when a party has ``conditions``) removes every
party's linked red lines when unticked.

Moved values replace the numbers of the raw scenario mapping (:func:`sim.scenario.paths.assign`,
so their provenance becomes ``assumption: "swept parameter"``) and the mapping is validated
and compiled again, exactly as a sweep point is (``scenario_for`` in :mod:`sim.sweep.design`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.game import Game
from sim.jobs.load import check_scenario
from sim.scenario import Scenario, parse_scenario, read_yaml
from sim.scenario.paths import assign, is_integer_target
from sim.scenario.provenance import provenance_rows
from sim.scenario.record import RECORD
from sim.scenario.variants import resolve_variant

LINKED = "linked_conditions"
SEED = "seed_offset"
SLIDER_STEPS = 100  # a float slider moves in 1/100 of its span
GAME_CACHE = 16  # compiled games kept for quick resets

_FIGHTING = re.compile(r"^parties\.([^.]+)\.fighting_cost$")
_SUPPORT = re.compile(r"^war\.support\.(\d+)\.level$")
_SALIENCE = re.compile(r"^parties\.([^.]+)\.positions\.([^.]+)\.salience$")
_STRATEGY = re.compile(r"^parties\.([^.]+)\.strategy\.params\.([^.]+)$")


@dataclass(frozen=True)
class Control:
    """One slider: the scenario path it sets, its label, value and span."""

    path: str
    label: str
    value: float
    low: float
    high: float
    integer: bool = False

    def param(self) -> dict[str, Any]:
        """The slider as a SolaraViz ``model_params`` entry."""
        if self.integer:
            return {
                "type": "SliderInt",
                "label": self.label,
                "value": int(self.value),
                "min": int(self.low),
                "max": int(self.high),
                "step": 1,
            }
        step = _nice_step((self.high - self.low) / SLIDER_STEPS)
        return {
            "type": "SliderFloat",
            "label": self.label,
            "value": float(self.value),
            "min": float(self.low),
            "max": float(self.high),
            "step": step,
        }


def _nice_step(step: float) -> float:
    """``step`` rounded down to 1, 2 or 5 times a power of ten (0.0037 → 0.002)."""
    if step <= 0:
        return 0.01
    scale = 10.0 ** int(f"{step:e}".split("e")[1])
    return max(m for m in (1.0, 2.0, 5.0) if m * scale <= step + 1e-15) * scale


@dataclass
class ViewSetup:
    """A scenario file prepared for the view: its raw mapping, the validated scenario,
    the controls, and a small cache of the games compiled for the values tried."""

    file: str
    raw: dict[str, Any]
    scenario: Scenario
    controls: list[Control]
    games: dict[tuple, Game] = field(default_factory=dict, repr=False)

    @classmethod
    def from_file(cls, path: str | Path) -> ViewSetup:
        """Read and validate a scenario file (an :class:`InputError` names what is wrong)."""
        raw = resolve_variant(read_yaml(Path(path)), Path(path))
        raw.pop(RECORD, None)  # an episode's record is never an input to a run
        scenario = parse_scenario(copy.deepcopy(raw), str(path))
        setup = cls(str(path), raw, scenario, find_controls(scenario, raw))
        setup.game({}, True)  # compile (and check the strategies of) the scenario as written
        return setup

    @property
    def has_conditions(self) -> bool:
        return any(p.conditions for p in self.scenario.parties)

    def model_params(self) -> dict[str, Any]:
        """SolaraViz ``model_params``: the setup (fixed), the seed (as an offset k from the
        scenario's ``seed``), the toggle, the sliders."""
        seed = self.scenario.seed
        params: dict[str, Any] = {
            "setup": self,
            SEED: {
                "type": "SliderInt",
                "label": f"random seed: the scenario's ({seed}) + k",
                "value": 0,
                "min": 0,
                "max": 99,
                "step": 1,
            },
        }
        if self.has_conditions:
            params[LINKED] = {
                "type": "Checkbox",
                "label": "linked conditions (red lines tied to other issues)",
                "value": True,
            }
        return params | {c.path: c.param() for c in self.controls}

    def game(self, values: Mapping[str, float], linked: bool) -> Game:
        """The game with ``values`` set at their paths and, unless ``linked``, every
        party's ``conditions`` removed (compiled once per distinct choice)."""
        base = {c.path: c.value for c in self.controls}
        changed = {p: float(v) for p, v in values.items() if p in base and float(v) != base[p]}
        key = (tuple(sorted(changed.items())), linked)
        if key not in self.games:
            if len(self.games) >= GAME_CACHE:
                self.games.clear()
            self.games[key] = check_scenario(self._scenario(changed, linked), self.file)
        return self.games[key]

    def _scenario(self, changed: dict[str, float], linked: bool) -> Scenario:
        if not changed and linked:
            return self.scenario
        data = copy.deepcopy(self.raw)
        for path, value in changed.items():
            assign(data, path, value)
        if not linked:
            for party in data.get("parties", []):
                party.pop("conditions", None)
        return parse_scenario(data, f"{self.file} (with the view's changes)")


def find_controls(scenario: Scenario, raw: dict[str, Any]) -> list[Control]:
    """The controls of a scenario (module docstring), in the order of the groups above,
    each group in file order."""
    names = {p.id: p.name for p in scenario.parties}
    principals = {p.id for p in scenario.parties if p.role == "principal"}
    rows = [r for r in provenance_rows(scenario) if _is_number(r.value)]
    groups: list[list[Control]] = [[], [], [], []]
    for row in rows:
        path, value = row.path, float(row.value)
        if m := _FIGHTING.match(path):
            label = f"{names[m[1]]}: fighting cost per round"
            groups[0].append(_control(raw, path, label, value, row.range, max(1.0, 2 * value)))
        elif m := _SUPPORT.match(path):
            support = scenario.war.support[int(m[1])]
            label = f"support level {names[support.supporter]} → {names[support.recipient]}"
            groups[1].append(_control(raw, path, label, value, row.range, 1.0))
        elif (m := _SALIENCE.match(path)) and m[1] in principals:
            label = f"{names[m[1]]}: salience of {m[2].replace('_', ' ')}"
            groups[2].append(_control(raw, path, label, value, row.range, 1.0))
        elif m := _STRATEGY.match(path):
            label = f"{names[m[1]]}: strategy {m[2].replace('_', ' ')}"
            groups[3].append(_control(raw, path, label, value, row.range, max(1.0, 2 * value)))
    return [c for group in groups for c in group]


def _control(
    raw: dict[str, Any],
    path: str,
    label: str,
    value: float,
    declared: tuple[float, float] | None,
    default_high: float,
) -> Control:
    """A slider over the declared range, else [min(0, value), default_high], always
    containing the value."""
    low, high = declared if declared is not None else (min(0.0, value), default_high)
    low, high = min(low, value), max(high, value)
    return Control(path, label, value, low, high, is_integer_target(raw, path))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)

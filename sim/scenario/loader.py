"""Loading scenario files: safe YAML, schema validation, cross-checks, clear errors."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.scenario.checks import cross_check
from sim.scenario.errors import InputError, Problem, format_loc
from sim.scenario.schema import Scenario
from sim.scenario.suggest import nearest_key
from sim.scenario.yaml_io import read_yaml

__all__ = ["load_scenario", "parse_scenario", "problems_from_validation", "read_yaml"]


def problems_from_validation(
    exc: ValidationError,
    schema: dict[str, Any] | None = None,
    format_name: str = "the scenario format; see `sim schema`",
) -> list[Problem]:
    """Turn pydantic's errors into problems with field paths and plain messages; an
    unknown key names the nearest valid key of ``schema`` (default: the scenario's)."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not _is_union_tag(p))
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = _unknown_key(schema, err["loc"], format_name)
        elif err["type"] == "missing":
            msg = "required field is missing"
        elif "input" in err and err["type"] not in ("value_error",):
            msg += f" (got {_short(err['input'])})"
        problems.append(Problem(format_loc(loc), msg))
    return _dedupe(problems)


@functools.cache
def scenario_json_schema() -> dict[str, Any]:
    """The scenario format's JSON Schema, built once (it takes about 0.1 s; read only)."""
    return Scenario.model_json_schema()


def _unknown_key(
    schema: dict[str, Any] | None, loc: tuple[str | int, ...], format_name: str
) -> str:
    near = nearest_key(
        schema or scenario_json_schema(), tuple(p for p in loc if p not in _VALIDATOR_TAGS)
    )
    hint = f"; did you mean '{near}'?" if near else ""
    return f"unknown key (not part of {format_name}){hint}"


_VALIDATOR_TAGS = frozenset({"float", "str", "int", "function-after[_check()]"})


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and part in _VALIDATOR_TAGS


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _dedupe(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def parse_scenario(data: dict[str, Any], file: str, dating: bool = True) -> Scenario:
    """Validate a parsed mapping as a scenario; raise :class:`InputError` on any problem.

    ``dating=False`` leaves out the provenance checks (sources dated after the forecast
    origin, numbers without provenance): a sweep point, a validated base with numbers
    replaced by :mod:`sim.scenario.paths` (which keeps or marks their provenance and
    drops a source's date), cannot fail them when its base passed."""
    if is_sweep_file(data):
        msg = "this is a sweep file (it has `base` and `parameters`): run it with `sim sweep`"
        raise InputError(file, [Problem("", msg)])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(file, problems_from_validation(exc)) from None
    problems = cross_check(scenario, dating)
    if problems:
        raise InputError(file, problems)
    return scenario


def is_sweep_file(data: Any) -> bool:
    """Whether a parsed file is a sweep file rather than a scenario."""
    return (
        isinstance(data, dict) and {"base", "parameters"} <= data.keys() and "parties" not in data
    )


def is_scenario_file(data: Any) -> bool:
    """Whether a parsed file is a scenario rather than a sweep file."""
    return isinstance(data, dict) and {"parties", "issues"} <= data.keys() and "base" not in data


def load_scenario(path: str | Path) -> Scenario:
    """Read, validate and cross-check a scenario file (resolving ``extends``). An
    episode's ``record`` is checked and left out (:mod:`sim.scenario.record`): it is
    never an input to the run."""
    from sim.scenario.record import split_record

    return split_record(path)[0]

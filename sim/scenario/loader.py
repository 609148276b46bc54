"""Loading scenario files: safe YAML, schema validation, cross-checks, clear errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.scenario.checks import cross_check
from sim.scenario.errors import InputError, Problem, format_loc
from sim.scenario.schema import Scenario
from sim.scenario.yaml_io import read_yaml

__all__ = ["load_scenario", "parse_scenario", "problems_from_validation", "read_yaml"]


def problems_from_validation(exc: ValidationError) -> list[Problem]:
    """Turn pydantic's errors into problems with field paths and plain messages."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not _is_union_tag(p))
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key (not part of the scenario format; see `sim schema`)"
        elif err["type"] == "missing":
            msg = "required field is missing"
        elif "input" in err and err["type"] not in ("value_error",):
            msg += f" (got {_short(err['input'])})"
        problems.append(Problem(format_loc(loc), msg))
    return _dedupe(problems)


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and part in {"float", "str", "int", "function-after[_check()]"}


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _dedupe(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def parse_scenario(data: dict[str, Any], file: str) -> Scenario:
    """Validate a parsed mapping as a scenario; raise :class:`InputError` on any problem."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(file, problems_from_validation(exc)) from None
    problems = cross_check(scenario)
    if problems:
        raise InputError(file, problems)
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read, validate and cross-check a scenario file (resolving ``extends``). An
    episode's ``record`` is checked and left out (:mod:`sim.scenario.record`): it is
    never an input to the run."""
    from sim.scenario.record import split_record

    return split_record(path)[0]

"""Loading scenario files: safe YAML, schema validation, cross-checks, clear errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.scenario.checks import cross_check
from sim.scenario.errors import InputError, Problem, format_loc
from sim.scenario.schema import Scenario


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that rejects a key repeated in one mapping."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} appears twice in one mapping", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Parse a YAML file into a mapping, or raise :class:`InputError` naming the line."""
    path = Path(path)
    if not path.is_file():
        raise InputError(str(path), [Problem("", "file not found")])
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(str(path), [Problem(where, f"YAML syntax error: {problem}")]) from None
    except UnicodeDecodeError:
        raise InputError(str(path), [Problem("", "not a UTF-8 text file")]) from None
    if not isinstance(data, dict):
        raise InputError(
            str(path), [Problem("", "expected a YAML mapping (key: value) at the top level")]
        )
    return data


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

"""Addressing scenario values by dotted path in the raw scenario mapping.

The raw mapping is the dict parsed from a scenario's YAML, before pydantic validation.
A path such as ``parties.russia.positions.territory.salience`` is split at the dots and
walked segment by segment:

* in a mapping, a segment names a key (compared as text, so ``0`` finds a key ``0``);
* in a list, a segment of digits is an index (``protocol.proposer_order.0``); any other
  segment selects the element whose ``id`` is that segment (issues and parties:
  ``parties.russia`` is the party with ``id: russia``).

If the addressed node is a provenance mapping ``{value: ..., source|assumption: ...}``,
reading gives its ``value`` and writing sets its ``value`` and replaces the provenance
with ``assumption: "swept parameter"`` (``source``, ``coding`` and a declared ``range``
are dropped: they justified the original number, not the swept one). Addressing
``....value`` directly
does the same.

Integer targets: a value is written as an ``int`` when the target is an integer field —
its current value is a bare YAML integer (``max_rounds: 12``, integer ``range`` bounds,
integer strategy parameters), it is one of the whole-number quantities
(``max_rounds``, ``round_days``, ``horizon``) written with provenance, or it is the
``status_quo`` of an ``integer`` issue. The
number is rounded half to even (Python's :func:`round`, IEEE 754 default: 2.5 → 2,
3.5 → 4). Provenance numbers are otherwise real numbers, even if written ``value: 0``.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from sim.scenario.quantities import INTEGER_FIELDS

SWEPT = "swept parameter"
_SINGULAR = {"parties": "party", "issues": "issue"}
_STRUCTURAL = {"parties", "issues", "positions", "value", "params"}


def split_path(path: str) -> list[str]:
    """The segments of a dotted path; raise ``ValueError`` on an empty path or segment."""
    segments = path.split(".")
    if not path or any(not s for s in segments):
        raise ValueError(f"'{path}' is not a dotted path (empty segment)")
    return segments


def resolve_path(data: dict[str, Any], path: str) -> tuple[Any, str | int]:
    """The container holding the addressed node and its key (or list index).

    Raises ``ValueError`` naming the path up to the failing segment and what is
    available there (keys, ids or the list length).
    """
    segments = split_path(path)
    node: Any = data
    for i, segment in enumerate(segments):
        key = _step(node, segment, segments, i)
        if i == len(segments) - 1:
            return node, key
        node = node[key]
    raise AssertionError("unreachable")


def copy_path(data: dict[str, Any], path: str) -> None:
    """Replace, in place, every container on ``path`` below ``data`` (and the addressed
    node, when it is a container) by a shallow copy, so that writing at ``path`` leaves
    any mapping shared with another scenario untouched (one walk down the path; errors
    as :func:`resolve_path`'s)."""
    segments = split_path(path)
    node: Any = data
    for i, segment in enumerate(segments):
        key = _step(node, segment, segments, i)
        child = node[key]
        if isinstance(child, dict | list):
            child = node[key] = copy.copy(child)
        node = child


def _step(node: Any, segment: str, segments: list[str], i: int) -> str | int:
    """The key of ``segment`` in ``node`` (a mapping or a list)."""
    here = ".".join(segments[: i + 1])
    if isinstance(node, dict):
        for key in node:
            if str(key) == segment:
                return key
        keys = ", ".join(str(k) for k in node)
        raise ValueError(f"{here}: no key '{segment}'; keys: {keys}")
    if isinstance(node, list):
        return _list_step(node, segment, here, segments[i - 1] if i else "")
    parent = ".".join(segments[:i])
    raise ValueError(f"{here}: {parent} is a {_kind(node)} ({node!r}), not a mapping or a list")


def _list_step(items: list, segment: str, here: str, name: str) -> int:
    """A list index (digits) or the index of the element whose ``id`` is ``segment``."""
    if segment.isdigit():
        if int(segment) < len(items):
            return int(segment)
        raise ValueError(f"{here}: list has {len(items)} items (indices 0 to {len(items) - 1})")
    ids = [x.get("id") for x in items if isinstance(x, dict)]
    if len(ids) < len(items) or None in ids:
        raise ValueError(
            f"{here}: '{segment}' is not an index and the list's items have no ids; "
            f"use an index from 0 to {len(items) - 1}"
        )
    if segment not in ids:
        what = _SINGULAR.get(name, "item")
        raise ValueError(f"{here}: no {what} with id '{segment}'; ids: {', '.join(ids)}")
    return ids.index(segment)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    return type(value).__name__


def is_provenance(node: Any) -> bool:
    """A provenance mapping: a dict with a ``value`` key (plus ``source``/``assumption``)."""
    return isinstance(node, dict) and "value" in node


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def get_value(data: dict[str, Any], path: str) -> Any:
    """The value at ``path`` (a provenance mapping's ``value``)."""
    container, key = resolve_path(data, path)
    node = container[key]
    return node["value"] if is_provenance(node) else node


def check_target(data: dict[str, Any], path: str) -> None:
    """Raise ``ValueError`` unless ``path`` resolves to a number that can be swept."""
    value = get_value(data, path)
    if not _is_number(value):
        kind = _kind(value)
        shown = f"a {kind}" if isinstance(value, dict | list) else f"{value!r} ({kind})"
        raise ValueError(
            f"{path}: addresses {shown}, not a number; "
            "only numbers (or provenance mappings holding a number) can be swept"
        )


def is_integer_target(data: dict[str, Any], path: str) -> bool:
    """Whether values written to ``path`` become ints (module docstring)."""
    container, key = resolve_path(data, path)
    node = container[key]
    segments = split_path(path)
    if _is_integer_status_quo(data, segments):
        return True
    field = segments[-2] if key == "value" and len(segments) > 1 else segments[-1]
    if field in INTEGER_FIELDS and (is_provenance(node) or is_provenance(container)):
        return True
    if is_provenance(node) or (key == "value" and is_provenance(container)):
        return False
    return _is_number(node) and isinstance(node, int)


def _is_integer_status_quo(data: dict[str, Any], segments: list[str]) -> bool:
    """``issues.<id>.status_quo[.value]`` of an issue with ``kind: integer``."""
    if segments[0] != "issues" or segments[2:] not in (["status_quo"], ["status_quo", "value"]):
        return False
    container, key = resolve_path(data, ".".join(segments[:2]))
    issue = container[key]
    return isinstance(issue, dict) and issue.get("kind") == "integer"


def set_value(data: dict[str, Any], path: str, value: float) -> dict[str, Any]:
    """A deep copy of ``data`` with ``value`` at ``path``; ``data`` is never mutated."""
    out = copy.deepcopy(data)
    assign(out, path, value)
    return out


def assign(data: dict[str, Any], path: str, value: float) -> None:
    """Set ``value`` at ``path`` *in place* (rules of the module docstring)."""
    check_target(data, path)
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{path}: cannot set a non-finite value ({value!r})")
    new: int | float = round(number) if is_integer_target(data, path) else number
    container, key = resolve_path(data, path)
    node = container[key]
    if is_provenance(node):
        node["value"] = new
        _mark_swept(node)
        return
    container[key] = new
    if key == "value" and is_provenance(container):
        _mark_swept(container)


def _mark_swept(node: dict[str, Any]) -> None:
    """Replace the provenance of a swept number by ``assumption: "swept parameter"``."""
    node.pop("source", None)
    node.pop("coding", None)
    node.pop("range", None)
    node["assumption"] = SWEPT


def readable_name(path: str) -> str:
    """An axis label: structural segments (parties, issues, positions, params, value)
    dropped, list indices appended as ``[i]``, underscores as spaces, joined by " · ".

    ``parties.russia.positions.territory.salience`` → ``russia · territory · salience``;
    ``protocol.max_rounds`` → ``protocol · max rounds``.
    """
    parts: list[str] = []
    for segment in split_path(path):
        if segment.isdigit() and parts:
            parts[-1] += f"[{segment}]"
        elif segment not in _STRUCTURAL:
            parts.append(segment.replace("_", " "))
    return " · ".join(parts) or path


def is_salience_path(path: str) -> bool:
    """``parties.<party>.positions.<issue>.salience[.value]``."""
    segments = split_path(path)
    if segments[-1] == "value":
        segments = segments[:-1]
    return (
        len(segments) == 5
        and segments[0] == "parties"
        and segments[2] == "positions"
        and segments[4] == "salience"
    )

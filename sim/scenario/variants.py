"""Scenario variants: a file that ``extends`` another and lists its ``changes``.

A counterfactual differs from its base only where it says::

    extends: istanbul_2025_06_02.yaml      # relative to this file
    title: "Counterfactual: no strike on Russia's strategic bombers"
    description: "..."
    changes:
      - path: events.bomber_strike         # dotted path (sim.scenario.paths)
        remove: true
      - path: war.trend
        set: {value: 0.0, assumption: "counterfactual: momentum stalls"}

``extends`` must name a ``.yaml`` or ``.yml`` file (so that no other file is ever read as
a scenario). Top-level keys other than ``extends`` and ``changes`` (title, description,
notes, seed...) replace the base's. ``set`` replaces the addressed node with any YAML
value (give numbers their provenance); ``remove: true`` deletes a key or a list item;
``append`` adds an item to the addressed list (e.g. a new event). Changes apply in
order. A base
may itself extend another file (cycles are errors).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.scenario.errors import InputError, Problem
from sim.scenario.loader import read_yaml
from sim.scenario.paths import resolve_path
from sim.scenario.yaml_io import is_file

EXTENDS, CHANGES = "extends", "changes"


def resolve_variant(data: dict[str, Any], file: Path, seen: tuple[Path, ...] = ()) -> dict:
    """The full scenario mapping of ``data`` read from ``file`` (unchanged if not a variant)."""
    if EXTENDS not in data:
        if CHANGES in data:
            raise InputError(str(file), [Problem(CHANGES, "'changes' needs 'extends'")])
        return data
    target = data[EXTENDS]
    if not isinstance(target, str) or Path(target).suffix.lower() not in (".yaml", ".yml"):
        raise InputError(
            str(file),
            [Problem(EXTENDS, "must name a scenario file ending in .yaml or .yml")],
        )
    try:
        base_file = (file.parent / target).resolve()
    except (OSError, RuntimeError, ValueError) as exc:  # loops, NUL bytes
        raise InputError(str(file), [Problem(EXTENDS, f"cannot be resolved: {exc}")]) from None
    if base_file in seen or base_file == file.resolve():
        raise InputError(str(file), [Problem(EXTENDS, f"{data[EXTENDS]} extends itself")])
    if not is_file(base_file):
        raise InputError(
            str(file),
            [
                Problem(
                    EXTENDS,
                    f"base scenario {data[EXTENDS]} not found (paths are relative to this file)",
                )
            ],
        )
    base = resolve_variant(read_yaml(base_file), base_file, (*seen, file.resolve()))
    merged = {**base, **{k: v for k, v in data.items() if k not in (EXTENDS, CHANGES)}}
    return apply_changes(merged, data.get(CHANGES) or [], str(file))


def apply_changes(data: dict[str, Any], changes: Any, file: str) -> dict[str, Any]:
    """Apply ``set``/``remove`` changes in order; problems name ``changes[k]``."""
    if not isinstance(changes, list):
        raise InputError(file, [Problem(CHANGES, "expected a list of {path, set|remove}")])
    for k, change in enumerate(changes):
        try:
            _apply(data, change)
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(file, [Problem(f"{CHANGES}[{k}]", str(exc))]) from None
    return data


OPERATIONS = ("set", "remove", "append")


def _apply(data: dict[str, Any], change: Any) -> None:
    ops = [op for op in OPERATIONS if op in change] if isinstance(change, dict) else []
    if (
        not isinstance(change, dict)
        or "path" not in change
        or len(ops) != 1
        or (set(change) - {"path", *OPERATIONS})
    ):
        raise ValueError(
            "give 'path' and exactly one of 'set: VALUE', 'remove: true' or 'append: ITEM'"
        )
    container, key = resolve_path(data, str(change["path"]))
    if ops[0] == "remove":
        del container[key]
    elif ops[0] == "set":
        container[key] = change["set"]
    elif isinstance(container[key], list):
        container[key].append(change["append"])
    else:
        raise ValueError(f"{change['path']}: 'append' needs a list")

"""How two scenarios differ, field by field (``sim validate --diff A B``)."""

from __future__ import annotations

from typing import Any

from sim.scenario.schema import Scenario

INLINE_WIDTH = 70
"""Values up to this many characters are shown on the path's line."""


def flatten(node: Any, prefix: str = "") -> dict[str, Any]:
    """Leaves of a scenario mapping by dotted path; list items with an ``id`` are keyed
    by it (``parties.russia...``), other list items by index (``notes[3]``); a short list
    of plain values (``range: [0.2, 0.5]``) is one leaf."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            out |= flatten(value, f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(node, list) and node and all(isinstance(x, dict) for x in node):
        out = {}
        for k, item in enumerate(node):
            out |= flatten(item, f"{prefix}.{item.get('id', k)}")
        return out
    if isinstance(node, list) and len(repr(node)) > INLINE_WIDTH:
        return {f"{prefix}[{k}]": item for k, item in enumerate(node)}
    return {prefix: node}


def scenario_diff(a: Scenario, b: Scenario) -> list[tuple[str, Any, Any]]:
    """(path, value in a, value in b) for every leaf that differs; missing is ``None``."""
    fa = flatten(a.model_dump(mode="json", exclude_none=True))
    fb = flatten(b.model_dump(mode="json", exclude_none=True))
    paths = list(dict.fromkeys([*fa, *fb]))
    return [(p, fa.get(p), fb.get(p)) for p in paths if fa.get(p) != fb.get(p)]


def format_diff(rows: list[tuple[str, Any, Any]], name_a: str, name_b: str) -> str:
    """One line per difference, ``path: A → B`` (``+``/``−`` when only one side has
    it); values longer than :data:`INLINE_WIDTH` are printed in full on lines of their own."""
    if not rows:
        return f"{name_a} and {name_b} do not differ"
    lines = [f"{len(rows)} differences ({name_a} → {name_b}):"]
    for path, va, vb in rows:
        lines += _diff_lines(path, va, vb)
    return "\n".join(lines)


def _diff_lines(path: str, va: Any, vb: Any) -> list[str]:
    a, b = repr(va), repr(vb)
    if va is None:
        return [f"  + {path}: {b}"] if len(b) <= INLINE_WIDTH else [f"  + {path}:", f"      {b}"]
    if vb is None:
        return [f"  − {path}: {a}"] if len(a) <= INLINE_WIDTH else [f"  − {path}:", f"      {a}"]
    if len(a) + len(b) <= INLINE_WIDTH:
        return [f"    {path}: {a} → {b}"]
    return [f"    {path}:", f"      − {a}", f"      + {b}"]

"""How two scenarios differ, field by field (``sim validate --diff A B``)."""

from __future__ import annotations

from typing import Any

from sim.scenario.schema import Scenario


def flatten(node: Any, prefix: str = "") -> dict[str, Any]:
    """Leaves of a scenario mapping by dotted path; list items with an ``id`` are keyed
    by it (``parties.russia...``), other list items by index."""
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
    return {prefix: node}


def scenario_diff(a: Scenario, b: Scenario) -> list[tuple[str, Any, Any]]:
    """(path, value in a, value in b) for every leaf that differs; missing is ``None``."""
    fa = flatten(a.model_dump(mode="json", exclude_none=True))
    fb = flatten(b.model_dump(mode="json", exclude_none=True))
    paths = list(dict.fromkeys([*fa, *fb]))
    return [(p, fa.get(p), fb.get(p)) for p in paths if fa.get(p) != fb.get(p)]


def format_diff(rows: list[tuple[str, Any, Any]], name_a: str, name_b: str) -> str:
    """One line per difference: ``path: A → B`` (``+``/``−`` when only one side has it)."""
    if not rows:
        return f"{name_a} and {name_b} do not differ"
    lines = [f"{len(rows)} differences ({name_a} → {name_b}):"]
    for path, va, vb in rows:
        if va is None:
            lines.append(f"  + {path}: {_short(vb)}")
        elif vb is None:
            lines.append(f"  − {path}: {_short(va)}")
        else:
            lines.append(f"    {path}: {_short(va)} → {_short(vb)}")
    return "\n".join(lines)


def _short(value: Any, width: int = 70) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."

"""Short names of swept parameters for tables, rules and figures of ``sim discover``.

:func:`sim.scenario.paths.readable_name` names every path; two kinds are named from the
base scenario, whose list items it cannot see:

* a condition's clause, ``parties.<p>.conditions.<c>.any_of.<option>.all_of.<k>.at_least``
  → ``<p> · <option>: <issue> at least`` (the clause's issue read from the base);
* a support link, ``war.support.<k>.level`` → ``support <supporter> → <recipient>``.
"""

from __future__ import annotations

from typing import Any

from sim.scenario.paths import get_value, readable_name, split_path

BOUNDS = ("at_least", "at_most")


def _get(base: dict[str, Any], path: str) -> Any:
    try:
        return get_value(base, path)
    except (ValueError, KeyError, TypeError):  # not in the base: the generic name
        return None


def short_label(path: str, base: dict[str, Any] | None) -> str:
    """The name of a swept parameter (module docstring)."""
    segments = split_path(path)
    if base is not None and segments[-1] in BOUNDS and "conditions" in segments[:3]:
        issue = _get(base, ".".join([*segments[:-1], "issue"]))
        options = [s for k, s in enumerate(segments[:-1]) if k and segments[k - 1] == "any_of"]
        if issue is not None:
            where = f"{segments[1]} · {options[-1]}: " if options else f"{segments[1]}: "
            return f"{where}{issue} {segments[-1].replace('_', ' ')}"
    if base is not None and segments[:2] == ["war", "support"] and len(segments) == 4:
        link = _get(base, ".".join(segments[:3]))
        if isinstance(link, dict) and "supporter" in link:
            return f"support {link['supporter']} → {link.get('recipient', '?')} · {segments[3]}"
    return readable_name(path)

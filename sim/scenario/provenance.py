"""Every number of a scenario that carries provenance, found by walking the validated model.

A value carries provenance when it is a :class:`~sim.scenario.schema.Provenance` (a number
with ``source`` or ``assumption``) or an event (dated, with its own source or assumption).
Rows come in file order; list items are named by their ``id`` (else their index), so paths
read like ``parties.russia.positions.territory.ideal`` or ``events.bomber_strike``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from sim.scenario.quantities import WithQuantities
from sim.scenario.schema import EventBase, Provenance, Scenario


@dataclass(frozen=True)
class ProvenanceRow:
    """One value with provenance: where in the scenario, its value and its justification."""

    path: str
    value: Any
    kind: str  # "source" or "assumption"
    quote: str = ""
    where: str = ""
    reason: str = ""
    coding: str = ""
    date: str = ""  # the source's date (ISO), empty for an assumption
    range: tuple[float, float] | None = None  # an assumption's declared plausible range


def join_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


EVENT_BASE_FIELDS = {
    "id",
    "type",
    "round",
    "date",
    "label",
    "source",
    "assumption",
    "coding",
    "provenance",
}


def event_text(event: EventBase) -> str:
    """An event as text: type, when, label and its own fields, e.g. ``deadline (round 4):
    US ultimatum [party=united_states]``."""
    when = f"round {event.round}" if event.round is not None else str(event.date)
    fields = [
        f"{name}={getattr(event, name)}"
        for name in type(event).model_fields
        if name not in EVENT_BASE_FIELDS and getattr(event, name) is not None
    ]
    extra = f" [{', '.join(fields)}]" if fields else ""
    return f"{event.type} ({when}): {event.label}{extra}"


def _row(path: str, node: Provenance | EventBase, value: Any = None) -> ProvenanceRow:
    """A provenance row; an event's value is :func:`event_text`, a condition's its text."""
    if value is None:
        value = getattr(node, "value", None)
    if isinstance(node, EventBase) or hasattr(node, "text"):
        value = event_text(node) if isinstance(node, EventBase) else node.text()
    kind = "source" if node.source is not None else "assumption"
    return ProvenanceRow(
        path=path,
        value=value,
        kind=kind,
        quote=node.source.quote if node.source else "",
        where=node.source.where if node.source else "",
        reason=node.assumption or "",
        coding=node.coding or "",
        date=node.source.date.isoformat() if node.source else "",
        range=getattr(node, "range", None),
    )


def _quantity_rows(path: str, node: WithQuantities, rows: list[ProvenanceRow]) -> None:
    """Rows of the plain-number fields of ``node`` written with provenance."""
    prefix = join_path(path, node.HOLDER) if node.HOLDER else path
    for name, value, note in node.quantity_rows():
        if note is not None:
            rows.append(_row(join_path(prefix, name), note, value))


def _walk(node: Any, path: str, rows: list[ProvenanceRow]) -> None:
    """Depth-first, in field order; list items are named by their ``id`` (else index)."""
    if isinstance(node, Provenance | EventBase):
        rows.append(_row(path, node))
    if isinstance(node, WithQuantities):
        _quantity_rows(path, node, rows)
    if isinstance(node, EventBase):
        return
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            if name not in ("provenance", "source"):
                _walk(getattr(node, name), join_path(path, name), rows)
    elif isinstance(node, list | tuple):
        for k, item in enumerate(node):
            _walk(item, join_path(path, str(getattr(item, "id", None) or k)), rows)
    elif isinstance(node, dict):
        for key, item in node.items():
            _walk(item, join_path(path, str(key)), rows)


def provenance_rows(scenario: Scenario) -> list[ProvenanceRow]:
    """Every value of the scenario that carries a source or an assumption, in file order."""
    rows: list[ProvenanceRow] = []
    _walk(scenario, "", rows)
    return rows

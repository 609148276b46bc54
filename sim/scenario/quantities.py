"""Plain-number fields that may carry provenance: protocol length, horizon, event sizes,
strategy parameters.

Most numbers of a scenario are provenance mappings (``{value, source|assumption}``). A few
fields are plain numbers in the engine (``protocol.max_rounds``, ``war.horizon``, an
event's ``delta``, a strategy's ``exponent``...). Each of them may be written either bare
(``max_rounds: 12``) or with its provenance::

    max_rounds: {value: 12, assumption: "why twelve rounds", range: [8, 26]}

The mapping is unwrapped on loading: the field holds the number and ``provenance[field]``
holds the rest (a :class:`~sim.scenario.base.Provenance`). Dumping the model wraps the
number again, so a resolved scenario reads like the file it came from. Ceasefire
scenarios (those with a ``war`` block) must give provenance for every such number
(:func:`missing_provenance`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, model_serializer, model_validator

from sim.scenario.base import Provenance, Strict, range_problem

DEFAULT_NOTE = "default of the scenario format (not set in the scenario file)"

INTEGER_FIELDS = frozenset({"max_rounds", "round_days", "horizon"})
"""Quantity fields that hold whole numbers (a swept value is rounded for them)."""


def _is_wrapped(node: Any) -> bool:
    return isinstance(node, dict) and "value" in node


class WithQuantities(Strict):
    """Base of models whose plain-number fields ``QUANTITIES`` may carry provenance.

    ``HOLDER`` names a mapping field whose every numeric entry is a quantity (a
    strategy's ``params``); without it the quantities are the model's own fields.
    """

    QUANTITIES: ClassVar[tuple[str, ...]] = ()
    HOLDER: ClassVar[str | None] = None
    provenance: dict[str, Provenance] = Field(
        default_factory=dict,
        description="filled on loading from fields written as {value, source|assumption}",
    )

    @classmethod
    def _holder(cls, data: dict[str, Any]) -> dict[str, Any]:
        """The mapping whose keys are the quantities."""
        if cls.HOLDER is None:
            return data
        if not isinstance(data.get(cls.HOLDER), dict):
            return {}
        data[cls.HOLDER] = dict(data[cls.HOLDER])
        return data[cls.HOLDER]

    @classmethod
    def _names(cls, holder: dict[str, Any]) -> list[str]:
        return list(holder) if cls.HOLDER is not None else list(cls.QUANTITIES)

    @model_validator(mode="before")
    @classmethod
    def _unwrap(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        given = data.get("provenance")
        if given is not None and not isinstance(given, dict):
            return data  # not a mapping: the schema names the field
        data = dict(data)
        holder = cls._holder(data)
        notes = dict(given or {})
        for name in cls._names(holder):
            node = holder.get(name)
            if _is_wrapped(node):
                notes[name] = {k: v for k, v in node.items() if k != "value"}
                holder[name] = node["value"]
        if notes:
            data["provenance"] = notes
        return data

    def _values(self) -> dict[str, Any]:
        """The mapping holding the quantities' values (read only)."""
        return getattr(self, self.HOLDER) if self.HOLDER is not None else self.__dict__

    @model_validator(mode="after")
    def _ranges(self) -> WithQuantities:
        holder = self._values()
        for name, note in self.provenance.items():
            if name not in holder:
                raise ValueError(f"provenance given for '{name}', which is not set")
            if note.range is not None:
                problem = range_problem(note.range, holder[name], note.assumption)
                if problem:
                    raise ValueError(f"{name}: {problem}")
        return self

    @model_serializer(mode="wrap")
    def _rewrap(self, handler: Any) -> Any:
        """Wrap each quantity with its provenance again; a default the file left unset is
        written as such (a resolved scenario names the origin of every number)."""
        data = handler(self)
        notes = data.pop("provenance", None) or {}
        holder = self._holder(data)
        for name, note in notes.items():
            if name in holder:
                holder[name] = {"value": holder[name], **note}
        if self.HOLDER is None:
            for name in self.QUANTITIES:
                if name not in self.model_fields_set and _is_number(holder.get(name)):
                    holder[name] = {"value": holder[name], "assumption": DEFAULT_NOTE}
        return data

    def quantity_rows(self) -> list[tuple[str, Any, Provenance | None]]:
        """(field, value, provenance or None) of every quantity written in the file
        (defaults left unset are documented engine defaults, not numbers of the file)."""
        holder = self._values()
        written = set(holder) if self.HOLDER is not None else self.model_fields_set
        return [
            (name, holder[name], self.provenance.get(name))
            for name in self._names(holder)
            if name in written and holder.get(name) is not None and _is_number(holder[name])
        ]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def missing_provenance(node: Any, path: str = "") -> list[str]:
    """Dotted paths of quantities under ``node`` set as bare numbers (no provenance).

    An event's size is covered by the event's own ``source`` or ``assumption`` (with its
    ``coding``), so events are not searched; a size may still carry its own provenance
    and declared range."""
    from pydantic import BaseModel

    from sim.scenario.war_schema import EventBase

    out: list[str] = []
    if isinstance(node, EventBase):
        return out
    if isinstance(node, WithQuantities):
        prefix = f"{path}.{node.HOLDER}" if node.HOLDER else path
        out += [f"{prefix}.{name}" for name, _, note in node.quantity_rows() if note is None]
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            if name != "provenance":
                out += missing_provenance(getattr(node, name), f"{path}.{name}" if path else name)
    elif isinstance(node, list | tuple):
        for k, item in enumerate(node):
            out += missing_provenance(item, f"{path}[{k}]")
    elif isinstance(node, dict):
        for key, item in node.items():
            out += missing_provenance(item, f"{path}.{key}")
    return out

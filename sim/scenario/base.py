"""Scenario schema, part 0: base types shared by every part of a scenario file.

``Strict`` (unknown keys are errors, objects frozen), identifiers and texts, and the
provenance-carrying numbers: a ``value`` with exactly one of ``source`` (a quoted
statement and where it was reported) or ``assumption`` (the reason), plus an optional
``coding`` explaining how a reported stance became the number.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Identifier = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", min_length=1, max_length=40)
]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
Loss = Literal["linear", "quadratic"]
Role = Literal["principal", "third_party", "mediator"]
SALIENCE_TOLERANCE = 1e-6


class Strict(BaseModel):
    """Base: unknown keys are errors, objects are frozen after validation."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    """A reported statement: the words quoted (or closely paraphrased) and where reported."""

    quote: Text
    where: Text


class Provenance(Strict):
    """Where a number comes from: exactly one of ``source`` or ``assumption``.

    ``coding`` explains how a reported stance was turned into the number (for example
    "0.25 = freeze at the line of contact, the anchor of POSITIONS.md A.4").
    """

    source: Source | None = None
    assumption: Text | None = None
    coding: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_bare_values(cls, data: Any) -> Any:
        if isinstance(data, int | float | str) and not isinstance(data, bool):
            raise ValueError(
                f"a bare value ({data!r}) has no provenance: write "
                f"{{value: {data}, source: {{quote: ..., where: ...}}}} or "
                f"{{value: {data}, assumption: 'why'}}"
            )
        return data

    @model_validator(mode="after")
    def _one_provenance(self) -> Provenance:
        if (self.source is None) == (self.assumption is None):
            raise ValueError("give exactly one of 'source' (quote and where) or 'assumption'")
        return self

    @property
    def kind(self) -> Literal["source", "assumption"]:
        return "source" if self.source is not None else "assumption"


class Sourced(Provenance):
    """A finite number with provenance."""

    value: float = Field(allow_inf_nan=False)


class UnitSourced(Provenance):
    """A number in [0, 1] with provenance."""

    value: float = Field(ge=0.0, le=1.0)


class NonNegativeSourced(Provenance):
    """A number >= 0 with provenance."""

    value: float = Field(ge=0.0, allow_inf_nan=False)


class StatusQuo(Provenance):
    """What holds on an issue without agreement: a number, or a label for discrete issues."""

    value: float | str

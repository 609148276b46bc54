"""Scenario schema, part 0: base types shared by every part of a scenario file.

``Strict`` (unknown keys are errors, objects frozen), identifiers and texts, and the
provenance-carrying numbers: a ``value`` with exactly one of ``source`` (a quoted
statement and where it was reported) or ``assumption`` (the reason), plus an optional
``coding`` explaining how a reported stance became the number.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Identifier = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", min_length=1, max_length=40)
]
MAX_TEXT = 20_000
"""The longest text field (a quote, a reason, a description) in characters."""
Text = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT, strip_whitespace=True)]
Loss = Literal["linear", "quadratic"]
Role = Literal["principal", "third_party", "mediator"]
SALIENCE_TOLERANCE = 1e-6


class Strict(BaseModel):
    """Base: unknown keys are errors, objects are frozen after validation. Validators are
    built on first use (``defer_build``): a command that reads no sweep or record builds
    none of their models, and ``sim run`` starts about 40 ms sooner."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Source(Strict):
    """A reported statement: the words quoted (or closely paraphrased), where it was
    reported, and the ``date`` it was made or reported (a scenario refuses a source dated
    after its forecast origin: a fact from the future)."""

    quote: Text
    where: Text
    date: dt.date


class Provenance(Strict):
    """Where a number comes from: exactly one of ``source`` or ``assumption``.

    ``coding`` explains how a reported stance was turned into the number (for example
    "0.25 = freeze at the line of contact, the anchor of POSITIONS.md A.4"). An
    ``assumption`` may declare the plausible ``range: [low, high]`` of its number (the
    value must lie inside it); ``sim robustness`` sweeps every declared range at once.
    """

    source: Source | None = None
    assumption: Text | None = None
    coding: Text | None = None
    range: tuple[float, float] | None = None

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
        if self.range is not None:
            problem = range_problem(self.range, getattr(self, "value", None), self.assumption)
            if problem:
                raise ValueError(problem)
        return self

    @property
    def kind(self) -> Literal["source", "assumption"]:
        return "source" if self.source is not None else "assumption"


def range_problem(bounds: tuple[float, float], value: Any, assumption: str | None) -> str:
    """What is wrong with a declared ``range`` (empty text when nothing is)."""
    low, high = bounds
    if assumption is None:
        return "'range' belongs to an assumption: a reported number has no plausible range"
    if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
        return f"range must be [low, high] with finite low < high, got [{low:g}, {high:g}]"
    if isinstance(value, int | float) and not low <= value <= high:
        return f"value {value:g} lies outside its declared range [{low:g}, {high:g}]"
    return ""


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

"""Scenario schema, part 3: linked positions (conditional and either/or red lines) and
agenda order.

A plain red line bounds one issue. Stated positions are often *linked*: "a general
ceasefire only under Option 1 (withdrawal) or Option 2 (a package)". A party's
``conditions`` write them literally::

    conditions:
      - id: ceasefire_terms
        label: "a general ceasefire only under Option 1 or Option 2"
        when: {issue: ceasefire, at_most: 0.5}     # the values the condition governs
        any_of:                                    # at least one option must hold (OR)
          - id: option_1
            label: "Ukrainian withdrawal from the four regions"
            all_of: [{issue: territory, at_least: 0.9}]   # every clause must hold (AND)
            source: {quote: ..., where: ..., date: 2025-05-16}
          - id: option_2
            ...
        source: {quote: ..., where: ..., date: ...}

Reading: the party accepts a value of ``when.issue`` inside the ``when`` zone only if at
least one option holds; an option holds when each of its clauses does. A clause is
``{issue, at_least: w}`` or ``{issue, at_most: w}``. A single "accepts v on X only if Y
is at least w" is a condition with one option of one clause. Conditions bind like red
lines: on every offer a party makes or answers, and an offer that breaks one is
rejected, with the condition named in ``rounds.csv``.

``settle_first`` is a party's agenda order: while any listed issue is open, the party
discusses nothing else (apart from separable issues such as exchanges). It proposes
interim deals on the listed issues only and rejects offers that move other issues.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from sim.scenario.base import Identifier, Provenance, Strict, Text


class Clause(Strict):
    """``issue`` at least ``at_least``, or at most ``at_most`` (exactly one)."""

    issue: Identifier
    at_least: float | None = Field(default=None, allow_inf_nan=False)
    at_most: float | None = Field(default=None, allow_inf_nan=False)

    @model_validator(mode="after")
    def _one_bound(self) -> Clause:
        if (self.at_least is None) == (self.at_most is None):
            raise ValueError("give exactly one of 'at_least' or 'at_most'")
        return self

    def interval(self, lo: float, hi: float) -> tuple[float, float]:
        """The values of the issue (span [lo, hi]) that satisfy the clause."""
        if self.at_least is not None:
            return max(lo, self.at_least), hi
        assert self.at_most is not None
        return lo, min(hi, self.at_most)

    def text(self) -> str:
        if self.at_least is not None:
            return f"{self.issue} ≥ {self.at_least:g}"
        return f"{self.issue} ≤ {self.at_most:g}"


class Option(Provenance):
    """One way to meet a condition: every clause of ``all_of`` holds."""

    id: Identifier
    label: Text
    all_of: list[Clause] = Field(min_length=1)

    def text(self) -> str:
        return " and ".join(c.text() for c in self.all_of)


class Condition(Provenance):
    """A linked red line: values of ``when.issue`` in the ``when`` zone are acceptable
    only if one of the options ``any_of`` holds (module docstring)."""

    id: Identifier
    label: Text
    when: Clause
    any_of: list[Option] = Field(min_length=1)

    def text(self) -> str:
        options = " OR ".join(f"[{o.id}: {o.text()}]" for o in self.any_of)
        return f"{self.when.text()} only if {options}"


class Agenda(Provenance):
    """``issues`` to settle before anything else is discussed (module docstring)."""

    issues: list[Identifier] = Field(min_length=1)


class CeasefireLine(Clause, Provenance):
    """The values of an issue that amount to a general ceasefire: once one is agreed the
    front stops moving and each round the principals decide whether to keep it."""

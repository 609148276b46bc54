"""Scenario files: the pydantic v2 schema.

A scenario describes the parties, the issues on the table, each party's position on each
issue, the bargaining protocol and the seed. Every number that encodes a reported stance
or a modelling choice carries its provenance: a ``source`` (a quoted statement and where
it was reported) or an ``assumption`` (the reason). The schema knows nothing of the
engine: strategy names are checked against the registry by :mod:`sim.game`.

Issue kinds
-----------
``continuous``
    A value in [0, 1] with labelled anchor points; 0 is Kyiv's maximal demand and 1 is
    Moscow's in the ceasefire scenarios.
``discrete``
    A list of labelled values; each party scores every label in [0, 1] (the linear
    additive profiles of GENIUS/ANAC).
``integer``
    Whole numbers in ``range: [lo, hi]``; a party's value is a spatial loss of the
    distance to its ideal, scaled by ``hi - lo``.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from sim.scenario.base import (
    MAX_TEXT,
    SALIENCE_TOLERANCE,
    Identifier,
    Loss,
    NonNegativeSourced,
    Provenance,
    Role,
    Source,
    Sourced,
    StatusQuo,
    Strict,
    Text,
    UnitSourced,
)
from sim.scenario.linked import Agenda, Clause, Condition, Option
from sim.scenario.quantities import WithQuantities
from sim.scenario.war_schema import Event, EventBase, War

__all__ = [
    "SALIENCE_TOLERANCE",
    "Agenda",
    "Clause",
    "Condition",
    "Event",
    "EventBase",
    "Identifier",
    "Issue",
    "Loss",
    "NonNegativeSourced",
    "Option",
    "Party",
    "Position",
    "Protocol",
    "Provenance",
    "Role",
    "Scenario",
    "Source",
    "Sourced",
    "StatusQuo",
    "StrategySpec",
    "Strict",
    "Text",
    "UnitSourced",
    "War",
    "Withdrawal",
]


MAX_ISSUES, MAX_PARTIES, MAX_EVENTS = 50, 20, 1000
"""Limits of a scenario: the frontier's lattice and offer sets grow with them."""


class Issue(Strict):
    """One dimension of the agreement space."""

    id: Identifier
    label: Text
    kind: Literal["continuous", "discrete", "integer"] = "continuous"
    anchors: dict[float, Text] = Field(default_factory=dict)
    values: list[Text] = Field(default_factory=list)
    range: tuple[int, int] | None = None
    status_quo: StatusQuo
    separable: bool = False
    repeatable: bool = False
    consent: list[Identifier] = Field(default_factory=list)
    description: str = Field(default="", max_length=MAX_TEXT)

    @model_validator(mode="after")
    def _kind_fields(self) -> Issue:
        if self.repeatable and not self.separable:
            raise ValueError(
                "'repeatable: true' needs 'separable: true': only an issue agreed on its "
                "own (an exchange) can be agreed again and again"
            )
        if self.kind == "continuous":
            self._check_continuous()
        elif self.kind == "discrete":
            self._check_discrete()
        else:
            self._check_integer()
        return self

    def _check_continuous(self) -> None:
        if self.values or self.range is not None:
            raise ValueError("a continuous issue takes 'anchors', not 'values' or 'range'")
        bad = [k for k in self.anchors if not 0.0 <= k <= 1.0]
        if bad:
            raise ValueError(f"anchor points must lie in [0, 1], got {bad}")
        sq = self.status_quo.value
        if isinstance(sq, str) or not 0.0 <= sq <= 1.0:
            raise ValueError(f"status_quo.value must be a number in [0, 1], got {sq!r}")

    def _check_discrete(self) -> None:
        if len(self.values) < 2 or len(set(self.values)) != len(self.values):
            raise ValueError("a discrete issue needs 'values': at least 2 distinct labels")
        if self.status_quo.value not in self.values:
            raise ValueError(
                f"status_quo.value {self.status_quo.value!r} is not one of {self.values}"
            )

    def _check_integer(self) -> None:
        if self.range is None or self.range[0] >= self.range[1]:
            raise ValueError("an integer issue needs 'range: [lo, hi]' with lo < hi")
        if self.range[1] - self.range[0] > 10_000:
            raise ValueError("an integer issue may span at most 10,000 values")
        sq = self.status_quo.value
        whole = not isinstance(sq, str) and math.isfinite(sq) and sq == int(sq)
        if not whole or not self.range[0] <= sq <= self.range[1]:
            raise ValueError(f"status_quo.value must be a whole number in {list(self.range)}")

    def span(self) -> tuple[float, float]:
        """The numeric interval of the issue: [0, 1], ``range``, or label indices."""
        if self.kind == "continuous":
            return 0.0, 1.0
        if self.kind == "integer":
            assert self.range is not None
            return float(self.range[0]), float(self.range[1])
        return 0.0, float(len(self.values) - 1)


class Position(Strict):
    """A party's stance on one issue.

    Continuous and integer issues: ``ideal``, ``loss`` and an optional ``red_line`` (the
    farthest value the party can accept on the side away from its ideal). Discrete
    issues: ``values`` scores every label in [0, 1] and ``unacceptable`` lists red-line
    labels. Every issue: ``salience`` (the weight of the issue for this party).
    """

    salience: NonNegativeSourced
    ideal: Sourced | None = None
    loss: Loss = "quadratic"
    red_line: Sourced | None = None
    values: dict[str, UnitSourced] | None = None
    unacceptable: list[str] = Field(default_factory=list)


class StrategySpec(WithQuantities):
    """A strategy by registered name, with its parameters (checked by the strategy).

    A numeric parameter may carry provenance (``exponent: {value: 4, assumption: ...}``).
    ``reason`` says why the party plays this strategy; a ceasefire scenario (one with a
    ``war`` block) must give it for a time-dependent strategy, which concedes toward a
    deadline it knows.
    """

    HOLDER = "params"
    name: Identifier
    params: dict[str, Any] = Field(default_factory=dict)
    reason: Text | None = None


class Withdrawal(Strict):
    """What a party does when it leaves the talks (patience exhausted or a deadline).

    It stops taking part: offers no longer need its consent. Its support to every
    principal it supplies is multiplied by ``1 − support_cut``.
    """

    support_cut: UnitSourced


class Party(Strict):
    """A negotiating party: a principal, a third party that must consent, or a mediator."""

    id: Identifier
    name: Text
    role: Role
    strategy: StrategySpec
    positions: dict[str, Position] = Field(default_factory=dict)
    fighting_cost: NonNegativeSourced | None = None
    reservation: Sourced | None = None
    capability: NonNegativeSourced | None = None
    bargaining_power: NonNegativeSourced | None = None
    discount: UnitSourced | None = None
    patience: NonNegativeSourced | None = None
    withdrawal: Withdrawal | None = None
    conditions: list[Condition] = Field(default_factory=list)
    settle_first: Agenda | None = None


class Protocol(WithQuantities):
    """How offers are made: the protocol kind, who proposes in which order, and for how long.

    ``alternating``: the parties of ``proposer_order`` propose in turn. ``rubinstein``: the
    same between exactly two parties, each with a ``discount`` factor. ``mediated``: a
    mediator (role ``mediator``) proposes a single text every round (Raiffa 1982).
    ``stacked_alternating``: the stacked alternating offers protocol (Aydoğan et al. 2017;
    NegMAS's ``SAOMechanism`` with one offer per step): in each round the party whose turn
    it is accepts the standing offer or replaces it with its own; an offer is agreed once
    every other party whose consent it needs has accepted it.
    ``max_rounds`` is the simulation horizon: no party knows it. ``round_days`` is the
    calendar length of a round. Both may carry provenance.

    ``turns_per_step`` (stacked protocol only): ``one`` (default; a round is one turn and
    one step of relative time) or ``every_party`` (NegMAS's default ``SAOMechanism``:
    a step of relative time is one turn of every party, so t advances every n rounds and
    ``max_rounds`` counts turns, a multiple of n).

    ``offer_policy`` is how a party picks its offer at its threshold:
    ``best_for_responder`` (default) among the Pareto-frontier outcomes, the one the
    others gain most from; ``lowest_own_utility`` among *all* outcomes (every issue
    discrete or integer), the one with the lowest utility to the proposer at or above its
    threshold, ties to the first in enumeration order (the GENIUS/NegMAS convention).
    """

    QUANTITIES = ("max_rounds", "round_days")
    kind: Literal["alternating", "rubinstein", "mediated", "stacked_alternating"] = "alternating"
    turns_per_step: Literal["one", "every_party"] = "one"
    offer_policy: Literal["best_for_responder", "lowest_own_utility"] = "best_for_responder"
    proposer_order: list[Identifier] = Field(min_length=1)
    max_rounds: int = Field(ge=1, le=10_000)
    round_days: int = Field(default=14, ge=1, le=3650)


class Scenario(Strict):
    """A whole scenario file."""

    title: Text
    date: dt.date
    forecast_origin: dt.date | None = None
    description: str = Field(default="", max_length=MAX_TEXT)
    notes: list[Text] = Field(default_factory=list, max_length=1000)
    seed: int = Field(default=0, ge=0)
    salience_normalisation: Literal["normalise", "strict"] = "normalise"
    issues: list[Issue] = Field(min_length=1, max_length=MAX_ISSUES)
    parties: list[Party] = Field(min_length=2, max_length=MAX_PARTIES)
    protocol: Protocol
    war: War | None = None
    events: list[Event] = Field(default_factory=list, max_length=MAX_EVENTS)

    def __repr__(self) -> str:
        """A one-line summary (``model_dump()`` gives every field)."""
        return (
            f"Scenario(title={self.title!r}, date={self.date.isoformat()}, "
            f"parties={len(self.parties)}, issues={len(self.issues)}, events={len(self.events)}, "
            f"war={self.war is not None}, seed={self.seed})"
        )

    def __str__(self) -> str:
        return repr(self)

    @field_validator("issues")
    @classmethod
    def _unique_issue_ids(cls, issues: list[Issue]) -> list[Issue]:
        _check_unique([i.id for i in issues], "issue")
        return issues

    @field_validator("parties")
    @classmethod
    def _unique_party_ids(cls, parties: list[Party]) -> list[Party]:
        _check_unique([p.id for p in parties], "party")
        if not any(p.role == "principal" for p in parties):
            raise ValueError("no party has role 'principal': at least one is needed")
        return parties

    @property
    def origin(self) -> dt.date:
        """The forecast origin: no fact the scenario uses may be dated after it (the
        ``forecast_origin``, else the scenario's ``date``)."""
        return self.forecast_origin or self.date

    @property
    def issue_ids(self) -> list[str]:
        return [i.id for i in self.issues]

    @property
    def party_ids(self) -> list[str]:
        return [p.id for p in self.parties]

    def issue(self, issue_id: str) -> Issue:
        return next(i for i in self.issues if i.id == issue_id)

    def party(self, party_id: str) -> Party:
        return next(p for p in self.parties if p.id == party_id)

    def event_round(self, event: EventBase) -> int:
        """The round (from 1) in which an event applies: its ``round``, or the round whose
        date interval holds its ``date`` (round k starts on date + (k − 1)·round_days);
        events dated before the scenario apply in round 1."""
        if event.round is not None:
            return event.round
        return self.round_of(event.date)

    def round_of(self, date: dt.date) -> int:
        """The round (from 1) whose date interval holds ``date`` (round 1 for earlier)."""
        days = (date - self.date).days
        return max(1, days // self.protocol.round_days + 1)

    def round_date(self, round_number: int) -> dt.date:
        """Calendar date of round ``round_number`` (from 1)."""
        return self.date + dt.timedelta(days=(round_number - 1) * self.protocol.round_days)


def _check_unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    dupes = sorted({i for i in ids if i in seen or seen.add(i)})  # type: ignore[func-returns-value]
    if dupes:
        raise ValueError(f"{what} ids must be unique; repeated: {dupes}")

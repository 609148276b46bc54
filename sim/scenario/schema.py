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
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

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
    consent: list[Identifier] = Field(default_factory=list)
    description: str = ""

    @model_validator(mode="after")
    def _kind_fields(self) -> Issue:
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
        if isinstance(sq, str) or sq != int(sq) or not self.range[0] <= sq <= self.range[1]:
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


class StrategySpec(Strict):
    """A strategy by registered name, with its parameters (checked by the strategy)."""

    name: Identifier
    params: dict[str, Any] = Field(default_factory=dict)


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


class Protocol(Strict):
    """How offers are made: the protocol kind, who proposes in which order, and for how long.

    ``alternating``: the parties of ``proposer_order`` propose in turn. ``rubinstein``: the
    same between exactly two parties, each with a ``discount`` factor. ``mediated``: a
    mediator (role ``mediator``) proposes a single text every round (Raiffa 1982).
    """

    kind: Literal["alternating", "rubinstein", "mediated"] = "alternating"
    proposer_order: list[Identifier] = Field(min_length=1)
    max_rounds: int = Field(ge=1, le=10_000)
    round_days: int = Field(default=14, ge=1, le=3650)


class Support(Strict):
    """A third party's support of a principal: a level in [0, 1] times a weight (its
    contribution to the recipient's capability at full support)."""

    supporter: Identifier
    recipient: Identifier
    level: UnitSourced
    weight: NonNegativeSourced


class Belief(Strict):
    """A principal's prior belief about the unobserved battlefield trend θ (territory units
    per round, positive = toward Moscow's end): θ ~ Normal(mean, sd²)."""

    mean: Sourced
    sd: NonNegativeSourced


class War(Strict):
    """The war process that sets the principals' fallback (see ``sim.behaviour.war``)."""

    territory_issue: Identifier
    drift_scale: NonNegativeSourced
    volatility: NonNegativeSourced
    trend: Sourced
    horizon: int = Field(default=6, ge=1, le=1000)
    discount: UnitSourced
    loss_volatility: NonNegativeSourced
    resources: dict[Identifier, NonNegativeSourced]
    support: list[Support] = Field(default_factory=list)
    beliefs: dict[Identifier, Belief] = Field(default_factory=dict)


class EventBase(Strict):
    """A dated (``date``) or round-numbered (``round``, from 1) shock, with provenance."""

    id: Identifier | None = None
    round: int | None = Field(default=None, ge=1)
    date: dt.date | None = None
    label: Text
    source: Source | None = None
    assumption: Text | None = None
    coding: Text | None = None

    @model_validator(mode="after")
    def _when_and_why(self) -> EventBase:
        if (self.round is None) == (self.date is None):
            raise ValueError("give exactly one of 'round' or 'date'")
        if (self.source is None) == (self.assumption is None):
            raise ValueError("give exactly one of 'source' (quote and where) or 'assumption'")
        return self


class CapabilityShock(EventBase):
    """A principal's resources change by ``delta`` (e.g. a strike on strategic bombers)."""

    type: Literal["capability_shock"]
    party: Identifier
    delta: float = Field(allow_inf_nan=False)


class SupportChange(EventBase):
    """A supporter's support of a principal is set to ``level`` (an aid package, a cut)."""

    type: Literal["support_change"]
    supporter: Identifier
    recipient: Identifier
    level: float = Field(ge=0.0, le=1.0)


class BeliefShock(EventBase):
    """A principal's belief about the battlefield trend shifts by ``delta``."""

    type: Literal["belief_shock"]
    party: Identifier
    delta: float = Field(allow_inf_nan=False)


class PositionShift(EventBase):
    """A party's position on an issue changes: any of ideal, salience, red line."""

    type: Literal["position_shift"]
    party: Identifier
    issue: Identifier
    ideal: float | None = None
    salience: float | None = Field(default=None, ge=0.0)
    red_line: float | None = None


class Deadline(EventBase):
    """An ultimatum: ``party`` withdraws at this round unless the talks have progressed
    (some issue settled) by then."""

    type: Literal["deadline"]
    party: Identifier


class Consultation(EventBase):
    """Parties align positions: on every issue each member's ideal moves a share
    ``weight`` of the way to the salience-weighted mean ideal of the group."""

    type: Literal["consultation"]
    parties: list[Identifier] = Field(min_length=2)
    weight: float = Field(ge=0.0, le=1.0)


class History(EventBase):
    """A fact recorded on the timeline with no effect on the model (already in the status
    quo), e.g. round 1's prisoner exchange."""

    type: Literal["history"]


Event = Annotated[
    CapabilityShock
    | SupportChange
    | BeliefShock
    | PositionShift
    | Deadline
    | Consultation
    | History,
    Field(discriminator="type"),
]


class Scenario(Strict):
    """A whole scenario file."""

    title: Text
    date: dt.date
    description: str = ""
    notes: list[Text] = Field(default_factory=list)
    seed: int = Field(default=0, ge=0)
    salience_normalisation: Literal["normalise", "strict"] = "normalise"
    issues: list[Issue] = Field(min_length=1)
    parties: list[Party] = Field(min_length=2)
    protocol: Protocol
    war: War | None = None
    events: list[Event] = Field(default_factory=list)

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
        days = (event.date - self.date).days
        return max(1, days // self.protocol.round_days + 1)

    def round_date(self, round_number: int) -> dt.date:
        """Calendar date of round ``round_number`` (from 1)."""
        return self.date + dt.timedelta(days=(round_number - 1) * self.protocol.round_days)


def _check_unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    dupes = sorted({i for i in ids if i in seen or seen.add(i)})  # type: ignore[func-returns-value]
    if dupes:
        raise ValueError(f"{what} ids must be unique; repeated: {dupes}")

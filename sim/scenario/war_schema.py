"""Scenario schema, part 2: the war block and the events timeline (see ``schema``).

The war process's parameters (``War``: territory issue, drift, volatility, trend,
horizon, discount, resources, support, beliefs) and the dated shocks of the timeline
(``Event``: one class per type, discriminated by ``type``). Their meaning is in
:mod:`sim.behaviour.war` and :mod:`sim.behaviour.events`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.scenario.base import (
    Identifier,
    NonNegativeSourced,
    Source,
    Sourced,
    Strict,
    Text,
    UnitSourced,
)
from sim.scenario.linked import CeasefireLine
from sim.scenario.quantities import WithQuantities


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


class TermEffect(Strict):
    """How an agreed term changes the war if it resumes: ``issue`` and its ``effect`` at
    the issue's far end (see :class:`Compliance`)."""

    issue: Identifier
    effect: NonNegativeSourced


class Compliance(Strict):
    """Whether a ceasefire holds (Fearon 1995's commitment problem; see
    ``sim.behaviour.compliance``). Each round of a ceasefire each principal compares the
    value of keeping the deal with the value of breaking it and fighting on:

    * ``first_strike``: territory the side that breaks the ceasefire gains at once;
    * ``arms_limits``: at the issue's value 1 (its Moscow end) the support the recipient
      gets is cut by the share ``effect`` once the war resumes (arms halted by the deal);
    * ``guarantees``: at the issue's value 0 (robust guarantees) the guarantors add
      ``effect`` to the capability of the side that is attacked (the supported principal);
    * ``noise``: the standard deviation of each side's per-round impulse to break
      (utility units), so that P(break) = Φ((V_break − V_keep) / noise).
    """

    first_strike: NonNegativeSourced
    noise: NonNegativeSourced
    arms_limits: TermEffect | None = None
    guarantees: TermEffect | None = None


class StatusQuoLink(Strict):
    """How the war moves the status quo of an issue other than territory (and so each
    party's fallback on it), from its value in the file:

    * ``supporter`` given: the status quo moves by ``effect × (1 − level)``, level the
      supporter's current support level (e.g. arms halted as US support is cut);
    * ``losses_of`` given (a principal): it moves by ``effect`` × that principal's
      cumulative losses (e.g. mobilisation as losses mount);
    * otherwise: it moves by ``effect`` per round of fighting (e.g. sanctions packages
      adopted while the war goes on), not while a ceasefire is in force.

    The status quo is kept inside the issue's span; an issue already agreed is fixed."""

    issue: Identifier
    effect: Sourced
    supporter: Identifier | None = None
    losses_of: Identifier | None = None

    @model_validator(mode="after")
    def _one_driver(self) -> StatusQuoLink:
        if self.supporter is not None and self.losses_of is not None:
            raise ValueError("give at most one of 'supporter' or 'losses_of'")
        return self


class War(WithQuantities):
    """The war process that sets the principals' fallback (see ``sim.behaviour.war``).

    ``ceasefire`` names the values of an issue that amount to a general ceasefire: while
    one is agreed the front does not move and nobody pays the cost of fighting;
    ``compliance`` (which needs ``ceasefire``) says whether a ceasefire can break;
    ``status_quo_links`` let support and fighting move the status quo of other issues.
    """

    QUANTITIES = ("horizon",)
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
    ceasefire: CeasefireLine | None = None
    compliance: Compliance | None = None
    status_quo_links: list[StatusQuoLink] = Field(default_factory=list)


class EventBase(WithQuantities):
    """A dated (``date``) or round-numbered (``round``, from 1) shock, with provenance.

    The event's ``source`` or ``assumption`` justifies the event; its size (``delta``,
    ``level``, ``weight``, ...) may carry its own provenance and declared range
    (``delta: {value: -0.03, assumption: ..., range: [-0.06, 0]}``).
    """

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

    QUANTITIES = ("delta",)

    type: Literal["capability_shock"]
    party: Identifier
    delta: float = Field(allow_inf_nan=False)


class SupportChange(EventBase):
    """A supporter's support of a principal is set to ``level`` (an aid package, a cut)."""

    QUANTITIES = ("level",)

    type: Literal["support_change"]
    supporter: Identifier
    recipient: Identifier
    level: float = Field(ge=0.0, le=1.0)


class BeliefShock(EventBase):
    """A principal's belief about the battlefield trend shifts by ``delta``."""

    QUANTITIES = ("delta",)

    type: Literal["belief_shock"]
    party: Identifier
    delta: float = Field(allow_inf_nan=False)


class PositionShift(EventBase):
    """A party's position on an issue changes: any of ideal, salience, red line."""

    QUANTITIES = ("ideal", "salience", "red_line")

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

    QUANTITIES = ("weight",)

    type: Literal["consultation"]
    parties: list[Identifier] = Field(min_length=2)
    weight: float = Field(ge=0.0, le=1.0)


class AspirationShift(EventBase):
    """Dated pressure that bites (a deadline, a sanctions threat): ``party`` gives up
    ``delta`` of its aspiration from this round on (``fallback`` strategy; a negative
    ``delta`` hardens its demand)."""

    QUANTITIES = ("delta",)
    type: Literal["aspiration_shift"]
    party: Identifier
    delta: float = Field(ge=-1.0, le=1.0)


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
    | AspirationShift
    | History,
    Field(discriminator="type"),
]

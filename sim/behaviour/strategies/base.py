"""The strategy interface, the shared round context, and the registry of strategies by name.

A strategy is a small class with a ``name``, a ``classifier`` (Axelrod's pattern:
stochastic, memory depth, concession style, opponent model), a pydantic ``Params`` model
for its parameters, and a documented rule for its *threshold*: the utility it demands this
round. Proposing and responding follow from the threshold:

* propose: :func:`sim.behaviour.offers.choose_offer` at the threshold;
* respond: accept an offer iff it respects the party's red lines and
  u_me(offer) >= threshold.

Every threshold is clamped to be at least the party's reservation utility, so no party
proposes or accepts a deal it values below fighting on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from sim.behaviour.offers import SCORE_TOLERANCE, Bid, OfferSet, choose_offer


class Offer(NamedTuple):
    """An offer made in a round: who proposed it and every party's utility for it."""

    round: int
    proposer: int
    outcome: np.ndarray
    utilities: np.ndarray


@dataclass(frozen=True)
class IssueSpace:
    """Each issue's numeric span and kind: (m,) arrays ``lo``, ``hi``, ``discrete``, ``integer``."""

    lo: np.ndarray
    hi: np.ndarray
    discrete: np.ndarray
    integer: np.ndarray


@dataclass
class RoundContext:
    """What every party sees when it proposes or responds in a round.

    ``evaluate`` turns any outcome into a :class:`Bid` (utilities, red lines, consents);
    ``discount`` holds each party's discount factor (NaN where none is given).
    """

    round: int
    max_rounds: int
    offers: OfferSet
    reservation: np.ndarray
    history: list[Offer] = field(default_factory=list)
    status_quo: np.ndarray | None = None
    discount: np.ndarray | None = None
    evaluate: Callable[[np.ndarray], Bid] | None = None
    space: IssueSpace | None = None
    pressure: list[float] | None = None
    """Per party, the aspiration given up at dated ``aspiration_shift`` events so far."""
    turns_per_step: int = 1
    """Rounds (turns) per step of the clock: the number of parties under the stacked
    protocol's ``turns_per_step: every_party``, else 1."""

    relative_time: float = field(init=False)
    """t = (step + 1) / (steps + 1), in (0, 1), with step = round // turns_per_step (round
    counts from 0) and steps = max_rounds // turns_per_step: (round + 1) / (max_rounds + 1)
    with one turn per step."""
    _lo: list[float] = field(init=False, repr=False)
    _hi: list[float] = field(init=False, repr=False)
    _floor: list[float] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # computed once a round, as plain floats: every party's threshold reads them
        self.relative_time = relative_time(self.round, self.max_rounds, self.turns_per_step)
        self._lo = np.maximum(self.offers.worst, self.reservation).tolist()
        self._hi = self.offers.best.tolist()
        self._floor = self.reservation.tolist()

    def bounds(self, me: int) -> tuple[float, float]:
        """(lo, hi): lo = max(worst, reservation) and hi = best utility of ``me``."""
        return self._lo[me], self._hi[me]

    def pressure_on(self, me: int) -> float:
        """The aspiration ``me`` has given up at dated pressure events (0 without any)."""
        return self.pressure[me] if self.pressure else 0.0

    def floor(self, me: int) -> float:
        """``me``'s reservation utility (the floor of every threshold)."""
        return self._floor[me]


class Params(BaseModel):
    """Base of strategy parameter models: unknown parameters are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Strategy:
    """Base class: subclasses set ``name``, ``classifier``, ``Params`` and ``raw_threshold``."""

    name: ClassVar[str]
    classifier: ClassVar[dict[str, Any]]
    Params: ClassVar[type[Params]] = Params

    def __init__(self, params: Params | None = None, party_ids: tuple[str, ...] = ()) -> None:
        self.params = params if params is not None else self.Params()
        self.party_ids = party_ids

    def check(self, me: str, party_ids: tuple[str, ...]) -> list[tuple[str, str]]:
        """Problems with parameters that refer to other parties: (param, message) pairs."""
        return []

    def raw_threshold(self, me: int, ctx: RoundContext) -> float:
        """The strategy's own rule for the utility it demands this round."""
        raise NotImplementedError

    def threshold(self, me: int, ctx: RoundContext) -> float:
        """The rule's threshold, never below the party's reservation utility."""
        return max(self.raw_threshold(me, ctx), ctx.floor(me))

    def propose(self, me: int, ctx: RoundContext, threshold: float) -> Bid:
        """The offer to make (see :func:`~sim.behaviour.offers.choose_offer`)."""
        return ctx.offers.bid(choose_offer(ctx.offers, me, threshold, ctx.reservation))

    def accepts(self, me: int, ctx: RoundContext, bid: Bid, threshold: float) -> bool:
        """Accept iff within own red lines and u_me(offer) >= threshold (to 1e-12)."""
        return bool(bid.acceptable[me] and bid.utilities[me] >= threshold - SCORE_TOLERANCE)


def relative_time(round_index: int, max_rounds: int, turns_per_step: int = 1) -> float:
    """t = (step + 1) / (steps + 1), step = round_index // turns_per_step, steps =
    max_rounds // turns_per_step (NegMAS's ``relative_time`` with ``n_steps`` = steps)."""
    if turns_per_step == 1:
        return (round_index + 1) / (max_rounds + 1)
    return (round_index // turns_per_step + 1) / (max_rounds // turns_per_step + 1)


MEDIATOR_INDEX = -1
"""The ``proposer`` index recorded for a mediator's text (mediators are not negotiators)."""

REGISTRY: dict[str, type[Strategy]] = {}


def register(cls: type[Strategy]) -> type[Strategy]:
    """Class decorator adding a strategy to :data:`REGISTRY` under its ``name``."""
    if cls.name in REGISTRY:
        raise ValueError(f"strategy name {cls.name!r} registered twice")
    REGISTRY[cls.name] = cls
    return cls


class StrategyError(ValueError):
    """An unknown strategy name or invalid parameters: (field, message) problems."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))
        self.problems = problems


def make_strategy(
    name: str, params: dict[str, Any], me: str, party_ids: tuple[str, ...]
) -> Strategy:
    """Build a registered strategy, or raise :class:`StrategyError` naming the field."""
    if name not in REGISTRY:
        known = ", ".join(sorted(REGISTRY))
        raise StrategyError([("name", f"unknown strategy '{name}'; known strategies: {known}")])
    cls = REGISTRY[name]
    try:
        parsed = cls.Params.model_validate(params)
    except ValidationError as exc:
        problems = [
            (".".join(["params", *map(str, e["loc"])]), e["msg"].removeprefix("Value error, "))
            for e in exc.errors(include_url=False)
        ]
        raise StrategyError(problems) from None
    strategy = cls(parsed, party_ids)
    problems = [(f"params.{f}", m) for f, m in strategy.check(me, party_ids)]
    if problems:
        raise StrategyError(problems)
    return strategy

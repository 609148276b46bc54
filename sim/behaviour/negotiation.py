"""The state of a negotiation between rounds, and how a round's offer and responses resolve.

Resolution of a round (all parties see the same offer):

1. **Full agreement** when every party whose consent the offer needs (the principals,
   plus each third party controlling an issue the offer moves off its status quo)
   accepts it: every open issue is settled at the offer's value and the talks end.
2. Otherwise, **partial agreements**: each open *separable* issue that the offer moves
   off its status quo is settled on its own at the offer's value when every party that
   must consent to that issue strictly prefers the value to the issue's status quo
   (v_ij(x_j) > v_ij(sq_j)) and it crosses none of their red lines. A settled issue stays
   settled, becomes part of the status quo, and is held fixed in later offers.
"""

from __future__ import annotations

import math
from typing import NamedTuple, Protocol

import numpy as np

from sim.behaviour.offers import TOUCH_TOLERANCE, Bid, OfferSet, evaluate_bid
from sim.behaviour.strategies.base import MEDIATOR_INDEX, Offer, RoundContext
from sim.game import Game

PROPOSER, ACCEPT, REJECT, SILENT = "proposer", "accept", "reject", ""


class Negotiator(Protocol):
    """What a round needs from a party (the Mesa agents implement it). A mediator has
    ``index`` :data:`MEDIATOR_INDEX` and is only asked to propose."""

    index: int
    party_id: str

    def threshold(self, ctx: RoundContext) -> float: ...

    def propose(self, ctx: RoundContext, threshold: float) -> Bid: ...

    def accepts(self, ctx: RoundContext, bid: Bid, threshold: float) -> bool: ...


class RoundRecord(NamedTuple):
    """What happened in one round (round numbers count from 1)."""

    round: int
    proposer: int
    proposer_id: str
    outcome: np.ndarray
    utilities: np.ndarray
    thresholds: np.ndarray
    reservation: np.ndarray
    responses: tuple[str, ...]
    settled: tuple[int, ...]
    agreement: bool


class Negotiation:
    """Open and settled issues, the current offer set, and the record of past rounds."""

    def __init__(self, game: Game, max_rounds: int) -> None:
        self.game = game
        self.max_rounds = max_rounds
        self.settled = np.full(game.n_issues, np.nan)
        self.status_quo = game.status_quo.copy()
        self.history: list[Offer] = []
        self.records: list[RoundRecord] = []
        self.partials: list[tuple[int, float, int]] = []
        self.agreement_round: int | None = None
        self.active = np.ones(game.n_parties, dtype=bool)
        self.rounds_without_progress = 0  # consecutive latest rounds settling no issue
        self.open_separable = [int(j) for j in np.flatnonzero(game.separable)]
        self.reservation = game.memo("reservation", lambda: game.reservation(game.status_quo))
        self.consent, self.third_party_issue, self.offers = game.memo(
            "opening_offers", self._offer_state
        )

    @property
    def done(self) -> bool:
        return self.agreement_round is not None or len(self.records) >= self.max_rounds

    def _offer_set(self) -> OfferSet:
        """The offer set for the current state (also updates ``consent`` and
        ``third_party_issue``)."""
        self.consent, self.third_party_issue, offers = self._offer_state()
        return offers

    def _offer_state(self) -> tuple[np.ndarray, np.ndarray, OfferSet]:
        """Who must consent to each issue (the game's rule minus withdrawn parties), which
        issues a third party controls, and the offer set for the current state."""
        consent, third_party_issue = self.game.consent_of(self.active)
        return (
            consent,
            third_party_issue,
            self.game.offer_set(self.settled, self.active, self.status_quo),
        )

    def set_game(self, game: Game) -> None:
        """Continue under changed preferences (a position shift or consultation)."""
        self.game = game
        self.offers = self._offer_set()

    def withdraw(self, party: int) -> None:
        """``party`` leaves the talks: offers no longer need its consent."""
        self.active[party] = False
        self.offers = self._offer_set()

    def move_status_quo(self, issue: int, value: float) -> None:
        """The war moves an open issue's status quo (the line of control)."""
        if not math.isnan(self.settled[issue]) or value == self.status_quo[issue]:
            return
        self.status_quo[issue] = value
        if self.third_party_issue[issue]:
            self.offers = self._offer_set()  # who must consent depends on the status quo

    def context(self, round_index: int) -> RoundContext:
        """The context of round ``round_index`` (counting from 0)."""
        g, sq, consent = self.game, self.status_quo.copy(), self.consent
        return RoundContext(
            round_index,
            self.max_rounds,
            self.offers,
            self.reservation,  # a new array every round (never changed in place)
            self.history,
            status_quo=sq,
            discount=g.discount,
            evaluate=lambda x: evaluate_bid(g.prefs, x, sq, consent),
            space=g.space,
        )

    def resolve(
        self,
        ctx: RoundContext,
        proposer: Negotiator,
        bid: Bid,
        responses: list[str],
        thresholds: np.ndarray,
    ) -> RoundRecord:
        """Apply the round's offer and responses (see the module docstring)."""
        outcome, utilities = bid.outcome, bid.utilities
        self.history.append(Offer(ctx.round, proposer.index, outcome, utilities))
        agreed = REJECT not in responses
        settled = (
            self._settle_all(outcome, ctx.round)
            if agreed
            else self._settle_separable(outcome, ctx.round)
        )
        record = RoundRecord(
            ctx.round + 1,
            proposer.index,
            proposer.party_id,
            outcome,
            utilities,
            thresholds,
            ctx.reservation,
            tuple(responses),
            tuple(settled),
            agreed,
        )
        self.records.append(record)
        self.rounds_without_progress = 0 if settled else self.rounds_without_progress + 1
        if settled and not agreed:
            self.offers = self._offer_set()
        return record

    def _settle_all(self, outcome: np.ndarray, round_index: int) -> list[int]:
        open_issues = np.flatnonzero(np.isnan(self.settled))
        self.settled[open_issues] = outcome[open_issues]
        self.status_quo = self.settled.copy()
        self.agreement_round = round_index + 1
        return [int(j) for j in open_issues]

    def _settle_separable(self, outcome: np.ndarray, round_index: int) -> list[int]:
        if not self.open_separable:
            return []
        g, values, status_quo = self.game, outcome.tolist(), self.status_quo.tolist()
        done: list[int] = []
        for j in self.open_separable:
            x, sq = values[j], status_quo[j]
            if abs(x - sq) <= TOUCH_TOLERANCE:
                continue
            if _settles_alone(g, j, x, sq, self.consent[j]):
                self.settled[j] = self.status_quo[j] = x
                self.partials.append((j, x, round_index + 1))
                done.append(j)
        if done:
            self.open_separable = [j for j in self.open_separable if j not in done]
        return done

    def final_outcome(self) -> np.ndarray:
        """Settled values where agreed, the status quo elsewhere."""
        return np.where(np.isnan(self.settled), self.status_quo, self.settled)

    def outcome_kind(self) -> str:
        """``agreement``, ``partial`` or ``none``."""
        if self.agreement_round is not None:
            return "agreement"
        return "partial" if self.partials else "none"


def _settles_alone(game: Game, j: int, x: float, sq: float, must: np.ndarray) -> bool:
    """Whether every party in ``must`` strictly prefers value ``x`` of issue ``j`` to its
    status quo ``sq`` and ``x`` crosses none of their red lines (cached per game: the
    same offers recur across rounds and runs)."""

    def check() -> bool:
        values = game.prefs.issue_values(j, np.array([x, sq]))
        ok = game.prefs.issue_acceptable(j, np.array([x]))[:, 0]
        return bool(np.all((values[must, 0] > values[must, 1]) & ok[must]))

    return game.cached("settles_alone", (j, x, sq, must.tobytes()), check)


def play_round(
    negotiation: Negotiation, parties: list[Negotiator], proposer: Negotiator, round_index: int
) -> RoundRecord:
    """One round: every party sets its threshold, ``proposer`` offers, the others respond.

    The proposer is a negotiating party or a mediator. A party is asked to respond only
    when the offer needs its consent.
    """
    ctx = negotiation.context(round_index)
    thresholds = [p.threshold(ctx) for p in parties]
    own = thresholds[proposer.index] if proposer.index != MEDIATOR_INDEX else math.nan
    bid = proposer.propose(ctx, own)
    needs_consent = bid.needs_consent.tolist()
    responses = []
    for p in parties:
        if p.index == proposer.index:
            responses.append(PROPOSER)
        elif needs_consent[p.index]:
            responses.append(ACCEPT if p.accepts(ctx, bid, thresholds[p.index]) else REJECT)
        else:
            responses.append(SILENT)
    return negotiation.resolve(ctx, proposer, bid, responses, np.array(thresholds))

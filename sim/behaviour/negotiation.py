"""The state of a negotiation between rounds, and how a round's offer and responses resolve.

Resolution of a round (all parties see the same offer):

1. **Agreement** when every party whose consent the offer needs (the principals, plus
   each third party controlling an issue the offer moves off its status quo) accepts it.
   A full offer settles every open issue at the offer's value. An *interim* offer (made
   under a party's agenda, ``settle_first``) settles only the issues of its scope that it
   moves; the talks go on over the rest, and end in a full agreement once nothing is open.
2. Otherwise, **partial agreements**: on each open *separable* issue the proposer also
   offers a deal on that issue alone (:func:`separable_offer`): its most preferred value
   among those that every party that must consent to the issue strictly prefers to the
   issue's status quo (v_ij(x_j) > v_ij(sq_j)) and for which the outcome "status quo with
   this value" breaks none of their red lines, plain or linked (a mediator offers the
   value with the largest product of those gains). Every such party prefers it, so it is
   agreed. A settled issue stays settled, becomes part of the status quo, and is held
   fixed in later offers.
3. A *repeatable* separable issue (an exchange of prisoners or bodies) is never settled
   for good: each time it would be, an **exchange** is recorded (round, value, size) and
   the issue stays open at its status quo, ready for the next exchange.

A party with an agenda (``settle_first``) rejects, while an agenda issue is open, every
full package and every interim offer that reaches beyond its agenda. Every rejection is
recorded with its reason: the agenda, a plain red line, a linked red line (condition),
or a demand the offer does not meet.
"""

from __future__ import annotations

import math
from typing import NamedTuple, Protocol

import numpy as np

from sim.behaviour.offers import TOUCH_TOLERANCE, Bid, OfferSet, evaluate_bid
from sim.behaviour.separable import separable_offer
from sim.behaviour.strategies.base import MEDIATOR_INDEX, Offer, RoundContext
from sim.game import Game

PROPOSER, ACCEPT, REJECT, SILENT = "proposer", "accept", "reject", ""
TALKS, TRUCE = "talks", "truce"
BELOW_THRESHOLD = "demand not met"


class Negotiator(Protocol):
    """What a round needs from a party (the Mesa agents implement it). A mediator has
    ``index`` :data:`MEDIATOR_INDEX` and is only asked to propose."""

    index: int
    party_id: str

    def threshold(self, ctx: RoundContext) -> float: ...

    def propose(self, ctx: RoundContext, threshold: float) -> Bid: ...

    def accepts(self, ctx: RoundContext, bid: Bid, threshold: float) -> bool: ...


class RoundRecord(NamedTuple):
    """What happened in one round (round numbers count from 1).

    ``blocked`` holds, per party, why it rejected the offer ("" unless it did);
    ``exchanged`` the repeatable issues exchanged this round; ``side`` per issue the
    value agreed on its own this round (NaN elsewhere); ``phase`` is ``talks``, or
    ``truce`` for a round after a full agreement in which only compliance is at stake.
    """

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
    blocked: tuple[str, ...] = ()
    exchanged: tuple[int, ...] = ()
    side: np.ndarray | None = None
    phase: str = TALKS


class Exchange(NamedTuple):
    """One agreed exchange on a repeatable issue: its value, its size (the share of the
    issue's span it moved from the status quo) and the round."""

    issue: int
    value: float
    size: float
    round: int


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
        self.exchanges: list[Exchange] = []
        self.agreement_round: int | None = None
        self.active = np.ones(game.n_parties, dtype=bool)
        self.rounds_without_progress = 0  # consecutive latest rounds settling no issue
        self.pressure: list[float] | None = None  # aspiration given up per party (events)
        self._interim: tuple[tuple[int, bytes], OfferSet] | None = None  # this round's
        self.open_separable = [int(j) for j in np.flatnonzero(game.separable)]
        self.turns_per_step = game.turns_per_step
        self._no_side = np.full(game.n_issues, np.nan)  # a turn's side deals: none
        self._no_side.flags.writeable = False
        self.reservation = game.memo("reservation", lambda: game.reservation(game.status_quo))
        self._offers: OfferSet | None = None
        self._offer_inputs: tuple[np.ndarray, np.ndarray, np.ndarray]  # see _refresh_offers
        self._refresh_offers()

    @property
    def done(self) -> bool:
        """The horizon is reached, or a full agreement leaves nothing to watch (no
        ceasefire whose keeping is at stake)."""
        if len(self.records) >= self.max_rounds:
            return True
        return self.agreement_round is not None and not self.ceasefire_in_force()

    def ceasefire_in_force(self) -> bool:
        """Whether an agreed value of the ceasefire issue is a general ceasefire."""
        zone = self.game.ceasefire
        return zone is not None and bool(self.game.in_ceasefire_zone(self.settled[zone[0]]))

    @property
    def offers(self) -> OfferSet:
        """The offer set of the state at the last :meth:`_refresh_offers`, built when first
        read: a state that changes again before any offer is made (the game replaced by
        an event of round 1, say) builds none."""
        if self._offers is None:
            self._offers = self.game.offer_set(*self._offer_inputs)
        return self._offers

    def _refresh_offers(self) -> None:
        """Take the current state (settled issues, who is at the table, status quo) as the
        offer set's, and update ``consent`` (the game's rule minus withdrawn parties) and
        ``third_party_issue`` (the issues a third party controls)."""
        self.consent, self.third_party_issue = self.game.consent_of(self.active)
        self._offers = None
        self._offer_inputs = (self.settled.copy(), self.active.copy(), self.status_quo.copy())

    def set_game(self, game: Game) -> None:
        """Continue under changed preferences (a position shift or consultation)."""
        self.game = game
        self._refresh_offers()

    def withdraw(self, party: int) -> None:
        """``party`` leaves the talks: offers no longer need its consent."""
        self.active[party] = False
        self._refresh_offers()

    def move_status_quo(self, issue: int, value: float) -> None:
        """The war moves an open issue's status quo (the line of control)."""
        if not math.isnan(self.settled[issue]) or value == self.status_quo[issue]:
            return
        self.status_quo[issue] = value
        if self.third_party_issue[issue]:
            self._refresh_offers()  # who must consent depends on the status quo

    def agenda_scope(self, party: int) -> np.ndarray | None:
        """The issues ``party`` may discuss now: its open agenda issues plus the open
        separable ones, or ``None`` when it has no agenda or its agenda is settled."""
        agenda = self.game.agenda[party] if self.game.agenda else None
        if agenda is None or party == MEDIATOR_INDEX:
            return None
        open_ = np.isnan(self.settled)
        if not (agenda & open_).any():
            return None
        return (agenda | self.game.separable) & open_

    def context(self, round_index: int, scope: np.ndarray | None = None) -> RoundContext:
        """The context of round ``round_index`` (counting from 0); with a ``scope`` the
        offers are the interim offer set of that scope."""
        g, sq, consent = self.game, self.status_quo.copy(), self.consent
        offers = self.offers
        if scope is not None:
            offers = self._interim_offers(round_index, scope)
        return RoundContext(
            round_index,
            self.max_rounds,
            offers,
            self.reservation,  # a new array every round (never changed in place)
            self.history,
            status_quo=sq,
            discount=g.discount,
            evaluate=lambda x: evaluate_bid(g.prefs, x, sq, consent),
            space=g.space,
            pressure=self.pressure,
            turns_per_step=self.turns_per_step,
        )

    def _interim_offers(self, round_index: int, scope: np.ndarray) -> OfferSet:
        """The interim offer set of ``scope`` in round ``round_index`` (kept for the round:
        several parties may see the same one)."""
        key = (round_index, scope.tobytes())
        if self._interim is None or self._interim[0] != key:
            offers = self.game.offer_set(self.settled, self.active, self.status_quo, scope)
            self._interim = (key, offers)
        return self._interim[1]

    def outside_agenda(self, party: int, bid: Bid) -> bool:
        """Whether ``bid`` goes beyond ``party``'s pending agenda (so that ``party``
        rejects it): a full package would settle the open issues outside the agenda, an
        interim offer must not move them."""
        scope = self.agenda_scope(party)
        if scope is None:
            return False
        others = np.isnan(self.settled) & ~scope
        if bid.scope is None:
            return bool(others.any())
        moved = np.abs(bid.outcome - self.status_quo) > TOUCH_TOLERANCE
        return bool(((moved | bid.scope) & others).any())

    def rejection_reason(self, party: int, bid: Bid) -> str:
        """Why ``party`` rejects ``bid``: agenda, red lines, conditions, or its demand."""
        if self.outside_agenda(party, bid):
            first = self.game.agenda[party] & np.isnan(self.settled)
            return "agenda: " + ", ".join(self.game.issue_ids[j] for j in np.flatnonzero(first))
        issues, links = self.game.prefs.crossed(bid.outcome, party, bid.scope)
        reasons = [f"red line {self.game.issue_ids[j]}" for j in issues]
        reasons += [f"condition {c}" for c in links]
        return "; ".join(reasons) or BELOW_THRESHOLD

    def resolve(
        self,
        ctx: RoundContext,
        proposer: Negotiator,
        bid: Bid,
        responses: list[str],
        thresholds: np.ndarray,
    ) -> RoundRecord:
        """Apply the round's offer and responses (see the module docstring)."""
        outcome = bid.outcome
        self.history.append(Offer(ctx.round, proposer.index, outcome, bid.utilities))
        agreed = REJECT not in responses
        exchanged: list[int] = []
        side = np.full(self.game.n_issues, np.nan)
        if agreed and bid.scope is None:
            settled = self._settle_all(outcome, ctx.round)
        elif agreed:
            settled = self._settle_scope(outcome, bid.scope, ctx.round, exchanged)
        else:
            settled = self._settle_separable(proposer.index, ctx.round, exchanged, side)
        blocked = tuple(
            self.rejection_reason(i, bid) if r == REJECT else "" for i, r in enumerate(responses)
        )
        return self._record(
            ctx.round,
            ctx.reservation,
            proposer,
            bid,
            responses,
            thresholds,
            settled,
            blocked,
            exchanged,
            side,
        )

    def resolve_turn(
        self,
        round_index: int,
        proposer: Negotiator,
        bid: Bid,
        responses: list[str] | tuple[str, ...],
        thresholds: np.ndarray,
        agreed: bool,
    ) -> RoundRecord:
        """Record turn ``round_index`` (from 0) of the stacked alternating offers protocol
        (:mod:`sim.behaviour.stacked`): the standing offer ``bid`` of ``proposer`` with
        the responses given to it so far, settling every open issue when ``agreed``. A
        standing offer is a full package; there are no side deals on separable issues."""
        settled = self._settle_all(bid.outcome, round_index) if agreed else []
        return self._record(
            round_index,
            self.reservation,
            proposer,
            bid,
            responses,
            thresholds,
            settled,
            ("",) * len(responses),
            [],
            self._no_side,
        )

    def _record(
        self,
        round_index: int,
        reservation: np.ndarray,
        proposer: Negotiator,
        bid: Bid,
        responses: list[str],
        thresholds: np.ndarray,
        settled: list[int],
        blocked: tuple[str, ...],
        exchanged: list[int],
        side: np.ndarray,
    ) -> RoundRecord:
        """Append the round's :class:`RoundRecord` and track progress."""
        record = RoundRecord(
            round_index + 1,
            proposer.index,
            proposer.party_id,
            bid.outcome,
            bid.utilities,
            thresholds,
            reservation,
            tuple(responses),
            tuple(settled),
            self.agreement_round == round_index + 1,
            blocked,
            tuple(exchanged),
            side,
        )
        self._append(record)
        return record

    def replay(self, record: RoundRecord) -> None:
        """Append a planned turn's record (:func:`~sim.behaviour.stacked.replay_records`),
        settling every open issue when it is an agreement."""
        if record.agreement:
            self._settle_all(record.outcome, record.round - 1)
        self._append(record)

    def _append(self, record: RoundRecord) -> None:
        """Append ``record`` and track progress."""
        self.records.append(record)
        progress = record.settled or record.exchanged
        self.rounds_without_progress = 0 if progress else self.rounds_without_progress + 1
        if record.settled and self.agreement_round is None:
            self._refresh_offers()

    def record_truce(self, round_index: int) -> RoundRecord:
        """A round after a full agreement: nothing is offered, the ceasefire is watched."""
        final = self.final_outcome()
        n = self.game.n_parties
        record = RoundRecord(
            round_index + 1,
            MEDIATOR_INDEX,
            "",
            final,
            self.game.prefs.utilities(final)[0],
            np.full(n, np.nan),
            self.reservation,
            (SILENT,) * n,
            (),
            False,
            (SILENT,) * n,
            (),
            np.full(self.game.n_issues, np.nan),
            TRUCE,
        )
        self.records.append(record)
        return record

    def _settle_all(self, outcome: np.ndarray, round_index: int) -> list[int]:
        open_issues = np.flatnonzero(np.isnan(self.settled))
        self.settled[open_issues] = outcome[open_issues]
        self.status_quo = self.settled.copy()
        self.agreement_round = round_index + 1
        self.open_separable = []
        return [int(j) for j in open_issues]

    def _settle_scope(
        self, outcome: np.ndarray, scope: np.ndarray, round_index: int, exchanged: list[int]
    ) -> list[int]:
        """An accepted interim offer: the moved issues of its scope are settled
        (repeatable ones exchanged); a full agreement once nothing stays open."""
        moved = np.abs(outcome - self.status_quo) > TOUCH_TOLERANCE
        done: list[int] = []
        for j in np.flatnonzero(scope & moved & np.isnan(self.settled)).tolist():
            if self.game.repeatable[j]:
                self._exchange(j, outcome[j], round_index, exchanged)
            else:
                self._settle(j, float(outcome[j]), round_index)
                done.append(j)
        if not np.isnan(self.settled).any():
            self.agreement_round = round_index + 1
        return done

    def _settle(self, j: int, x: float, round_index: int) -> None:
        self.settled[j] = self.status_quo[j] = x
        self.partials.append((j, x, round_index + 1))
        if j in self.open_separable:
            self.open_separable.remove(j)

    def _exchange(self, j: int, x: float, round_index: int, exchanged: list[int]) -> None:
        span = self.game.prefs.hi[j] - self.game.prefs.lo[j]
        size = abs(x - self.status_quo[j]) / span
        self.exchanges.append(Exchange(j, float(x), float(size), round_index + 1))
        exchanged.append(j)

    def _settle_separable(
        self, proposer: int, round_index: int, exchanged: list[int], side: np.ndarray
    ) -> list[int]:
        """The proposer's deals on single separable issues (module docstring, step 2)."""
        done: list[int] = []
        for j in list(self.open_separable):
            x = separable_offer(self.game, j, self.status_quo, self.consent[j], proposer)
            if x is None:
                continue
            side[j] = x
            if self.game.repeatable[j]:
                self._exchange(j, x, round_index, exchanged)
            else:
                self._settle(j, x, round_index)
                done.append(j)
        return done

    def reopen(self, before: np.ndarray, keep: np.ndarray) -> list[int]:
        """A broken agreement: every settled issue not in ``keep`` is open again at its
        status quo ``before`` the agreement (the war resumes over it)."""
        reopened = [int(j) for j in np.flatnonzero(~np.isnan(self.settled) & ~keep)]
        self.settled[reopened] = np.nan
        self.status_quo[reopened] = before[reopened]
        self.agreement_round = None
        self.open_separable = [
            int(j) for j in np.flatnonzero(self.game.separable & np.isnan(self.settled))
        ]
        self._refresh_offers()
        return reopened

    def final_outcome(self) -> np.ndarray:
        """Settled values where agreed, the status quo elsewhere."""
        return np.where(np.isnan(self.settled), self.status_quo, self.settled)

    def outcome_kind(self) -> str:
        """``agreement``, ``partial`` (some issue settled or exchanged) or ``none``."""
        if self.agreement_round is not None:
            return "agreement"
        return "partial" if self.partials or self.exchanges else "none"

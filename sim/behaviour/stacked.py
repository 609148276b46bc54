"""The stacked alternating offers protocol (``protocol.kind: stacked_alternating``).

Aydoğan, Festen, Hindriks & Jonker (2017), "Alternating offers protocols for multilateral
negotiation"; NegMAS's ``SAOMechanism``. One Mesa step (one round of the run, one row of
``rounds.csv``) is one *turn*: the parties of ``proposer_order`` take turns in that order,
and the party whose turn it is, at relative time t = (step + 1) / (steps + 1) (NegMAS's
``relative_time``), acts as below. With ``protocol.turns_per_step: one`` (default;
NegMAS's ``one_offer_per_step=True``) a step of the clock is one turn: step = round,
steps = max_rounds. With ``every_party`` (NegMAS's default) a step of the clock is one
turn of every party: step = round // n, steps = max_rounds // n for n parties.

1. if another party's offer is standing and needs its consent, it **accepts** it when
   the offer respects its red lines and gives it at least its threshold at t;
2. otherwise it **rejects** it and its own offer (at its threshold, by the offer
   policy) becomes the standing offer; the first turn has no standing offer and offers.

An offer is agreed once every other party whose consent it needs has accepted it since
it was made (in a two-party negotiation: as soon as the other party accepts it). The
record of a turn shows the standing offer after the turn: who made it, who has accepted
it so far (``accept``), the proposer (``proposer``) and the others (``""``); only the
acting party's threshold is recorded (NaN for the others, who do not act). Every offer
is a full package: no side deals on separable issues, no agendas.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from sim.behaviour.negotiation import ACCEPT, PROPOSER, SILENT, Negotiation, Negotiator, RoundRecord
from sim.behaviour.offers import (
    LOWEST_OWN_UTILITY,
    SCORE_TOLERANCE,
    Bid,
    OfferSet,
    lowest_own_utility_many,
)
from sim.behaviour.strategies.base import Offer, Strategy, relative_time
from sim.behaviour.strategies.time_based import TimeDependent, time_dependent_threshold
from sim.game import Game

STACKED = "stacked_alternating"


@dataclass
class Table:
    """The standing offer: its bid, its proposer (−1 before the first offer) and, per
    party, whether it has accepted the offer since it was made."""

    bid: Bid | None = None
    proposer: int = -1
    accepted: list[bool] = field(default_factory=list)


def play_turn(
    negotiation: Negotiation,
    parties: list[Negotiator],
    actor: Negotiator,
    round_index: int,
    table: Table,
) -> RoundRecord:
    """One turn of ``actor`` (see the module docstring); updates ``table``."""
    ctx = negotiation.context(round_index)
    me = actor.index
    threshold = actor.threshold(ctx)
    thresholds = np.full(len(parties), math.nan)
    thresholds[me] = threshold
    bid = table.bid
    standing = bid is not None and table.proposer != me and bid.needs_consent[me]
    if standing and actor.accepts(ctx, bid, threshold):
        table.accepted[me] = True
        needed = bid.needs_consent & negotiation.active
        needed[table.proposer] = False
        agreed = all(table.accepted[i] for i in np.flatnonzero(needed).tolist())
        proposer = parties[table.proposer]
        return negotiation.resolve_turn(
            round_index, proposer, bid, _responses(table, len(parties)), thresholds, agreed
        )
    bid = actor.propose(ctx, threshold)
    table.bid, table.proposer = bid, me
    table.accepted = [False] * len(parties)
    negotiation.history.append(Offer(round_index, me, bid.outcome, bid.utilities))
    return negotiation.resolve_turn(
        round_index, actor, bid, _responses(table, len(parties)), thresholds, False
    )


def _responses(table: Table, n: int) -> list[str]:
    """Per party: ``proposer`` of the standing offer, ``accept`` if it has accepted it,
    else ``""``."""
    return [
        PROPOSER if i == table.proposer else ACCEPT if table.accepted[i] else SILENT
        for i in range(n)
    ]


class Turn(NamedTuple):
    """One planned turn: the acting party and its threshold, the standing offer after the
    turn (its proposer, row of the offer set and that row as a :class:`Bid`), the
    responses to it so far, and whether it is agreed."""

    actor: int
    threshold: float
    thresholds: np.ndarray
    proposer: int
    option: int
    responses: tuple[str, ...]
    agreed: bool
    bid: Bid | None = None


def plannable(scenario, strategies: list[Strategy]) -> bool:
    """Whether a run can follow :func:`plan_turns`: the stacked protocol with the
    ``lowest_own_utility`` policy, only time-dependent strategies, and nothing that
    changes the offers, bounds or parties during the run (no war, no events, no
    patience)."""
    protocol = scenario.protocol
    return (
        protocol.kind == STACKED
        and protocol.offer_policy == LOWEST_OWN_UTILITY
        and scenario.war is None
        and not scenario.events
        and all(p.patience is None for p in scenario.parties)
        and all(isinstance(s, TimeDependent) for s in strategies)
    )


def plan_game(game: Game, strategies: list[Strategy], max_rounds: int) -> list[Turn] | None:
    """The planned turns of ``game`` from its start with these ``strategies`` (in party
    order), or ``None`` when the run cannot follow a plan (:func:`plannable`)."""
    if not plannable(game.scenario, strategies):
        return None
    offers = game.offer_set(
        np.full(game.n_issues, np.nan), np.ones(game.n_parties, dtype=bool), game.status_quo
    )
    order = [game.index(pid) for pid in game.scenario.protocol.proposer_order]
    reservation = game.reservation(game.status_quo)
    return plan_turns(offers, reservation, strategies, order, max_rounds, game.turns_per_step)


def plan_turns(
    offers: OfferSet,
    reservation: np.ndarray,
    strategies: list[TimeDependent],
    order: list[int],
    max_rounds: int,
    turns_per_step: int = 1,
) -> list[Turn]:
    """The whole negotiation of time-dependent parties, turn by turn, until agreement or
    the horizon (the fast path of :func:`play_turn`, which it reproduces exactly when
    :func:`plannable`; ``tests/test_stacked.py`` checks this).

    A time-dependent threshold depends on the step alone, so every turn's threshold is
    known in advance (the same :func:`time_dependent_threshold`, floored at the
    reservation as :meth:`Strategy.threshold` does), and each party's offers for all its
    turns are found at once (:func:`lowest_own_utility_many`); only the acceptances are
    walked through turn by turn. ``order`` holds the party index of each position of
    ``proposer_order``.
    """
    n = len(strategies)
    lo = np.maximum(offers.worst, reservation).tolist()
    hi = offers.best.tolist()
    floor = reservation.tolist()
    actors = [order[k % len(order)] for k in range(max_rounds)]
    thresholds = [
        max(
            time_dependent_threshold(
                lo[a],
                hi[a],
                relative_time(k, max_rounds, turns_per_step),
                strategies[a].exponent,
                strategies[a].params.tolerance,
            ),
            floor[a],
        )
        for k, a in enumerate(actors)
    ]
    planned = np.empty(max_rounds, dtype=np.int64)
    by_actor = np.array(actors)
    levels = np.array(thresholds)
    for a in range(n):
        mine = by_actor == a
        snap = strategies[a].params.snap
        planned[mine] = lowest_own_utility_many(offers, a, levels[mine], snap)
    recorded = np.full((max_rounds, n), math.nan)  # each turn: the actor's threshold only
    recorded[np.arange(max_rounds), by_actor] = levels
    recorded.flags.writeable = False
    rows = Rows(
        offers.utilities[planned].tolist(),
        offers.acceptable[planned].tolist(),
        offers.needs_consent[planned].tolist(),
    )
    turns = _walk(actors, thresholds, planned.tolist(), rows, recorded)
    bids = {option: offers.bid(option) for option in {t.option for t in turns}}
    return [t._replace(bid=bids[t.option]) for t in turns]


class Rows(NamedTuple):
    """Per turn, the offer set's rows of the offer the actor would make: every party's
    utility, red-line check and whether its consent is needed."""

    utilities: list[list[float]]
    acceptable: list[list[bool]]
    needs: list[list[bool]]


def _walk(
    actors: list[int],
    thresholds: list[float],
    planned: list[int],
    rows: Rows,
    recorded: np.ndarray,
) -> list[Turn]:
    """The turns, given each turn's actor, threshold and the offer it would make."""
    n = recorded.shape[1]
    labels_of: dict[tuple[int, tuple[bool, ...]], tuple[str, ...]] = {}

    def labels(proposer: int, accepted: list[bool]) -> tuple[str, ...]:
        key = (proposer, tuple(accepted))
        if key not in labels_of:
            labels_of[key] = _labels(proposer, accepted)
        return labels_of[key]

    turns: list[Turn] = []
    made, proposer, accepted = -1, -1, [False] * n  # the turn that made the standing offer
    for k, (a, threshold) in enumerate(zip(actors, thresholds, strict=True)):
        if (
            made >= 0
            and proposer != a
            and rows.needs[made][a]
            and rows.acceptable[made][a]
            and rows.utilities[made][a] >= threshold - SCORE_TOLERANCE
        ):
            accepted[a] = True
            needs = rows.needs[made]
            agreed = all(accepted[i] for i in range(n) if needs[i] and i != proposer)
            said = labels(proposer, accepted)
            turns.append(Turn(a, threshold, recorded[k], proposer, planned[made], said, agreed))
            if agreed:
                break
            continue
        made, proposer, accepted = k, a, [False] * n
        turns.append(Turn(a, threshold, recorded[k], a, planned[k], labels(a, accepted), False))
    return turns


def _labels(proposer: int, accepted: list[bool]) -> tuple[str, ...]:
    return tuple(
        PROPOSER if i == proposer else ACCEPT if ok else SILENT for i, ok in enumerate(accepted)
    )


class Replay(NamedTuple):
    """A planned turn as a run records it: the offer it adds to the history (``None``
    when the actor accepts) and its :class:`RoundRecord` (immutable, shared by every run
    of the game)."""

    offer: Offer | None
    record: RoundRecord


def replay_records(game: Game, turns: list[Turn]) -> list[Replay]:
    """Every planned turn's offer and record exactly as :func:`play_turn` makes them in a
    run that follows the plan (``tests/test_stacked.py`` compares them): nothing moves
    the status quo, so every record holds the reservation values at the start
    (:meth:`~sim.game.Game.reservation`), and an agreed turn settles every issue."""
    n, m = game.n_parties, game.n_issues
    reservation = game.reservation(game.status_quo)
    side = np.full(m, math.nan)
    for array in (reservation, side):
        array.flags.writeable = False
    ids = game.party_ids
    blocked = (SILENT,) * n
    out = []
    for k, turn in enumerate(turns):
        bid = turn.bid
        made = turn.proposer == turn.actor
        offer = Offer(k, turn.actor, bid.outcome, bid.utilities) if made else None
        settled = tuple(range(m)) if turn.agreed else ()
        record = RoundRecord(
            k + 1,
            turn.proposer,
            ids[turn.proposer],
            bid.outcome,
            bid.utilities,
            turn.thresholds,
            reservation,
            turn.responses,
            settled,
            turn.agreed,
            blocked,
            (),
            side,
        )
        out.append(Replay(offer, record))
    return out

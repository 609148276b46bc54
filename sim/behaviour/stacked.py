"""The stacked alternating offers protocol (``protocol.kind: stacked_alternating``).

Aydoğan, Festen, Hindriks & Jonker (2017), "Alternating offers protocols for multilateral
negotiation"; NegMAS's ``SAOMechanism`` with ``one_offer_per_step=True``. One *step* (one
Mesa step, one round of the run) is one *turn*: the parties of ``proposer_order`` take
turns in that order, and the party whose turn it is, at relative time
t = (step + 1) / (max_rounds + 1) (step counted from 0, as NegMAS's ``relative_time``):

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

import numpy as np

from sim.behaviour.negotiation import ACCEPT, PROPOSER, SILENT, Negotiation, Negotiator, RoundRecord
from sim.behaviour.offers import Bid
from sim.behaviour.strategies.base import Offer

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
            ctx, proposer, bid, _responses(table, len(parties)), thresholds, agreed
        )
    bid = actor.propose(ctx, threshold)
    table.bid, table.proposer = bid, me
    table.accepted = [False] * len(parties)
    negotiation.history.append(Offer(ctx.round, me, bid.outcome, bid.utilities))
    return negotiation.resolve_turn(
        ctx, actor, bid, _responses(table, len(parties)), thresholds, False
    )


def _responses(table: Table, n: int) -> list[str]:
    """Per party: ``proposer`` of the standing offer, ``accept`` if it has accepted it,
    else ``""``."""
    return [
        PROPOSER if i == table.proposer else ACCEPT if table.accepted[i] else SILENT
        for i in range(n)
    ]

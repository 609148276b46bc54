"""One negotiation round: thresholds, the proposal and the responses.

Every party sets its threshold (a party with a pending agenda on the interim offer set of
its agenda), the proposer offers, and every party whose consent the offer needs answers;
an interim offer is answered with thresholds set on its own offer set. The
:class:`~sim.behaviour.negotiation.Negotiation` then resolves the round.
"""

from __future__ import annotations

import math

import numpy as np

from sim.behaviour.negotiation import (
    ACCEPT,
    PROPOSER,
    REJECT,
    SILENT,
    Negotiation,
    Negotiator,
    RoundRecord,
)
from sim.behaviour.strategies.base import MEDIATOR_INDEX, RoundContext


def play_round(
    negotiation: Negotiation, parties: list[Negotiator], proposer: Negotiator, round_index: int
) -> RoundRecord:
    """One round: every party sets its threshold, ``proposer`` offers, the others respond.

    The proposer is a negotiating party or a mediator. A party with a pending agenda sets
    its threshold on, and proposes from, the interim offer set of its agenda. An interim
    offer is answered with thresholds set on the interim offer set of its scope (what
    such a deal can give). A party is asked to respond only when the offer needs its
    consent; it rejects at once an offer outside its pending agenda.
    """
    ctx = negotiation.context(round_index)
    contexts = [_context_of(negotiation, p, ctx, round_index) for p in parties]
    thresholds = [p.threshold(c) for p, c in zip(parties, contexts, strict=True)]
    mine = proposer.index != MEDIATOR_INDEX
    own = thresholds[proposer.index] if mine else math.nan
    bid = proposer.propose(contexts[proposer.index] if mine else ctx, own)
    if bid.scope is not None:  # answer an interim offer on its own terms
        interim = negotiation.context(round_index, bid.scope)
        for p in parties:
            if p.index != proposer.index and contexts[p.index].offers.scope is None:
                contexts[p.index] = interim
                thresholds[p.index] = p.threshold(interim)
    needs_consent = bid.needs_consent.tolist()
    responses = []
    for p, c in zip(parties, contexts, strict=True):
        if p.index == proposer.index:
            responses.append(PROPOSER)
        elif needs_consent[p.index]:
            ok = not negotiation.outside_agenda(p.index, bid) and p.accepts(
                c, bid, thresholds[p.index]
            )
            responses.append(ACCEPT if ok else REJECT)
        else:
            responses.append(SILENT)
    return negotiation.resolve(ctx, proposer, bid, responses, np.array(thresholds))


def _context_of(
    negotiation: Negotiation, party: Negotiator, ctx: RoundContext, round_index: int
) -> RoundContext:
    """The round's context as ``party`` sees it (its interim offer set under an agenda)."""
    scope = negotiation.agenda_scope(party.index)
    return ctx if scope is None else negotiation.context(round_index, scope)

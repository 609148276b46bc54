"""The set of offers a proposer chooses from, and the proposal rule shared by strategies."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from sim.theory.frontier import Options
from sim.theory.preferences import LINK_TOLERANCE, Preferences

TOUCH_TOLERANCE = 1e-9
SCORE_TOLERANCE = 1e-12
BEST_FOR_RESPONDER, LOWEST_OWN_UTILITY = "best_for_responder", "lowest_own_utility"
"""The offer policies (``protocol.offer_policy``): see :func:`choose_offer`."""


class Ranked(NamedTuple):
    """One proposer's view of an offer set: the outcomes within its red lines, ordered by
    decreasing utility to it (ties by increasing index), so that "every outcome giving me
    at least t" is a prefix of these arrays.

    Attributes:
        index: (k_me,) outcome indices in that order.
        descending: (k_me,) minus the proposer's utilities in that order (ascending, so
            the prefix length is one ``searchsorted``).
        screened: (n, k_me) every party's utility, columns in that order (parties as
            rows: the per-outcome minimum over parties is then a fast reduction),
            replaced by +inf where that party's consent is not needed (or it is the
            proposer) and by −inf where the outcome crosses its red line.
        fallback: the outcome offered when nothing reaches the threshold: the proposer's
            best outcome within its red lines (its best outcome if none respects them).
        group_start: (k_me,) for each position, the first position with the same
            proposer utility (where its run of equal utilities starts).
    """

    index: np.ndarray
    descending: np.ndarray
    screened: np.ndarray
    fallback: int
    group_start: np.ndarray


@dataclass(frozen=True)
class OfferSet:
    """Candidate agreements for the current round.

    Attributes:
        outcomes: (k, m) outcome vectors (settled issues held at their settled value).
        utilities: (k, n) every party's utility for each outcome.
        acceptable: (k, n) whether each outcome respects each party's red lines.
        needs_consent: (k, n) parties who must accept the outcome: the principals, and the
            third parties that control an issue the outcome moves off its status quo.
        best, worst: (n,) each party's highest and lowest utility over the outcomes that
            respect its red lines (the "hi" and "worst" of the concession rules; over all
            outcomes for a party whose red lines exclude every outcome).
        ranked: per party, its :class:`Ranked` view (used by :func:`choose_offer`).
        scope: (m,) the issues an accepted offer settles, or ``None`` for every open
            issue (a full agreement); an interim offer set (a party's agenda) holds the
            other issues at their status quo.
        policy: how a proposer picks among the outcomes (:func:`choose_offer`).
    """

    outcomes: np.ndarray
    utilities: np.ndarray
    acceptable: np.ndarray
    needs_consent: np.ndarray
    best: np.ndarray
    worst: np.ndarray
    ranked: tuple[Ranked, ...]
    scope: np.ndarray | None = None
    policy: str = BEST_FOR_RESPONDER

    def __len__(self) -> int:
        return len(self.outcomes)

    def bid(self, option: int) -> Bid:
        """The offer set's row ``option`` as a :class:`Bid`."""
        return Bid(
            self.outcomes[option],
            self.utilities[option],
            self.acceptable[option],
            self.needs_consent[option],
            self.scope,
        )


class Bid(NamedTuple):
    """One offer on the table: the outcome, every party's utility for it, whether it
    respects each party's red lines (plain and linked), whose consent it needs, and the
    issues it settles if accepted (``None``: every open issue)."""

    outcome: np.ndarray
    utilities: np.ndarray
    acceptable: np.ndarray
    needs_consent: np.ndarray
    scope: np.ndarray | None = None


def evaluate_bid(
    prefs: Preferences, outcome: np.ndarray, status_quo: np.ndarray, consent: np.ndarray
) -> Bid:
    """A :class:`Bid` for any outcome (not only those of the offer set)."""
    touches = np.abs(outcome - status_quo) > TOUCH_TOLERANCE
    needs = (touches[None, :].astype(int) @ consent.astype(int))[0] > 0
    needs |= consent.all(axis=0)
    return Bid(outcome, prefs.utilities(outcome)[0], prefs.acceptable(outcome)[0], needs)


def build_offer_set(
    options: Options,
    status_quo: np.ndarray,
    consent: np.ndarray,
    scope: np.ndarray | None = None,
    policy: str = BEST_FOR_RESPONDER,
) -> OfferSet:
    """The round's offer set: ``options`` plus who must consent given the status quo."""
    touches = np.abs(options.outcomes - status_quo) > TOUCH_TOLERANCE
    needs = (touches.astype(float) @ consent.astype(float)) > 0  # counts: exact in floats
    needs |= consent.all(axis=0)
    best, worst = _extremes(options)
    n = options.utilities.shape[1]
    screens = None  # the lowest_own_utility policy never reads ``screened``
    if policy != LOWEST_OWN_UTILITY:  # parties as rows, as ``screened`` holds them
        screens = (needs.T.copy(), np.where(options.acceptable, options.utilities, -np.inf).T)
    ranked = tuple(_ranked(options, me, screens) for me in range(n))
    return OfferSet(
        options.outcomes,
        options.utilities,
        options.acceptable,
        needs,
        best,
        worst,
        ranked,
        scope,
        policy,
    )


def moved_status_quo(
    offers: OfferSet, prefs: Preferences, outside: np.ndarray, status_quo: np.ndarray
) -> OfferSet | None:
    """An interim offer set whose held issues (``outside``, at their status quo in every
    outcome) now sit at a new ``status_quo``: by additive separability every party's
    utility moves by the same constant in every outcome, so Pareto efficiency, rankings
    and ties are unchanged and the set is ``offers`` shifted. ``None`` when the move
    changes which outcomes a party accepts (a clause of a linked red line on a held issue
    flips): the set must then be built anew."""
    if len(offers) == 0:
        return offers
    before = offers.outcomes[0]
    if _held_clauses(prefs, offers.scope, outside, before) != _held_clauses(
        prefs, offers.scope, outside, status_quo
    ):
        return None
    outcomes = offers.outcomes.copy()
    outcomes[:, outside] = status_quo[outside]
    offset = np.zeros(prefs.n_parties)
    for j in np.flatnonzero(outside & (status_quo != before)):
        values = prefs.issue_values(j, np.array([status_quo[j], before[j]]))
        offset += prefs.weights[:, j] * (values[:, 0] - values[:, 1])
    ranked = tuple(
        Ranked(
            r.index,
            r.descending - offset[me],
            r.screened + offset[:, None],
            r.fallback,
            r.group_start,
        )
        for me, r in enumerate(offers.ranked)
    )
    return OfferSet(
        outcomes,
        offers.utilities + offset,
        offers.acceptable,
        offers.needs_consent,
        offers.best + offset,
        offers.worst + offset,
        ranked,
        offers.scope,
        offers.policy,
    )


def _held_clauses(
    prefs: Preferences, scope: np.ndarray | None, outside: np.ndarray, values: np.ndarray
) -> tuple[bool, ...]:
    """Whether each clause on a held issue of every linked red line that binds within
    ``scope`` holds at ``values`` (all an interim set's acceptability depends on beyond
    the scope's own values)."""
    return tuple(
        lo - LINK_TOLERANCE <= values[k] <= hi + LINK_TOLERANCE
        for line in prefs.conditions
        if scope is None or scope[line.issue]
        for option in line.options
        for k, lo, hi in option
        if outside[k]
    )


def _extremes(options: Options) -> tuple[np.ndarray, np.ndarray]:
    """Each party's best and worst utility over the outcomes within its red lines (over
    all outcomes for a party whose red lines exclude every outcome)."""
    u = options.utilities
    if len(u) == 0:
        return np.zeros(u.shape[1]), np.zeros(u.shape[1])
    ok = options.acceptable | ~options.acceptable.any(axis=0)[None, :]
    return np.where(ok, u, -np.inf).max(axis=0), np.where(ok, u, np.inf).min(axis=0)


def _ranked(options: Options, me: int, screens: tuple[np.ndarray, np.ndarray] | None) -> Ranked:
    """``me``'s :class:`Ranked` view of the options (see there). ``screens`` are, parties
    as rows, whose consent each outcome needs and every party's utility with −inf where
    the outcome crosses its red line (the same for every proposer); without them
    ``screened`` is left empty."""
    negated = -options.utilities[:, me]
    order = np.argsort(negated, kind="stable")
    mine = order[options.acceptable[:, me][order]]
    fallback = int(mine[0] if mine.size else order[0])
    descending = negated[mine]
    group_start = descending.searchsorted(descending, side="left")
    if screens is None:
        empty = np.empty((options.utilities.shape[1], 0))
        return Ranked(mine, descending, empty, fallback, group_start)
    needs, crossed = screens
    screened = np.where(np.take(needs, mine, axis=1), np.take(crossed, mine, axis=1), np.inf)
    screened[me] = np.inf  # the proposer's own consent is not asked
    return Ranked(mine, descending, screened, fallback, group_start)


def choose_offer(offers: OfferSet, me: int, threshold: float, reservation: np.ndarray) -> int:
    """The outcome ``me`` offers at ``threshold``, by the offer set's policy:
    :func:`best_for_responder` or :func:`lowest_own_utility`."""
    if offers.policy == LOWEST_OWN_UTILITY:
        return lowest_own_utility(offers, me, threshold)
    return best_for_responder(offers, me, threshold, reservation)


def lowest_own_utility(offers: OfferSet, me: int, threshold: float, snap: float = 0.0) -> int:
    """The outcome within ``me``'s red lines with the lowest utility to ``me`` at or above
    ``threshold`` (the GENIUS/NegMAS convention for time-dependent agents: Fatima,
    Wooldridge & Jennings 2001; NegMAS ``worst_in``). Ties (exactly equal u_me) go to the
    lowest outcome index, i.e. the first in enumeration order (see
    :mod:`sim.behaviour.all_outcomes`). If no outcome reaches the threshold, ``me``
    offers its best outcome (the first of its ties).

    ``snap`` > 0 reproduces NegMAS's presorting inverter (``worst_in`` with
    ``_nearest_around``, ``EPS`` = 1e-6): the highest outcome *below* the threshold is
    offered instead when it lies at most ``snap`` below it and strictly nearer to it than
    the lowest outcome at or above it.

    In ``me``'s :class:`Ranked` view u_me falls and, at equal u_me, the index rises, so
    the answer is the first position of the run of equal utilities that holds the last
    eligible position.
    """
    view = offers.ranked[me]
    count = int(view.descending.searchsorted(-threshold, side="right"))
    if count == 0:
        return view.fallback
    if snap > 0.0 and count < len(view.index):
        above, below = -float(view.descending[count - 1]), -float(view.descending[count])
        if below >= threshold - snap and abs(below - threshold) < abs(above - threshold):
            return int(view.index[view.group_start[count]])
    return int(view.index[view.group_start[count - 1]])


def lowest_own_utility_many(
    offers: OfferSet, me: int, thresholds: np.ndarray, snap: float = 0.0
) -> np.ndarray:
    """:func:`lowest_own_utility` at each of several thresholds at once (same rule)."""
    view = offers.ranked[me]
    k = len(view.index)
    if k == 0:
        return np.full(len(thresholds), view.fallback)
    count = view.descending.searchsorted(-thresholds, side="right")
    position = np.maximum(count - 1, 0)
    if snap > 0.0:
        below_at = np.minimum(count, k - 1)
        above, below = -view.descending[position], -view.descending[below_at]
        nearer = np.abs(below - thresholds) < np.abs(above - thresholds)
        take = (count > 0) & (count < k) & (below >= thresholds - snap) & nearer
        position = np.where(take, below_at, position)
    chosen = view.index[view.group_start[position]]
    return np.where(count == 0, view.fallback, chosen)


def best_for_responder(offers: OfferSet, me: int, threshold: float, reservation: np.ndarray) -> int:
    """The offer ``me`` expects the others to accept most readily, at or above ``threshold``.

    Rule: among outcomes within ``me``'s red lines with u_me >= threshold, maximise the
    smallest normalised gain (u_j − r_j) / (best_j − r_j) of the other parties whose
    consent the outcome needs (−inf for a party whose red line it crosses). Ties go to
    the lowest u_me, then to the lowest index. On a two-party Pareto frontier this is
    exactly "the lowest-utility outcome at or above the threshold". If no outcome
    reaches the threshold, ``me`` offers its best outcome.

    The eligible outcomes are a prefix of ``me``'s :class:`Ranked` view, so the scores
    are computed on array views without gathering rows. In ranked order u_me falls and,
    at equal u_me, the index rises, so the answer is the first tie at or after the start
    of the last tie's run of equal u_me. A single eligible outcome is the answer without
    scoring.
    """
    view = offers.ranked[me]
    count = int(view.descending.searchsorted(SCORE_TOLERANCE - threshold, side="right"))
    if count <= 1:
        return view.fallback if count == 0 else int(view.index[0])
    gains = view.screened[:, :count] - reservation[:, None]
    gains /= np.maximum(offers.best - reservation, 1e-9)[:, None]
    score = gains.min(axis=0)
    top = float(score.max())
    if not math.isfinite(top):  # nobody else must consent, or all cross a red line: all tie
        return int(view.index[view.group_start[count - 1]])
    ties = (score >= top - SCORE_TOLERANCE).nonzero()[0]
    lowest = view.group_start[ties[-1]]
    return int(view.index[ties[ties.searchsorted(lowest)]])

"""The set of offers a proposer chooses from, and the proposal rule shared by strategies."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.theory.frontier import Options
from sim.theory.preferences import Preferences

TOUCH_TOLERANCE = 1e-9
SCORE_TOLERANCE = 1e-12
BIG = 1e9  # stands for ±infinity in the proposal screens (keeps sums finite)


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
            respect its red lines (the "hi" and "worst" of the concession rules).
        ranking: (n, k) for each party the outcome indices by decreasing utility, and
        descending: (n, k) minus the utilities in that order (to find "u >= t" quickly).
        screens: (n, k, n) for each proposer, per outcome and responder: +BIG where the
            responder's consent is not needed (or it is the proposer), −BIG where the
            outcome crosses the responder's red line, 0 otherwise (see
            :func:`choose_offer`).
    """

    outcomes: np.ndarray
    utilities: np.ndarray
    acceptable: np.ndarray
    needs_consent: np.ndarray
    best: np.ndarray
    worst: np.ndarray
    ranking: np.ndarray
    descending: np.ndarray
    screens: np.ndarray

    def at_least(self, party: int, threshold: float) -> np.ndarray:
        """Indices of the outcomes giving ``party`` at least ``threshold`` (best first)."""
        count = np.searchsorted(self.descending[party], -threshold, side="right")
        return self.ranking[party, :count]

    def __len__(self) -> int:
        return len(self.outcomes)

    def bid(self, option: int) -> Bid:
        """The offer set's row ``option`` as a :class:`Bid`."""
        return Bid(
            self.outcomes[option],
            self.utilities[option],
            self.acceptable[option],
            self.needs_consent[option],
        )


@dataclass(frozen=True)
class Bid:
    """One offer on the table: the outcome, every party's utility for it, whether it
    respects each party's red lines, and whose consent it needs."""

    outcome: np.ndarray
    utilities: np.ndarray
    acceptable: np.ndarray
    needs_consent: np.ndarray


def evaluate_bid(
    prefs: Preferences, outcome: np.ndarray, status_quo: np.ndarray, consent: np.ndarray
) -> Bid:
    """A :class:`Bid` for any outcome (not only those of the offer set)."""
    touches = np.abs(outcome - status_quo) > TOUCH_TOLERANCE
    needs = (touches[None, :].astype(int) @ consent.astype(int))[0] > 0
    needs |= consent.all(axis=0)
    return Bid(outcome, prefs.utilities(outcome)[0], prefs.acceptable(outcome)[0], needs)


def build_offer_set(options: Options, status_quo: np.ndarray, consent: np.ndarray) -> OfferSet:
    """The round's offer set: ``options`` plus who must consent given the status quo."""
    touches = np.abs(options.outcomes - status_quo) > TOUCH_TOLERANCE
    needs = (touches.astype(int) @ consent.astype(int)) > 0
    needs |= consent.all(axis=0)
    own_ok = np.where(options.acceptable, options.utilities, np.nan)
    best = np.nan_to_num(np.nanmax(own_ok, axis=0, initial=-np.inf), nan=0.0)
    worst = np.nan_to_num(np.nanmin(own_ok, axis=0, initial=np.inf), nan=0.0)
    ranking = np.argsort(-options.utilities, axis=0, kind="stable").T
    descending = -np.take_along_axis(options.utilities.T, ranking, axis=1)
    n = options.utilities.shape[1]
    base = np.where(options.acceptable, 0.0, -BIG)
    screens = np.stack([np.where(needs & (np.arange(n) != me), base, BIG) for me in range(n)])
    return OfferSet(
        options.outcomes,
        options.utilities,
        options.acceptable,
        needs,
        best,
        worst,
        ranking,
        descending,
        screens,
    )


def choose_offer(offers: OfferSet, me: int, threshold: float, reservation: np.ndarray) -> int:
    """The offer ``me`` expects the others to accept most readily, at or above ``threshold``.

    Rule: among outcomes within ``me``'s red lines with u_me >= threshold, maximise the
    smallest normalised gain (u_j − r_j) / (best_j − r_j) of the other parties whose
    consent the outcome needs (−inf for a party whose red line it crosses). Ties go to
    the lowest u_me, then to the lowest index. On a two-party Pareto frontier this is
    exactly "the lowest-utility outcome at or above the threshold". If no outcome
    reaches the threshold, ``me`` offers its best outcome.
    """
    own = offers.utilities[:, me]
    mine = offers.acceptable[:, me]
    eligible = offers.at_least(me, threshold - SCORE_TOLERANCE)
    eligible = eligible[mine[eligible]]
    if eligible.size == 0:
        pool = np.where(mine, own, -np.inf) if mine.any() else own
        return int(np.argmax(pool))
    span = np.maximum(offers.best - reservation, 1e-9)
    gains = (offers.utilities[eligible] - reservation) / span + offers.screens[me, eligible]
    score = gains.min(axis=1)
    top = score.max()
    # |top| > BIG/2: nobody else must consent, or every outcome crosses a red line: all tie
    ties = eligible if abs(top) > BIG / 2 else eligible[score >= top - SCORE_TOLERANCE]
    return int(ties[np.lexsort((ties, own[ties]))[0]])  # lowest u_me, then lowest index

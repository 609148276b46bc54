"""The proposal rule: the fast :func:`choose_offer` equals a literal reading of its rule."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.behaviour.offers import build_offer_set, choose_offer
from sim.theory.frontier import Options


def rule(options: Options, needs: np.ndarray, best, me: int, threshold: float, r) -> int:
    """choose_offer's docstring, outcome by outcome, with no precomputation."""
    k, n = options.utilities.shape
    candidates = []
    for o in range(k):
        u = options.utilities[o]
        if not options.acceptable[o, me] or u[me] < threshold - 1e-12:
            continue
        gains = [
            (u[j] - r[j]) / max(best[j] - r[j], 1e-9) if options.acceptable[o, j] else -np.inf
            for j in range(n)
            if j != me and needs[o, j]
        ]
        candidates.append((min(gains, default=np.inf), o))
    if not candidates:
        mine = [o for o in range(k) if options.acceptable[o, me]] or list(range(k))
        return max(mine, key=lambda o: (options.utilities[o, me], -o))
    top = max(score for score, _ in candidates)
    finite = np.isfinite(top)
    ties = [o for score, o in candidates if not finite or score >= top - 1e-12]
    return min(ties, key=lambda o: (options.utilities[o, me], o))


@st.composite
def offer_problems(draw):
    """Random offer sets with repeated utilities (ties), red lines and partial consent."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    k, n, m = draw(st.integers(1, 40)), draw(st.integers(2, 4)), draw(st.integers(1, 3))
    utilities = rng.integers(0, 6, size=(k, n)) / 5.0  # coarse grid: many exact ties
    acceptable = rng.random((k, n)) > draw(st.sampled_from([0.0, 0.2, 0.6]))
    outcomes = rng.integers(0, 3, size=(k, m)).astype(float)
    consent = rng.random((m, n)) > 0.5
    consent[:, :2] = draw(st.booleans())  # sometimes the first two must always consent
    status_quo = rng.integers(0, 3, size=m).astype(float)
    me = draw(st.integers(0, n - 1))
    threshold = draw(st.sampled_from([-1.0, 0.0, 0.4, 0.6, 1.0, 1.5]))
    reservation = rng.integers(-2, 4, size=n) / 5.0
    return Options(outcomes, utilities, acceptable), consent, status_quo, me, threshold, reservation


@settings(max_examples=1500, deadline=None)
@given(offer_problems())
def test_choose_offer_follows_its_rule(problem):
    options, consent, status_quo, me, threshold, reservation = problem
    offers = build_offer_set(options, status_quo, consent)
    expected = rule(options, offers.needs_consent, offers.best, me, threshold, reservation)
    assert choose_offer(offers, me, threshold, reservation) == expected

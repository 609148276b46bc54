"""Baron–Ferejohn (1989) legislative bargaining: closed forms and equilibrium conditions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from sim.theory.baron_ferejohn import (
    coalition_probabilities,
    continuation_values,
    equilibrium_offer,
)


def assert_stationary_equilibrium(n, q, delta, p):
    """Check the SSPE conditions independently of the solver's internals.

    (i) mixing rows sum to q - 1, entries in [0, 1], no self-inclusion; (ii) best response: the
    expected cost of every proposer equals the cost of the q - 1 cheapest other votes (which is
    only possible if it buys nothing but cheapest votes); (iii) the fixed point
    v_i = p_i (1 - delta sum_j pi_ij v_j) + delta v_i sum_k p_k pi_ki (Baron & Ferejohn 1989;
    Eraslan 2002, JET 103:11, eq. for stationary payoffs); (iv) the dollar is divided.
    """
    p = np.full(n, 1 / n) if p is None else np.asarray(p, dtype=float)
    v = continuation_values(n, q, delta, p)
    pi = coalition_probabilities(n, q, delta, p)
    assert np.all(pi >= -1e-12) and np.all(pi <= 1 + 1e-12)
    assert np.all(np.diag(pi) == 0)
    assert_allclose(pi.sum(axis=1), q - 1, atol=1e-9)
    for k in range(n):
        cheapest = np.sort(np.delete(v, k))[: q - 1].sum()
        assert_allclose(pi[k] @ v, cheapest, atol=1e-9)
    fixed = p * (1 - delta * (pi @ v)) + delta * v * (p @ pi)
    assert_allclose(v, fixed, atol=1e-9)
    assert_allclose(v.sum(), 1.0, atol=1e-9)
    return v


# Baron & Ferejohn (1989) APSR 83:1181, closed rule with equal recognition: v_i = 1/n, the
# proposer keeps 1 - delta (q - 1)/n and offers delta/n to q - 1 others (here: lowest indices).
UNIFORM = [(3, 2), (3, 3), (5, 3), (5, 5), (5, 2), (7, 4)]


@pytest.mark.parametrize(("n", "q"), UNIFORM)
@pytest.mark.parametrize("delta", [0.5, 0.8, 0.95, 1.0])
def test_uniform_recognition_closed_form(n, q, delta):
    assert_allclose(continuation_values(n, q, delta), np.full(n, 1 / n), atol=1e-9)
    expected = np.zeros(n)
    expected[0] = 1 - delta * (q - 1) / n
    expected[1:q] = delta / n
    assert_allclose(equilibrium_offer(n, q, delta), expected, atol=1e-9)
    assert_stationary_equilibrium(n, q, delta, None)


def test_uniform_offer_of_last_proposer_goes_to_lowest_indices():
    # n = 5, q = 3, delta = 0.9, proposer 4: partners 0 and 1 get 0.9/5 each (ties: lowest index).
    assert_allclose(equilibrium_offer(5, 3, 0.9, proposer=4), [0.18, 0.18, 0, 0, 0.64], atol=1e-9)
    # uniform mixing: each other player is a partner with probability (q - 1)/(n - 1) = 1/2
    pi = coalition_probabilities(5, 3, 0.9)
    assert_allclose(pi, (np.ones((5, 5)) - np.eye(5)) / 2, atol=1e-12)


@pytest.mark.parametrize(
    ("p", "delta"),
    [((0.1, 0.2, 0.3, 0.4), 0.8), ((0.5, 0.25, 0.25), 0.9), ((0.05, 0.05, 0.3, 0.3, 0.3), 0.6)],
)
def test_unanimity_gives_recognition_probabilities(p, delta):
    # q = n: every other player must be bought; summing the equations gives sum v = 1 and then
    # v_i (1 - delta) = p_i (1 - delta), so v = p (Baron & Ferejohn 1989; Eraslan 2002).
    n = len(p)
    v = assert_stationary_equilibrium(n, n, delta, p)
    assert_allclose(v, p, atol=1e-9)
    offer = equilibrium_offer(n, n, delta, p, proposer=0)
    assert_allclose(offer[1:], delta * np.array(p[1:]), atol=1e-9)
    assert_allclose(offer[0], 1 - delta * sum(p[1:]), atol=1e-9)


# Three players, majority (q = 2), p_0 > p_1 >= p_2: the strong player 0 is never bought, the two
# weak players are tied at w and mixed over by player 0. Summing their value equations
# (derived from Baron & Ferejohn 1989 with Eraslan 2002's heterogeneous recognition):
#   2w = (1 - p0)(1 - delta w) + delta w  ->  w = (1 - p0)/(2 - delta p0),  v0 = p0 (1 - delta w).
# Valid while v0 >= w and player 0's mixing probability lies in [0, 1]. With delta = 1 this is
# v0 = p0/(2 - p0).
THREE_PLAYERS = [((0.5, 0.3, 0.2), 0.9), ((0.8, 0.1, 0.1), 1.0), ((0.6, 0.25, 0.15), 0.95)]


@pytest.mark.parametrize(("p", "delta"), THREE_PLAYERS)
def test_three_player_majority_closed_form(p, delta):
    w = (1 - p[0]) / (2 - delta * p[0])
    v = assert_stationary_equilibrium(3, 2, delta, p)
    assert_allclose(v, [p[0] * (1 - delta * w), w, w], atol=1e-9)
    # player 0 buys the cheaper weak player at delta w (tie: lowest index = player 1)
    assert_allclose(equilibrium_offer(3, 2, delta, p, 0), [1 - delta * w, delta * w, 0], atol=1e-9)


# All players tied: summing all equations gives n w = 1 for ANY p, an equilibrium as long as the
# required inclusion probabilities rho_i = (1 - p_i (n - delta (q - 1)))/delta are feasible;
# for patient players with similar p the payoffs do not depend on p (Kawamori 2005, Econ.
# Bulletin 3(43)).
@pytest.mark.parametrize(
    ("n", "q", "p", "delta"),
    [
        (3, 2, (0.4, 0.3, 0.3), 0.9),
        (3, 2, (0.34, 0.33, 0.33), 1.0),
        (5, 3, (0.3, 0.2, 0.2, 0.15, 0.15), 0.9),
    ],
)
def test_similar_recognition_gives_equal_values(n, q, p, delta):
    v = assert_stationary_equilibrium(n, q, delta, p)
    assert_allclose(v, np.full(n, 1 / n), atol=1e-9)


def test_dummy_player_gets_nothing_and_is_always_bought():
    # A player never recognised has v = 0 (v = delta rho v with delta rho < 1) and is the
    # cheapest vote: proposers 0 and 1 buy it for free.
    v = assert_stationary_equilibrium(3, 2, 0.9, (0.5, 0.5, 0.0))
    assert_allclose(v, [0.5, 0.5, 0.0], atol=1e-9)
    assert_allclose(equilibrium_offer(3, 2, 0.9, (0.5, 0.5, 0.0), 1), [0, 1, 0], atol=1e-9)


@pytest.mark.parametrize(
    ("n", "q", "p", "delta"),
    [
        (5, 3, (0.35, 0.25, 0.2, 0.15, 0.05), 0.9),
        (5, 2, (0.35, 0.25, 0.2, 0.15, 0.05), 0.5),
        (3, 2, (0.6, 0.3, 0.1), 0.5),  # weak players not tied: 2 < 1 < 0 in value
        (6, 4, (0.4, 0.3, 0.1, 0.1, 0.05, 0.05), 0.99),
    ],
)
def test_non_uniform_fixed_point(n, q, p, delta):
    v = assert_stationary_equilibrium(n, q, delta, p)
    order = np.argsort(p, kind="stable")
    assert np.all(np.diff(v[order]) >= -1e-12)  # values ordered like p (Eraslan 2002)


def test_invalid_arguments():
    with pytest.raises(ValueError):
        continuation_values(3, 4, 0.9)
    with pytest.raises(ValueError):
        continuation_values(3, 2, 1.5)
    with pytest.raises(ValueError):
        continuation_values(3, 2, 0.9, (0.5, 0.5, 0.5))
    with pytest.raises(ValueError):
        equilibrium_offer(3, 2, 0.9, proposer=3)


@given(
    weights=st.lists(st.integers(0, 20), min_size=2, max_size=6).filter(lambda w: sum(w) > 0),
    data=st.data(),
)
@settings(max_examples=150, deadline=None)
def test_random_games_satisfy_equilibrium_conditions(weights, data):
    n = len(weights)
    q = data.draw(st.integers(1, n))
    delta = data.draw(st.sampled_from([0.0, 0.3, 0.7, 0.9, 0.99]))
    p = np.array(weights, dtype=float) / sum(weights)
    v = assert_stationary_equilibrium(n, q, delta, p)
    order = np.argsort(p, kind="stable")
    assert np.all(np.diff(v[order]) >= -1e-9)
    proposer = data.draw(st.integers(0, n - 1))
    offer = equilibrium_offer(n, q, delta, p, proposer)
    assert_allclose(offer.sum(), 1.0, atol=1e-12)
    assert np.count_nonzero(np.delete(offer, proposer) > 0) <= q - 1
    assert offer[proposer] >= delta * v[proposer] - 1e-12  # proposing beats waiting

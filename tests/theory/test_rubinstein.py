"""Rubinstein (1982) alternating offers: closed forms and the general-frontier SPE."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from sim.theory.rubinstein import spe_on_frontier, spe_shares

# Rubinstein (1982) Econometrica 50:97, Theorem; Osborne & Rubinstein (1990) Prop. 3.5:
# the first proposer i gets (1 - delta_j)/(1 - delta_i delta_j).
SHARES = [
    ((0.9, 0.9, 0), (1 / 1.9, 0.9 / 1.9)),
    ((0.9, 0.8, 0), (0.2 / 0.28, 0.08 / 0.28)),
    ((0.9, 0.8, 1), (0.18 / 0.28, 0.1 / 0.28)),  # mirror: player 2 gets (1 - 0.9)/(1 - 0.72)
    ((0.5, 0.0, 0), (1.0, 0.0)),  # impatient responder accepts anything
    ((0.0, 0.5, 0), (0.5, 0.5)),  # proposer 1 gets 1 - delta2
    ((0.5, 1.0, 0), (0.0, 1.0)),  # infinitely patient responder takes everything
]


@pytest.mark.parametrize(("args", "expected"), SHARES)
def test_spe_shares_closed_form(args, expected):
    assert_allclose(spe_shares(*args), expected, atol=1e-9)


def test_equal_split_in_the_limit():
    # delta -> 1: the first-mover advantage 1/(1 + delta) vanishes (Rubinstein 1982, §5).
    assert_allclose(spe_shares(1 - 1e-10, 1 - 1e-10), (0.5, 0.5), atol=1e-9)


@pytest.mark.parametrize(("r1", "r2"), [(1.0, 1.0), (1.0, 3.0), (0.5, 0.2)])
def test_limit_with_interest_rates(r1, r2):
    # delta_i = exp(-r_i dt), dt -> 0: share of 1 -> r2/(r1 + r2) (Binmore, Rubinstein &
    # Wolinsky 1986, RAND J. Econ. 17:176). The error is O(dt), so the tolerance is 10 dt.
    dt = 1e-5
    shares = spe_shares(math.exp(-r1 * dt), math.exp(-r2 * dt))
    assert_allclose(shares, (r2 / (r1 + r2), r1 / (r1 + r2)), atol=10 * dt)


def linear(u: float) -> float:
    return 1.0 - u


def parabola(u: float) -> float:
    return 1.0 - u * u


@pytest.mark.parametrize(("d1", "d2", "first"), [(0.9, 0.9, 0), (0.9, 0.8, 0), (0.9, 0.8, 1)])
def test_frontier_version_reduces_to_shares_on_linear_frontier(d1, d2, first):
    # On u2 = 1 - u1 with d = 0 the stationary offers are Rubinstein's (Osborne & Rubinstein §4.2).
    assert_allclose(
        spe_on_frontier(linear, 0, 1, d1, d2, first), spe_shares(d1, d2, first), atol=1e-9
    )


@pytest.mark.parametrize(
    ("delta1", "delta2", "d"), [(0.9, 0.8, (0.2, 0.1)), (0.5, 0.7, (0.3, 0.0))]
)
def test_linear_frontier_with_disagreement_point(delta1, delta2, d):
    # The surplus 1 - d1 - d2 is split like a unit pie on top of d (Osborne & Rubinstein §4.2).
    share = (1 - delta2) / (1 - delta1 * delta2)
    u1 = d[0] + share * (1 - d[0] - d[1])
    assert_allclose(spe_on_frontier(linear, 0, 1, delta1, delta2, 0, d), (u1, 1 - u1), atol=1e-9)


@pytest.mark.parametrize(
    ("delta1", "delta2", "d"), [(0.9, 0.9, (0, 0)), (0.9, 0.6, (0.1, 0.2)), (0.3, 0.95, (0, 0.5))]
)
def test_stationarity_equations_on_curved_frontier(delta1, delta2, d):
    # Rubinstein (1982); Osborne & Rubinstein (1990) §4.2: y1 - d1 = delta1 (x1 - d1) and
    # x2 - d2 = delta2 (y2 - d2), both offers on the frontier u2 = 1 - u1^2.
    x = spe_on_frontier(parabola, 0, 1, delta1, delta2, 0, d)
    y = spe_on_frontier(parabola, 0, 1, delta1, delta2, 1, d)
    assert_allclose([x[1], y[1]], [parabola(x[0]), parabola(y[0])], atol=1e-12)
    assert_allclose(y[0] - d[0], delta1 * (x[0] - d[0]), atol=1e-9)
    assert_allclose(x[1] - d[1], delta2 * (y[1] - d[1]), atol=1e-9)


def test_patient_limit_is_the_nash_solution():
    # Binmore, Rubinstein & Wolinsky (1986): as delta -> 1 the SPE tends to the Nash solution,
    # here u1 = 1/sqrt(3) on u2 = 1 - u1^2 (error O(1 - delta)).
    u1, _ = spe_on_frontier(parabola, 0, 1, 0.99999, 0.99999)
    assert abs(u1 - 1 / math.sqrt(3)) < 1e-4


def test_invalid_arguments():
    with pytest.raises(ValueError):
        spe_shares(1.0, 1.0)
    with pytest.raises(ValueError):
        spe_shares(0.5, 1.2)
    with pytest.raises(ValueError):
        spe_shares(0.5, 0.5, first=2)
    with pytest.raises(ValueError):
        spe_on_frontier(linear, 0.2, 1, 0.9, 0.9, d=(0.1, 0.0))  # d1 outside [lo, hi]


@given(st.floats(0, 0.999), st.floats(0, 0.999), st.sampled_from([0, 1]))
@settings(max_examples=200, deadline=None)
def test_shares_are_a_division_with_first_mover_advantage(delta1, delta2, first):
    shares = spe_shares(delta1, delta2, first)
    assert_allclose(sum(shares), 1.0, atol=1e-12)
    assert all(0.0 <= s <= 1.0 for s in shares)
    # the proposer gets at least what it would get as responder
    assert shares[first] >= spe_shares(delta1, delta2, 1 - first)[first] - 1e-12

"""Axiomatic bargaining solutions: closed forms, hand-computed finite cases, properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from sim.theory.bargaining import (
    bargaining_indices,
    egalitarian_index,
    kalai_smorodinsky_index,
    kalai_smorodinsky_on_frontier,
    nash_index,
    nash_on_frontier,
    utilitarian_index,
)
from sim.theory.pareto import dominating_row, pareto_mask


def linear(u: float) -> float:
    return 1.0 - u


def parabola(u: float) -> float:
    return 1.0 - u * u


def circle(u: float) -> float:
    return math.sqrt(max(0.0, 1.0 - u * u))


# ----------------------------------------------------------------- continuous closed forms

# Linear frontier u2 = 1 - u1 (Nash 1950; Osborne & Rubinstein 1990, §2.3): maximising
# (u1 - d1)(1 - u1 - d2) gives u1 - d1 = u2 - d2, i.e. u1 = (1 + d1 - d2)/2. The KS ideal point
# is (1 - d2, 1 - d1), so the segment from d has slope 1 and KS coincides with Nash.
LINEAR_DISAGREEMENT = [(0.2, 0.1), (0.0, 0.0), (0.3, 0.5)]


@pytest.mark.parametrize("d", LINEAR_DISAGREEMENT)
def test_nash_and_ks_on_linear_frontier(d):
    expected = ((1 + d[0] - d[1]) / 2, (1 - d[0] + d[1]) / 2)
    assert_allclose(nash_on_frontier(linear, 0.0, 1.0, d), expected, atol=1e-9)
    assert_allclose(kalai_smorodinsky_on_frontier(linear, 0.0, 1.0, d), expected, atol=1e-9)


# Weighted (asymmetric) Nash on u2 = 1 - u1 (Kalai 1977, IJGT 6:129; Roth 1979): the first-order
# condition w1/(u1 - d1) = w2/(1 - u1 - d2) gives u1 - d1 = w1/(w1 + w2) (1 - d1 - d2).
WEIGHTED_LINEAR = [((1, 3), (0.2, 0.1)), ((2, 1), (0.0, 0.0)), ((0.5, 4.5), (0.1, 0.3))]


@pytest.mark.parametrize(("powers", "d"), WEIGHTED_LINEAR)
def test_weighted_nash_on_linear_frontier(powers, d):
    share = powers[0] / sum(powers)
    u1 = d[0] + share * (1 - d[0] - d[1])
    assert_allclose(nash_on_frontier(linear, 0.0, 1.0, d, powers), (u1, 1 - u1), atol=1e-9)


# Curved frontier u2 = 1 - u1^2 (textbook example, e.g. Osborne & Rubinstein 1990 ch. 2):
#   d = 0: Nash maximises u(1 - u^2) -> 1 - 3u^2 = 0 -> u1 = 1/sqrt(3), u2 = 2/3;
#          KS: ideal (1, 1), so u2 = u1 -> u^2 + u - 1 = 0 -> u1 = (sqrt(5) - 1)/2.
#   d = (0.1, 0.2): Nash FOC 0.8 - u^2 - 2u(u - 0.1) = 0 -> 3u^2 - 0.2u - 0.8 = 0 ->
#          u1 = (0.2 + sqrt(9.64))/6; KS: ideal (sqrt(0.8), f(0.1) = 0.99), the segment is
#          (0.8 - u^2)/0.79 = (u - 0.1)/(sqrt(0.8) - 0.1) -> u^2 + k u - 0.8 - 0.1k = 0 with
#          k = 0.79/(sqrt(0.8) - 0.1).
_K = 0.79 / (math.sqrt(0.8) - 0.1)
CURVED = [
    ((0.0, 0.0), 1 / math.sqrt(3), (math.sqrt(5) - 1) / 2),
    ((0.1, 0.2), (0.2 + math.sqrt(9.64)) / 6, (-_K + math.sqrt(_K**2 + 4 * (0.8 + 0.1 * _K))) / 2),
]


@pytest.mark.parametrize(("d", "nash_u1", "ks_u1"), CURVED)
def test_nash_and_ks_on_curved_frontier(d, nash_u1, ks_u1):
    assert_allclose(nash_on_frontier(parabola, 0.0, 1.0, d), (nash_u1, 1 - nash_u1**2), atol=1e-9)
    ks = kalai_smorodinsky_on_frontier(parabola, 0.0, 1.0, d)
    assert_allclose(ks, (ks_u1, 1 - ks_u1**2), atol=1e-9)


def test_ks_on_curved_frontier_lies_on_segment_to_ideal_point():
    # Kalai & Smorodinsky (1975): (u - d) is proportional to (ideal - d).
    d = (0.1, 0.2)
    u1, u2 = kalai_smorodinsky_on_frontier(parabola, 0.0, 1.0, d)
    ideal = (math.sqrt(0.8), parabola(0.1))
    assert_allclose((u2 - d[1]) * (ideal[0] - d[0]), (u1 - d[0]) * (ideal[1] - d[1]), atol=1e-12)


# Quarter circle u2 = sqrt(1 - u1^2), d = 0, powers (w1, w2): the FOC
# w1/u - w2 u/(1 - u^2) = 0 gives u1 = sqrt(w1/(w1 + w2)) (derived from Kalai 1977).
@pytest.mark.parametrize("powers", [(1, 1), (1, 3), (2, 1), (0.1, 5)])
def test_weighted_nash_on_circle(powers):
    u1 = math.sqrt(powers[0] / sum(powers))
    result = nash_on_frontier(circle, 0.0, 1.0, (0.0, 0.0), powers)
    assert_allclose(result, (u1, math.sqrt(1 - u1 * u1)), atol=1e-9)


@pytest.mark.parametrize(("powers", "d"), WEIGHTED_LINEAR)
def test_nash_with_exact_derivative_matches(powers, d):
    numeric = nash_on_frontier(parabola, 0.0, 1.0, d, powers)
    exact = nash_on_frontier(parabola, 0.0, 1.0, d, powers, df=lambda u: -2.0 * u)
    assert_allclose(numeric, exact, atol=1e-11)


def test_corner_solutions_on_truncated_frontier():
    # u2 = 1 - u1 on [0, 0.4], d = 0: u1(1 - u1) increases on [0, 0.4] -> Nash at the corner 0.4;
    # ideal point (0.4, 1), segment u2 = 2.5 u1 meets 1 - u1 at u1 = 2/7 (Kalai–Smorodinsky 1975).
    assert_allclose(nash_on_frontier(linear, 0.0, 0.4, (0, 0)), (0.4, 0.6), atol=1e-9)
    assert_allclose(
        kalai_smorodinsky_on_frontier(linear, 0.0, 0.4, (0, 0)), (2 / 7, 5 / 7), atol=1e-9
    )


def test_frontier_without_rational_point_raises():
    with pytest.raises(ValueError):
        nash_on_frontier(linear, 0.0, 1.0, (0.6, 0.6))
    with pytest.raises(ValueError):
        kalai_smorodinsky_on_frontier(linear, 0.0, 1.0, (0.6, 0.6))
    with pytest.raises(ValueError):
        nash_on_frontier(linear, 0.0, 1.0, (0.0, 0.0), powers=(1, 0))
    with pytest.raises(ValueError):
        nash_on_frontier(linear, 1.0, 0.0, (0.0, 0.0))


@given(
    w1=st.floats(0.05, 10),
    bump=st.floats(0.01, 10),
    w2=st.floats(0.05, 10),
    d1=st.floats(0, 0.4),
    d2=st.floats(0, 0.4),
)
@settings(max_examples=100, deadline=None)
def test_more_power_moves_nash_towards_party_on_linear_frontier(w1, bump, w2, d1, d2):
    before = nash_on_frontier(linear, 0.0, 1.0, (d1, d2), (w1, w2))
    after = nash_on_frontier(linear, 0.0, 1.0, (d1, d2), (w1 + bump, w2))
    assert after[0] >= before[0] - 1e-12
    assert_allclose(after[0] - d1, (w1 + bump) / (w1 + bump + w2) * (1 - d1 - d2), atol=1e-9)


# ------------------------------------------------------------------------- finite sets

# Hand-computed example (products / ratios written out):
#   rows        Nash u1*u2   sum   KS min(u1/10, u2/6)   min(u)
#   (10, 1)     10           11    1/6                   1
#   (6, 4)      24           10    0.6                   4
#   (5, 5)      25           10    0.5                   5
#   (3, 6)      18           9     0.3                   3
#   (0, 0)      -            0     0                     0
EXAMPLE = np.array([[10, 1], [6, 4], [5, 5], [3, 6], [0, 0]], dtype=float)


def test_finite_solutions_by_hand():
    # Nash (1950), Kalai–Smorodinsky (1975), Harsanyi (1955), Kalai (1977).
    assert nash_index(EXAMPLE, [0, 0]) == 2
    assert kalai_smorodinsky_index(EXAMPLE, [0, 0]) == 1
    assert utilitarian_index(EXAMPLE) == 0
    assert egalitarian_index(EXAMPLE, [0, 0]) == 2


def test_finite_solutions_with_disagreement_point():
    # d = (2, 0): gains (8,1), (4,4), (3,5), (1,6); Nash products 8, 16, 15, 6; KS ideal gains
    # (8, 6) -> min ratios 1/6, 1/2, 3/8, 1/8; min gains 1, 4, 3, 1. Row 4 is not rational.
    assert nash_index(EXAMPLE, [2, 0]) == 1
    assert kalai_smorodinsky_index(EXAMPLE, [2, 0]) == 1
    assert egalitarian_index(EXAMPLE, [2, 0]) == 1


def test_weighted_nash_and_utilitarian_by_hand():
    # powers (1, 3): log u1 + 3 log u2 = 2.303, 5.951, 6.438, 6.474 -> row 3;
    # powers (3, 1): 6.908, 6.761, 6.438, 4.887 -> row 0 (Kalai 1977 asymmetric Nash).
    assert nash_index(EXAMPLE, [0, 0], powers=[1, 3]) == 3
    assert nash_index(EXAMPLE, [0, 0], powers=[3, 1]) == 0
    assert nash_index(EXAMPLE, [0, 0], powers=[30, 10]) == 0  # scale does not matter
    # weights (1, 2): 12, 14, 15, 15 -> tie between efficient rows 2 and 3 -> lowest index.
    assert utilitarian_index(EXAMPLE, [1, 2]) == 2


def test_tie_breaking_conventions():
    assert nash_index([[2, 3], [3, 2], [1, 1]], [0, 0]) == 0  # exact tie: lowest index
    assert nash_index([[1, 1], [2, 3], [2, 3]], [0, 0]) == 1  # duplicates: first copy
    # zero weight makes a dominated row tie on score; the efficient row is chosen
    assert utilitarian_index([[1, 0], [1, 5]], [1, 0]) == 1
    # KS: rows 2, 3, 4 all have min ratio 1/2; rows 3 and 4 have the larger sum 5 -> row 3.
    ks_rows = [[4, 0], [0, 4], [2.5, 2], [3, 2], [2, 3]]
    assert kalai_smorodinsky_index(ks_rows, [0, 0]) == 3


def test_no_rational_row():
    assert nash_index([[1, 1]], [1, 0]) is None  # not strictly rational
    assert kalai_smorodinsky_index([[1, 1]], [1, 0]) == 0  # weakly rational suffices
    assert kalai_smorodinsky_index([[0, 5]], [1, 0]) is None
    assert egalitarian_index([[0, 5]], [1, 0]) is None


def test_invalid_input():
    with pytest.raises(ValueError):
        nash_index([[1, 2]], [0, 0, 0])
    with pytest.raises(ValueError):
        nash_index([[1, np.nan]], [0, 0])
    with pytest.raises(ValueError):
        utilitarian_index([[1, 2]], [-1, 1])


# ------------------------------------------------------------------ property-based tests

small_ints = st.integers(0, 6)


@st.composite
def finite_problems(draw, min_parties: int = 2, max_parties: int = 4):
    n = draw(st.integers(min_parties, max_parties))
    m = draw(st.integers(1, 12))
    rows = draw(st.lists(st.lists(small_ints, min_size=n, max_size=n), min_size=m, max_size=m))
    d = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    return np.array(rows, dtype=float), np.array(d, dtype=float)


def _undominated_within(u: np.ndarray, rows: np.ndarray, idx: int) -> bool:
    return dominating_row(u[rows], u[idx], tol=0.0) is None


@given(finite_problems())
@settings(max_examples=200, deadline=None)
def test_nash_index_is_rational_and_pareto_optimal(problem):
    u, d = problem
    idx = nash_index(u, d)
    strictly = np.flatnonzero(np.all(u > d, axis=1))
    if strictly.size == 0:
        assert idx is None
        return
    assert np.all(u[idx] > d)
    assert _undominated_within(u, np.flatnonzero(np.all(u >= d, axis=1)), idx)


@given(finite_problems())
@settings(max_examples=200, deadline=None)
def test_ks_and_egalitarian_are_rational_and_pareto_optimal(problem):
    u, d = problem
    rational = np.flatnonzero(np.all(u >= d, axis=1))
    for idx in (kalai_smorodinsky_index(u, d), egalitarian_index(u, d)):
        if rational.size == 0:
            assert idx is None
            continue
        assert np.all(u[idx] >= d)
        assert _undominated_within(u, rational, idx)


@given(finite_problems(), st.data())
@settings(max_examples=200, deadline=None)
def test_more_power_never_hurts_on_finite_sets(problem, data):
    # Revealed preference: if x maximises the w-product and y the (w + t e_i)-product, adding
    # the two optimality inequalities gives t (log y_i - log x_i) >= 0.
    u, d = problem
    n = u.shape[1]
    powers = np.array(data.draw(st.lists(st.floats(0.1, 5), min_size=n, max_size=n)))
    party = data.draw(st.integers(0, n - 1))
    bumped = powers.copy()
    bumped[party] += data.draw(st.floats(0.1, 5))
    before, after = nash_index(u, d, powers), nash_index(u, d, bumped)
    assert (before is None) == (after is None)
    if before is not None:
        assert u[after, party] >= u[before, party]


@given(finite_problems(), st.data())
@settings(max_examples=200, deadline=None)
def test_solutions_do_not_depend_on_party_order(problem, data):
    u, d = problem
    perm = np.array(data.draw(st.permutations(range(u.shape[1]))))
    for solve in (nash_index, kalai_smorodinsky_index, egalitarian_index):
        a, b = solve(u, d), solve(u[:, perm], d[perm])
        assert (a is None) == (b is None)
        if a is not None:
            assert np.array_equal(u[a, perm], u[b, perm])
            assert a == b


@given(finite_problems(min_parties=1), st.booleans())
@settings(max_examples=200, deadline=None)
def test_pareto_mask_is_exact(problem, jitter):
    u, _ = problem
    if jitter:
        u = u + np.random.default_rng(0).uniform(0, 0.1, size=u.shape)
    mask = pareto_mask(u)
    for a in range(len(u)):
        dominated = any(
            np.all(u[b] >= u[a]) and np.any(u[b] > u[a]) for b in range(len(u)) if b != a
        )
        earlier_copy = any(np.array_equal(u[b], u[a]) for b in range(a))
        assert mask[a] == (not dominated and not earlier_copy)


@pytest.mark.parametrize(("n", "max_points"), [(2, 101), (3, 600), (4, 300), (5, 70)])
def test_simplex_lattice_is_the_full_stars_and_bars_lattice(n, max_points):
    from sim.theory.frontier import simplex_lattice

    weights = simplex_lattice(n, max_points)
    steps = {k for k in range(1, 200) if math.comb(k + n - 1, n - 1) <= max_points}
    k = max(steps)
    assert len(weights) == math.comb(k + n - 1, n - 1)
    assert_allclose(weights.sum(axis=1), 1.0, atol=1e-12)
    assert len({tuple(np.round(row * k).astype(int)) for row in weights}) == len(weights)
    assert np.allclose(np.round(weights * k), weights * k)
    if k % n == 0:  # the equal weights lie on the lattice
        assert np.isclose(weights, 1 / n).all(axis=1).any()


def _polyline(points):
    xs, ys = np.array(points, dtype=float).T
    return lambda u: float(np.interp(u, xs, ys))


@pytest.mark.parametrize("d", [(0.0, 0.0), (0.1, 0.2), (0.0, 0.35)])
def test_nash_at_a_kink_without_derivative(d):
    # vertices (0, 1), (0.6, 0.7), (1, 0): for these d the Nash point is the kink
    f = _polyline([(0, 1), (0.6, 0.7), (1, 0)])
    assert_allclose(nash_on_frontier(f, 0, 1, d), (0.6, 0.7), atol=1e-12)


def test_nash_inside_a_segment_of_a_kinked_frontier():
    # on the segment u2 = c − k u1 (c = k = 9/7) the product u1 (c − k u1) peaks at 1/2
    f = _polyline([(0, 1), (0.3, 0.9), (1, 0)])
    assert_allclose(nash_on_frontier(f, 0, 1, (0, 0)), (0.5, 9 / 14), atol=1e-9)


@pytest.mark.parametrize("parties", [1, 2, 3, 4, 6])
def test_pareto_mask_bitsets_and_blocks_agree_with_brute_force(parties, monkeypatch):
    # ties on purpose (values on a coarse grid, copies), 1,500 rows in chunks of 4,096
    # and of 64 bits, and the block method forced by a row limit below the size
    import sim.theory.pareto as pareto

    rng = np.random.default_rng(parties)
    u = np.round(rng.uniform(size=(1500, parties)), 1)
    u[700:750] = u[:50]
    dominated = np.array([np.any(np.all(u >= row, axis=1) & np.any(u > row, axis=1)) for row in u])
    _, first = np.unique(u, axis=0, return_index=True)
    expected = np.zeros(len(u), dtype=bool)
    expected[first] = True
    expected &= ~dominated
    assert np.array_equal(pareto.pareto_mask(u), expected)
    assert np.array_equal(
        pareto._dominated_distinct(np.unique(u, axis=0), chunk=64),
        pareto._dominated_distinct(np.unique(u, axis=0)),
    )
    monkeypatch.setattr(pareto, "BITSET_ROWS", 100)
    assert np.array_equal(pareto.pareto_mask(u), expected)


@pytest.mark.parametrize("shape", [(5, 0), (0, 3), (4, 2)])
def test_unique_rows_handles_empty_shapes_as_np_unique_does(shape):
    from sim.theory.pareto import unique_rows

    a = np.zeros(shape)
    distinct, first, inverse = unique_rows(a)
    assert distinct.shape == np.unique(a, axis=0).shape
    assert np.array_equal(distinct[inverse], a)
    assert np.array_equal(a[first], distinct)


@pytest.mark.parametrize("columns", [0, 1, 4])
def test_first_of_each_group_of_equal_rows_matches_the_lexicographic_unique(columns):
    # many copies, signed zeros (equal, different bits) and NaN rows (equal to nothing;
    # two with the same bits share a hash, so the lexicographic sort decides)
    from sim.theory.pareto import first_of_each, unique_rows

    rng = np.random.default_rng(columns)
    u = rng.integers(-2, 3, size=(400, columns)).astype(float)
    u[rng.random(u.shape) < 0.2] *= -1.0  # -0.0 where the value is 0
    expected = np.sort(unique_rows(u)[1])
    assert np.array_equal(np.sort(first_of_each(u)), expected)
    if columns:
        u[[5, 9]] = np.nan
        assert np.array_equal(np.sort(first_of_each(u)), np.sort(unique_rows(u)[1]))
        assert {5, 9} <= set(first_of_each(u).tolist())


@pytest.mark.parametrize("parties", [1, 2, 4])
def test_pareto_masks_sift_all_rows_and_the_members_alone_in_one_pass(parties, monkeypatch):
    # coarse values and copies, so that groups of equal rows mix members and others (a
    # group's first row may be no member); chunks of 4,096 and 64 bits; the block method
    import sim.theory.pareto as pareto

    rng = np.random.default_rng(parties)
    u = np.round(rng.uniform(size=(600, parties)), 1)
    u[300:350] = u[:50]
    members = rng.random(len(u)) < 0.4
    expected = np.zeros(len(u), dtype=bool)
    expected[np.flatnonzero(members)[pareto.pareto_mask(u[members])]] = True
    keep, within = pareto.pareto_masks(u, members)
    assert np.array_equal(keep, pareto.pareto_mask(u))
    assert np.array_equal(within, expected)
    distinct = np.unique(u, axis=0)
    some = rng.random(len(distinct)) < 0.5
    by_any, by_some = pareto._dominated_distinct(distinct, some, chunk=64)
    brute = (distinct[None, :, :] >= distinct[:, None, :]).all(axis=2)
    np.fill_diagonal(brute, False)
    assert np.array_equal(by_any, brute.any(axis=1))
    assert np.array_equal(by_some, (brute & some[None, :]).any(axis=1))
    monkeypatch.setattr(pareto, "BITSET_ROWS", 100)
    assert np.array_equal(pareto.pareto_masks(u, members)[1], expected)


@given(finite_problems(), st.floats(-0.5, 0.5))
@settings(max_examples=300, deadline=None)
def test_bargaining_indices_are_the_three_indices(problem, shift):
    u, d = problem
    u = u + shift * np.arange(u.shape[1])  # non-integer gains too
    assert bargaining_indices(u, d) == {
        "nash": nash_index(u, d),
        "kalai_smorodinsky": kalai_smorodinsky_index(u, d),
        "egalitarian": egalitarian_index(u, d),
    }

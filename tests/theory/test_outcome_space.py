"""Exact Pareto sets of finite domains against brute force and closed-form counts."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.theory.bargaining import nash_index
from sim.theory.frontier import pair_frontier, pareto_frontier
from sim.theory.outcome_space import efficient_product, nondominated
from sim.theory.preferences import LinkedLine, Preferences
from tests.theory.test_reference_points import spatial_prefs


def brute_force_efficient(u: np.ndarray) -> np.ndarray:
    """Rows no other row dominates (u_b >= u_a everywhere, > somewhere), O(k²)."""
    u = np.round(u, 12)
    geq = np.all(u[None, :, :] >= u[:, None, :], axis=2)
    gt = np.any(u[None, :, :] > u[:, None, :], axis=2)
    return ~np.any(geq & gt, axis=1)


def integer_prefs(weights, ideal, values=10, accept_hi=None, conditions=()) -> Preferences:
    """Integer issues 0..values-1 with linear losses."""
    weights = np.asarray(weights, dtype=float)
    n, m = weights.shape
    hi = np.full((n, m), np.inf) if accept_hi is None else np.asarray(accept_hi, dtype=float)
    return Preferences(
        weights=weights / weights.sum(axis=1, keepdims=True),
        spatial=np.ones(m, dtype=bool),
        integer=np.ones(m, dtype=bool),
        lo=np.zeros(m),
        hi=np.full(m, values - 1.0),
        ideal=np.asarray(ideal, dtype=float),
        exponent=np.ones((n, m)),
        accept_lo=np.full((n, m), -np.inf),
        accept_hi=hi,
        tables=(None,) * m,
        allowed=(None,) * m,
        conditions=tuple(conditions),
    )


def all_outcomes(prefs: Preferences) -> np.ndarray:
    grids = [np.arange(prefs.lo[j], prefs.hi[j] + 1) for j in range(prefs.n_issues)]
    return np.array(list(itertools.product(*grids)), dtype=float)


def as_set(rows: np.ndarray) -> set[tuple[float, ...]]:
    return {tuple(r) for r in np.round(rows, 9)}


def test_linear_two_party_domain_has_one_plus_sum_of_steps_efficient_outcomes():
    # u1 = Σ w1j x_j / 9 and u2 = Σ w2j (9 − x_j) / 9 with distinct ratios w1j / w2j:
    # an efficient outcome concedes issues in the order of the ratios, at most one issue
    # part-way, so there are 1 + 3 · 9 = 28 of them (a weighted sum finds only the 4 corners
    # of this piecewise-linear frontier's vertices between issues).
    prefs = integer_prefs([[0.5, 0.3, 0.2], [0.2, 0.3, 0.5]], [[9, 9, 9], [0, 0, 0]])
    frontier = pareto_frontier(prefs, np.empty((0, 3)))
    assert frontier.exact
    assert len(frontier) == 28
    x = all_outcomes(prefs)
    u = prefs.utilities(x)
    assert as_set(frontier.outcomes) == as_set(x[brute_force_efficient(u)])
    # the Nash point of the frontier is the Nash point of the whole space
    d = np.zeros(2)
    assert np.allclose(frontier.utilities[nash_index(frontier.utilities, d)], u[nash_index(u, d)])


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    n=st.integers(2, 3),
    sizes=st.lists(st.integers(1, 5), min_size=1, max_size=4),
    data=st.data(),
)
def test_efficient_product_equals_brute_force(n, sizes, data):
    # random per-issue contribution tables, with ties (values on a coarse grid)
    contributions = [
        np.array(
            data.draw(
                st.lists(
                    st.lists(st.integers(0, 4), min_size=n, max_size=n), min_size=k, max_size=k
                )
            ),
            dtype=float,
        )
        / 4
        for k in sizes
    ]
    index = efficient_product(contributions)
    every = np.array(list(itertools.product(*[range(k) for k in sizes])))
    totals = sum(c[every[:, j]] for j, c in enumerate(contributions))
    expected = every[brute_force_efficient(totals)]
    assert {tuple(r) for r in index} == {tuple(r) for r in expected}


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_nondominated_equals_brute_force_and_keeps_ties(n):
    rng = np.random.default_rng(n)
    u = rng.integers(0, 6, size=(400, n)) / 5
    u = np.vstack([u, u[:50]])  # exact duplicates are kept together
    assert np.array_equal(nondominated(u), brute_force_efficient(u))


def linked_prefs() -> Preferences:
    """Three parties, three integer issues 0..4; party 0 accepts issue 2 ≤ 3, and party 1
    accepts issue 0 in [3, 4] only if issue 1 ≤ 1."""
    link = LinkedLine(party=1, id="link", issue=0, zone=(3.0, 4.0), options=(((1, 0.0, 1.0),),))
    accept_hi = [[np.inf, np.inf, 3], [np.inf] * 3, [np.inf] * 3]
    return integer_prefs(
        [[0.5, 0.3, 0.2], [0.2, 0.3, 0.5], [0.3, 0.4, 0.3]],
        [[4, 4, 4], [0, 0, 0], [2, 4, 0]],
        values=5,
        accept_hi=accept_hi,
        conditions=[link],
    )


def test_frontier_with_red_lines_and_a_linked_condition_equals_brute_force():
    prefs = linked_prefs()
    frontier = pareto_frontier(prefs, np.empty((0, 3)))
    assert frontier.exact
    x = all_outcomes(prefs)
    u = prefs.utilities(x)
    ok = prefs.acceptable(x).all(axis=1)
    expected = x[brute_force_efficient(u)]
    expected_ok = x[ok][brute_force_efficient(u[ok])]
    assert as_set(frontier.outcomes) == as_set(expected) | as_set(expected_ok)


def test_job_offer_frontier_is_the_exact_efficient_set_of_its_grid():
    from sim.game import FRONTIER_RESOLUTION, compile_game
    from sim.scenario.loader import load_scenario
    from sim.theory.frontier import issue_grid

    game = compile_game(load_scenario("scenarios/textbook_job_offer.yaml"))
    prefs, anchors = game.prefs, game.anchor_points()
    grids = [issue_grid(prefs, j, FRONTIER_RESOLUTION, anchors[:, j]) for j in range(5)]
    x = np.array(list(itertools.product(*grids)))
    u = prefs.utilities(x)
    ok = prefs.acceptable(x).all(axis=1)
    efficient_ok = nondominated(u[ok])
    assert efficient_ok.sum() == 538  # the count measured in issue 15
    expected = as_set(x[nondominated(u)]) | as_set(x[ok][efficient_ok])
    assert game.frontier.exact
    assert as_set(game.frontier.outcomes) == expected


def test_pair_frontier_is_the_two_parties_frontier_by_brute_force():
    # three parties on integer issues with a red line of party 0 and a linked condition of
    # party 1: the frontier of parties 0 and 1 in their plane, over the whole space and
    # over the outcomes every party accepts, equals brute force over all 125 outcomes
    prefs = linked_prefs()
    whole, within = pair_frontier(prefs, np.empty((0, 3)), 0, 1)
    x = all_outcomes(prefs)
    plane = prefs.utilities(x)[:, [0, 1]]
    ok = prefs.acceptable(x).all(axis=1)
    for front, points in ((whole, plane), (within, plane[ok])):
        expected = as_set(points[brute_force_efficient(points)])
        assert as_set(front) == expected
        assert np.all(np.diff(front[:, 0]) > 0)  # sorted, one point per utility pair
    assert as_set(within) != as_set(whole)  # the red lines bind


def test_pair_frontier_of_a_continuous_quadratic_split_is_the_closed_form_circle():
    # two parties, two [0, 1] issues, ideals at the opposite corners, equal weights and
    # quadratic losses: the frontier is x = (t, t), u_a = 1 − (1 − t)², u_b = 1 − t²
    prefs = Preferences(
        weights=np.full((2, 2), 0.5),
        spatial=np.ones(2, dtype=bool),
        integer=np.zeros(2, dtype=bool),
        lo=np.zeros(2),
        hi=np.ones(2),
        ideal=np.array([[1.0, 1.0], [0.0, 0.0]]),
        exponent=np.full((2, 2), 2),
        accept_lo=np.full((2, 2), -np.inf),
        accept_hi=np.full((2, 2), np.inf),
        tables=(None, None),
        allowed=(None, None),
    )
    whole, within = pair_frontier(prefs, np.empty((0, 2)), 0, 1)
    assert np.array_equal(whole, within) and len(whole) > 90
    t = 1 - np.sqrt(1 - whole[:, 0])
    np.testing.assert_allclose(whole[:, 1], 1 - t**2, atol=1e-12)


@pytest.mark.parametrize("sizes", [[101] * 10, [3, 2**40, 2**30, 5], [7]])
def test_distinct_index_rows_are_the_lexicographic_unique_rows(sizes):
    # packed into one key or several (a size of 2⁴⁰ forces a new key); small values give
    # copies, values up to each size test the mixed radix
    from sim.theory.frontier import distinct_index_rows
    from sim.theory.pareto import unique_rows

    rng = np.random.default_rng(len(sizes))
    small = np.column_stack([rng.integers(0, min(s, 3), 300) for s in sizes])
    large = np.column_stack([rng.integers(0, s, 100) for s in sizes])
    rows = np.concatenate([small, large, small[:50]]).astype(np.int64)
    assert np.array_equal(distinct_index_rows(rows, sizes), unique_rows(rows)[0])
    assert len(distinct_index_rows(rows[:0], sizes)) == 0
    wide = large.astype(np.int64)  # distinct first keys (but with [7]): sorted by that key
    assert np.array_equal(distinct_index_rows(wide, sizes), unique_rows(wide)[0])


@pytest.mark.parametrize("seed", range(6))
def test_quadratic_maximisers_are_the_exact_argmax_ties_to_the_lowest(seed):
    # with ideals of two decimals on a grid of 0.05 steps, the weighted sums are compared
    # in exact rationals: each column of weighted_sum_maximisers is the lowest exact
    # maximiser (no near-ties here that rounding could decide)
    from fractions import Fraction

    from sim.theory.frontier import simplex_lattice, weighted_sum_maximisers

    rng = np.random.default_rng(seed)
    n, m = 3, 4
    raw = rng.integers(0, 4, size=(n, m))
    raw[:, 0] = [0, 0, 1]  # with λ_2 = 0 no weight on issue 0: every value ties
    raw[raw.sum(axis=1) == 0, 1] = 1
    prefs = spatial_prefs(raw, np.round(rng.uniform(size=(n, m)), 2), 2)
    steps = np.round(np.linspace(0, 1, 21), 12)  # no near-copies: 0.15, not 0.15000000000000002
    grids = [np.unique(np.concatenate([steps, prefs.ideal[:, j]])) for j in range(m)]
    k = 9
    lambdas = simplex_lattice(n, 55)
    assert len(lambdas) == 55  # step 1/9
    (found,) = weighted_sum_maximisers(
        prefs, grids, lambdas, [[np.ones(len(g), dtype=bool) for g in grids]]
    )
    exact_lambdas = [[Fraction(round(x * k), k) for x in row] for row in lambdas]
    for j, grid in enumerate(grids):
        w = [Fraction(int(raw[i, j]), int(raw[i].sum())) for i in range(n)]
        a = [Fraction(float(prefs.ideal[i, j])) for i in range(n)]
        for lam, index in zip(exact_lambdas, found[:, j], strict=True):
            score = [
                -sum(lam[i] * w[i] * (Fraction(float(g)) - a[i]) ** 2 for i in range(n))
                for g in grid
            ]
            assert index == score.index(max(score))

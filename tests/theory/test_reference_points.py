"""Reference points by optimisation against closed forms, and never worse than the frontier."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sim.theory import bargaining
from sim.theory import duality as dual
from sim.theory import reference as ref
from sim.theory.preferences import LinkedLine, Preferences


def spatial_prefs(weights, ideal, exponent, accept_hi=None, conditions=()) -> Preferences:
    weights = np.asarray(weights, dtype=float)
    n, m = weights.shape
    return Preferences(
        weights=weights / weights.sum(axis=1, keepdims=True),
        spatial=np.ones(m, dtype=bool),
        integer=np.zeros(m, dtype=bool),
        lo=np.zeros(m),
        hi=np.ones(m),
        ideal=np.asarray(ideal, dtype=float),
        exponent=np.full((n, m), exponent),
        accept_lo=np.full((n, m), -np.inf),
        accept_hi=np.full((n, m), np.inf) if accept_hi is None else np.asarray(accept_hi),
        tables=(None,) * m,
        allowed=(None,) * m,
        conditions=tuple(conditions),
    )


SPLIT = spatial_prefs([[1.0], [1.0]], [[1.0], [0.0]], 1)  # u1 = x, u2 = 1 − x


@pytest.mark.parametrize("powers", [(1, 1), (0.3, 0.7), (0.9, 0.1)])
def test_weighted_nash_splits_the_surplus_by_power_on_a_linear_frontier(powers):
    d = np.array([0.1, 0.3])
    a = np.array(powers) / sum(powers)
    point = ref.nash_point(SPLIT, d, np.array([0.5]), np.array(powers, dtype=float))
    assert_allclose(point.u, d + a * (1 - d.sum()), atol=1e-9)


def test_egalitarian_and_ks_on_a_linear_frontier():
    d = np.array([0.1, 0.3])
    egal = ref.egalitarian_point(SPLIT, d, np.array([0.5]))
    assert_allclose(egal.u, d + (1 - d.sum()) / 2, atol=1e-9)
    # ideal point A = (0.7, 0.9): gains in proportion to A − d = (0.6, 0.6)
    ks = ref.kalai_smorodinsky_point(SPLIT, d, np.array([0.5]))
    assert_allclose(ks.u, [0.4, 0.6], atol=1e-9)


def test_quadratic_two_party_points_match_the_frontier_closed_forms():
    # u1 = 1 − (1 − x)², u2 = 1 − x²: the frontier is u2 = f(u1) = 1 − (1 − √(1 − u1))²
    prefs = spatial_prefs([[1.0], [1.0]], [[1.0], [0.0]], 2)

    def f(u1: float) -> float:
        return 1 - (1 - np.sqrt(1 - u1)) ** 2

    d = np.array([0.2, 0.1])
    start = np.array([0.5])
    nash = ref.nash_point(prefs, d, start, np.array([0.3, 0.7]))
    assert_allclose(nash.u, bargaining.nash_on_frontier(f, 0, 1, d, (0.3, 0.7)), atol=1e-9)
    ks = ref.kalai_smorodinsky_point(prefs, d, start)
    assert_allclose(ks.u, bargaining.kalai_smorodinsky_on_frontier(f, 0, 1, d), atol=1e-9)
    assert_allclose(ref.utilitarian_point(prefs).x, [0.5], atol=1e-9)


# Three parties, three linear issues: party i wants issue i high (salience 1/2) and the two
# others low (1/4 each). Then Σ_i u_i = 3/2 everywhere: the frontier is one triangle, a
# face whose interior a set of vertices and edges never reaches.
FACE = spatial_prefs([[2, 1, 1], [1, 2, 1], [1, 1, 2]], [[1, 0, 0], [0, 1, 0], [0, 0, 1]], 1)


@pytest.mark.parametrize("powers", [(1, 1, 1), (0.5, 0.3, 0.2)])
def test_three_party_nash_inside_a_face(powers):
    d = np.array([0.1, 0.2, 0.05])
    a = np.array(powers) / sum(powers)
    point = ref.nash_point(FACE, d, np.full(3, 0.5), np.array(powers, dtype=float))
    assert_allclose(point.u, d + a * (1.5 - d.sum()), atol=1e-9)


def test_three_party_egalitarian_inside_a_face():
    d = np.array([0.1, 0.2, 0.05])
    point = ref.egalitarian_point(FACE, d, np.full(3, 0.5))
    assert_allclose(point.u, d + (1.5 - d.sum()) / 3, atol=1e-9)


def test_red_lines_and_linked_conditions_bind():
    # party 1 accepts x ≤ 0.4, so the split's Nash point (0.5) moves to the red line
    prefs = spatial_prefs([[1.0], [1.0]], [[1.0], [0.0]], 1, accept_hi=[[np.inf], [0.4]])
    assert_allclose(ref.nash_point(prefs, np.zeros(2), np.array([0.3])).x, [0.4], atol=1e-9)
    # party 1 accepts issue 0 in [0.3, 1] only if issue 1 ≤ 0.2: two boxes, the best wins
    link = LinkedLine(party=1, id="l", issue=0, zone=(0.3, 1.0), options=(((1, 0.0, 0.2),),))
    prefs = spatial_prefs([[1, 1], [1, 1]], [[1, 1], [0, 0]], 1, conditions=[link])
    boxes = ref.acceptable_intervals(prefs)
    assert len(boxes) == 2
    point = ref.nash_point(prefs, np.zeros(2), np.array([0.2, 0.2]))
    assert prefs.acceptable(point.x).all()
    # box x0 < 0.3 (any x1): Nash product max at x = (0.3−, 0.7) gives u = (0.5, 0.5);
    # box x1 ≤ 0.2 (any x0): x = (0.8, 0.2) gives the same; either way u = (0.5, 0.5)
    assert_allclose(point.u, [0.5, 0.5], atol=1e-8)


def test_baseline_points_are_never_worse_than_the_frontier_points():
    from sim.game import compile_game
    from sim.jobs.reference import feasible
    from sim.scenario.loader import load_scenario

    game = compile_game(load_scenario("scenarios/istanbul_2025_06_02.yaml"))
    prefs, d = game.prefs, game.reservation(game.status_quo)
    outcomes, u = feasible(game)
    i = bargaining.nash_index(u, d)
    nash = ref.nash_point(prefs, d, outcomes[i])
    assert prefs.acceptable(nash.x).all()
    assert np.log(nash.u - d).sum() >= np.log(u[i] - d).sum() - 1e-12
    i = bargaining.egalitarian_index(u, d)
    egal = ref.egalitarian_point(prefs, d, outcomes[i])
    assert (egal.u - d).min() >= (u[i] - d).min() - 1e-12
    i = bargaining.utilitarian_index(u)
    assert ref.utilitarian_point(prefs).u.sum() >= u[i].sum() - 1e-12


def random_prefs(rng: np.random.Generator, exponents: str, red_lines: bool) -> Preferences:
    """Four parties, five issues on [0, 1], some weights zero; exponents "1", "2" or "12"."""
    n, m = 4, 5
    weights = rng.uniform(0, 1, (n, m)) * (rng.uniform(size=(n, m)) > 0.2) + 1e-3
    exponent = rng.choice([int(e) for e in exponents], size=(n, m))
    prefs = spatial_prefs(weights, rng.uniform(0, 1, (n, m)).round(1), 1)
    accept_lo = np.full((n, m), -np.inf)
    accept_hi = np.full((n, m), np.inf)
    conditions = ()
    if red_lines:
        accept_lo[0, 0], accept_hi[1, 1] = 0.3, 0.6
        zone = (0.0, 0.4)
        conditions = (LinkedLine(0, "l", 2, zone, (((3, 0.7, 1.0),), ((4, 0.0, 0.2),))),)
    return Preferences(
        **{
            **prefs.__dict__,
            "exponent": exponent,
            "accept_lo": accept_lo,
            "accept_hi": accept_hi,
            "conditions": conditions,
        }
    )


def issue_loss(prefs: Preferences, j: int, x: np.ndarray) -> np.ndarray:
    """Σ_i (1 − v_ij(x)) w_ij at each value of ``x``: what the utilitarian point minimises."""
    return prefs.weights[:, j] @ (1.0 - prefs.issue_values(j, x))


@pytest.mark.parametrize("exponents", ["1", "2", "12"])
@pytest.mark.parametrize("red_lines", [False, True])
def test_utilitarian_closed_form_is_optimal_issue_by_issue(exponents, red_lines):
    rng = np.random.default_rng(len(exponents) + 10 * red_lines)
    for trial in range(8):
        prefs = random_prefs(rng, exponents, red_lines)
        point = ref.utilitarian_point(prefs)
        assert prefs.acceptable(point.x).all()
        # x is optimal on every box that holds it (it is at least as good as their optima)
        inside = [b for b in ref.acceptable_intervals(prefs) if np.all(b[:, 0] <= point.x)]
        box = next(b for b in inside if np.all(point.x <= b[:, 1]))
        for j, x in enumerate(point.x):
            lo, hi = box[j]
            # no nearby value (the losses are piecewise quadratic) and no value of a fine
            # grid does better
            near = np.array([x - 1e-7, x + 1e-7, *np.linspace(lo, hi, 2001)])
            near = near[(near >= lo) & (near <= hi)]
            assert (
                issue_loss(prefs, j, np.array([x]))[0] <= issue_loss(prefs, j, near).min() + 1e-12
            )
        # never worse than the best of every box solved by SLSQP (slow on linear losses)
        for box in ref.acceptable_intervals(prefs) if trial < 2 else []:
            program = ref._Program(prefs, box)

            def objective(v, program=program):
                return -float(program.utilities(v).sum()), -program.jacobian(v).sum(axis=0)

            start = box.mean(axis=1)
            v = ref._solve(program, start, 0, objective, [], [], np.empty(0))
            x = np.clip(v[: prefs.n_issues], box[:, 0], box[:, 1])
            assert point.u.sum() >= prefs.utilities(x)[0].sum() - 1e-9


def test_utilitarian_is_the_clipped_weighted_mean_with_quadratic_losses():
    rng = np.random.default_rng(3)
    prefs = random_prefs(rng, "2", red_lines=False)
    mean = (prefs.weights * prefs.ideal).sum(axis=0) / prefs.weights.sum(axis=0)
    assert_allclose(ref.utilitarian_point(prefs).x, mean, atol=1e-12)


def test_utilitarian_flat_face_returns_the_midpoint():
    # u1 + u2 = 1 on all of [0, 1]; on [0, 0.4] (party 1's red line) the midpoint is 0.2
    assert_allclose(ref.utilitarian_point(SPLIT).x, [0.5])
    prefs = spatial_prefs([[1.0], [1.0]], [[1.0], [0.0]], 1, accept_hi=[[np.inf], [0.4]])
    assert_allclose(ref.utilitarian_point(prefs).x, [0.2])


@pytest.mark.parametrize(
    ("ideal", "linear", "quad", "expected"),
    [
        ([0.0, 1.0], [1.0, 1.0], [0.0, 0.0], (0.0, 1.0)),  # flat between the medians
        ([0.0, 1.0], [2.0, 1.0], [0.0, 0.0], (0.0, 0.0)),  # heavier ideal wins
        ([0.2, 0.8], [0.0, 0.0], [1.0, 3.0], (0.65, 0.65)),  # weighted mean
        ([0.0, 1.0], [0.5, 0.0], [0.0, 1.0], (0.75, 0.75)),  # 0.5 + 2 (x − 1) = 0
        ([0.5, 0.0], [1.0, 0.0], [0.0, 4.0], (0.125, 0.125)),  # −1 + 8x = 0
        ([0.5, 0.0], [1.0, 0.0], [0.0, 0.5], (0.5, 0.5)),  # kink: −1 ≤ 0.5 ≤ 1
        ([0.3], [0.0], [0.0], (-np.inf, np.inf)),  # no weight: the whole line
    ],
)
def test_issue_minimisers_on_hand_solved_cases(ideal, linear, quad, expected):
    found = ref.issue_minimisers(np.array(ideal), np.array(linear), np.array(quad))
    assert_allclose(found, expected, atol=1e-12)


@pytest.mark.parametrize("red_lines", [False, True])
def test_ideal_point_by_duality_matches_slsqp(red_lines, monkeypatch):
    rng = np.random.default_rng(7 + red_lines)
    checked = 0
    for _ in range(8):
        prefs = random_prefs(rng, "2", red_lines)
        d = rng.uniform(0.6, 0.9, prefs.n_parties)
        start = ref.acceptable_intervals(prefs)[0].mean(axis=1)
        fast = ref.ideal_point(prefs, d, start)
        with monkeypatch.context() as patch:
            patch.setattr(dual, "ideal_by_duality", lambda *args: None)
            slow = ref.ideal_point(prefs, d, start)
        # duality never misses a point SLSQP finds (and sometimes finds one it misses)
        assert slow is None or fast is not None
        if slow is not None:
            assert_allclose(fast, slow, atol=1e-9)
            checked += 1
    assert checked


def random_quadratic(rng: np.random.Generator, n: int, kind: str) -> Preferences:
    """n parties, four quadratic issues on [0, 1]; ``kind`` "plain", "red" (red-line box)
    or "linked" (a linked condition: two boxes)."""
    m = 4
    prefs = spatial_prefs(rng.uniform(0.05, 1, (n, m)), rng.uniform(0, 1, (n, m)), 2)
    accept_lo = np.full((n, m), -np.inf)
    accept_hi = np.full((n, m), np.inf)
    conditions = ()
    if kind == "red":
        accept_lo[0, 0], accept_hi[1, 1] = rng.uniform(0, 0.5), rng.uniform(0.5, 1)
    if kind == "linked":
        zone = (0.0, 0.5)
        conditions = (LinkedLine(0, "l", 2, zone, (((3, 0.6, 1.0),),)),)
    fields = {"accept_lo": accept_lo, "accept_hi": accept_hi, "conditions": conditions}
    return Preferences(**{**prefs.__dict__, **fields})


def _nash_value(u: np.ndarray, d: np.ndarray, a: np.ndarray) -> float:
    return float(a @ np.log(u - d))


def _ray_value(u: np.ndarray, d: np.ndarray, s: np.ndarray) -> float:
    return float(((u - d) / s).min())


@pytest.mark.parametrize("kind", ["plain", "red", "linked"])
@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_dual_points_match_slsqp_on_random_quadratic_problems(n, kind):
    rng = np.random.default_rng(100 * n + len(kind))
    for _ in range(4):
        prefs = random_quadratic(rng, n, kind)
        d = rng.uniform(0.3, 0.7, n)
        start = ref.acceptable_intervals(prefs)[0].mean(axis=1)
        powers = rng.uniform(0.2, 1.0, n)
        a = powers / powers.sum()
        for pw, weights in ((None, np.full(n, 1 / n)), (powers, a)):
            fast = ref.nash_point(prefs, d, start, pw)
            slow = ref.nash_point(prefs, d, start, pw, duality=False)
            assert (fast is None) == (slow is None)
            if fast is not None:
                assert prefs.acceptable(fast.x).all()
                assert_allclose(fast.u, slow.u, atol=1e-8)
                assert _nash_value(fast.u, d, weights) >= _nash_value(slow.u, d, weights) - 1e-12
        fast = ref.egalitarian_point(prefs, d, start)
        slow = ref.egalitarian_point(prefs, d, start, duality=False)
        assert (fast is None) == (slow is None)
        if fast is not None:
            assert_allclose(fast.u, slow.u, atol=1e-8)
            ones = np.ones(n)
            assert _ray_value(fast.u, d, ones) >= _ray_value(slow.u, d, ones) - 1e-12
        ideal = ref.ideal_point(prefs, d, start)
        fast = ref.kalai_smorodinsky_point(prefs, d, start)
        slow = ref.kalai_smorodinsky_point(prefs, d, start, duality=False)
        assert (fast is None) == (slow is None)
        if fast is not None:
            assert_allclose(fast.u, slow.u, atol=1e-8)
            s = ideal - d
            assert _ray_value(fast.u, d, s) >= _ray_value(slow.u, d, s) - 1e-12


def test_dual_nash_of_a_quadratic_split_by_hand():
    # u1 = 1 − (1 − x)², u2 = 1 − x², d = 0: maximise a1 log(2x − x²) + a2 log(1 − x²)
    prefs = spatial_prefs([[1.0], [1.0]], [[1.0], [0.0]], 2)
    box = ref.acceptable_intervals(prefs)[0]
    x = dual.nash_by_duality(prefs, box, np.zeros(2), np.full(2, 0.5), np.array([0.3]))
    # symmetric problem: x = 1/2
    assert_allclose(x, [0.5], atol=1e-14)
    # weighted a = (0.3, 0.7), first-order condition: 0.3 (1 − x)/(2x − x²) = 0.7 x/(1 − x²)
    a = np.array([0.3, 0.7])
    x = dual.nash_by_duality(prefs, box, np.zeros(2), a, np.array([0.3]))[0]
    assert_allclose(a[0] * (1 - x) / (2 * x - x * x), a[1] * x / (1 - x * x), atol=1e-13)
    # egalitarian with d = (0.2, 0.1): 1 − (1 − x)² − 0.2 = 1 − x² − 0.1 → x = 0.55
    x = dual.ray_by_duality(prefs, box, np.array([0.2, 0.1]), np.ones(2), np.array([0.3]))
    assert_allclose(x, [0.55], atol=1e-14)


def test_dual_ray_point_leaves_a_slack_party_out():
    # party 3 shares party 1's ideal at half the weight: it is never the worst off
    prefs = spatial_prefs([[1.0], [1.0], [1.0]], [[1.0], [0.0], [0.9]], 2)
    box = ref.acceptable_intervals(prefs)[0]
    d = np.zeros(3)
    x = dual.ray_by_duality(prefs, box, d, np.ones(3), np.array([0.5]))
    assert_allclose(x, [0.5], atol=1e-14)
    assert_allclose(ref.egalitarian_point(prefs, d, np.array([0.5])).x, [0.5], atol=1e-14)


def test_dual_falls_back_to_slsqp(monkeypatch):
    calls = []
    solve = ref._solve
    monkeypatch.setattr(ref, "_solve", lambda *args: calls.append(1) or solve(*args))
    # quadratic: no SLSQP
    prefs = spatial_prefs([[1.0, 1.0], [1.0, 2.0]], [[1.0, 0.2], [0.0, 0.9]], 2)
    d = np.array([0.2, 0.1])
    ref.nash_point(prefs, d, np.full(2, 0.5))
    ref.egalitarian_point(prefs, d, np.full(2, 0.5))
    ref.kalai_smorodinsky_point(prefs, d, np.full(2, 0.5))
    assert not calls
    # a linear loss: SLSQP
    exponent = prefs.exponent.copy()
    exponent[0, 1] = 1
    mixed = dataclasses.replace(prefs, exponent=exponent)
    fallback = ref.nash_point(mixed, d, np.full(2, 0.5))
    assert calls
    assert (
        dual.nash_by_duality(
            mixed, ref.acceptable_intervals(mixed)[0], d, np.full(2, 0.5), np.full(2, 0.5)
        )
        is None
    )
    assert mixed.acceptable(fallback.x).all()
    # an issue nobody weighs: x(λ) is not unique, SLSQP
    weights = prefs.weights.copy()
    weights[:, 1] = 0.0
    unweighed = dataclasses.replace(prefs, weights=weights)
    box = ref.acceptable_intervals(unweighed)[0]
    assert dual.ray_by_duality(unweighed, box, d, np.ones(2), np.full(2, 0.5)) is None


def test_dual_points_are_deterministic():
    rng = np.random.default_rng(5)
    prefs = random_quadratic(rng, 4, "red")
    d = rng.uniform(0.3, 0.6, 4)
    start = ref.acceptable_intervals(prefs)[0].mean(axis=1)
    first = ref.kalai_smorodinsky_point(prefs, d, start).x.copy()
    ref.nash_point(prefs, d + 0.05, start)
    ref.egalitarian_point(prefs, d - 0.05, start)
    assert np.array_equal(ref.kalai_smorodinsky_point(prefs, d, start).x, first)


def _counted_points(monkeypatch) -> list[int]:
    """Count the dual evaluations x(λ) (calls of QuadraticBox.point)."""
    calls: list[int] = []
    point = dual.QuadraticBox.point
    monkeypatch.setattr(dual.QuadraticBox, "point", lambda q, lam: calls.append(1) or point(q, lam))
    return calls


@pytest.mark.parametrize("seed", range(6))
def test_ideal_start_recovers_the_multipliers_at_the_optimum(seed, monkeypatch):
    # at the exact optimum the least-squares multipliers are the optimal ones: x(λ) is the
    # optimum itself, and the method started there only verifies it
    rng = np.random.default_rng(seed)
    prefs = random_quadratic(rng, 4, "plain")
    box = ref.acceptable_intervals(prefs)[0]
    quad = dual.QuadraticBox.of(prefs, box)
    d = rng.uniform(0.4, 0.7, 4)
    for i in range(4):
        best = dual.ideal_by_duality(prefs, box, d, i)
        if best is None or ref._own_best(prefs, i, d) is not None:
            continue  # no rational point, or party i's own ideal: nothing binds
        lam, active = dual._ideal_start(quad, d, i, best)
        assert any(active)
        assert_allclose(quad.point(lam)[0], best, atol=1e-9)
        calls = _counted_points(monkeypatch)
        again = dual.ideal_by_duality(prefs, box, d, i, best)
        monkeypatch.undo()
        assert_allclose(again, best, atol=1e-12)
        assert len(calls) <= 3


def test_ray_start_recovers_the_direction_at_the_optimum():
    # at the egalitarian point the binding parties' gradients balance: G Gᵀ is singular,
    # its null vector is the optimal direction, and x(μ) is the point itself
    rng = np.random.default_rng(7)
    checked = 0
    for _ in range(12):
        prefs = random_quadratic(rng, 3, "plain")
        box = ref.acceptable_intervals(prefs)[0]
        quad = dual.QuadraticBox.of(prefs, box)
        d = rng.uniform(0.3, 0.5, 3)
        best = dual.ray_by_duality(prefs, box, d, np.ones(3), box.mean(axis=1))
        gains = quad.utilities(best) - d
        binding = gains <= gains.min() + 1e-9
        if binding.sum() < 2:
            continue
        mu, active = dual._ray_start(quad, d, np.ones(3), best)
        assert active == binding.tolist()
        assert_allclose(mu.sum(), 1.0)
        assert_allclose(quad.point(mu)[0], best, atol=1e-9)
        assert_allclose(dual.ray_by_duality(prefs, box, d, np.ones(3), best), best, atol=1e-12)
        checked += 1
    assert checked >= 6

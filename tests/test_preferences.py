"""Utilities against hand computation: u_i(x) = Σ_j w_ij (1 − |x_j − ideal_ij|^p_ij)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from sim.game import compile_game
from sim.scenario import parse_scenario
from sim.theory.preferences import Preferences, red_line_bounds


def two_issue_prefs(exponent=((1, 2), (2, 1))) -> Preferences:
    inf = np.inf
    return Preferences(
        weights=np.array([[0.75, 0.25], [0.5, 0.5]]),
        spatial=np.array([True, True]),
        integer=np.array([False, False]),
        lo=np.zeros(2),
        hi=np.ones(2),
        ideal=np.array([[1.0, 0.6], [0.0, 0.0]]),
        exponent=np.array(exponent),
        accept_lo=np.array([[0.6, -inf], [-inf, -inf]]),
        accept_hi=np.array([[inf, inf], [0.4, inf]]),
        tables=(None, None),
        allowed=(None, None),
    )


def test_utilities_by_hand():
    prefs = two_issue_prefs()
    x = np.array([[0.5, 0.2], [1.0, 0.6]])
    # party 0: 0.75 (1 − |0.5 − 1|) + 0.25 (1 − 0.4²) = 0.375 + 0.21 = 0.585
    # party 1: 0.5 (1 − 0.5²) + 0.5 (1 − |0.2|) = 0.375 + 0.4 = 0.775
    # second row: party 0 at its ideal = 1; party 1: 0.5 (1 − 1) + 0.5 (1 − 0.6) = 0.2
    assert_allclose(prefs.utilities(x), [[0.585, 0.775], [1.0, 0.2]], atol=1e-12)


def test_red_lines_by_hand():
    prefs = two_issue_prefs()
    x = np.array([[0.5, 0.2], [0.65, 0.9], [0.3, 0.0]])
    # party 0 needs issue 0 >= 0.6; party 1 needs issue 0 <= 0.4
    assert prefs.acceptable(x).tolist() == [[False, False], [True, False], [False, True]]


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_red_lines_compare_every_spatial_issue_in_scope(seed):
    # acceptable() compares only the issues where some party has a finite red line; it
    # gives what comparing every spatial issue with its bounds (±inf included) gives,
    # for NaN and infinite values too, with and without a scope
    from dataclasses import replace

    rng = np.random.default_rng(seed)
    base = two_issue_prefs()
    n, m = 3, 4
    lo = np.where(rng.random((n, m)) < 0.3, rng.uniform(0, 0.5, (n, m)), -np.inf)
    hi = np.where(rng.random((n, m)) < 0.3, rng.uniform(0.5, 1, (n, m)), np.inf)
    prefs = replace(
        base,
        weights=np.full((n, m), 1 / m),
        spatial=np.ones(m, dtype=bool),
        integer=np.zeros(m, dtype=bool),
        lo=np.zeros(m),
        hi=np.ones(m),
        ideal=np.full((n, m), 0.5),
        exponent=np.full((n, m), 2),
        accept_lo=lo,
        accept_hi=hi,
        tables=(None,) * m,
        allowed=(None,) * m,
    )
    x = rng.choice([0.0, 0.3, 0.7, 1.0], size=(6, m))
    x[rng.random(x.shape) < 0.1] = np.nan
    x[rng.random(x.shape) < 0.05] = np.inf
    for scope in (None, rng.random(m) < 0.5):
        s = np.ones(m, dtype=bool) if scope is None else scope
        xs = x[:, None, s]
        expected = ((xs >= lo[None, :, s]) & (xs <= hi[None, :, s])).all(axis=2)
        assert np.array_equal(prefs.acceptable(x, scope), expected)


def test_red_line_bounds_direction():
    assert red_line_bounds(0.0, 0.5) == (-np.inf, 0.5)
    assert red_line_bounds(1.0, 0.4) == (0.4, np.inf)
    assert red_line_bounds(0.3, None) == (-np.inf, np.inf)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.floats(0, 1), min_size=2, max_size=2),
    st.lists(st.floats(0, 1), min_size=2, max_size=2),
)
def test_utilities_in_unit_interval_and_ideal_is_best(x, y):
    prefs = two_issue_prefs()
    u = prefs.utilities(np.array([x, y]))
    assert np.all(u >= -1e-12) and np.all(u <= 1 + 1e-12)
    ideals = prefs.utilities(prefs.ideal)
    assert_allclose(np.diag(ideals), [1.0, 1.0])
    assert np.all(u <= np.diag(ideals) + 1e-12)


def test_compiled_baseline_normalises_saliences(baseline_dict):
    game = compile_game(parse_scenario(baseline_dict, "baseline"))
    assert_allclose(game.prefs.weights.sum(axis=1), 1.0)
    raw = baseline_dict["parties"][0]["positions"]["territory"]["salience"]["value"]
    total = sum(p["salience"]["value"] for p in baseline_dict["parties"][0]["positions"].values())
    assert_allclose(game.prefs.weights[0, game.issue_ids.index("territory")], raw / total)
    assert any("normalised" in note for note in game.notes)


def test_reservation_is_status_quo_utility_minus_cost(two_party_dict):
    game = compile_game(parse_scenario(two_party_dict, "two"))
    # status quo 0.5 with linear losses: u = 0.5 for both; fighting cost 0.5 each
    assert_allclose(game.reservation(game.status_quo), [0.0, 0.0], atol=1e-12)

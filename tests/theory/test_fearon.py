"""Fearon (1995) bargaining range."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from sim.theory.fearon import bargaining_range, expected_war_value

# Fearon (1995) International Organization 49:379, Figure 1: the range is
# [p - c_A, p + c_B], clipped to the pie [0, 1].
RANGES = [
    ((0.5, 0.1, 0.2), (0.4, 0.7)),
    ((0.3, 0.0, 0.0), (0.3, 0.3)),  # costless war: the range shrinks to p
    ((0.05, 0.1, 0.1), (0.0, 0.15)),  # clipped below
    ((0.95, 0.1, 0.2), (0.85, 1.0)),  # clipped above
    ((0.5, 2.0, 2.0), (0.0, 1.0)),  # any division beats a ruinous war
]


@pytest.mark.parametrize(("args", "expected"), RANGES)
def test_bargaining_range_closed_form(args, expected):
    assert_allclose(bargaining_range(*args), expected, atol=1e-9)


@pytest.mark.parametrize(
    ("p", "cost", "expected"), [(0.7, 0.1, 0.6), (0.2, 0.3, -0.1), (1.0, 0.0, 1.0)]
)
def test_expected_war_value(p, cost, expected):
    # Fearon (1995): a risk-neutral side's war payoff is p - c.
    assert_allclose(expected_war_value(p, cost), expected, atol=1e-12)


def test_invalid_arguments():
    with pytest.raises(ValueError):
        bargaining_range(1.2, 0.1, 0.1)
    with pytest.raises(ValueError):
        bargaining_range(0.5, -0.1, 0.1)
    with pytest.raises(ValueError):
        expected_war_value(0.5, float("nan"))


@given(st.floats(0, 1), st.floats(0, 2), st.floats(0, 2))
@settings(max_examples=200, deadline=None)
def test_every_share_in_range_beats_war_for_both(p, cost_a, cost_b):
    lo, hi = bargaining_range(p, cost_a, cost_b)
    assert 0.0 <= lo <= p <= hi <= 1.0
    assert hi - lo <= cost_a + cost_b + 1e-12
    if p - cost_a >= 0 and p + cost_b <= 1:
        assert_allclose(hi - lo, cost_a + cost_b, atol=1e-12)
    for x in (lo, hi, (lo + hi) / 2):
        assert x >= expected_war_value(p, cost_a) - 1e-12  # A prefers x to war
        assert 1 - x >= expected_war_value(1 - p, cost_b) - 1e-12  # B prefers 1 - x to war

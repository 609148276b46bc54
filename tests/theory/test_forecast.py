"""Weighted median / mean and the BDM-style forecast."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from sim.theory.forecast import forecast, weighted_mean, weighted_median

# Hand-computed weighted medians under the documented convention (minimiser of
# sum_i w_i |x - x_i|, midpoint of the minimising interval when cumulative weight hits exactly
# half; Black 1948; Bueno de Mesquita 1994; Scholz, Calbert & Smith 2011).
MEDIANS = [
    ([1, 2, 3], [1, 1, 1], 2.0),  # odd count, equal weights
    ([1, 2, 3, 4], [1, 1, 1, 1], 2.5),  # exactly half at 2 -> midpoint of [2, 3]
    ([0, 10], [3, 1], 0.0),  # heavy player is the median voter
    ([1, 2, 3], [1, 2, 1], 2.0),  # cumulative 1, 3, 4: first >= 2 is position 2
    ([1, 2, 3], [2, 1, 1], 1.5),  # cumulative 2 = half at position 1 -> midpoint of [1, 2]
    ([3, 1, 2], [0.3, 0.1, 0.2], 2.5),  # unsorted; 0.1 + 0.2 counts as exactly half of 0.6
    ([2, 2, 1, 3], [1, 1, 1, 1], 2.0),  # equal positions pool weight: 1 | 2 (2) | 3
    ([1, 2, 9], [1, 0, 1], 5.0),  # zero weight is ignored: interval [1, 9]
    ([-4.5], [2], -4.5),
]


@pytest.mark.parametrize(("positions", "weights", "expected"), MEDIANS)
def test_weighted_median_by_hand(positions, weights, expected):
    assert weighted_median(positions, weights) == expected


# Weighted means: sum w x / sum w.
MEANS = [([1, 2, 3], [1, 1, 1], 2.0), ([0, 10], [3, 1], 2.5), ([1, 2, 9], [1, 0, 1], 5.0)]


@pytest.mark.parametrize(("positions", "weights", "expected"), MEANS)
def test_weighted_mean_by_hand(positions, weights, expected):
    assert_allclose(weighted_mean(positions, weights), expected, atol=1e-12)


def test_forecast_by_hand():
    # Three parties, two issues; weights = salience x capability (Bueno de Mesquita 1994, 2011).
    ideals = np.array([[0.0, 100.0], [50.0, 0.0], [100.0, 40.0]])
    salience = np.array([[1.0, 0.5], [0.5, 1.0], [1.0, 1.0]])
    capability = np.array([2.0, 4.0, 1.0])
    # issue 0: weights (2, 2, 1), cumulative 2, 4, 5 -> median 50; mean (0 + 100 + 100)/5 = 40
    # issue 1: weights (1, 4, 1) at positions 100, 0, 40 -> sorted 0 (4), 40, 100 -> median 0;
    #          mean (100 + 0 + 40)/6
    result = forecast(ideals, salience, capability)
    assert_allclose(result["median"], [50.0, 0.0], atol=1e-12)
    assert_allclose(result["mean"], [40.0, 140 / 6], atol=1e-12)


def test_invalid_input():
    with pytest.raises(ValueError):
        weighted_median([1, 2], [1])
    with pytest.raises(ValueError):
        weighted_median([1, 2], [0, 0])
    with pytest.raises(ValueError):
        weighted_mean([1, 2], [-1, 2])
    with pytest.raises(ValueError):
        forecast(np.zeros((2, 3)), np.ones((2, 3)), np.ones(3))
    with pytest.raises(ValueError):
        forecast(np.zeros((2, 1)), np.zeros((2, 1)), np.ones(2))  # no weight on the issue
    with pytest.raises(ValueError):
        forecast(np.array([[0.0], [np.nan]]), np.ones((2, 1)), np.ones(2))  # an ideal not finite
    with pytest.raises(ValueError):
        forecast(np.zeros((0, 2)), np.zeros((0, 2)), np.zeros(0))  # no party


def _loss(x: float, positions: np.ndarray, weights: np.ndarray) -> float:
    return float(np.sum(weights * np.abs(x - positions)))


@given(
    st.lists(st.tuples(st.integers(-20, 20), st.integers(0, 5)), min_size=1, max_size=12).filter(
        lambda pairs: sum(w for _, w in pairs) > 0
    )
)
@settings(max_examples=200, deadline=None)
def test_weighted_median_minimises_absolute_loss(pairs):
    positions = np.array([x for x, _ in pairs], dtype=float)
    weights = np.array([w for _, w in pairs], dtype=float)
    median = weighted_median(positions, weights)
    candidates = np.concatenate([positions, [median]])
    best = min(_loss(x, positions, weights) for x in candidates)
    assert _loss(median, positions, weights) == best
    # the set of minimisers is an interval between data points; the median is its midpoint
    minimisers = [x for x in positions[weights > 0] if _loss(x, positions, weights) == best]
    assert median == (min(minimisers) + max(minimisers)) / 2


@given(
    st.lists(st.floats(-100, 100), min_size=1, max_size=10),
    st.floats(0.1, 10),
    st.floats(-5, 5),
)
@settings(max_examples=100, deadline=None)
def test_mean_and_median_are_equivariant(positions, scale, shift):
    x = np.array(positions)
    w = np.linspace(1, 2, len(x))
    assert_allclose(
        weighted_mean(scale * x + shift, w), scale * weighted_mean(x, w) + shift, atol=1e-9
    )
    assert_allclose(
        weighted_median(scale * x + shift, w), scale * weighted_median(x, w) + shift, atol=1e-9
    )


@given(
    st.lists(
        st.tuples(
            st.sampled_from([0.0, -0.0, 0.1, 0.2, 0.35, 1.0]) | st.floats(-1, 1),
            st.sampled_from([0.0, 0.1, 0.2, 1 / 3]) | st.floats(0, 1),
        ),
        min_size=1,
        max_size=8,
    ).filter(lambda pairs: sum(w for _, w in pairs) > 0)
)
@settings(max_examples=500, deadline=None)
def test_plain_python_median_gives_the_bits_of_the_numpy_one(pairs):
    # repeated positions pool their weight, sums that land on half the total (the
    # midpoint rule), signed zeros (np.unique decides between them)
    from sim.theory.forecast import _median, _median_numpy

    x, w = (np.array(column) for column in zip(*pairs, strict=True))
    assert np.float64(_median(x, w)).tobytes() == np.float64(_median_numpy(x, w)).tobytes()

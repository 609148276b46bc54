"""PRIM, CART and feature scores on a synthetic sweep whose true box is known:
the condition holds exactly when x1 > 0.6 and x2 < 0.3; 'noise' plays no part."""

from __future__ import annotations

import re

import numpy as np
import pytest
from scipy.stats import binom

from sim.discover.boxes import Step, choose, find_box, in_box, quasi_p_values
from sim.discover.trees import cart, feature_scores

NAMES = ["x1", "x2", "noise"]


@pytest.fixture(scope="module")
def synthetic():
    rng = np.random.default_rng(2024)
    x = rng.uniform(0.0, 1.0, size=(1000, 3))
    y = (x[:, 0] > 0.6) & (x[:, 1] < 0.3)
    return x, y


@pytest.fixture(scope="module")
def result(synthetic):
    x, y = synthetic
    return find_box(x, y, NAMES, min_density=0.95)


def test_prim_recovers_the_true_box(result):
    box = result.box
    assert set(result.quasi_p) == {"x1", "x2"}  # noise is never restricted
    assert abs(box.lows[0] - 0.6) < 0.05 and box.highs[0] == pytest.approx(result.range_highs[0])
    assert abs(box.highs[1] - 0.3) < 0.05 and box.lows[1] == pytest.approx(result.range_lows[1])
    assert box.density >= 0.95 and box.coverage >= 0.85
    assert box.restricted == 2


def test_box_statistics_are_the_counts_of_the_runs_inside(synthetic, result):
    x, y = synthetic
    for step in result.trajectory:
        inside = in_box(x, step.lows, step.highs)
        assert step.mass == pytest.approx(inside.mean())
        assert step.density == pytest.approx(y[inside].mean())
        assert step.coverage == pytest.approx(y[inside].sum() / y.sum())
    first = result.trajectory[0]
    assert first.mass == 1 and first.coverage == 1 and first.restricted == 0


def test_the_trajectory_trades_coverage_for_density(result):
    densities = [s.density for s in result.trajectory]
    # peeling raises the density; the box shrinks (pasting, at the end, may widen it again)
    assert densities[-1] > densities[0] and max(densities) > 0.99
    assert result.trajectory[0].density == pytest.approx(result.of_interest / result.runs)


def test_the_box_is_the_widest_dense_enough_one(result):
    dense = [s for s in result.trajectory if s.density >= 0.95]
    assert result.box.coverage == max(s.coverage for s in dense)


def test_quasi_p_is_the_one_sided_binomial_test_of_bryant_and_lempert():
    # six runs on a line x0, two parameters; the box keeps x0 >= 3 (rows 3, 4, 5)
    x = np.array([[0, 0], [1, 0], [2, 0], [3, 0], [4, 0], [5, 0]], dtype=float)
    y = np.array([False, True, False, True, True, False])
    lows, highs = np.array([3.0, 0.0]), np.array([5.0, 0.0])
    # in the box: H = 2 of T = 3; without the restriction on x0: p = 3 / 6
    (qp,) = quasi_p_values(x, y, lows, highs, [0])
    assert qp == pytest.approx(binom.sf(2 - 1, 3, 0.5)) and qp == pytest.approx(0.5)


def test_quasi_p_agrees_with_the_prim_package(synthetic, result):
    x, y = synthetic
    import pandas as pd
    from prim import Prim

    prim = Prim(pd.DataFrame(x, columns=NAMES), y)
    box = prim.find_box()
    box.select(result.chosen)
    theirs = box.limits["qp values"].to_dict()
    for name, ours in result.quasi_p.items():
        assert ours == pytest.approx(theirs[name], rel=1e-6)


def _step(i, coverage, density, restricted=1):
    return Step(i, coverage, density, 0.5, restricted, np.zeros(1), np.ones(1))


def test_choose_the_highest_coverage_that_is_dense_enough():
    steps = [_step(0, 1.0, 0.2, 0), _step(1, 0.9, 0.7), _step(2, 0.8, 0.85), _step(3, 0.5, 1.0)]
    assert choose(steps, 0.8)[0] == 2
    assert choose(steps, 0.7)[0] == 1
    index, rule = choose(steps[:2], 0.8)  # none is dense enough: the densest
    assert index == 1 and "no box reaches density 0.8" in rule
    ties = [_step(0, 0.9, 0.9, 2), _step(1, 0.9, 0.9, 1)]
    assert choose(ties, 0.8)[0] == 1  # fewer restricted parameters


def test_feature_scores_rank_the_true_parameters_first(synthetic):
    x, y = synthetic
    scores = feature_scores(x, y, NAMES, seed=0)
    assert [name for name, _ in scores][2] == "noise"
    assert sum(v for _, v in scores) == pytest.approx(1.0)
    assert dict(scores)["noise"] < 0.5 * min(dict(scores)["x1"], dict(scores)["x2"])
    assert feature_scores(x, y, NAMES, seed=0) == scores  # seeded: reproducible


def test_cart_rules_name_the_true_parameters(synthetic):
    x, y = synthetic
    text, leaves = cart(x, y, NAMES, seed=0)
    assert "x1" in text and "x2" in text
    best = leaves[0]
    assert best.predicted and best.density > 0.95 and best.coverage > 0.9
    cuts = re.fullmatch(r"x1 > ([\d.]+) and x2 <= ([\d.]+)", best.rule)
    assert cuts, best.rule  # noise plays no part in the rule
    assert abs(float(cuts[1]) - 0.6) < 0.03 and abs(float(cuts[2]) - 0.3) < 0.03
    assert sum(leaf.runs for leaf in leaves) == len(y)
    assert sum(leaf.of_interest for leaf in leaves) == y.sum()

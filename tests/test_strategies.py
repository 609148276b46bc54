"""Strategies: concession curves equal their formulas; the registry is complete."""

from __future__ import annotations

import importlib
import inspect
import pickle
import pkgutil

import numpy as np
import pytest
from numpy.testing import assert_allclose

import sim.behaviour.strategies as strategies_pkg
from sim.behaviour.offers import Bid, build_offer_set
from sim.behaviour.strategies import REGISTRY, RoundContext, Strategy, make_strategy
from sim.behaviour.strategies.base import IssueSpace, Offer, StrategyError
from sim.theory.frontier import Options

PARTIES = ("russia", "ukraine")


def linear_frontier_ctx(round_index, max_rounds=9, reservation=(0.0, 0.0), history=()):
    """Two parties on u_R = x, u_U = 1 − x, x on a 0.01 grid; discount factors 0.9, 0.8."""
    x = np.linspace(0, 1, 101)
    opts = Options(x[:, None], np.column_stack([x, 1 - x]), np.ones((101, 2), dtype=bool))
    consent = np.ones((1, 2), dtype=bool)
    offers = build_offer_set(opts, np.array([0.5]), consent)

    def evaluate(outcome):
        return Bid(
            outcome, np.array([outcome[0], 1 - outcome[0]]), np.ones(2, bool), np.ones(2, bool)
        )

    space = IssueSpace(np.zeros(1), np.ones(1), np.zeros(1, bool), np.zeros(1, bool))
    return RoundContext(
        round_index,
        max_rounds,
        offers,
        np.array(reservation),
        list(history),
        status_quo=np.array([0.5]),
        discount=np.array([0.9, 0.8]),
        evaluate=evaluate,
        space=space,
    )


@pytest.mark.parametrize(
    ("name", "params", "e"),
    [
        ("boulware", {"exponent": 3.0}, 3.0),
        ("linear", {}, 1.0),
        ("conceder", {"exponent": 0.25}, 0.25),
        ("time_dependent", {"exponent": 1.7}, 1.7),
    ],
)
def test_time_dependent_threshold_formula(name, params, e):
    s = make_strategy(name, params, "russia", PARTIES)
    for k in range(9):
        ctx = linear_frontier_ctx(k, reservation=(0.2, 0.0))
        t = (k + 1) / 10
        lo, hi = 0.2, 1.0  # lo = max(worst 0, reservation 0.2)
        assert_allclose(s.threshold(0, ctx), lo + (hi - lo) * (1 - t**e), atol=1e-12)


def test_boulware_concedes_later_than_conceder():
    b = make_strategy("boulware", {}, "russia", PARTIES)
    c = make_strategy("conceder", {}, "russia", PARTIES)
    for k in range(9):
        ctx = linear_frontier_ctx(k)
        assert b.threshold(0, ctx) > c.threshold(0, ctx)


def test_proposal_is_lowest_own_utility_at_threshold():
    s = make_strategy("linear", {}, "russia", PARTIES)
    ctx = linear_frontier_ctx(2)  # t = 0.3, threshold 0.7
    bid = s.propose(0, ctx, s.threshold(0, ctx))
    assert_allclose(bid.utilities, [0.7, 0.3], atol=1e-12)


def test_tit_for_tat_mirrors_real_concessions_only():
    s = make_strategy(
        "tit_for_tat",
        {"opponent": "russia", "scale": 0.5, "min_concession": 0.05},
        "ukraine",
        PARTIES,
    )

    def offer(k, u_russia):
        return Offer(k, 0, np.array([u_russia]), np.array([u_russia, 1 - u_russia]))

    # Russia's own utility: 1.0 -> 0.98 (a 0.02 "ultimatum" step, ignored) -> 0.78 (0.2)
    history = [offer(0, 1.0), offer(2, 0.98), offer(4, 0.78)]
    ctx = linear_frontier_ctx(5, history=history)
    assert_allclose(s.threshold(1, ctx), 1.0 - 0.5 * 0.2, atol=1e-12)
    assert_allclose(s.threshold(1, linear_frontier_ctx(5, history=history[:2])), 1.0)


def test_hardliner_keeps_its_demand():
    s = make_strategy("hardliner", {"aspiration": 0.9}, "russia", PARTIES)
    values = {s.threshold(0, linear_frontier_ctx(k, reservation=(0.1, 0))) for k in range(9)}
    assert len(values) == 1
    assert_allclose(values.pop(), 0.1 + 0.9 * 0.9)


def test_threshold_never_below_reservation():
    s = make_strategy("conceder", {"exponent": 0.1}, "russia", PARTIES)
    ctx = linear_frontier_ctx(8, reservation=(0.95, 0.0))
    assert s.threshold(0, ctx) >= 0.95


def _concrete_strategy_classes():
    for mod in pkgutil.iter_modules(strategies_pkg.__path__):
        module = importlib.import_module(f"{strategies_pkg.__name__}.{mod.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Strategy) and cls is not Strategy and "name" in cls.__dict__:
                yield cls


def test_every_strategy_is_registered_once():
    classes = set(_concrete_strategy_classes())
    assert classes, "no strategies found"
    assert {REGISTRY[c.name] for c in classes} == classes
    assert len(REGISTRY) == len(classes)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_strategy_contract(name):
    """Every strategy: documented rule, classifier, deterministic, offers in the set, picklable."""
    cls = REGISTRY[name]
    assert cls.__doc__ and cls.classifier["stochastic"] in (True, False)
    params = {"opponent": "russia"} if name in ("tit_for_tat", "zeuthen") else {}
    s = make_strategy(name, params, "ukraine", PARTIES)
    ctx = linear_frontier_ctx(3)
    if name == "mediator":
        bid = s.propose(-1, ctx, np.nan)
        assert np.all((bid.outcome >= 0) & (bid.outcome <= 1))
        assert np.array_equal(bid.outcome, s.propose(-1, ctx, np.nan).outcome)
        return
    thr = s.threshold(1, ctx)
    bid = s.propose(1, ctx, thr)
    assert np.all((bid.outcome >= 0) & (bid.outcome <= 1))
    again = make_strategy(name, params, "ukraine", PARTIES).propose(1, ctx, thr)
    assert np.array_equal(bid.outcome, again.outcome)
    assert bid.utilities[1] >= thr - 1e-12
    assert s.accepts(1, ctx, bid, thr)
    clone = pickle.loads(pickle.dumps(s))
    assert clone.threshold(1, ctx) == thr


def test_unknown_strategy_lists_known():
    with pytest.raises(StrategyError) as err:
        make_strategy("grim_trigger", {}, "russia", PARTIES)
    assert "known strategies: boulware" in str(err.value)


def test_fallback_threshold_by_hand_and_without_the_clock():
    # On u_R = x (lo = max(worst 0, reservation 0.2) = 0.2, hi = 1), aspiration 0.5:
    # threshold = 0.2 + 0.5 * 0.8 = 0.6, whatever the round or the horizon.
    s = make_strategy("fallback", {"aspiration": 0.5}, "russia", PARTIES)
    for round_index, horizon in ((0, 9), (7, 9), (3, 500)):
        ctx = linear_frontier_ctx(round_index, horizon, reservation=(0.2, 0.0))
        assert s.threshold(0, ctx) == pytest.approx(0.6)
    # Pressure of 0.1 (dated aspiration_shift events): 0.2 + 0.4 * 0.8 = 0.52.
    ctx = linear_frontier_ctx(2, reservation=(0.2, 0.0))
    ctx.pressure = [0.1, 0.0]
    assert s.threshold(0, ctx) == pytest.approx(0.52)
    # Reciprocity 1 toward Ukraine, whose own utility fell 0.9 -> 0.8 -> 0.79 in its
    # offers: only the 0.1 drop counts (>= min_concession 0.02): 0.6 - 0.1 = 0.5.
    r = make_strategy(
        "fallback",
        {"aspiration": 0.5, "opponent": "ukraine", "reciprocity": 1.0, "min_concession": 0.02},
        "russia",
        PARTIES,
    )
    history = [
        Offer(k, 1, np.array([1 - u]), np.array([1 - u, u])) for k, u in enumerate((0.9, 0.8, 0.79))
    ]
    assert r.threshold(0, linear_frontier_ctx(3, reservation=(0.2, 0.0), history=history)) == (
        pytest.approx(0.5)
    )


def test_fallback_needs_an_opponent_to_reciprocate():
    with pytest.raises(StrategyError) as err:
        make_strategy("fallback", {"reciprocity": 1.0}, "russia", PARTIES)
    assert "opponent" in str(err.value)

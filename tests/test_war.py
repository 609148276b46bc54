"""The war process, events and third-party pressure."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from sim.behaviour import war
from sim.behaviour.world import World
from sim.jobs.load import check_scenario
from sim.jobs.run import run_game
from sim.model.model import NegotiationModel
from sim.scenario import parse_scenario
from sim.theory.fearon import bargaining_range


def game_of(data):
    return check_scenario(parse_scenario(data, "test"), "test")


@settings(max_examples=100, deadline=None)
@given(
    st.floats(-0.05, 0.05),
    st.floats(0.001, 0.05),
    st.floats(0.001, 0.05),
    st.lists(st.floats(-0.1, 0.1), min_size=1, max_size=12),
)
def test_sequential_belief_updates_equal_the_closed_form(m0, s0, sigma, ys):
    # Normal–normal conjugacy (Gelman et al. 2013, §2.5): n sequential updates equal one
    # update with precision 1/s0² + n/σ² and mean (m0/s0² + Σy/σ²)/precision.
    m, s = m0, s0
    for y in ys:
        m, s = war.update_belief(m, s, y, sigma)
    precision = 1 / s0**2 + len(ys) / sigma**2
    assert_allclose(m, (m0 / s0**2 + sum(ys) / sigma**2) / precision, rtol=1e-9, atol=1e-12)
    assert_allclose(s, precision**-0.5, rtol=1e-9)
    assert_allclose((m, s), war.posterior(m0, s0, np.array(ys), sigma), rtol=1e-9, atol=1e-12)


def test_belief_hand_example():
    # prior N(0.012, 0.006²), one observation 0.004 with σ = 0.01:
    # precision = 1/0.000036 + 1/0.0001 = 27777.8 + 10000 = 37777.8
    # mean = (0.012·27777.8 + 0.004·10000)/37777.8 = (333.33 + 40)/37777.8 = 0.0098824
    m, s = war.update_belief(0.012, 0.006, 0.004, 0.01)
    assert_allclose(m, (0.012 / 0.006**2 + 0.004 / 0.01**2) / (1 / 0.006**2 + 1 / 0.01**2))
    assert_allclose(m, 0.0098824, atol=1e-7)
    assert_allclose(s, (1 / 0.006**2 + 1 / 0.01**2) ** -0.5)


def test_contest_share_and_drift():
    assert war.contest_share(1.0, 1.0) == 0.5
    assert_allclose(war.contest_share(1.0, 3.0), 0.25)
    assert war.contest_share(0.0, 0.0) == 0.5
    caps = war.capabilities(
        np.array([1.0, 0.6, 0, 0]), np.array([1.0, 0.5]), np.array([0.25, 0.2]), np.array([1, 1])
    )
    assert_allclose(caps, [1.0, 0.6 + 0.25 + 0.1, 0, 0])
    assert_allclose(war.explained_drift(0.75, 0.04), 0.02)
    assert war.move_territory(0.99, 0.05, 0.0, 0.0, 0.0, 1.0) == 1.0


def test_world_records_fearon_range_from_formula(baseline_dict):
    game = game_of(baseline_dict)
    model = NegotiationModel(game, seed=3)
    for _ in range(4):
        model.step()
    model.release()
    w, spec = model.world, model.world.spec
    caps = war.capabilities(w.resources, w.levels, spec.weights, spec.recipients)
    p = caps[spec.a] / (caps[spec.a] + caps[spec.b])
    costs = war.fighting_costs(game.fighting_cost, p, spec.a, spec.b)
    assert_allclose(w.share, p)
    assert_allclose(w.fearon, bargaining_range(p, costs[spec.a], costs[spec.b]))
    # Fearon (1995): the range is [p − c_A, p + c_B] when not clipped
    assert_allclose(w.fearon, (p - costs[spec.a], p + costs[spec.b]))


def test_reservation_without_movement_is_status_quo_minus_cost(baseline_dict):
    # With no drift, no trend and no beliefs, fighting on keeps the status quo:
    # r_i = u_i(status quo) − c_i (the slice's fixed reservation, cost scaled at parity).
    w = baseline_dict["war"]
    w["drift_scale"]["value"] = 0.0
    w["trend"]["value"] = 0.0
    for belief in w["beliefs"].values():
        belief["mean"]["value"] = 0.0
    game = game_of(baseline_dict)
    world = World.start(game)
    r = world.reservation(game, game.status_quo)
    expected = game.prefs.utilities(game.status_quo)[0] - world.costs
    assert_allclose(r, expected, atol=1e-12)


@pytest.mark.parametrize("territory", [0.3, 0.02, 0.97])
def test_reservation_equals_the_discounted_sum_over_the_horizon(baseline_dict, territory):
    # r_i = Σ_h δ^{h−1} [u_i(sq with T_h) − c_i] / Σ_h δ^{h−1}, T_h = clip(T + h·drift_i),
    # evaluated outcome by outcome (the edges 0.02 and 0.97 make the path clip).
    w = baseline_dict["war"]
    w["drift_scale"]["value"] = 0.2
    w["trend"]["value"] = 0.03
    game = game_of(baseline_dict)
    world = World.start(game)
    world.territory = territory
    spec, j = world.spec, world.spec.issue
    drift = spec.drift_scale * (2 * world.share - 1) + np.array(world.belief_mean)
    expected = np.zeros(game.n_parties)
    for i in range(game.n_parties):
        total = norm = 0.0
        for h in range(1, spec.horizon + 1):
            outcome = game.status_quo.copy()
            outcome[j] = min(max(territory + h * drift[i], 0.0), 1.0)
            weight = spec.discount ** (h - 1)
            total += weight * (game.prefs.utilities(outcome)[0][i] - world.costs[i])
            norm += weight
        expected[i] = total / norm
    reservation = world.reservation(game, game.status_quo)
    fixed = ~np.isnan(game.fixed_reservation)
    assert_allclose(reservation[~fixed], expected[~fixed], atol=1e-12)


@settings(max_examples=300, deadline=None)
@given(
    territory=st.floats(0.0, 1.0),
    drifts=st.lists(st.floats(-0.3, 0.3), min_size=3, max_size=3),
    ideals=st.lists(st.floats(0.0, 1.0), min_size=3, max_size=3),
    linear=st.lists(st.booleans(), min_size=3, max_size=3),
    horizon=st.integers(1, 12),
    discount=st.floats(0.5, 1.0),
)
def test_territory_value_equals_the_literal_sum(
    territory, drifts, ideals, linear, horizon, discount
):
    # w_i Σ_h ω_h (1 − |z_h|^e), z_h = (clip(T + h·d_i) − ideal_i)/span, summed term by
    # term: the closed forms (unclipped paths) and the stepwise sum must both agree.
    weights = np.array([0.5, 0.3, 0.9])
    prefs = SimpleNamespace(
        lo=np.array([0.0]),
        hi=np.array([1.0]),
        ideal=np.array(ideals)[:, None],
        exponent=np.where(linear, 1, 2)[:, None],
        weights=weights[:, None],
    )
    value = war.territory_value(prefs, 0, horizon, discount)(territory, drifts)
    omega = discount ** np.arange(horizon) / np.sum(discount ** np.arange(horizon))
    for i in range(3):
        total = 0.0
        for h in range(1, horizon + 1):
            z = abs(min(max(territory + h * drifts[i], 0.0), 1.0) - ideals[i])
            total += omega[h - 1] * (1.0 - (z if linear[i] else z * z))
        assert value[i] == pytest.approx(weights[i] * total, abs=1e-12)


def test_event_fires_in_exactly_its_round(baseline_dict):
    baseline_dict["events"] = [
        {
            "type": "capability_shock",
            "round": 3,
            "party": "russia",
            "delta": {"value": -0.5, "assumption": "test value"},
            "label": "test shock",
            "assumption": "test",
        }
    ]
    game = game_of(baseline_dict)
    model = NegotiationModel(game, seed=1)
    resources = []
    for _ in range(6):
        if model.running:
            model.step()
            resources.append(model.world.resources[game.index("russia")])
    model.release()
    assert resources[:2] == [1.0, 1.0] and all(r == 0.5 for r in resources[2:])
    labels = [rec.events for rec in model.world_records]
    assert [k for k, ev in enumerate(labels, start=1) if ev] == [3]


def test_dated_events_map_to_rounds(baseline_dict):
    game = game_of(baseline_dict)
    s = game.scenario
    rounds = {ev.label: s.event_round(ev) for ev in s.events}
    assert rounds["Ukrainian strike on Russia's strategic bombers"] == 1  # the day before
    assert rounds["US ultimatum: progress or withdrawal"] == 4
    assert str(s.round_date(2)) == "2025-06-16"


def test_us_deadline_without_progress_withdraws_and_cuts_support(baseline_dict):
    # hardliners never settle anything: the US ultimatum of round 4 finds no progress
    for party in baseline_dict["parties"]:
        party["strategy"] = {
            "name": "hardliner",
            "params": {"aspiration": {"value": 1.0, "assumption": "test: nobody concedes"}},
        }
    for issue in baseline_dict["issues"]:
        issue["separable"] = False
        issue.pop("repeatable", None)
    del baseline_dict["parties"][2]["patience"]
    game = game_of(baseline_dict)
    result = run_game(game, seed=2)
    us = game.index("united_states")
    withdrawn = [bool(w.withdrawn[us]) for w in result.world]
    assert withdrawn == [False, False, False] + [True] * (len(withdrawn) - 3)
    assert "United States withdraws" in result.world[3].events
    # after withdrawal the US is no longer asked
    assert all(rec.responses[us] == "" for rec in result.records[3:])


def test_patience_runs_out(baseline_dict):
    for party in baseline_dict["parties"]:
        party["strategy"] = {
            "name": "hardliner",
            "params": {"aspiration": {"value": 1.0, "assumption": "test: nobody concedes"}},
        }
    for issue in baseline_dict["issues"]:
        issue["separable"] = False
        issue.pop("repeatable", None)
    baseline_dict["events"] = []
    baseline_dict["parties"][2]["patience"]["value"] = 2
    game = game_of(baseline_dict)
    result = run_game(game, seed=2)
    us = game.index("united_states")
    # rounds 1 and 2 without progress; the US leaves at the start of round 3
    assert [bool(w.withdrawn[us]) for w in result.world][:4] == [False, False, True, True]


def _ukraine_terms(data, seeds):
    game = game_of(data)
    out = []
    for seed in seeds:
        result = run_game(game, seed=seed)
        out.append(
            (
                result.records[0].reservation[game.index("ukraine")],
                result.summary()["utilities"]["ukraine"],
            )
        )
    return np.array(out)


@pytest.mark.slow
def test_cutting_support_lowers_ukraines_fallback_and_terms(baseline_dict):
    import copy

    seeds = range(12)
    full = _ukraine_terms(copy.deepcopy(baseline_dict), seeds)
    for sup in baseline_dict["war"]["support"]:
        sup["level"]["value"] = 0.0
    cut = _ukraine_terms(baseline_dict, seeds)
    # reservation falls in every seed; the terms Ukraine ends with are worse on average
    assert np.all(cut[:, 0] < full[:, 0])
    assert cut[:, 1].mean() < full[:, 1].mean()


def test_identical_seeds_identical_runs(baseline_dict):
    game = game_of(baseline_dict)
    a, b = run_game(game, seed=11), run_game(game, seed=11)
    assert a.round_rows() == b.round_rows()
    c = run_game(game, seed=12)
    assert [r["territory"] for r in a.round_rows()] != [r["territory"] for r in c.round_rows()]


def test_support_moves_the_status_quo_of_the_issues_it_touches(baseline_dict):
    # The US deadline of round 1 without progress: the US withdraws and halves its support
    # (level 0.5); the military issue's status quo moves 0.3·(1 − 0.5) = 0.15 toward
    # "arms halted" (war.status_quo_links), European support (level 1) moves it by 0.
    baseline_dict["events"][-1]["round"] = 1
    game = check_scenario(parse_scenario(baseline_dict, "test"), "test")
    model = NegotiationModel(game, seed=1)
    model.step()
    j = game.issue_ids.index("military")
    assert model.negotiation.status_quo[j] == pytest.approx(0.15)


def test_fighting_and_losses_move_the_status_quo_of_linked_issues(baseline_dict):
    # Two more links on sanctions (status quo 0): +0.01 per round fought, and +0.1 x
    # Russia's cumulative losses. After round 1 (one round fought): 0.01 + 0.1 * L_R.
    links = baseline_dict["war"]["status_quo_links"]
    links.append({"issue": "sanctions", "effect": {"value": 0.01, "assumption": "test"}})
    links.append(
        {"issue": "sanctions", "losses_of": "russia", "effect": {"value": 0.1, "assumption": "t"}}
    )
    game = check_scenario(parse_scenario(baseline_dict, "test"), "test")
    model = NegotiationModel(game, seed=1)
    model.step()
    j = game.issue_ids.index("sanctions")
    losses = model.world.losses[game.index("russia")]
    assert losses > 0
    assert model.negotiation.status_quo[j] == pytest.approx(0.01 + 0.1 * losses)

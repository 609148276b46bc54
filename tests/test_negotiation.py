"""Negotiations whose course is derived by hand (tiny scenarios) and round invariants."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sim.behaviour.offers import build_offer_set
from sim.game import compile_game
from sim.jobs.load import check_scenario
from sim.jobs.run import run_game
from sim.model.model import negotiate
from sim.scenario import parse_scenario


def game_of(data):
    return check_scenario(parse_scenario(data, "test"), "test")


def test_linear_vs_linear_meets_in_the_middle(two_party_dict):
    # Both linear: threshold_k = 1 − k/10 (t = k/(9+1), lo = max(0, r = 0.5 − 0.5), hi = 1).
    # Russia proposes in odd rounds x = threshold (its lowest utility >= threshold);
    # Ukraine accepts iff 1 − x >= 1 − k/10, i.e. k/10 >= 1 − k/10, first at k = 5.
    result = run_game(game_of(two_party_dict))
    s = result.summary()
    assert (s["outcome"], s["round"]) == ("agreement", 5)
    assert_allclose(s["terms"]["territory"], 0.5, atol=1e-12)
    offers = [r.outcome[0] for r in result.records]
    assert_allclose(offers, [0.9, 0.2, 0.7, 0.4, 0.5], atol=1e-12)
    assert [r.responses for r in result.records][-1] == ("proposer", "accept")


def test_boulware_vs_linear_by_hand(two_party_dict):
    # Russia Boulware e = 2: threshold 1 − t², Ukraine linear 1 − t, t = k/10.
    # A deal needs t² >= 1 − t, i.e. t >= 0.618: first in round 7 (Russia proposes),
    # x = 1 − 0.49 = 0.51, which Ukraine (u = 0.49 >= 0.3) accepts.
    two_party_dict["parties"][0]["strategy"] = {"name": "boulware", "params": {"exponent": 2}}
    s = run_game(game_of(two_party_dict)).summary()
    assert (s["outcome"], s["round"]) == ("agreement", 7)
    assert_allclose(s["terms"]["territory"], 0.51, atol=1e-12)
    assert_allclose(s["utilities"]["russia"], 0.51, atol=1e-12)


def test_no_deal_when_reservations_exceed_the_pie(two_party_dict):
    # Fighting is free and the status quo 0.5 gives both 0.5: each demands >= 0.5 but with
    # hardliners at aspiration 1 nobody moves: no agreement in 9 rounds.
    for party in two_party_dict["parties"]:
        party["strategy"] = {"name": "hardliner", "params": {"aspiration": 1.0}}
    s = run_game(game_of(two_party_dict)).summary()
    assert (s["outcome"], s["round"], s["rounds_played"]) == ("none", None, 9)
    assert s["terms"] == {}


def separable_scenario(two_party_dict):
    """Two issues: territory with incompatible red lines, humanitarian separable."""
    d = two_party_dict
    d["issues"].append(
        {
            "id": "humanitarian",
            "label": "Prisoners",
            "separable": True,
            "anchors": {0.0: "all for all", 1.0: "case by case"},
            "status_quo": {"value": 1.0, "assumption": "test"},
        }
    )
    ru, ua = d["parties"]
    for party, ideal in ((ru, 0.6), (ua, 0.0)):
        party["strategy"] = {"name": "hardliner", "params": {"aspiration": 1.0}}
        party["positions"]["territory"]["salience"]["value"] = 0.5
        party["positions"]["humanitarian"] = {
            "ideal": {"value": ideal, "assumption": "test"},
            "salience": {"value": 0.5, "assumption": "test"},
        }
    ru["positions"]["territory"]["red_line"] = {"value": 0.6, "assumption": "test"}
    ua["positions"]["territory"]["red_line"] = {"value": 0.4, "assumption": "test"}
    d["protocol"]["proposer_order"] = ["ukraine", "russia"]
    return d


def test_partial_agreement_on_a_separable_issue(two_party_dict):
    # Hardliners at aspiration 1: no package is accepted (territory red lines: Russia
    # >= 0.6, Ukraine <= 0.4). On the separable issue the proposer also offers a deal
    # alone: its best value that the other strictly prefers to the status quo 1.0.
    # Round 1, Ukraine proposes: Russia (ideal 0.6) prefers x to 1.0 iff (x - 0.6)^2 <
    # 0.4^2, i.e. x > 0.2; on the 0.01 grid Ukraine's best such value is 0.21 (Russia's
    # gain 0.16 - 0.39^2 = 0.0079 > 0). Settled in round 1 and held from then on.
    result = run_game(game_of(separable_scenario(two_party_dict)))
    s = result.summary()
    assert s["outcome"] == "partial" and s["deal"] == "partial"
    assert s["partial_agreements"] == [{"issue": "humanitarian", "value": 0.21, "round": 1}]
    assert s["terms"] == {"humanitarian": 0.21}
    assert [r.settled for r in result.records[:3]] == [(1,), (), ()]
    assert result.records[0].side[1] == pytest.approx(0.21)
    # once settled, every later offer keeps the settled value
    assert all(r.outcome[1] == pytest.approx(0.21) for r in result.records[1:])


def test_repeated_exchanges_are_dated_deals_with_their_size(two_party_dict):
    # The same issue, repeatable: every round a new exchange from the status quo 1.0.
    # Ukraine (odd rounds) offers 0.21 as above; Russia (even rounds) offers its ideal
    # 0.6, which Ukraine (ideal 0) prefers to 1.0. Sizes: 1 - 0.21 = 0.79 and 0.4.
    d = separable_scenario(two_party_dict)
    d["issues"][1]["repeatable"] = True
    result = run_game(game_of(d))
    s = result.summary()
    assert s["outcome"] == "partial" and s["terms"] == {}
    values = [e["value"] for e in s["exchanges"]]
    assert values == pytest.approx([0.21, 0.6] * 4 + [0.21])
    assert [e["round"] for e in s["exchanges"]] == list(range(1, 10))
    assert [e["size"] for e in s["exchanges"][:2]] == pytest.approx([0.79, 0.4])
    assert s["exchanges"][1]["date"] == "2025-06-16"  # round 2: 14 days after 2 June
    assert all(r.exchanged == (1,) for r in result.records)


def test_third_party_consent_only_when_its_issue_moves():
    consent = np.array([[True, True, False], [True, True, True]])  # issue 1: party 2 too
    from sim.theory.frontier import Options

    outcomes = np.array([[0.3, 0.0], [0.3, 0.4], [0.8, 0.0]])
    opts = Options(outcomes, np.zeros((3, 3)), np.ones((3, 3), dtype=bool))
    offers = build_offer_set(opts, status_quo=np.array([0.5, 0.0]), consent=consent)
    assert offers.needs_consent.tolist() == [
        [True, True, False],
        [True, True, True],
        [True, True, False],
    ]


def test_generator_yields_rounds_in_order(two_party_dict):
    game = game_of(two_party_dict)
    rounds = [r.round for r in negotiate(game, seed=3)]
    assert rounds == [1, 2, 3, 4, 5]


def test_baseline_invariants(baseline_dict):
    game = compile_game(parse_scenario(baseline_dict, "baseline"))
    result = run_game(game)
    s = result.summary()
    assert s["rounds_played"] <= game.scenario.protocol.max_rounds
    for rec in result.records:
        proposer_u = rec.utilities[rec.proposer]
        # a proposer never offers below its own reservation utility
        assert proposer_u >= rec.reservation[rec.proposer] - 1e-9
        # offers stay inside the agreement space
        assert np.all((rec.outcome >= 0) & (rec.outcome <= 1))
    if s["outcome"] == "agreement":
        last = result.records[-1]
        # individual rationality of a full agreement for every party that consented
        for i, resp in enumerate(last.responses):
            if resp in ("accept", "proposer"):
                assert last.utilities[i] >= last.reservation[i] - 1e-9


def test_same_seed_same_records(baseline_dict):
    game = compile_game(parse_scenario(baseline_dict, "baseline"))
    a, b = run_game(game, seed=7), run_game(game, seed=7)
    assert a.round_rows() == b.round_rows()
    assert a.summary() == b.summary()

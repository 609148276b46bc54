"""Protocols and the strategies tied to them: Rubinstein SPE, Zeuthen, the mediator."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sim.jobs.load import check_scenario, load_game
from sim.jobs.run import run_game
from sim.scenario import InputError, parse_scenario
from tests.conftest import DATA, load_dict

RUBINSTEIN = DATA / "rubinstein_split.yaml"


def game_of(data):
    return check_scenario(parse_scenario(data, "test"), "test")


# Rubinstein (1982); Osborne & Rubinstein (1990) Prop. 3.5: the first proposer i gets
# (1 − δ_j) / (1 − δ_i δ_j) in round 1.
@pytest.mark.parametrize(
    ("d_ru", "d_ua", "first", "russia_share"),
    [
        (0.9, 0.8, "russia", 0.2 / 0.28),
        (0.9, 0.8, "ukraine", 1 - 0.2 / 0.28),  # Ukraine proposes: it gets (1 − 0.9)/0.28
        (0.9, 0.9, "russia", 1 / 1.9),
        (0.5, 0.95, "russia", 0.05 / 0.525),
    ],
)
def test_rubinstein_protocol_agrees_on_spe_split_in_round_one(d_ru, d_ua, first, russia_share):
    data = load_dict(RUBINSTEIN)
    data["parties"][0]["discount"]["value"] = d_ru
    data["parties"][1]["discount"]["value"] = d_ua
    data["protocol"]["proposer_order"] = [first, "ukraine" if first == "russia" else "russia"]
    if first == "ukraine":
        russia_share = d_ru * (1 - d_ua) / (1 - d_ru * d_ua)
    s = run_game(game_of(data)).summary()
    assert (s["outcome"], s["round"]) == ("agreement", 1)
    assert_allclose(s["terms"]["pie"], russia_share, atol=1e-9)
    assert_allclose(s["utilities"]["russia"], russia_share, atol=1e-9)


def test_rubinstein_parties_that_want_the_same_agree_on_it_at_once():
    # Both ideals at 0 (found by the schema fuzz run): the frontier is one point, pie = 0
    # with utility 1 for both, offered and accepted in round 1 (it was a ValueError).
    data = load_dict(RUBINSTEIN)
    data["parties"][0]["positions"]["pie"]["ideal"]["value"] = 0.0
    s = run_game(game_of(data)).summary()
    assert (s["outcome"], s["round"], s["terms"]) == ("agreement", 1, {"pie": 0.0})
    assert s["utilities"] == {"russia": 1.0, "ukraine": 1.0}


def test_rubinstein_with_a_disagreement_payoff_below_every_outcome():
    # Russia's reservation far below the pie (found by the schema fuzz run: a ValueError).
    # Free disposal: Ukraine, proposing, keeps the whole pie (Russia waits for nothing), so
    # Russia's first offer leaves Ukraine its discounted 0.8 · 1 and Russia gets 0.2.
    data = load_dict(RUBINSTEIN)
    data["parties"][0]["reservation"]["value"] = -1e6
    s = run_game(game_of(data)).summary()
    assert (s["outcome"], s["round"]) == ("agreement", 1)
    assert_allclose([s["utilities"]["russia"], s["utilities"]["ukraine"]], [0.2, 0.8], atol=1e-9)


def test_rubinstein_with_a_disagreement_payoff_above_every_outcome():
    # Ukraine's reservation above the whole pie (found by the schema fuzz run: a
    # ValueError): no split beats disagreement for both, so no agreement is ever reached.
    data = load_dict(RUBINSTEIN)
    data["parties"][1]["reservation"]["value"] = 2.0
    s = run_game(game_of(data)).summary()
    assert (s["outcome"], s["terms"], s["rounds_played"]) == ("none", {}, 10)


def test_rubinstein_file_end_to_end():
    s = run_game(load_game(RUBINSTEIN)).summary()
    assert s["round"] == 1
    assert_allclose(s["terms"]["pie"], 0.2 / 0.28, atol=1e-9)


def test_rubinstein_protocol_needs_two_parties_with_discounts():
    data = load_dict(RUBINSTEIN)
    del data["parties"][1]["discount"]
    with pytest.raises(InputError) as err:
        game_of(data)
    assert "parties[1].discount" in str(err.value)


def test_rubinstein_strategy_outside_its_protocol_is_refused():
    data = load_dict(RUBINSTEIN)
    data["protocol"]["kind"] = "alternating"
    with pytest.raises(InputError) as err:
        game_of(data)
    assert "parties[0].strategy.name" in str(err.value)


def zeuthen_pair(two_party_dict, salience_ru=(1.0, 0.0)):
    d = two_party_dict
    for me, other in (("russia", "ukraine"), ("ukraine", "russia")):
        party = next(p for p in d["parties"] if p["id"] == me)
        party["strategy"] = {"name": "zeuthen", "params": {"opponent": other}}
        party["reservation"] = {"value": 0.0, "assumption": "test"}
        del party["fighting_cost"]
    d["protocol"]["max_rounds"] = 200
    return d


def test_zeuthen_converges_to_the_nash_point(two_party_dict):
    # Linear frontier u_U = 1 − u_R, d = (0, 0): Nash point x = 0.5 (Harsanyi 1956).
    s = run_game(game_of(zeuthen_pair(two_party_dict))).summary()
    assert s["outcome"] == "agreement"
    assert abs(s["terms"]["territory"] - 0.5) <= 0.011


def test_zeuthen_reaches_near_maximal_nash_product(baseline_dict):
    # Two principals of the baseline on all ten issues (a curved frontier).
    d = baseline_dict
    d["parties"] = d["parties"][:2]
    d.pop("war")
    d["events"] = []
    for issue in d["issues"]:
        issue["consent"] = []
        issue.pop("repeatable", None)
    for me, other in (("russia", "ukraine"), ("ukraine", "russia")):
        party = next(p for p in d["parties"] if p["id"] == me)
        party["strategy"] = {"name": "zeuthen", "params": {"opponent": other}}
        party.pop("conditions", None)  # plain positions only: a curved frontier
        party.pop("settle_first", None)
    d["protocol"]["max_rounds"] = 400
    game = game_of(d)
    result = run_game(game)
    s = result.summary()
    assert s["outcome"] == "agreement"
    r = result.records[-1].reservation
    u = np.array([s["utilities"]["russia"], s["utilities"]["ukraine"]])
    offers = result.negotiation.offers  # the options left once humanitarian was settled
    frontier = offers.utilities[offers.acceptable.all(axis=1)]
    best = np.max(np.prod(np.clip(frontier - r, 0, None), axis=1))
    assert np.prod(u - r) >= 0.97 * best


def mediated(two_party_dict, step, status_quo):
    d = two_party_dict
    d["issues"][0]["status_quo"]["value"] = status_quo
    for party in d["parties"]:
        party["reservation"] = {"value": 0.0, "assumption": "test"}
        del party["fighting_cost"]
    d["parties"].append(
        {
            "id": "turkey",
            "name": "Türkiye",
            "role": "mediator",
            "strategy": {"name": "mediator", "params": {"step": step}},
        }
    )
    d["protocol"] = {"kind": "mediated", "proposer_order": ["turkey"], "max_rounds": 19}
    return d


def test_mediator_texts_approach_the_nash_point(two_party_dict):
    # Nash point of u_R = x, u_U = 1 − x with d = 0 is x = 0.5; texts from 0.1 with step
    # 0.5: text_k = 0.5 − 0.4·0.5^k. Both parties are linear: threshold_k = 1 − k/20, so
    # Russia accepts iff text_k >= 1 − k/20 and Ukraine iff 1 − text_k >= 1 − k/20.
    result = run_game(game_of(mediated(two_party_dict, 0.5, 0.1)))
    texts = [r.outcome[0] for r in result.records]
    expected = [0.5 - 0.4 * 0.5**k for k in range(1, len(texts) + 1)]
    assert_allclose(texts, expected, atol=1e-12)
    first = next(
        k for k in range(1, 20) if min(expected[k - 1], 1 - expected[k - 1]) >= 1 - k / 20 - 1e-12
    )
    s = result.summary()
    assert (s["outcome"], s["round"]) == ("agreement", first)
    assert {r.proposer_id for r in result.records} == {"turkey"}


def test_mediator_role_and_strategy_must_match(two_party_dict):
    d = mediated(two_party_dict, 0.5, 0.1)
    d["parties"][2]["strategy"] = {"name": "linear"}
    with pytest.raises(InputError) as err:
        game_of(d)
    assert "parties[2].strategy.name" in str(err.value)


def test_mediated_protocol_needs_a_mediator_proposer(two_party_dict):
    d = mediated(two_party_dict, 0.5, 0.1)
    d["protocol"]["proposer_order"] = ["russia"]
    with pytest.raises(InputError) as err:
        parse_scenario(d, "test")
    assert "protocol.proposer_order[0]" in str(err.value)

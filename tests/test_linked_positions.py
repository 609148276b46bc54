"""Linked positions, agendas and broken ceasefires: runs whose course is derived by hand."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sim.behaviour.negotiation import BELOW_THRESHOLD
from sim.jobs.load import check_scenario
from sim.jobs.run import run_game
from sim.model.model import NegotiationModel
from sim.scenario import InputError, parse_scenario


def game_of(data):
    return check_scenario(parse_scenario(data, "test"), "test")


def a(value):
    return {"value": value, "assumption": "test value"}


def two_issues(ru_weights=(0.2, 0.8), ua_weights=(0.8, 0.2)):
    """x (0 = full ceasefire, 1 = none) and y; Russia's ideal (1, 1), Ukraine's (0, 0),
    linear losses; status quo (1, 0): u_R(sq) = w_x, u_U(sq) = w_y."""
    party = lambda pid, ideal, w: {  # noqa: E731
        "id": pid,
        "name": pid.title(),
        "role": "principal",
        "strategy": {"name": "fallback", "params": {"aspiration": 0.0}},
        "reservation": a(0.0),
        "positions": {
            issue: {"ideal": a(ideal), "salience": a(wk), "loss": "linear"}
            for issue, wk in zip(("x", "y"), w, strict=True)
        },
    }
    return {
        "title": "two issues (test)",
        "date": "2025-06-02",
        "issues": [
            {"id": "x", "label": "X", "status_quo": a(1.0)},
            {"id": "y", "label": "Y", "status_quo": a(0.0)},
        ],
        "parties": [party("russia", 1.0, ru_weights), party("ukraine", 0.0, ua_weights)],
        "protocol": {
            "kind": "alternating",
            "proposer_order": ["ukraine", "russia"],
            "max_rounds": 6,
        },
    }


CONDITION = {
    "id": "c1",
    "label": "x at most 0.5 only if y at least 0.8",
    "when": {"issue": "x", "at_most": 0.5},
    "any_of": [
        {
            "id": "o1",
            "label": "y high",
            "all_of": [{"issue": "y", "at_least": 0.8}],
            "assumption": "test option",
        }
    ],
    "assumption": "test condition",
}


def with_mediator(d, step):
    for party in d["parties"]:
        party["reservation"] = a(0.2)
    d["parties"].append(
        {
            "id": "turkey",
            "name": "Türkiye",
            "role": "mediator",
            "strategy": {"name": "mediator", "params": {"step": step}},
        }
    )
    d["protocol"] = {"kind": "mediated", "proposer_order": ["turkey"], "max_rounds": 6}
    return d


def test_condition_blocks_an_offer_then_accepts_it_once_it_holds():
    # The mediator moves half-way from the status quo (1, 0) to the Nash point (0, 1)
    # each round: (0.5, 0.5), (0.25, 0.75), (0.125, 0.875). Russia's condition: x <= 0.5
    # only if y >= 0.8, so the first two texts are rejected for the condition although
    # both give Russia u = 0.2x + 0.8y >= 0.5 > 0.2 (its threshold). The third holds:
    # u_R = 0.025 + 0.7 = 0.725 and u_U = 0.8·0.875 + 0.2·0.125 = 0.725, both >= 0.2.
    d = with_mediator(two_issues(), step=0.5)
    d["parties"][0]["conditions"] = [CONDITION]
    result = run_game(game_of(d))
    texts = [r.outcome.tolist() for r in result.records]
    assert_allclose(texts, [[0.5, 0.5], [0.25, 0.75], [0.125, 0.875]], atol=1e-12)
    assert [r.blocked[0] for r in result.records] == ["condition c1", "condition c1", ""]
    assert [r.responses for r in result.records][-1] == ("accept", "accept")
    s = result.summary()
    assert (s["outcome"], s["round"]) == ("agreement", 3)
    assert_allclose(list(s["utilities"].values()), [0.725, 0.725], atol=1e-12)


def test_without_the_condition_the_first_text_is_accepted():
    result = run_game(game_of(with_mediator(two_issues(), step=0.5)))
    assert result.summary()["round"] == 1


def test_agenda_blocks_packages_and_settles_its_issue_first():
    # Ukraine settles x first. Round 1, Russia proposes from the full offer set: any
    # package moves y, so Ukraine rejects it for its agenda. Round 2, Ukraine proposes
    # from its interim set (y held at 0): at aspiration 1 its best, x = 0, giving Russia
    # u = 0.2·0 + 0.8·0 = 0 >= its reservation 0 (threshold 0 at aspiration 0): accepted,
    # x is settled alone and the talks go on over y.
    d = two_issues()
    d["protocol"]["proposer_order"] = ["russia", "ukraine"]
    d["parties"][1]["settle_first"] = {"issues": ["x"], "assumption": "test agenda"}
    d["parties"][1]["strategy"]["params"]["aspiration"] = 1.0
    result = run_game(game_of(d))
    first, second = result.records[:2]
    assert first.responses == ("proposer", "reject") and first.blocked[1] == "agenda: x"
    assert second.outcome.tolist() == [0.0, 0.0] and second.responses == ("accept", "proposer")
    assert second.settled == (0,) and not second.agreement
    assert all(r.outcome[0] == 0.0 for r in result.records[2:])
    assert all(r.blocked[1] in ("", BELOW_THRESHOLD) for r in result.records[2:])


def test_agenda_and_condition_together_deadlock_where_the_quotes_say_so():
    # Ukraine: x first. Russia: x <= 0.5 only if y >= 0.8. An interim offer holds y at
    # 0, so no general ceasefire can meet Russia's condition; every package breaks
    # Ukraine's agenda. Nothing is ever agreed, for the stated reasons.
    d = two_issues()
    d["parties"][0]["conditions"] = [CONDITION]
    d["parties"][1]["settle_first"] = {"issues": ["x"], "assumption": "test agenda"}
    d["parties"][1]["positions"]["x"]["red_line"] = a(0.5)
    result = run_game(game_of(d))
    assert result.summary()["outcome"] == "none"
    reasons = [r.blocked[0] or r.blocked[1] for r in result.records]
    assert reasons == ["condition c1", "agenda: x"] * 3


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (
            {"when": {"issue": "z", "at_most": 0.5}},
            "conditions[0].when.issue: unknown issue 'z'",
        ),
        (
            {
                "any_of": [
                    {
                        "id": "o",
                        "label": "l",
                        "all_of": [{"issue": "y", "at_least": 2}],
                        "assumption": "test option",
                    }
                ]
            },
            "any_of[0].all_of[0].at_least: 2 is outside y's [0, 1]",
        ),
        (
            {
                "any_of": [
                    {
                        "id": "o",
                        "label": "contradiction",
                        "all_of": [{"issue": "y", "at_least": 0.8}, {"issue": "y", "at_most": 0.2}],
                        "assumption": "test option",
                    }
                ]
            },
            "option 'o' can never hold",
        ),
        (
            {
                "any_of": [
                    {
                        "id": "o",
                        "label": "l",
                        "all_of": [{"issue": "x", "at_least": 0.9}],
                        "assumption": "test option",
                    }
                ]
            },
            "option 'o' can never hold while the condition applies",
        ),
    ],
)
def test_bad_conditions_are_clear_errors(change, fragment):
    d = two_issues()
    d["parties"][0]["conditions"] = [CONDITION | change]
    with pytest.raises(InputError) as err:
        game_of(d)
    assert "parties[0].conditions[0]" in str(err.value) and fragment in str(err.value)


def war_pair():
    """Two principals at parity over a ceasefire issue c and the territory issue t,
    quadratic losses (saliences 0.5), a war with no noise and a one-round horizon."""
    d = two_issues((0.5, 0.5), (0.5, 0.5))
    for party in d["parties"]:
        del party["reservation"]
        party["strategy"]["params"]["aspiration"] = a(0.0)
        party["fighting_cost"] = a(0.05)
        for pos in party["positions"].values():
            pos["loss"] = "quadratic"
    d["issues"] = [
        {"id": "x", "label": "ceasefire", "status_quo": a(1.0)},
        {"id": "y", "label": "territory", "status_quo": a(0.3)},
    ]
    d["protocol"]["max_rounds"] = a(6)
    d["war"] = {
        "territory_issue": "y",
        "drift_scale": a(0.0),
        "volatility": a(0.0),
        "trend": a(0.0),
        "horizon": a(1),
        "discount": a(1.0),
        "loss_volatility": a(0.0),
        "resources": {"russia": a(1.0), "ukraine": a(1.0)},
        "ceasefire": {"issue": "x", "at_most": 0.5, "assumption": "test"},
        "compliance": {"first_strike": a(0.1), "noise": a(0.0)},
    }
    return d


def test_a_ceasefire_broken_in_the_round_computed_by_hand():
    # A ceasefire at (x, y) = (0, 0.3) is in force from round 1 (set by hand). In round 2
    # Russia compares keeping it, u_R = 0.5(1 − 1²) + 0.5(1 − 0.7²) = 0.255, with breaking
    # it: the ceasefire term falls away (x back to its status quo 1: 0.5·1), its first
    # strike moves the line to 0.4 and at parity nothing else moves it over the one-round
    # horizon (0.5(1 − 0.6²) = 0.32), minus its cost 0.05·2·0.5 = 0.05: V = 0.77 > 0.255.
    # With no noise it breaks in round 2; Ukraine (keep 0.5(1) + 0.5(1 − 0.09) = 0.955
    # against 0.5·0 + 0.5(1 − 0.2²) − 0.05 = 0.43) keeps it.
    game = game_of(war_pair())
    model = NegotiationModel(game, seed=1)
    neg = model.negotiation
    neg._settle_all(np.array([0.0, 0.3]), 0)  # the deal of round 1
    model.world.truce, model.truce_start, model.round = True, 1, 1
    model.world.territory = 0.3
    model.ceasefires.append(1)
    world, state, before = model.world, neg.final_outcome(), np.array([1.0, 0.3])
    assert world.break_gain(game, state, before, 0) == pytest.approx(0.77 - 0.255)
    assert world.break_gain(game, state, before, 1) == pytest.approx(0.43 - 0.955)
    assert model._compliance() == ["ceasefire broken by Russia"]  # the check of round 2
    assert model.breaks == [(2, ("russia",), 1)]
    assert not model.world.truce and model.world.territory == pytest.approx(0.4)
    assert np.isnan(neg.settled).all() and neg.status_quo.tolist() == pytest.approx([1.0, 0.4])
    assert neg.agreement_round is None and not neg.done

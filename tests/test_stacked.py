"""The lowest_own_utility offer policy, the stacked alternating offers protocol, its fast
path, and the reproduction of NegMAS's time-based negotiators (issue 15)."""

from __future__ import annotations

import copy
import json
import math
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose

import sim.model.model as model_module
from sim.behaviour.all_outcomes import all_options, cartesian
from sim.behaviour.offers import choose_offer, lowest_own_utility, lowest_own_utility_many
from sim.behaviour.stacked import plan_game
from sim.behaviour.strategies.base import relative_time
from sim.jobs.load import check_scenario, load_game
from sim.jobs.run import run_game
from sim.scenario import InputError, parse_scenario
from tests.conftest import DATA, ROOT

SCENARIO = ROOT / "scenarios" / "negmas_boulware_conceder.yaml"
FIXTURE = DATA / "negmas_boulware_conceder.json"


def _scores(**scores: float) -> dict:
    return {k: {"value": v, "assumption": "test"} for k, v in scores.items()}


def tiny(**protocol) -> dict:
    """Issues X in {a, b, c} and Y in {p, q}; equal weights. Utilities, outcomes in
    enumeration order (a,p) (a,q) (b,p) (b,q) (c,p) (c,q):

    A = 1, .5, .75, .25, .5, 0      (ties: (a,q) and (c,p) at 0.5)
    B = .5, 0, .75, .25, 1, .5      ((a,q) is dominated by (a,p): off the frontier)
    """

    def party(pid: str, x: dict, y: dict) -> dict:
        return {
            "id": pid,
            "name": pid.upper(),
            "role": "principal",
            "strategy": {"name": "linear"},
            "reservation": {"value": 0.0, "assumption": "test"},
            "positions": {
                "x": {"salience": {"value": 0.5, "assumption": "test"}, "values": _scores(**x)},
                "y": {"salience": {"value": 0.5, "assumption": "test"}, "values": _scores(**y)},
            },
        }

    sq = {"assumption": "test"}
    return {
        "title": "tiny",
        "date": "2025-01-01",
        "issues": [
            {"id": "x", "label": "X", "kind": "discrete", "values": ["a", "b", "c"]}
            | {"status_quo": {"value": "a"} | sq},
            {"id": "y", "label": "Y", "kind": "discrete", "values": ["p", "q"]}
            | {"status_quo": {"value": "p"} | sq},
        ],
        "parties": [
            party("a", {"a": 1.0, "b": 0.5, "c": 0.0}, {"p": 1.0, "q": 0.0}),
            party("b", {"a": 0.0, "b": 0.5, "c": 1.0}, {"p": 1.0, "q": 0.0}),
        ],
        "protocol": {
            "kind": "stacked_alternating",
            "offer_policy": "lowest_own_utility",
            "proposer_order": ["a", "b"],
            "max_rounds": 4,
        }
        | protocol,
    }


def game_of(data: dict):
    return check_scenario(parse_scenario(data, "test"), "test")


def offer_set(game):
    n = game.n_issues
    return game.offer_set(np.full(n, np.nan), np.ones(game.n_parties, bool), game.status_quo)


def test_outcomes_are_enumerated_first_issue_slowest():
    rows = cartesian([np.array([0.0, 1.0, 2.0]), np.array([5.0, 6.0])])
    assert rows.tolist() == [[0, 5], [0, 6], [1, 5], [1, 6], [2, 5], [2, 6]]
    game = game_of(tiny())
    options = all_options(game.prefs, np.full(2, np.nan))
    assert_allclose(options.utilities[:, 0], [1, 0.5, 0.75, 0.25, 0.5, 0])
    assert_allclose(options.utilities[:, 1], [0.5, 0, 0.75, 0.25, 1, 0.5])
    held = all_options(game.prefs, np.array([np.nan, 1.0]))  # y settled at q
    assert held.outcomes.tolist() == [[0, 1], [1, 1], [2, 1]]


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [
        (0.8, (0, 0)),  # only (a,p) = 1 reaches 0.8
        (0.6, (1, 0)),  # (b,p) = 0.75 is the lowest at or above 0.6
        (0.4, (0, 1)),  # 0.5 twice: (a,q) (index 1) before (c,p) (index 4); off the frontier
        (0.5, (0, 1)),  # at the threshold exactly
        (0.1, (1, 1)),  # (b,q) = 0.25
        (0.0, (2, 1)),  # (c,q) = 0
        (1.5, (0, 0)),  # nothing reaches it: the best outcome
    ],
)
def test_lowest_own_utility_at_or_above_the_threshold(threshold, expected):
    game = game_of(tiny())
    offers = offer_set(game)
    assert len(offers) == 6  # every outcome, not only the frontier
    k = lowest_own_utility(offers, 0, threshold)
    assert tuple(offers.outcomes[k].astype(int)) == expected
    assert k == choose_offer(offers, 0, threshold, np.zeros(2))


def test_ties_go_to_the_first_outcome_in_enumeration_order():
    data = tiny()
    # B now scores X: a = c, so B's 0.5 holds (a,p) (index 0) and (c,p) (index 4) and
    # its 0.75 (b,p) alone; at 0.3 B's lowest is 0.5: the tie goes to (a,p)
    data["parties"][1]["positions"]["x"]["values"] = _scores(a=0.0, b=0.5, c=0.0)
    offers = offer_set(game_of(data))
    assert tuple(offers.outcomes[lowest_own_utility(offers, 1, 0.3)].astype(int)) == (0, 0)


@pytest.mark.parametrize(
    ("threshold", "snap", "expected"),
    [
        (0.5000005, 1e-6, (0, 1)),  # 0.5 is 5e-7 below, nearer than 0.75: NegMAS's pick
        (0.5000005, 0.0, (1, 0)),  # without snap: the lowest at or above, 0.75
        (0.500002, 1e-6, (1, 0)),  # 0.5 is 2e-6 below: beyond the snap
        (0.64, 0.2, (1, 0)),  # 0.5 within the snap but 0.75 is nearer (0.11 < 0.14)
        (0.60, 0.2, (0, 1)),  # 0.5 within the snap and nearer (0.10 < 0.15)
    ],
)
def test_snap_offers_a_nearer_outcome_just_below(threshold, snap, expected):
    offers = offer_set(game_of(tiny()))
    k = lowest_own_utility(offers, 0, threshold, snap)
    assert tuple(offers.outcomes[k].astype(int)) == expected


def test_many_thresholds_at_once_equal_one_at_a_time():
    offers = offer_set(game_of(tiny()))
    levels = np.linspace(-0.1, 1.1, 241)
    for me in (0, 1):
        for snap in (0.0, 1e-6, 0.05, 0.3):
            once = [lowest_own_utility(offers, me, float(x), snap) for x in levels]
            assert lowest_own_utility_many(offers, me, levels, snap).tolist() == once


def test_best_for_responder_stays_the_default_and_uses_the_frontier():
    data = tiny()
    del data["protocol"]["offer_policy"]
    data["protocol"]["kind"] = "alternating"
    offers = offer_set(game_of(data))
    assert offers.policy == "best_for_responder"
    assert [0, 1] not in offers.outcomes.astype(int).tolist()  # (a,q) is dominated


def test_stacked_turns_offer_and_accept_by_hand():
    # Linear strategies, lo = 0, hi = 1: threshold 1 − t with t = (k + 1) / 5.
    # step 0, A (0.8): offers (a,p) (A 1, B 0.5)
    # step 1, B (0.6): 0.5 < 0.6 rejects; offers its lowest >= 0.6: (b,p) (B 0.75, A 0.75)
    # step 2, A (0.4): 0.75 >= 0.4 accepts: agreement on (b,p) in round 3
    result = run_game(game_of(tiny()))
    records = result.records
    assert [r.round for r in records] == [1, 2, 3]
    assert [r.proposer_id for r in records] == ["a", "b", "b"]
    assert [r.outcome.astype(int).tolist() for r in records] == [[0, 0], [1, 0], [1, 0]]
    assert [r.responses for r in records] == [
        ("proposer", ""),
        ("", "proposer"),
        ("accept", "proposer"),
    ]
    assert [r.agreement for r in records] == [False, False, True]
    assert_allclose([r.thresholds[0] for r in records], [0.8, math.nan, 0.4])
    assert_allclose([r.thresholds[1] for r in records], [math.nan, 0.6, math.nan])
    s = result.summary()
    assert (s["outcome"], s["round"], s["terms"]) == ("agreement", 3, {"x": "b", "y": "p"})


def test_every_party_turns_share_a_step_of_the_clock():
    # 4 turns = 2 steps of 2 turns: t = 1/3 for turns 0, 1 and 2/3 for turns 2, 3.
    # turn 0, A (2/3): offers its lowest >= 2/3: (b,p) (0.75 for both)
    # turn 1, B (2/3): 0.75 >= 2/3: agreement in round 2
    records = run_game(game_of(tiny(turns_per_step="every_party"))).records
    assert [r.responses for r in records] == [("proposer", ""), ("proposer", "accept")]
    assert records[-1].agreement
    assert_allclose(records[0].thresholds, [2 / 3, math.nan])
    assert_allclose(records[1].thresholds, [math.nan, 2 / 3])
    one = run_game(game_of(tiny())).records  # one turn per step: t = 1/5, 2/5, ...
    assert_allclose(one[0].thresholds[0], 0.8)


def test_three_parties_agree_only_once_both_others_accept(monkeypatch):
    # C scores like B; turns A, B, C. step 0 A (0.8) offers (a,p): B and C value it 0.5.
    # step 1 B (0.6) rejects, offers (b,p) (0.75 for all). step 2 C (0.4) accepts: A has
    # not, so no agreement yet. step 3 A (0.2) accepts: agreement on (b,p) in round 4.
    data = tiny()
    third = copy.deepcopy(data["parties"][1]) | {"id": "c", "name": "C"}
    data["parties"].append(third)
    data["protocol"]["proposer_order"] = ["a", "b", "c"]
    for fast in (True, False):
        monkeypatch.setattr(model_module, "FAST_PATH", fast)
        records = run_game(game_of(data)).records
        assert [r.responses for r in records] == [
            ("proposer", "", ""),
            ("", "proposer", ""),
            ("", "proposer", "accept"),
            ("accept", "proposer", "accept"),
        ]
        assert [r.agreement for r in records] == [False, False, False, True]


def _same_records(a, b) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert (x.round, x.proposer_id, x.responses, x.agreement) == (
            y.round,
            y.proposer_id,
            y.responses,
            y.agreement,
        )
        assert np.array_equal(x.outcome, y.outcome)
        assert np.array_equal(x.utilities, y.utilities)
        assert np.array_equal(x.thresholds, y.thresholds, equal_nan=True)


def random_scenario(seed: int) -> dict:
    """Three parties (boulware, conceder, linear, with tolerances) on two 4-value issues
    and one integer issue, random scores."""
    rng = np.random.default_rng(seed)
    data = tiny()
    data["issues"][0]["values"] = ["a", "b", "c", "d"]
    data["issues"].append(
        {
            "id": "z",
            "label": "Z",
            "kind": "integer",
            "range": [0, 4],
            "status_quo": {"value": 0, "assumption": "test"},
        }
    )
    strategies = [
        {"name": "boulware", "params": {"exponent": 4.0, "tolerance": 1e-4}},
        {"name": "conceder", "params": {"exponent": 0.25, "tolerance": 0.01}},
        {"name": "linear"},
    ]
    parties = []
    for k, strategy in enumerate(strategies):
        party = copy.deepcopy(data["parties"][0]) | {"id": f"p{k}", "name": f"P{k}"}
        party["strategy"] = strategy
        xs = rng.random(4).round(3)
        party["positions"]["x"]["values"] = _scores(**dict(zip("abcd", xs.tolist(), strict=True)))
        party["positions"]["z"] = {
            "salience": {"value": float(rng.random()), "assumption": "test"},
            "ideal": {"value": int(rng.integers(0, 5)), "assumption": "test"},
            "loss": "linear",
        }
        parties.append(party)
    data["parties"] = parties
    data["protocol"]["proposer_order"] = ["p1", "p0", "p2"]
    data["protocol"]["max_rounds"] = 60
    return data


def _same_runs(fast, slow) -> None:
    """The planned run (its lean step, shared bids and quiet-round world records) left
    everything as the turn-by-turn run did."""
    _same_records(fast.records, slow.records)
    for x, y in zip(fast.records, slow.records, strict=True):
        assert np.array_equal(x.reservation, y.reservation)
        assert (x.settled, x.exchanged, x.blocked) == (y.settled, y.exchanged, y.blocked)
        assert np.array_equal(x.side, y.side, equal_nan=True)
    assert fast.world == slow.world
    assert (fast.ceasefires, fast.breaks) == (slow.ceasefires, slow.breaks)
    a, b = fast.negotiation, slow.negotiation
    assert (a.agreement_round, a.rounds_without_progress) == (
        b.agreement_round,
        b.rounds_without_progress,
    )
    assert np.array_equal(a.settled, b.settled, equal_nan=True)
    assert [(h.round, h.proposer) for h in a.history] == [(h.round, h.proposer) for h in b.history]
    for x, y in zip(a.history, b.history, strict=True):
        assert np.array_equal(x.outcome, y.outcome) and np.array_equal(x.utilities, y.utilities)


@pytest.mark.parametrize("seed", range(6))
def test_fast_path_equals_turn_by_turn(seed, monkeypatch):
    data = random_scenario(seed)
    if seed % 2:
        data["protocol"]["turns_per_step"] = "every_party"
        data["parties"][seed % 3]["strategy"]["params"] = {"snap": 0.01}
    assert model_module.NegotiationModel(game_of(data), collect=False).plan is not None
    fast = run_game(game_of(data))
    monkeypatch.setattr(model_module, "FAST_PATH", False)
    _same_runs(fast, run_game(game_of(data)))


def test_fast_path_equals_turn_by_turn_on_the_benchmark(monkeypatch):
    fast = run_game(load_game(SCENARIO))
    monkeypatch.setattr(model_module, "FAST_PATH", False)
    _same_runs(fast, run_game(load_game(SCENARIO)))


def test_planned_turns_hold_the_bids_of_the_negotiations_own_offer_set():
    game = load_game(SCENARIO)
    model = model_module.NegotiationModel(game, collect=False)
    turns = plan_game(game, [p.strategy for p in model.parties], model.max_rounds)
    assert model.plan is not None and len(turns) == len(model.plan)
    for turn, (_, record) in zip(turns, model.plan, strict=True):
        assert np.array_equal(record.outcome, turn.bid.outcome)
        assert np.array_equal(record.thresholds, turn.thresholds, equal_nan=True)
        own = model.negotiation.offers.bid(turn.option)
        for mine, theirs in zip(turn.bid, own, strict=True):
            assert (mine is None and theirs is None) or np.array_equal(mine, theirs)


def our_steps(game) -> list[dict]:
    """The run of ``game`` in the fixture's form (see benchmarks/negmas_reference.py)."""
    order = list(game.scenario.protocol.proposer_order)
    steps = []
    for k, r in enumerate(run_game(game).records):
        actor = order[k % len(order)]
        steps.append(
            {
                "step": k,
                "actor": actor,
                "action": "offer" if r.proposer_id == actor else "accept",
                "proposer": r.proposer_id,
                "outcome": list(game.format_outcome(r.outcome).values()),
                "utilities": r.utilities.tolist(),
                "agreement": r.agreement,
            }
        )
    return steps


def assert_same_negotiation(ours: list[dict], reference: list[dict]) -> None:
    """Offer by offer: the same outcomes, proposers, actions and bitwise the same
    utilities, hence the same per-party own-utility sequences."""
    keys = ("step", "actor", "action", "proposer", "outcome", "utilities", "agreement")
    assert [{k: s[k] for k in keys} for s in ours] == [{k: s[k] for k in keys} for s in reference]


def test_reproduces_the_negmas_fixture():
    reference = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert reference["negmas_version"].startswith("0.16")
    game = load_game(SCENARIO)
    assert_same_negotiation(our_steps(game), reference["steps"])
    steps = reference["steps"]
    assert steps[-1]["agreement"]
    # NegMAS's relative time of each step is ours, to the last bit: (step + 1) / 101
    assert [relative_time(s["step"], 100) for s in steps] == [s["relative_time"] for s in steps]
    for party in ("boulware", "conceder"):  # a long negotiation, not a first-round deal
        assert sum(s["action"] == "offer" and s["proposer"] == party for s in steps) >= 20


def benchmarks_module():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import negmas_reference
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return negmas_reference


# seeds of benchmark_scenario whose domains have no ties in any party's utility (NegMAS
# breaks ties by an unstable sort), found with negmas_reference.has_ties
TIE_FREE = [648, 1190, 2125]


@pytest.mark.slow
def test_reproduces_negmas_itself():
    pytest.importorskip("negmas", reason="NegMAS not installed (pip install '.[bench]')")
    bench = benchmarks_module()
    live = bench.reference(SCENARIO)["steps"]
    assert_same_negotiation(our_steps(load_game(SCENARIO)), live)
    pairs = [("linear", "conceder"), ("boulware", "linear"), ("conceder", "boulware")]
    for seed, (a, b), every in zip(TIE_FREE, pairs, (False, True, True), strict=True):
        data = bench.benchmark_scenario(seed)
        for party, name in zip(data["parties"], (a, b), strict=True):
            party["strategy"]["name"] = name
            if name == "linear":
                del party["strategy"]["params"]["exponent"]
            else:
                party["strategy"]["params"]["exponent"]["value"] = bench.NAMED[name]
        data["protocol"]["max_rounds"]["value"] = 60
        if every:  # NegMAS's default SAOMechanism: every party acts once per step
            data["protocol"]["turns_per_step"] = "every_party"
            data["protocol"]["max_rounds"]["value"] = 200
        game = game_of(data)
        mechanism, ufuns = bench.negmas_mechanism(game)
        mechanism.run()
        assert_same_negotiation(our_steps(game), bench.trace(mechanism, ufuns, game))


def test_lowest_own_utility_needs_a_finite_space(two_party_dict):
    two_party_dict["protocol"]["offer_policy"] = "lowest_own_utility"
    with pytest.raises(InputError) as err:
        game_of(two_party_dict)
    assert "issues[0].kind" in str(err.value)
    assert "continuous" in str(err.value)


@pytest.mark.parametrize(
    ("protocol", "field"),
    [
        ({"turns_per_step": "every_party", "max_rounds": 5}, "protocol.max_rounds"),
        (
            {"turns_per_step": "every_party", "kind": "alternating"},
            "protocol.turns_per_step",
        ),
    ],
)
def test_every_party_needs_whole_steps_of_the_stacked_protocol(protocol, field):
    with pytest.raises(InputError) as err:
        game_of(tiny(**protocol))
    assert field in str(err.value)


def test_stacked_turn_order_names_every_party():
    data = tiny()
    data["protocol"]["proposer_order"] = ["a"]
    with pytest.raises(InputError) as err:
        game_of(data)
    assert "protocol.proposer_order" in str(err.value)

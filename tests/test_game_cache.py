"""Per-game caches: bounded, and invisible in the results."""

from __future__ import annotations

import copy
from collections import OrderedDict

import numpy as np
import pytest

import sim.game
import sim.jobs.sweep_worker
from sim.jobs.load import load_game
from sim.jobs.run import run_game
from sim.jobs.sweep_worker import point_scenario, result_row
from sim.scenario import InputError, parse_scenario
from sim.scenario.yaml_io import read_yaml
from sim.sweep.design import RunSpec, scenario_for
from tests.conftest import BASELINE


def test_lookup_table_is_bounded_and_returns_what_was_built(monkeypatch):
    monkeypatch.setattr(sim.game, "TABLE_SIZE", 5)
    game = load_game(BASELINE)
    built = []

    def build(k):
        built.append(k)
        return k * k

    assert [game.cached("squares", k, lambda k=k: build(k)) for k in range(12)] == [
        k * k for k in range(12)
    ]
    assert game.cached("squares", 11, lambda: build(-1)) == 121  # still held: not rebuilt
    assert built == list(range(12))
    assert len(game.derived["table.squares"]) <= 5


def run_facts(game, seed):
    result = run_game(game, seed=seed)
    rows = [(r.outcome.tolist(), r.thresholds.tolist(), r.responses) for r in result.records]
    return rows, result_row(RunSpec(seed, 0, 0, seed, ()), result)


def test_warm_caches_give_the_results_of_a_fresh_game():
    # Runs on a freshly compiled game (every cache empty) equal the same runs after 60
    # other runs have filled the game's caches (offer sets, tables, reference facts).
    warm = load_game(BASELINE)
    for seed in range(60):
        run_game(warm, seed=seed)
    for seed in (3, 17, 59, 1000):
        fresh_rows, fresh_row = run_facts(load_game(BASELINE), seed)
        warm_rows, warm_row = run_facts(warm, seed)
        assert fresh_rows == warm_rows
        assert fresh_row == warm_row
    assert np.isfinite(fresh_row["utility.russia"])


COST = "parties.russia.fighting_cost"
SALIENCE = "parties.russia.positions.territory.salience"


def point_facts(base, params, seeds=(0, 7)):
    game = sim.jobs.sweep_worker.game_for("base", base, params)
    facts = [run_facts(game, seed) for seed in seeds]
    return game, [(rows, {k: v for k, v in row.items() if k != "run_id"}) for rows, row in facts]


def cold(monkeypatch):
    """Forget every compiled game, frontier, shared table and shifted position."""
    sim.game.clear_shared_caches()
    monkeypatch.setattr(sim.jobs.sweep_worker, "_GAMES", OrderedDict())


def test_a_sweep_point_on_warm_shared_tables_equals_a_cold_compile(monkeypatch):
    # Two points that differ in a fighting cost only share their offer tables (the
    # frontier, options and offer sets do not depend on it); the second point, run on
    # the tables the first filled, gives the runs of the same point compiled cold.
    base = read_yaml(BASELINE)
    first, second = ((COST, 0.03),), ((COST, 0.18),)
    cold(monkeypatch)
    game_a, _ = point_facts(base, first)
    game_b, warm = point_facts(base, second)
    assert game_a.offer_key == game_b.offer_key
    assert game_a.derived["shared_tables"] is game_b.derived["shared_tables"]
    # the offers are made after the consultation of round 1, in its variant of the game
    (shifts_a,), (shifts_b,) = game_a.variants.values(), game_b.variants.values()
    assert shifts_a.derived["shared_tables"] is shifts_b.derived["shared_tables"]
    assert len(shifts_b.derived["shared_tables"]["offer_sets"]) > 0
    # and the opening offer set of the base game, replaced before any offer, is never built
    assert "offer_sets" not in game_b.derived["shared_tables"]
    assert not np.array_equal(game_a.fighting_cost, game_b.fighting_cost)
    cold(monkeypatch)
    game_c, fresh = point_facts(base, second)
    assert (
        game_c is not game_b
        and game_c.derived["shared_tables"] is not (game_b.derived["shared_tables"])
    )
    assert warm == fresh
    reservations = [g.reservation(g.status_quo)[0] for g in (game_a, game_b)]
    assert reservations[0] - reservations[1] == pytest.approx(0.18 - 0.03, abs=1e-12)


def test_a_salience_point_gets_its_own_tables(monkeypatch):
    base = read_yaml(BASELINE)
    cold(monkeypatch)
    game_a, _ = point_facts(base, ((SALIENCE, 0.5),), seeds=(0,))
    game_b, warm = point_facts(base, ((SALIENCE, 2.0),), seeds=(0,))
    assert game_a.offer_key != game_b.offer_key
    assert game_a.derived["shared_tables"] is not game_b.derived["shared_tables"]
    cold(monkeypatch)
    assert point_facts(base, ((SALIENCE, 2.0),), seeds=(0,))[1] == warm


def test_an_ideal_point_reuses_the_other_issues_columns_and_equals_a_cold_compile(monkeypatch):
    # An ideal moves one issue's grid and weighted sums only: the second point computes
    # the columns of that issue alone (and its runs are those of a cold compile)
    import sim.theory.frontier as frontier

    ideal = "parties.united_states.positions.sanctions.ideal"
    base = read_yaml(BASELINE)
    cold(monkeypatch)
    point_facts(base, ((ideal, 0.6),), seeds=(0,))
    products = []
    original = frontier.weighted_sum_maximisers

    def counted(prefs, grids, lambdas, boxes):
        before = len(frontier.COLUMNS)
        found = original(prefs, grids, lambdas, boxes)
        products.append((len(frontier.COLUMNS) - before, len(grids)))
        return found

    monkeypatch.setattr(frontier, "weighted_sum_maximisers", counted)
    _, warm = point_facts(base, ((ideal, 0.8),), seeds=(0,))
    assert products and all(0 < new < issues for new, issues in products)
    cold(monkeypatch)
    assert point_facts(base, ((ideal, 0.8),), seeds=(0,))[1] == warm


def test_a_point_leaves_the_shared_base_unchanged():
    base = read_yaml(BASELINE)
    before = copy.deepcopy(base)
    data = scenario_for(base, ((COST, 0.11), ("protocol.max_rounds", 7)), seed=3)
    assert base == before
    assert data["parties"][0]["fighting_cost"]["value"] == 0.11
    assert data["protocol"]["max_rounds"]["value"] == 7 and data["seed"] == 3
    assert data["parties"][1] is base["parties"][1]  # untouched parts are shared


POINT_PATHS = [
    ((COST, 0.07),),
    (("parties.ukraine.strategy.params.aspiration", 0.33),),
    (("protocol.max_rounds", 9),),
    (("war.support.0.level", 0.4), ("war.horizon", 30)),
    (("events.bomber_strike.delta", -0.05),),
    (("issues.territory.status_quo", 0.2), (SALIENCE, 1.7)),
    (("parties.russia.positions.territory.ideal", 0.3), (COST, 0.02)),
]


@pytest.mark.parametrize("params", POINT_PATHS, ids=lambda p: p[0][0])
def test_a_point_validated_in_part_equals_a_full_validation(params):
    base = read_yaml(BASELINE)
    data = scenario_for(base, params)
    whole = parse_scenario(data, "point")
    part = point_scenario(parse_scenario(base, "base"), data, params)
    assert part == whole
    assert part.model_dump() == whole.model_dump()


@pytest.mark.parametrize("params", [((COST, -1.0),), ((SALIENCE, -0.5),)], ids=["cost", "salience"])
def test_a_bad_point_is_reported_as_by_a_full_validation(params):
    # fighting costs and saliences are non-negative
    base = read_yaml(BASELINE)
    data = scenario_for(base, params)
    with pytest.raises(InputError) as whole:
        parse_scenario(data, "p", dating=False)
    with pytest.raises(InputError) as part:
        point_scenario(parse_scenario(base, "base"), data, params)
    assert [str(p) for p in part.value.problems] == [str(p) for p in whole.value.problems]


ASPIRATION = "parties.russia.strategy.params.aspiration"


def test_reference_points_are_shared_only_by_games_with_the_same_disagreement_point(monkeypatch):
    # A strategy parameter changes no input of the reference points: the second point
    # reuses the first one's; a fighting cost moves the disagreement point: new points,
    # equal to those of the same point compiled cold.
    from sim.jobs.reference import reference_points

    base = read_yaml(BASELINE)
    cold(monkeypatch)
    game = sim.jobs.sweep_worker.game_for
    a, b = game("base", base, ((ASPIRATION, 0.5),)), game("base", base, ((ASPIRATION, 0.7),))
    assert a is not b and reference_points(a) is reference_points(b)
    c = game("base", base, ((COST, 0.18),))
    moved = reference_points(c)
    assert moved is not reference_points(a)
    assert moved["nash"]["utilities"] != reference_points(a)["nash"]["utilities"]
    cold(monkeypatch)
    assert reference_points(game("base", base, ((COST, 0.18),))) == moved


@pytest.mark.parametrize("scenario", [BASELINE, BASELINE.parent / "textbook_job_offer.yaml"])
def test_options_with_nothing_settled_are_the_frontier_restrict_options_gives(scenario):
    # the shortcut of Game.options (the frontier itself, read-only) equals the full
    # computation: same rows, same order, same bits
    from sim.theory.frontier import restrict_options

    game = load_game(scenario)
    nothing = np.full(game.n_issues, np.nan)
    fast = game.options(nothing)
    full = restrict_options(game.prefs, game.frontier.outcomes, nothing)
    for name in ("outcomes", "utilities", "acceptable"):
        a, b = getattr(fast, name), getattr(full, name)
        assert np.array_equal(a, b) and not a.flags.writeable


def _scenario_files():
    root = BASELINE.parent
    found = sorted(root.glob("*.yaml")) + sorted((root / "history").glob("*.yaml"))
    return found + sorted((root.parent / "tests" / "data").glob("*.yaml"))


@pytest.mark.parametrize("path", _scenario_files(), ids=lambda p: p.stem)
def test_the_feasible_frontier_computed_alone_is_the_frontiers_feasible_part(path):
    # the same rows in the same order, on every scenario and on variants with scaled
    # saliences and some linear losses (so that edges are filled); the game's own
    # feasible frontier is that part whether or not the whole frontier came first
    from dataclasses import replace

    from sim.theory.frontier import feasible_part, pareto_frontier

    game = load_game(path)
    rng = np.random.default_rng(len(path.stem))
    variants = [game.prefs]
    for _ in range(3):
        weights = game.prefs.weights * rng.uniform(0.3, 3.0, size=game.prefs.weights.shape)
        weights /= weights.sum(axis=1, keepdims=True)
        linear = rng.random(game.prefs.exponent.shape) < 0.3
        variants.append(
            replace(game.prefs, weights=weights, exponent=np.where(linear, 1, game.prefs.exponent))
        )
    anchors = game.anchor_points()
    for prefs in variants:
        whole = feasible_part(pareto_frontier(prefs, anchors))
        alone = pareto_frontier(prefs, anchors, feasible_only=True)
        assert alone.acceptable.all()
        for a, b in zip(
            (whole.outcomes, whole.utilities, whole.acceptable),
            (alone.outcomes, alone.utilities, alone.acceptable),
            strict=True,
        ):
            assert np.array_equal(a, b)
        assert whole.exact == alone.exact
    sim.game.clear_shared_caches()
    first_alone = load_game(path).feasible_frontier()
    sim.game.clear_shared_caches()
    game = load_game(path)
    assert len(game.frontier) >= len(first_alone)
    after_whole = game.feasible_frontier()
    assert np.array_equal(first_alone.outcomes, after_whole.outcomes)
    assert np.array_equal(first_alone.utilities, after_whole.utilities)


def test_remembered_grids_masks_and_columns_follow_every_input_they_read():
    # frontiers of variants that each change one input of the per-issue caches (a red
    # line, an ideal, a weight, a loss) equal their frontiers computed cold
    from dataclasses import replace

    from sim.game import clear_shared_caches
    from sim.theory.frontier import pareto_frontier

    game = load_game(BASELINE)
    p, anchors = game.prefs, game.anchor_points()
    hi = p.accept_hi.copy()
    hi[1, 1] = 0.35  # a tighter red line on the second issue
    ideal = p.ideal.copy()
    ideal[2, 5] = 0.4
    weights = p.weights * np.linspace(0.5, 1.5, p.weights.size).reshape(p.weights.shape)
    exponent = p.exponent.copy()
    exponent[0, 3] = 1
    variants = [
        replace(p, accept_hi=hi),
        replace(p, ideal=ideal),
        replace(p, weights=weights / weights.sum(axis=1, keepdims=True)),
        replace(p, exponent=exponent),
    ]
    clear_shared_caches()
    pareto_frontier(p, anchors)
    warm = [pareto_frontier(q, anchors) for q in variants]
    for q, found in zip(variants, warm, strict=True):
        clear_shared_caches()
        fresh = pareto_frontier(q, anchors)
        assert np.array_equal(found.outcomes, fresh.outcomes)
        assert np.array_equal(found.utilities, fresh.utilities)
    assert not np.array_equal(warm[0].outcomes, pareto_frontier(p, anchors).outcomes)

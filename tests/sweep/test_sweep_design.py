"""Designs (grid, random, LHS, Sobol'), their mapping to values, run specs and run seeds."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.scenario import parse_scenario, read_yaml
from sim.scenario.paths import SWEPT
from sim.sweep import (
    RunSpec,
    SweepSpec,
    count_runs,
    n_points,
    points,
    run_seed,
    run_specs,
    scenario_for,
    unit_points,
)
from sim.sweep.design import design_rng, latin_hypercube

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "istanbul_2025_06_02.yaml"


def make_spec(design: str, parameters: list[dict], **kw) -> SweepSpec:
    return SweepSpec.model_validate(
        {"title": "t", "base": "base.yaml", "design": design, "parameters": parameters, **kw}
    )


RANGES = [
    {"path": "a", "linear": {"start": -2.0, "stop": 3.0}},
    {"path": "b", "log": {"start": 0.01, "stop": 10.0}},
    {"path": "c", "distribution": {"kind": "uniform", "low": 0.2, "high": 0.4}},
    {"path": "d", "distribution": {"kind": "triangular", "low": 0.0, "mode": 0.2, "high": 1.0}},
    {"path": "e", "distribution": {"kind": "normal", "mean": 0.5, "sd": 0.2, "low": 0.0}},
]


# ----------------------------------------------------------------------------- grid


def test_grid_is_the_full_factorial_in_file_order():
    spec = make_spec(
        "grid",
        [
            {"path": "a", "values": [1, 2]},
            {"path": "b", "linear": {"start": 6, "stop": 24, "num": 4}},
            {"path": "c", "log": {"start": 0.01, "stop": 1, "num": 3}},
        ],
    )
    pts = points(spec)
    sets = [[1.0, 2.0], [6.0, 12.0, 18.0, 24.0], [0.01, 0.1, 1.0]]
    assert pts.shape == (2 * 4 * 3, 3) == (n_points(spec), 3)
    np.testing.assert_allclose(pts, np.array(list(itertools.product(*sets))), rtol=1e-12)
    # the last parameter varies fastest
    np.testing.assert_allclose(pts[:3, 2], [0.01, 0.1, 1.0])
    assert np.all(pts[:12, 0] == 1.0)
    assert np.all(pts[12:, 0] == 2.0)


def test_linear_and_log_grids_are_linspace_and_geomspace():
    spec = make_spec(
        "grid",
        [
            {"path": "a", "linear": {"start": 0.1, "stop": 0.9, "num": 5}},
            {"path": "b", "log": {"start": 0.01, "stop": 0.3, "num": 5}},
        ],
    )
    pts = points(spec)
    np.testing.assert_array_equal(np.unique(pts[:, 0]), np.linspace(0.1, 0.9, 5))
    np.testing.assert_allclose(np.unique(pts[:, 1]), np.geomspace(0.01, 0.3, 5), rtol=1e-12)


def test_grid_has_no_unit_scale():
    with pytest.raises(ValueError, match="grid"):
        unit_points(make_spec("grid", [{"path": "a", "values": [1]}]))


# ------------------------------------------------------------------------------ LHS


@pytest.mark.parametrize("n", [1, 2, 7, 50, 256])
@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_lhs_has_one_point_per_stratum_per_parameter(n, seed):
    spec = make_spec("lhs", RANGES, samples=n, seed=seed)
    unit = unit_points(spec)
    assert unit.shape == (n, len(RANGES))
    assert np.all((unit >= 0) & (unit < 1))
    for j in range(len(RANGES)):
        strata = np.floor(unit[:, j] * n).astype(int)
        assert sorted(strata) == list(range(n))


def test_lhs_maps_each_column_by_its_inverse_cdf():
    spec = make_spec("lhs", RANGES, samples=400, seed=3)
    unit, pts = unit_points(spec), points(spec)
    np.testing.assert_allclose(pts[:, 0], -2.0 + 5.0 * unit[:, 0])
    np.testing.assert_allclose(np.log(pts[:, 1]), np.log(0.01) + unit[:, 1] * np.log(1000.0))
    # the linear range is stratified on its own scale too
    assert sorted(np.floor((pts[:, 0] + 2.0) / 5.0 * 400).astype(int)) == list(range(400))
    # stratified means are very close to the laws' means
    assert abs(pts[:, 2].mean() - 0.3) < 1e-3
    assert abs(pts[:, 3].mean() - (0.0 + 0.2 + 1.0) / 3) < 2e-3
    assert pts[:, 4].min() >= 0.0


def test_latin_hypercube_draw_order_is_documented():
    rng_a = np.random.default_rng(5)
    rng_b = np.random.default_rng(5)
    expected = np.column_stack([(rng_b.permutation(6) + rng_b.random(6)) / 6 for _ in range(3)])
    np.testing.assert_array_equal(latin_hypercube(6, 3, rng_a), expected)


# --------------------------------------------------------------- random and mapping


def test_random_design_draws_uniform_from_the_design_stream():
    spec = make_spec("random", RANGES, samples=50, seed=9)
    expected = np.random.default_rng(np.random.SeedSequence(9).spawn(1)[0]).random((50, 5))
    np.testing.assert_array_equal(unit_points(spec), expected)


def test_random_values_are_drawn_uniformly_from_the_list():
    spec = make_spec("random", [{"path": "a", "values": [2.0, 4.0, 8.0]}], samples=30_000, seed=1)
    drawn = points(spec)[:, 0]
    values, counts = np.unique(drawn, return_counts=True)
    assert list(values) == [2.0, 4.0, 8.0]
    assert np.all(np.abs(counts / 30_000 - 1 / 3) < 0.015)


def test_random_log_range_is_log_uniform():
    spec = make_spec(
        "random", [{"path": "a", "log": {"start": 0.01, "stop": 1.0}}], samples=20_000, seed=2
    )
    x = points(spec)[:, 0]
    assert x.min() >= 0.01
    assert x.max() <= 1.0
    # half of the draws below the geometric midpoint 0.1
    assert abs(np.mean(x < 0.1) - 0.5) < 0.02


def test_normal_is_clipped_and_cut_at_six_sd():
    spec = make_spec(
        "random",
        [
            {
                "path": "a",
                "distribution": {
                    "kind": "normal",
                    "mean": 0.1,
                    "sd": 0.1,
                    "low": 0.0,
                    "high": 0.15,
                },
            },
            {"path": "b", "distribution": {"kind": "normal", "mean": 1.0, "sd": 2.0}},
        ],
        samples=20_000,
        seed=4,
    )
    pts = points(spec)
    assert pts[:, 0].min() == 0.0
    assert pts[:, 0].max() == 0.15
    assert abs(np.mean(pts[:, 0] == 0.0) - 0.1587) < 0.01  # P(Z < -1): the clipped tail
    assert abs(pts[:, 1].mean() - 1.0) < 0.05
    assert abs(pts[:, 1].std() - 2.0) < 0.05
    assert spec.parameters[1].bounds() == pytest.approx((1.0 - 12.0, 1.0 + 12.0))


def test_triangular_quantiles():
    spec = make_spec("lhs", [RANGES[3]], samples=1)
    dist = spec.parameters[0].distribution
    x = dist.from_unit(np.array([0.0, 0.2, 1.0]))  # F(mode) = 0.2
    np.testing.assert_allclose(x, [0.0, 0.2, 1.0])
    # median of triangular(0, 0.2, 1): 1 - sqrt(0.5 * 0.8)
    np.testing.assert_allclose(dist.from_unit(np.array([0.5])), [1 - np.sqrt(0.4)])


# ------------------------------------------------------------------ reproducibility


@pytest.mark.parametrize(
    ("design", "kw"),
    [("random", {"samples": 20}), ("lhs", {"samples": 20}), ("sobol", {"samples": 16})],
)
def test_designs_are_reproducible_from_the_master_seed(design, kw):
    params = RANGES if design != "random" else [*RANGES, {"path": "f", "values": [1, 2, 3]}]
    first = points(make_spec(design, params, seed=11, **kw))
    again = points(make_spec(design, params, seed=11, **kw))
    other = points(make_spec(design, params, seed=12, **kw))
    np.testing.assert_array_equal(first, again)
    assert (
        first.shape
        == other.shape
        == (n_points(make_spec(design, params, seed=11, **kw)), len(params))
    )
    assert not np.allclose(first[:, :5], other[:, :5])


def test_sobol_design_is_saltellis_layout():
    spec = make_spec("sobol", RANGES[:3], samples=8, seed=1)
    unit = unit_points(spec)
    assert unit.shape == (8 * (3 + 2), 3)
    blocks = unit.reshape(8, 5, 3)  # per base point: A, AB_1, AB_2, AB_3, B
    a, b = blocks[:, 0], blocks[:, 4]
    for j in range(3):
        ab = blocks[:, 1 + j]
        np.testing.assert_array_equal(ab[:, j], b[:, j])
        np.testing.assert_array_equal(np.delete(ab, j, axis=1), np.delete(a, j, axis=1))


# -------------------------------------------------------------------- runs and seeds


def test_run_specs_enumerate_points_times_replications():
    spec = make_spec(
        "grid",
        [{"path": "a", "values": [1, 2, 3]}, {"path": "b", "values": [10, 20]}],
        replications=4,
        seed=5,
    )
    runs = list(run_specs(spec))
    assert len(runs) == count_runs(spec) == 24
    assert [r.run_id for r in runs] == list(range(24))
    assert runs[5] == RunSpec(
        run_id=5, point=1, replication=1, seed=run_seed(5, 5), params=(("a", 1.0), ("b", 20.0))
    )
    assert all(r.run_id == r.point * 4 + r.replication for r in runs)
    assert all(type(v) is float for r in runs for _, v in r.params)


def test_run_seed_is_the_documented_seed_sequence_grandchild():
    for seed, run_id in [(0, 0), (12345, 7), (2**40, 4321), (2**63, 99)]:
        child = np.random.SeedSequence(seed).spawn(2)[1]
        grandchild = child.spawn(run_id + 1)[run_id]
        state = grandchild.generate_state(1, dtype=np.uint64)[0]
        assert run_seed(seed, run_id) == int(state) >> 1
        assert 0 <= run_seed(seed, run_id) < 2**63


def test_run_seed_is_the_first_uint64_word_for_large_run_ids():
    # the grandchild above is SeedSequence(seed, spawn_key=(1, run_id)); spawning it
    # literally is too slow for run ids past 2^32
    for seed, run_id in [(3, 2**32 + 5), (2**62, 2**40 + 1), (1, 10**6)]:
        seq = np.random.SeedSequence(seed, spawn_key=(1, run_id))
        assert run_seed(seed, run_id) == int(seq.generate_state(1, dtype=np.uint64)[0]) >> 1


def test_run_seeds_depend_only_on_master_seed_and_run_id():
    grid = make_spec("grid", [{"path": "a", "values": list(range(100))}], replications=3, seed=8)
    lhs = make_spec("lhs", RANGES, samples=100, replications=3, seed=8)
    forward = {r.run_id: r.seed for r in run_specs(grid)}
    # another design with the same master seed, visited backwards and in slices
    backward = {r.run_id: r.seed for r in reversed(list(run_specs(lhs)))}
    sliced = {
        r.run_id: r.seed
        for start in (200, 0, 100)
        for r in itertools.islice(run_specs(grid), start, start + 100)
    }
    assert forward == backward == sliced
    assert forward == {k: run_seed(8, k) for k in range(300)}
    other = make_spec("grid", [{"path": "a", "values": list(range(100))}], replications=3, seed=9)
    assert all(r.seed != forward[r.run_id] for r in run_specs(other))


def test_run_seeds_are_distinct_for_ten_thousand_runs():
    spec = make_spec(
        "grid", [{"path": "a", "values": list(range(1000))}], replications=10, seed=20250602
    )
    seeds = [r.seed for r in run_specs(spec)]
    assert len(seeds) == 10_000
    assert len(set(seeds)) == 10_000


def test_design_and_run_streams_do_not_overlap():
    rng = design_rng(3)
    design_words = np.random.SeedSequence(3, spawn_key=(0,)).generate_state(4, dtype=np.uint64)
    run_words = {run_seed(3, k) for k in range(1000)}
    assert not run_words & {int(w) >> 1 for w in design_words}
    assert isinstance(rng, np.random.Generator)


def test_run_specs_is_lazy():
    spec = make_spec(
        "grid",
        [{"path": "a", "values": list(range(1000))}, {"path": "b", "values": list(range(1000))}],
        replications=100,
    )
    runs = run_specs(spec)
    assert count_runs(spec) == 10**8  # the largest sweep allowed
    first = next(runs)
    assert (first.run_id, first.params) == (0, (("a", 0.0), ("b", 0.0)))


@pytest.mark.parametrize(
    ("design", "kw", "params"),
    [
        ("random", {"samples": 13}, RANGES),
        ("lhs", {"samples": 9}, RANGES),
        ("sobol", {"samples": 4}, RANGES),
        ("grid", {}, [{"path": "a", "values": [1, 2]}, {"path": "b", "values": [1, 2, 3]}]),
    ],
)
def test_count_runs_matches_the_generated_specs(design, kw, params):
    spec = make_spec(design, params, replications=3, **kw)
    assert count_runs(spec) == len(list(run_specs(spec))) == 3 * n_points(spec)


value_lists = st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=4, unique=True)


@settings(max_examples=60, deadline=None)
@given(
    sets=st.lists(value_lists, min_size=1, max_size=4),
    replications=st.integers(1, 4),
    seed=st.integers(0, 2**32),
)
def test_property_small_grids(sets, replications, seed):
    spec = make_spec(
        "grid",
        [{"path": f"p{k}", "values": v} for k, v in enumerate(sets)],
        replications=replications,
        seed=seed,
    )
    runs = list(run_specs(spec))
    assert count_runs(spec) == len(runs) == int(np.prod([len(v) for v in sets])) * replications
    assert [r.run_id for r in runs] == list(range(len(runs)))
    by_point: dict[int, list[RunSpec]] = {}
    for r in runs:
        by_point.setdefault(r.point, []).append(r)
    assert all(len(group) == replications for group in by_point.values())
    assert all(len({r.params for r in group}) == 1 for group in by_point.values())
    combos = {r.params for r in runs}
    assert len(combos) == len(by_point)  # every point is a distinct combination
    assert combos == {
        tuple(zip(spec.paths, map(float, c), strict=True)) for c in itertools.product(*sets)
    }


# ------------------------------------------------------------------------ scenarios


def test_scenario_for_applies_every_parameter_once():
    base = read_yaml(BASELINE)
    before = repr(base)
    params = (
        ("parties.russia.positions.territory.salience", 1.5),
        ("protocol.max_rounds", 17.5),
        ("parties.ukraine.fighting_cost", 0.05),
    )
    data = scenario_for(base, params, seed=42)
    assert repr(base) == before
    scenario = parse_scenario(data, "swept")
    assert scenario.party("russia").positions["territory"].salience.value == 1.5
    assert scenario.party("russia").positions["territory"].salience.assumption == SWEPT
    assert scenario.protocol.max_rounds == 18
    assert scenario.party("ukraine").fighting_cost.value == 0.05
    assert scenario.seed == 42
    assert scenario_for(base, ())["seed"] == base["seed"]

"""Sobol' indices of a sobol sweep: Ishigami's analytic values, inverse-CDF inputs, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import sim.sweep.sensitivity
from sim.sweep import SweepSpec, n_points, points, problem_for, sobol_indices
from sim.sweep.sensitivity import INDEX_KEYS, percentile_bounds

# Ishigami & Homma (1990), a = 7, b = 0.1, inputs U(-π, π)^3; analytic indices e.g. in
# Saltelli et al., *Global Sensitivity Analysis: The Primer* (2008), §4.1, or Sobol' &
# Levitan (1999).
ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)
ISHIGAMI_ST = (0.5576, 0.4424, 0.2437)


def make_spec(parameters: list[dict], samples: int = 4096, seed: int = 2024) -> SweepSpec:
    return SweepSpec.model_validate(
        {
            "title": "t",
            "base": "base.yaml",
            "design": "sobol",
            "samples": samples,
            "seed": seed,
            "parameters": parameters,
        }
    )


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_analytic_ishigami_values():
    a, b, pi = 7.0, 0.1, math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    vt3 = 8 * b**2 * pi**8 / 225
    v = v1 + v2 + vt3
    assert (round(v1 / v, 4), round(v2 / v, 4)) == ISHIGAMI_S1[:2]
    assert (round((v1 + vt3) / v, 4), round(vt3 / v, 4)) == (ISHIGAMI_ST[0], ISHIGAMI_ST[2])


@pytest.mark.parametrize(
    "ranges",
    [
        [{"linear": {"start": -math.pi, "stop": math.pi}}] * 3,
        [{"distribution": {"kind": "uniform", "low": -math.pi, "high": math.pi}}] * 3,
    ],
    ids=["linear", "uniform"],
)
def test_ishigami_indices_match_the_analytic_values(ranges, monkeypatch):
    monkeypatch.setattr(sim.sweep.sensitivity, "RESAMPLES", 200)  # N = 4096: keep it quick
    spec = make_spec([{"path": f"x{k + 1}", **r} for k, r in enumerate(ranges)])
    x = points(spec)
    assert x.shape == (4096 * 5, 3)
    assert x.min() >= -math.pi
    assert x.max() <= math.pi
    indices = sobol_indices(spec, ishigami(x))
    assert list(indices) == ["x1", "x2", "x3"]
    for k, name in enumerate(indices):
        assert indices[name]["S1"] == pytest.approx(ISHIGAMI_S1[k], abs=0.05)
        assert indices[name]["ST"] == pytest.approx(ISHIGAMI_ST[k], abs=0.05)
        assert 0 < indices[name]["S1_conf"] < 0.1
        assert 0 < indices[name]["ST_conf"] < 0.1


def test_indices_refer_to_non_uniform_parameters_themselves():
    # y = x1 + 2 x2 with x1, x2 ~ N(0, 1) and x3 ~ triangular (inert): S1 = ST = (1/5, 4/5, 0)
    spec = make_spec(
        [
            {"path": "x1", "distribution": {"kind": "normal", "mean": 0.0, "sd": 1.0}},
            {"path": "x2", "distribution": {"kind": "normal", "mean": 5.0, "sd": 1.0}},
            {"path": "x3", "distribution": {"kind": "triangular", "low": 0, "mode": 1, "high": 3}},
        ],
        samples=2048,
    )
    x = points(spec)
    indices = sobol_indices(spec, x[:, 0] + 2 * x[:, 1])
    expected = (0.2, 0.8, 0.0)
    for k, name in enumerate(indices):
        assert indices[name]["S1"] == pytest.approx(expected[k], abs=0.05)
        assert indices[name]["ST"] == pytest.approx(expected[k], abs=0.05)


def test_problem_is_the_unit_cube_named_by_path():
    spec = make_spec(
        [
            {"path": "a.b", "log": {"start": 1, "stop": 10}},
            {"path": "c", "linear": {"start": 0, "stop": 2}},
        ],
        samples=4,
    )
    assert problem_for(spec) == {
        "num_vars": 2,
        "names": ["a.b", "c"],
        "bounds": [[0.0, 1.0], [0.0, 1.0]],
    }


def test_confidence_intervals_are_reproducible():
    spec = make_spec(
        [{"path": f"x{k}", "linear": {"start": 0, "stop": 1}} for k in range(3)], samples=256
    )
    y = ishigami(points(spec))
    assert sobol_indices(spec, y) == sobol_indices(spec, y)


def test_constant_output_gives_nan_indices():
    spec = make_spec([{"path": "x", "linear": {"start": 0, "stop": 1}}], samples=8)
    result = sobol_indices(spec, np.ones(n_points(spec)))
    assert set(result["x"]) == set(INDEX_KEYS)
    assert all(math.isnan(v) for v in result["x"].values())


def test_bad_outputs_are_rejected():
    spec = make_spec([{"path": "x", "linear": {"start": 0, "stop": 1}}], samples=8)
    with pytest.raises(ValueError, match=r"expected \(24,\)"):
        sobol_indices(spec, np.zeros(23))
    y = np.arange(24.0)
    y[3] = np.nan
    with pytest.raises(ValueError, match="1 non-finite"):
        sobol_indices(spec, y)
    lhs = SweepSpec.model_validate(
        {
            "title": "t",
            "base": "b",
            "design": "lhs",
            "samples": 8,
            "parameters": [{"path": "x", "linear": {"start": 0, "stop": 1}}],
        }
    )
    with pytest.raises(ValueError, match="need a sobol design"):
        sobol_indices(lhs, np.zeros(8))


def test_linear_model_with_unequal_coefficients():
    # y = a1 x1 + a2 x2 + a3 x3, x_i ~ U(0, 1) independent: Var y = Σ a_i² / 12 and
    # S1_i = ST_i = a_i² / Σ a_k² = (1, 4, 9) / 14 (no interactions).
    a = np.array([1.0, 2.0, 3.0])
    spec = make_spec(
        [{"path": f"x{k + 1}", "linear": {"start": 0, "stop": 1}} for k in range(3)], samples=2048
    )
    indices = sobol_indices(spec, points(spec) @ a)
    for k, name in enumerate(indices):
        exact = a[k] ** 2 / np.sum(a**2)
        v = indices[name]
        assert v["S1"] == pytest.approx(exact, abs=0.03)
        assert v["ST"] == pytest.approx(exact, abs=0.03)
        assert v["S1_low"] <= exact <= v["S1_high"]
        assert v["ST_low"] <= exact <= v["ST_high"]
        assert v["changes"] == 2048  # a continuous output changes at every base row
    s1 = [indices[n]["S1"] for n in indices]
    assert s1[0] < s1[1] < s1[2]


def test_percentile_bounds_clip_only_to_the_range_of_an_index():
    wide = np.linspace(-0.5, 1.5, 1001)[:, None]  # estimates beyond [0, 1] on both sides
    narrow = np.linspace(0.2, 0.6, 1001)[:, None]
    low, high = percentile_bounds(np.hstack([wide, narrow]))
    assert low.tolist() == [0.0, pytest.approx(0.21)]
    assert high.tolist() == [1.0, pytest.approx(0.59)]


def test_binary_output_gives_lattice_values_and_unclipped_estimates():
    # A 0/1 output (agreement or not, one run per point): ST_j = changes_j / (2 N Var y),
    # so two parameters that flip the output at the same base rows have identical
    # indices. Blocks of D + 2 = 5 points per base row: A, A_B^1, A_B^2, A_B^3, B.
    spec = make_spec(
        [{"path": f"x{k + 1}", "linear": {"start": 0, "stop": 1}} for k in range(3)], samples=8
    )
    blocks = np.array(
        [
            [0, 1, 1, 1, 1],  # x1, x2, x3 all flip the output here
            [1, 1, 1, 1, 1],
            [0, 0, 0, 0, 0],
            [1, 0, 1, 1, 0],  # x1 alone flips
            [0, 1, 0, 0, 1],
            [1, 1, 1, 1, 0],
            [0, 0, 0, 0, 1],
            [1, 1, 1, 1, 1],
        ],
        dtype=float,
    )
    indices = sobol_indices(spec, blocks.ravel())
    a_and_b = np.r_[blocks[:, 0], blocks[:, -1]]
    for name, changes in (("x1", 3), ("x2", 1), ("x3", 1)):
        assert indices[name]["changes"] == changes
        assert indices[name]["ST"] == pytest.approx(changes / (2 * 8 * a_and_b.var()))
    for key in ("S1", "ST", "S1_low", "S1_high", "ST_low", "ST_high"):
        assert indices["x2"][key] == indices["x3"][key]  # same rows: identical
    assert indices["x1"]["ST"] > indices["x2"]["ST"]
    for v in indices.values():
        assert 0.0 <= v["S1_low"] <= v["S1_high"] <= 1.0
        assert 0.0 <= v["ST_low"] <= v["ST_high"] <= 1.0

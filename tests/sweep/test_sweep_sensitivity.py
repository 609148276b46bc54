"""Sobol' indices of a sobol sweep: Ishigami's analytic values, inverse-CDF inputs, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.sweep import SweepSpec, n_points, points, problem_for, sobol_indices

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
def test_ishigami_indices_match_the_analytic_values(ranges):
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
    assert set(result["x"]) == {"S1", "S1_conf", "ST", "ST_conf"}
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

"""Variance-based (Sobol') sensitivity indices of a sobol sweep, via SALib.

First-order S1 and total ST indices are estimated from Saltelli's sample (Saltelli 2002;
Saltelli et al. 2010 estimators, as implemented by ``SALib.analyze.sobol``), with
bootstrap confidence intervals (95 %, :data:`RESAMPLES` resamples of the N base rows).

What is reported, per parameter and index (``S1`` and ``ST``):

``S1``, ``ST``
    the point estimates, *not* clipped: the estimators are unbiased but not confined to
    [0, 1] (a negative S1 or an ST above 1 says the index is within noise of its bound);
``S1_conf``, ``ST_conf``
    SALib's half-width Z·sd of the bootstrap estimates (a normal approximation);
``S1_low``, ``S1_high``, ``ST_low``, ``ST_high``
    the 2.5 % and 97.5 % percentiles of the bootstrap estimates (Efron & Tibshirani 1993,
    §13.3), clipped to [0, 1]. The clip is the only one applied, and the method defines
    it: an index is a share of the output variance, so its true value lies in [0, 1] and
    intersecting an interval with [0, 1] keeps every value it could be;
``changes``
    in how many of the N base rows moving this parameter alone (A → A_B^j) changed the
    output. With a 0/1 output (agreement or not at a point, one replication) the
    estimators take values on a lattice: ST_j = changes_j / (2·N·Var y) and N·Var y·S1_j is a
    sum of ± B-values over those rows, so two parameters that flip the output at the same
    rows get *identical* S1 and ST. That is the resolution of the design, not a bug: more
    base samples N or replications (averaged per point) refine it.

Non-uniform parameters: SALib samples every parameter uniformly in [0, 1] (the
``problem``'s bounds are all [0, 1]) and the design maps each column through the
parameter's inverse CDF (:meth:`sim.sweep.schema.Parameter.from_unit`: the interval of a
``linear`` range, the log scale of a ``log`` range, the quantile function of a
distribution). The map is a monotone function of one input, so the model output as a
function of u is the output as a function of the parameters, and the indices refer to
the parameters themselves (variance decompositions are invariant to such
one-to-one reparametrisations of independent inputs).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.sweep.design import analysis_rng, n_points
from sim.sweep.schema import SweepSpec

INDEX_KEYS = (
    "S1",
    "S1_conf",
    "S1_low",
    "S1_high",
    "ST",
    "ST_conf",
    "ST_low",
    "ST_high",
    "changes",
)
RESAMPLES = 1000
"""Bootstrap resamples of the confidence intervals (percentile intervals need many)."""


def problem_for(spec: SweepSpec) -> dict[str, Any]:
    """SALib's problem: one variable per parameter (named by its path), bounds [0, 1]."""
    d = len(spec.parameters)
    return {"num_vars": d, "names": spec.paths, "bounds": [[0.0, 1.0]] * d}


def sobol_indices(spec: SweepSpec, y: np.ndarray) -> dict[str, dict[str, float]]:
    """{path: {key: value for key in INDEX_KEYS}} (module docstring) from y, the mean
    outcome of each Saltelli point in the order of :func:`sim.sweep.design.points` (the
    caller averages replications). A constant y has no variance to decompose: all indices
    are NaN. Bootstrap resamples come from the analysis stream (seed rules in
    :mod:`sim.sweep.design`), so the confidence intervals are reproducible."""
    y = _checked_outputs(spec, y)
    if np.ptp(y) == 0:
        return {path: dict.fromkeys(INDEX_KEYS, float("nan")) for path in spec.paths}
    from SALib.analyze import sobol

    result = sobol.analyze(
        problem_for(spec),
        y,
        calc_second_order=False,
        num_resamples=RESAMPLES,
        keep_resamples=True,
        seed=analysis_rng(spec.seed),
    )
    bounds = {key: percentile_bounds(result[f"{key}_conf_all"]) for key in ("S1", "ST")}
    changes = changed_rows(spec, y)
    return {
        path: {
            "S1": float(result["S1"][j]),
            "S1_conf": float(result["S1_conf"][j]),
            "S1_low": float(bounds["S1"][0][j]),
            "S1_high": float(bounds["S1"][1][j]),
            "ST": float(result["ST"][j]),
            "ST_conf": float(result["ST_conf"][j]),
            "ST_low": float(bounds["ST"][0][j]),
            "ST_high": float(bounds["ST"][1][j]),
            "changes": int(changes[j]),
        }
        for j, path in enumerate(spec.paths)
    }


def percentile_bounds(draws: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """The (1 − level)/2 and (1 + level)/2 percentiles of bootstrap estimates (resamples ×
    parameters), clipped to [0, 1], the range of a Sobol' index (module docstring)."""
    tail = 100 * (1 - level) / 2
    low, high = np.nanpercentile(draws, [tail, 100 - tail], axis=0)
    return np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)


def changed_rows(spec: SweepSpec, y: np.ndarray) -> np.ndarray:
    """Per parameter j, the number of base rows where y(A_B^j) ≠ y(A). Saltelli's points
    come in blocks of D + 2 per base row: A, A_B^1, ..., A_B^D, B (SALib's order)."""
    d = len(spec.parameters)
    blocks = y.reshape(-1, d + 2)
    return (blocks[:, 1:-1] != blocks[:, :1]).sum(axis=0)


def _checked_outputs(spec: SweepSpec, y: np.ndarray) -> np.ndarray:
    """y as a float vector of length N·(D+2); ``ValueError`` otherwise or on NaN/inf."""
    if spec.design != "sobol":
        raise ValueError(f"Sobol' indices need a sobol design, not {spec.design}")
    y = np.asarray(y, dtype=float)
    expected = n_points(spec)
    if y.shape != (expected,):
        raise ValueError(
            f"y has shape {y.shape}; expected ({expected},): one mean outcome per Saltelli "
            f"point, N·(D+2) = {spec.samples}·{len(spec.parameters) + 2}"
        )
    if not np.all(np.isfinite(y)):
        raise ValueError(f"y has {int(np.sum(~np.isfinite(y)))} non-finite values")
    return y

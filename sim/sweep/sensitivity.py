"""Variance-based (Sobol') sensitivity indices of a sobol sweep, via SALib.

First-order S1 and total ST indices are estimated from Saltelli's sample (Saltelli 2002;
Saltelli et al. 2010 estimators, as implemented by ``SALib.analyze.sobol``), with
bootstrap confidence intervals (95 %).

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

INDEX_KEYS = ("S1", "S1_conf", "ST", "ST_conf")


def problem_for(spec: SweepSpec) -> dict[str, Any]:
    """SALib's problem: one variable per parameter (named by its path), bounds [0, 1]."""
    d = len(spec.parameters)
    return {"num_vars": d, "names": spec.paths, "bounds": [[0.0, 1.0]] * d}


def sobol_indices(spec: SweepSpec, y: np.ndarray) -> dict[str, dict[str, float]]:
    """{path: {"S1", "S1_conf", "ST", "ST_conf"}} from y, the mean outcome of each
    Saltelli point in the order of :func:`sim.sweep.design.points` (the caller averages
    replications). A constant y has no variance to decompose: all indices are NaN.
    Bootstrap resamples come from the analysis stream (seed rules in
    :mod:`sim.sweep.design`), so the confidence intervals are reproducible."""
    y = _checked_outputs(spec, y)
    if np.ptp(y) == 0:
        return {path: dict.fromkeys(INDEX_KEYS, float("nan")) for path in spec.paths}
    from SALib.analyze import sobol

    result = sobol.analyze(
        problem_for(spec), y, calc_second_order=False, seed=analysis_rng(spec.seed)
    )
    return {
        path: {key: float(result[key][j]) for key in INDEX_KEYS}
        for j, path in enumerate(spec.paths)
    }


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

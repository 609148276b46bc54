"""Comparison figures of sweeps against their swept parameters (``sim compare``), one line
per sweep over its valid runs:

* ``sweep_outcomes.png`` — the share of full / partial / no agreement against each swept
  parameter, 95% Wilson intervals;
* ``sweep_terms_<k>.png`` — the mean agreed value of each issue against parameter k,
  mean ± 1.96·sd/√n.

The points are those of the single-sweep figures (``outcome_shares`` and ``term_means``
of :mod:`sim.output.sweep_plots`); each sweep's are shifted sideways by 2% of the
parameter's range per sweep (centred), so that none hides another.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from sim.compare.inputs import CompareInput
from sim.jobs.sweep_analysis import OUTCOMES
from sim.output.compare_style import (
    centred_rank,
    finish,
    grid,
    input_handles,
    input_style,
    issue_axis,
    label_axes,
)
from sim.output.sweep_plots import (
    OUTCOME_NAMES,
    no_data,
    outcome_shares,
    term_means,
    valid_rows,
)
from sim.scenario.paths import readable_name

DODGE = 0.02  # sideways shift per sweep, as a share of the parameter's range


def _dodge(sweeps: Sequence[CompareInput], param: str, inp: CompareInput) -> float:
    """The sideways shift of ``inp``'s points: its rank among the sweeps, centred."""
    values = np.concatenate([s.sweep.data[f"param.{param}"] for s in sweeps])
    span = float(np.nanmax(values) - np.nanmin(values)) if values.size else 0.0
    return centred_rank(sweeps, inp) * DODGE * (span or 1.0)


def _errorbar(ax, x: np.ndarray, y: np.ndarray, lo: np.ndarray, hi: np.ndarray, index: int) -> None:
    """One sweep's points with their interval [lo, hi], in the input's style."""
    with np.errstate(invalid="ignore"):
        err = np.vstack([np.clip(y - lo, 0, None), np.clip(hi - y, 0, None)])
    ax.errorbar(x, y, yerr=err, capsize=3, lw=1.3, ms=4.5, elinewidth=0.9, **input_style(index))


def sweep_outcomes_figure(sweeps: Sequence[CompareInput], params: Sequence[str]) -> plt.Figure:
    """Outcome shares against each swept parameter (rows: outcomes; columns: parameters)."""
    fig, axes = plt.subplots(
        3, len(params), figsize=(4.8 * len(params) + 0.6, 8.4), squeeze=False, sharey=True
    )
    for col, param in enumerate(params):
        for row, kind in enumerate(OUTCOMES):
            ax = axes[row, col]
            for inp in sweeps:
                x, y, lo, hi = outcome_shares(valid_rows(inp.sweep.data), param, kind)
                _errorbar(ax, x + _dodge(sweeps, param, inp), y, lo, hi, inp.index)
            ax.set_ylim(-0.03, 1.03)
            ax.grid(alpha=0.3)
            ax.set_title(OUTCOME_NAMES[kind], fontsize=9)
        axes[-1, col].set_xlabel(readable_name(param))
    for row in range(3):
        axes[row, 0].set_ylabel("share of runs\n(95% Wilson interval)", fontsize=8)
    return finish(
        fig, "Comparison: outcome against the swept parameters", input_handles(sweeps), ncol=3
    )


def sweep_terms_figure(
    sweeps: Sequence[CompareInput], param: str, issues: Sequence[str]
) -> plt.Figure:
    """Mean agreed value of each issue against one parameter, one line per sweep."""
    fig, axes = grid(len(issues), 3, 3.0, 2.5, extra=1.3, sharex=True)
    for ax, issue_id in zip(axes.flat, issues, strict=False):
        agreed = False
        for inp in sweeps:
            x, y, lo, hi = term_means(valid_rows(inp.sweep.data), param, issue_id)
            _errorbar(ax, x + _dodge(sweeps, param, inp), y, lo, hi, inp.index)
            agreed |= bool(np.isfinite(y).any())
        if not agreed:
            no_data(ax, "agreed in no run")
        issue_axis(ax, sweeps[0], issue_id)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    label_axes(axes, len(issues), readable_name(param), "mean agreed value\n(± 95%)")
    title = f"Comparison: agreed terms against {readable_name(param)}"
    return finish(fig, title, input_handles(sweeps), ncol=3)

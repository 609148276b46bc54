"""Figures of a comparison (``sim compare``): the inputs side by side on shared axes.

:func:`plot_comparison` writes every figure that applies into ``plots/``, each drawn only
when it has something to show:

* runs — ``offers.png``, ``utilities.png``; runs with a war — ``bargaining_range.png``,
  ``territory.png`` (:mod:`sim.output.compare_time_plots`);
* sweeps — ``sweep_outcomes.png``, ``sweep_terms_<k>.png`` per swept parameter k
  (:mod:`sim.output.compare_sweep_plots`);
* every input — ``terms_distribution.png``, ``rounds_distribution.png``
  (:mod:`sim.output.compare_distribution_plots`);
* the first two principals' utilities — ``utility_plane.png``
  (:mod:`sim.output.compare_plane_plots`).

Every input keeps one colour, marker, line style and bar hatch in every figure, fixed by
its position in the command line (:mod:`sim.output.compare_style`), so the figures read in
greyscale print too; where several inputs often take equal values, their points are dodged
sideways or drawn concentrically so that none hides another.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from sim.compare.inputs import CompareInput
from sim.compare.match import Matching
from sim.output.compare_distribution_plots import (
    rounds_distribution_figure,
    terms_distribution_figure,
)
from sim.output.compare_plane_plots import utility_plane_figure
from sim.output.compare_sweep_plots import sweep_outcomes_figure, sweep_terms_figure
from sim.output.compare_time_plots import (
    bargaining_range_figure,
    offers_figure,
    territory_figure,
    utilities_figure,
)
from sim.output.style import save


def plot_comparison(inputs: Sequence[CompareInput], m: Matching, folder: Path) -> list[Path]:
    """Write every figure that applies (module docstring) into ``folder``; return paths."""
    folder.mkdir(parents=True, exist_ok=True)
    runs = [inp for inp in inputs if inp.kind == "run"]
    sweeps = [inp for inp in inputs if inp.kind == "sweep"]
    wars = [inp for inp in runs if inp.label in m.war_runs]
    figures: list[tuple[str, plt.Figure]] = []
    if runs:
        figures += [
            ("offers.png", offers_figure(runs, m.issues)),
            ("utilities.png", utilities_figure(runs, m.parties)),
        ]
    if wars:
        figures += [
            ("bargaining_range.png", bargaining_range_figure(wars)),
            ("territory.png", territory_figure(wars)),
        ]
    if sweeps and m.params:
        figures.append(("sweep_outcomes.png", sweep_outcomes_figure(sweeps, m.params)))
        figures += [
            (f"sweep_terms_{k}.png", sweep_terms_figure(sweeps, p, m.issues))
            for k, p in enumerate(m.params)
        ]
    figures += [
        ("terms_distribution.png", terms_distribution_figure(inputs, m.issues)),
        ("rounds_distribution.png", rounds_distribution_figure(inputs)),
    ]
    if m.pair:
        figures.append(("utility_plane.png", utility_plane_figure(inputs, m.pair)))
    return [save(fig, folder / name) for name, fig in figures]

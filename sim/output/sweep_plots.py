"""Plots of a sweep, drawn from its stored rows.

* ``outcomes.png``: share of full / partial / no agreement against each swept parameter,
  with 95% Wilson intervals over the runs at each level (or bin);
* ``terms_<k>.png``: for parameter k, the mean agreed value of every issue (± 95%), each
  panel on the issue's whole scale (as the comparison plots: the README's y-axis policy);
* ``heatmap_<k>_<l>.png``: the full-agreement rate for each pair of parameters, each cell
  with its count "agreements/runs"; a pair of levels with no run is hatched grey;
  (these two only up to :data:`MAX_PLOTTED_PARAMETERS` swept parameters)
* ``rounds.png``: the distribution of agreement rounds (full and last partial);
* ``sobol.png`` (sobol design): first-order and total indices with their 95% percentile
  bootstrap intervals (clipped to [0, 1], see :mod:`sim.sweep.sensitivity`).

The points of the outcome and term curves (:func:`outcome_shares`, :func:`term_means`) serve
the sweep figures of ``sim compare`` too (:mod:`sim.output.compare_sweep_plots`).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sim.jobs.sweep_analysis import OUTCOMES, columns, group, mean_interval, wilson
from sim.output.style import issue_scale, panel_grid, save
from sim.output.sweep_store import RunStore
from sim.scenario.paths import readable_name
from sim.sweep import SweepSpec

OUTCOME_STYLE = {
    "agreement": {"color": "#2e8b57", "marker": "o", "linestyle": "-", "label": "full agreement"},
    "partial": {
        "color": "#d68910",
        "marker": "s",
        "linestyle": "--",
        "label": "partial agreement only",
    },
    "none": {"color": "#c0392b", "marker": "^", "linestyle": ":", "label": "no agreement"},
}
OUTCOME_NAMES = {kind: style["label"] for kind, style in OUTCOME_STYLE.items()}


def valid_rows(data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """A sweep's columns over the runs that did not fail."""
    ok = data["outcome"] != "error"
    return {k: v[ok] for k, v in data.items()}


def outcome_shares(data: dict, param: str, kind: str) -> tuple[np.ndarray, ...]:
    """(levels, share, Wilson low, Wilson high) of one outcome against one parameter."""
    groups = group(data[f"param.{param}"])
    n = np.bincount(groups.index, minlength=len(groups.centres))
    k = np.bincount(groups.index, weights=data["outcome"] == kind, minlength=n.size)
    lo, hi = wilson(k, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return groups.centres, k / n, lo, hi


def term_means(data: dict, param: str, issue_id: str) -> tuple[np.ndarray, ...]:
    """(levels, mean, low, high) of an issue's agreed value against one parameter (95%)."""
    groups = group(data[f"param.{param}"])
    stats = np.array(
        [
            mean_interval(data[f"term.{issue_id}"][groups.index == g])
            for g in range(len(groups.centres))
        ]
    ).reshape(-1, 3)
    return groups.centres, stats[:, 0], stats[:, 1], stats[:, 2]


MAX_PLOTTED_PARAMETERS = 6
"""Beyond this many swept parameters only the outcome shares (one panel each) and the
rounds are drawn: a figure of terms per parameter and a heatmap per pair would be
hundreds of figures (a robustness sweep varies 39)."""


def plot_sweep(
    store: RunStore,
    spec: SweepSpec,
    title: str,
    issues: list[str],
    labels: dict[str, str],
    folder: Path,
    scales: dict | None = None,
) -> list[Path]:
    """Write every sweep plot into ``folder``; return their paths. ``scales`` maps issue
    ids to the base scenario's issues, whose whole scales the term panels show."""
    folder.mkdir(parents=True, exist_ok=True)
    cols = ["outcome", "round", *(f"param.{p}" for p in spec.paths), *(f"term.{i}" for i in issues)]
    data = valid_rows(columns(store.read(cols)))
    paths = [save(rounds_figure(data, title), folder / "rounds.png")]
    if spec.paths:
        paths.append(save(outcomes_figure(data, spec.paths, title), folder / "outcomes.png"))
    if len(spec.paths) > MAX_PLOTTED_PARAMETERS:  # e.g. sim robustness over every range
        return paths
    for k, path in enumerate(spec.paths):
        fig = terms_figure(data, path, issues, labels, title, scales)
        paths.append(save(fig, folder / f"terms_{k}.png"))
    for (k, a), (m, b) in _pairs(spec.paths):
        paths.append(save(heatmap_figure(data, a, b, title), folder / f"heatmap_{k}_{m}.png"))
    return paths


def _pairs(paths: list[str]):
    indexed = list(enumerate(paths))
    return [(x, y) for i, x in enumerate(indexed) for y in indexed[i + 1 :]]


def _suptitle(fig: plt.Figure, title: str, what: str, n: int) -> None:
    fig.suptitle(f"{title}\n{what} ({n} runs)", fontsize=11)


def outcomes_figure(data: dict, params: list[str], title: str) -> plt.Figure:
    fig, axes = panel_grid(len(params), 2, 4.4, 3.3, extra=0.9, min_width=6.0, sharey=True)
    for ax, path in zip(axes.flat, params, strict=False):
        for kind in OUTCOMES:
            x, share, lo, hi = outcome_shares(data, path, kind)
            style = OUTCOME_STYLE[kind]
            ax.plot(x, share, **style)
            ax.fill_between(x, lo, hi, color=style["color"], alpha=0.15)
        ax.set_xlabel(readable_name(path))
        ax.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
    for ax in axes[:, 0]:
        ax.set_ylabel("share of runs (95% interval)")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, frameon=False, fontsize=8)
    _suptitle(fig, title, "Outcome against each swept parameter", len(data["outcome"]))
    height = fig.get_size_inches()[1]  # margins in inches: the figure may be very tall
    fig.tight_layout(rect=(0, 0.45 / height, 1, 1))  # the suptitle is laid out too
    return fig


def terms_figure(
    data: dict,
    path: str,
    issues: list[str],
    labels: dict[str, str],
    title: str,
    scales: dict | None = None,
) -> plt.Figure:
    """Mean agreed value of each issue against one parameter, each panel on its issue's
    whole scale where ``scales`` has the issue."""
    fig, axes = panel_grid(len(issues), 3, 3.0, 2.5, extra=1.1, sharex=True)
    cols = axes.shape[1]
    for k, (ax, issue) in enumerate(zip(axes.flat, issues, strict=False)):
        x, mean, lo, hi = term_means(data, path, issue)
        ax.plot(x, mean, marker="o", color="#1f5fa8", label="mean agreed value")
        ax.fill_between(x, lo, hi, color="#1f5fa8", alpha=0.2, label="95% interval")
        if scales and issue in scales:
            issue_scale(ax, scales[issue])
        if not np.isfinite(mean).any():
            no_data(ax, "agreed in no run")
        ax.set_title(labels.get(issue, issue), fontsize=9)
        ax.grid(alpha=0.3)
        if k + cols >= len(issues):  # the lowest visible panel of its column
            ax.set_xlabel(readable_name(path), fontsize=8)
            ax.tick_params(labelbottom=True)
    for ax in axes[:, 0]:
        ax.set_ylabel("agreed value (issue scale)", fontsize=8)
    handles, names = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=2, frameon=False, fontsize=8)
    _suptitle(fig, title, f"Agreed terms against {readable_name(path)}", len(data["outcome"]))
    fig.tight_layout(rect=(0, 0.4 / fig.get_figheight(), 1, 1))
    return fig


def no_data(ax, text: str) -> None:
    """Say in the middle of an empty panel why it is empty."""
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="0.35")


def heatmap_figure(data: dict, a: str, b: str, title: str) -> plt.Figure:
    ga, gb = group(data[f"param.{a}"]), group(data[f"param.{b}"])
    full = data["outcome"] == "agreement"
    cells = ga.index * len(gb.centres) + gb.index
    size = len(ga.centres) * len(gb.centres)
    n = np.bincount(cells, minlength=size).reshape(len(ga.centres), len(gb.centres))
    k = np.bincount(cells, weights=full, minlength=size).reshape(n.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(n > 0, k / n, np.nan)
    fig, ax = plt.subplots(figsize=(6.5, 5.8))
    image = ax.imshow(rate, origin="lower", aspect="auto", cmap="viridis", vmin=0, vmax=1)
    _cell_counts(ax, k, n)
    ax.set_xticks(range(len(gb.centres)), [f"{c:.3g}" for c in gb.centres], rotation=45)
    ax.set_yticks(range(len(ga.centres)), [f"{c:.3g}" for c in ga.centres])
    ax.set_xlabel(readable_name(b))
    ax.set_ylabel(readable_name(a))
    fig.colorbar(image, ax=ax, label="full-agreement rate (share of runs)")
    _suptitle(fig, title, "Full-agreement rate by parameter pair", int(n.sum()))
    fig.text(
        0.5,
        0.01,
        "Each cell: full agreements / runs at that pair of levels (failed runs left out); "
        "hatched grey: no run there.",
        ha="center",
        fontsize=7.5,
        color="0.25",
    )
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def _cell_counts(ax, k: np.ndarray, n: np.ndarray) -> None:
    """Write "k/n" in every cell (white on dark cells, black on light ones) and hatch the
    cells without runs."""
    from matplotlib.patches import Rectangle

    for (i, j), runs in np.ndenumerate(n):
        if runs == 0:
            ax.add_patch(
                Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="0.85", hatch="//", edgecolor="0.5")
            )
            ax.text(j, i, "no runs", ha="center", va="center", fontsize=7, color="0.2")
            continue
        rate = k[i, j] / runs
        color = "white" if rate < 0.6 else "black"  # viridis is dark at low rates
        ax.text(
            j, i, f"{int(k[i, j])}/{int(runs)}", ha="center", va="center", fontsize=8, color=color
        )


def rounds_figure(data: dict, title: str) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(7, 4.2))
    rounds = data["round"]
    top = int(np.nanmax(rounds)) if np.isfinite(rounds).any() else 1
    bins = np.arange(0.5, top + 1.5)
    for kind in ("agreement", "partial"):
        sel = (data["outcome"] == kind) & np.isfinite(rounds)
        style = OUTCOME_STYLE[kind]
        ax.hist(
            rounds[sel],
            bins=bins,
            histtype="step",
            lw=2,
            color=style["color"],
            linestyle=style["linestyle"],
            label=f"{style['label']} ({int(sel.sum())} runs; round of the last deal)",
        )
    ax.set_xlabel("round of agreement")
    ax.set_ylabel("number of runs")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    _suptitle(fig, title, "When agreements are reached", len(data["outcome"]))
    fig.tight_layout()
    return fig


def sobol_figure(result: dict, spec: SweepSpec, title: str) -> plt.Figure:
    outputs = list(result["indices"])
    names = [readable_name(p) for p in spec.paths]
    many = len(names) > 6  # long names side by side overlap: slanted, under the last panel
    width = max(7.0, 0.32 * len(names) + 2) if many else 7.0
    height = 2.2 * len(outputs) + 1.2 + (0.07 * max(len(n) for n in names) if many else 0)
    fig, axes = plt.subplots(len(outputs), 1, figsize=(width, height), squeeze=False, sharex=many)
    x = np.arange(len(names))
    for ax, output in zip(axes[:, 0], outputs, strict=True):
        idx = result["indices"][output]
        for shift, key, color, hatch in ((-0.2, "S1", "#1f5fa8", ""), (0.2, "ST", "#c0392b", "//")):
            values = [idx[p][key] for p in spec.paths]
            ax.bar(
                x + shift,
                values,
                0.4,
                color=color,
                hatch=hatch,
                alpha=0.8,
                label={"S1": "first-order S1", "ST": "total ST"}[key],
            )
            low = [idx[p].get(f"{key}_low", np.nan) for p in spec.paths]
            high = [idx[p].get(f"{key}_high", np.nan) for p in spec.paths]
            ax.vlines(x + shift, low, high, color="black", lw=1)  # the estimate may lie
            ax.plot(x + shift, low, "_", color="black", ms=6)  # outside its clipped interval
            ax.plot(x + shift, high, "_", color="black", ms=6)
        ax.set_ylabel(output.replace("term.", "term: "), fontsize=8)
        if many:
            ax.set_xticks(x, names, fontsize=7, rotation=55, ha="right")
        else:
            ax.set_xticks(x, names, fontsize=8)
        ax.grid(alpha=0.3, axis="y")
    axes[0, 0].legend(fontsize=8)
    axes[-1, 0].set_xlabel(
        "swept parameter (bars: Sobol' index estimate, unclipped; lines: 95% percentile "
        "bootstrap interval, clipped to [0, 1])",
        fontsize=8,
    )
    fig.suptitle(f"{title}\nSobol' sensitivity indices", fontsize=11)
    fig.tight_layout()
    return fig

"""Comparison figures of the distribution of outcomes of every input (``sim compare``):

* ``terms_distribution.png`` — the distribution of the agreed value of each issue (box and
  points for a sweep, one point for a run; ``n`` = runs that agreed it);
* ``rounds_distribution.png`` — the share of each input's runs with a full agreement in
  each round, and without one (grouped bars, one hatch per input).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sim.compare.inputs import CompareInput
from sim.output.compare_style import finish, grid, hatch, input_handles, input_style, issue_axis


def _strip(ax, x: float, values: np.ndarray, inp: CompareInput, rng) -> None:
    """One input's distribution at ``x``: a box when it has several values, and points."""
    style = input_style(inp.index)
    if values.size > 1:
        ax.boxplot(
            values,
            positions=[x],
            widths=0.5,
            showfliers=False,
            manage_ticks=False,
            medianprops={"color": style["color"], "lw": 1.5},
            boxprops={"color": style["color"], "linestyle": style["linestyle"]},
        )
    jitter = rng.uniform(-0.12, 0.12, values.size) if values.size > 1 else np.zeros(1)
    ax.scatter(
        x + jitter[: values.size],
        values,
        s=22 if values.size > 1 else 60,
        marker=style["marker"],
        color=style["color"],
        alpha=0.55 if values.size > 1 else 1,
        edgecolor="k",
        linewidth=0.4,
        zorder=3,
    )


def terms_distribution_figure(inputs: Sequence[CompareInput], issues: Sequence[str]) -> plt.Figure:
    """The agreed value of each issue: one distribution per input (module docstring)."""
    fig, axes = grid(len(issues), 3, 3.0, 2.7, extra=1.2)
    rng = np.random.default_rng(0)  # jitter only
    x = np.arange(len(inputs))
    for ax, issue_id in zip(axes.flat, issues, strict=False):
        for pos, inp in zip(x, inputs, strict=True):
            values = inp.values(f"term.{issue_id}")
            agreed = values[~np.isnan(values)]
            _strip(ax, pos, agreed, inp, rng)
            ax.annotate(
                f"n={agreed.size}",
                (pos, 0),
                xycoords=("data", "axes fraction"),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                fontsize=6.5,
            )
        issue_axis(ax, inputs[0], issue_id)
        ax.set_xticks(x, [inp.label for inp in inputs], fontsize=7, rotation=20, ha="right")
        ax.set_xlim(-0.6, len(inputs) - 0.4)
    for ax in axes[:, 0]:
        ax.set_ylabel("agreed value (issue scale)", fontsize=8)
    title = "Comparison: agreed terms per issue (n = runs that agreed the issue)"
    return finish(fig, title, input_handles(inputs), ncol=3)


def _runs(inp: CompareInput) -> str:
    """ "run" for a run input, "sweep, n runs" for a sweep (valid runs)."""
    return "run" if inp.kind == "run" else f"sweep, {inp.values('round').size} runs"


def _round_shares(inp: CompareInput, categories: np.ndarray) -> np.ndarray:
    """Share of the input's valid runs with a full agreement in each round, then none."""
    rounds = inp.values("round")
    n = max(rounds.size, 1)
    shares = [np.sum(rounds == r) / n for r in categories]
    return np.array([*shares, np.sum(np.isnan(rounds)) / n])


def _round_categories(inputs: Sequence[CompareInput]) -> np.ndarray:
    """The rounds from the earliest to the latest full agreement of any input."""
    rounds = np.concatenate([inp.values("round") for inp in inputs])
    rounds = rounds[np.isfinite(rounds)]
    if not rounds.size:
        return np.arange(0)
    return np.arange(int(rounds.min()), int(rounds.max()) + 1)


def rounds_distribution_figure(inputs: Sequence[CompareInput]) -> plt.Figure:
    """Grouped bars: per round (and 'no full agreement'), the share of each input's runs."""
    categories = _round_categories(inputs)
    top = categories.size
    fig, ax = plt.subplots(figsize=(min(11.0, max(7.0, 0.3 * (top + 1) * len(inputs) + 2)), 4.8))
    width = 0.8 / len(inputs)
    for k, inp in enumerate(inputs):
        style = input_style(inp.index)
        pos = np.arange(top + 1) + (k - (len(inputs) - 1) / 2) * width
        ax.bar(
            pos,
            _round_shares(inp, categories),
            width,
            color=style["color"],
            alpha=0.75,
            hatch=hatch(inp.index),
            edgecolor="k",
            linewidth=0.6,
            label=f"{inp.label} ({_runs(inp)})",
        )
    ax.set_xticks(np.arange(top + 1), [*map(str, categories), "no full\nagreement"])
    ax.set_xlabel("round of the full agreement")
    ax.set_ylabel("share of the input's runs")
    ax.set_ylim(0, 1.05)
    ax.grid(alpha=0.3, axis="y")
    handles = ax.get_legend_handles_labels()[0]
    return finish(fig, "Comparison: when full agreements are reached", handles, ncol=3)

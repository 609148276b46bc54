"""Shared figure style: one colour and marker per party, readable in greyscale print, and
the small drawing helpers that the run, sweep and comparison figures have in common (panel
grids, issue scales, Pareto frontiers, run titles and event marks)."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sim.theory.pareto import pareto_mask

# Texts from scenario files (titles, labels, names) reach every figure: a "$" in them is
# text, never mathtext (which would fail to parse, or typeset it).
matplotlib.rcParams["text.parse_math"] = False

COLORS = ["#c0392b", "#1f5fa8", "#2e8b57", "#8e44ad", "#d68910", "#17a2b8", "#6d4c41", "#555"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "h"]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1)), (0, (1, 1)), "-"]


def party_style(party_ids: list[str], party_id: str, line: bool = True) -> dict:
    """Colour and marker (and line style) of a party, fixed by its position in the list."""
    k = party_ids.index(party_id) % len(COLORS) if party_id in party_ids else len(COLORS) - 1
    style = {"color": COLORS[k], "marker": MARKERS[k]}
    if line:
        style |= {"linestyle": LINESTYLES[k], "markersize": 4}
    return style


def save(fig: plt.Figure, path: Path, dpi: int = 130) -> Path:
    """Save and close a figure."""
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path


def panel_grid(
    n: int, max_cols: int, w: float, h: float, extra: float, min_width: float = 0.0, **kw
) -> tuple[plt.Figure, np.ndarray]:
    """A figure with ``n`` panels of ``w`` x ``h`` inches in at most ``max_cols`` columns,
    ``extra`` inches high for titles and legends, at least ``min_width`` wide; unused panels
    hidden. ``kw`` goes to :func:`matplotlib.pyplot.subplots` (e.g. ``sharex``)."""
    cols = min(max_cols, n)
    rows = math.ceil(n / cols)
    size = (max(w * cols, min_width), h * rows + extra)
    fig, axes = plt.subplots(rows, cols, figsize=size, squeeze=False, **kw)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes


def issue_scale(ax, issue) -> None:
    """The y axis of an issue: its span with a 5% margin, and a discrete issue's labels."""
    lo, hi = issue.span()
    ax.set_ylim(lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))
    if issue.kind == "discrete":
        ax.set_yticks(range(len(issue.values)), issue.values, fontsize=7)


def pareto_front(plane: np.ndarray) -> np.ndarray:
    """The Pareto-efficient points of a plane of two utilities, sorted by the first."""
    front = plane[pareto_mask(plane)]
    return front[np.argsort(front[:, 0])]


def run_title(run, what: str) -> str:
    """A run figure's title: the scenario, what the figure shows, the seed and the outcome."""
    s = run.summary
    return f"{run.scenario.title}\n{what} (seed {s['seed']}, outcome: {s['outcome']})"


def mark_events(ax, run) -> None:
    """Dotted vertical lines at the rounds with events, numbered [k] as in the footnote."""
    ymax = ax.get_ylim()[1]
    for k, (rnd, _) in enumerate(run.events(), start=1):
        ax.axvline(rnd, color="0.4", ls=":", lw=1)
        ax.annotate(
            f"[{k}]",
            (rnd, ymax),
            fontsize=6,
            color="0.3",
            ha="left",
            va="top",
            xytext=(2, -2 - 7 * ((k - 1) % 3)),
            textcoords="offset points",
        )


def mark_ceasefire(ax, run) -> None:
    """Shade the rounds in which a general ceasefire was in force."""
    for first, last in run.ceasefire_spans():
        ax.axvspan(
            first - 0.5,
            last + 0.5,
            color="#9ecae1",
            alpha=0.35,
            lw=0,
            label="general ceasefire in force",
        )


def event_footnote(fig, run, y: float = 0.003) -> None:
    """List the numbered events under the figure: "[k] round r: label"."""
    events = run.events()
    if events:
        text = "   ".join(
            f"[{k}] round {r:g}: {label}" for k, (r, label) in enumerate(events, start=1)
        )
        fig.text(
            0.5,
            y,
            "Events: " + text,
            ha="center",
            va="bottom",
            fontsize=6.5,
            color="0.25",
            wrap=True,
        )

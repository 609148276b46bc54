"""The shared look of the comparison figures (``sim compare``): one style per input, the
panel grid, the legend below the panels and the offsets that keep coinciding points apart.

Every input keeps one colour, marker, line style and bar hatch in every figure, fixed by
its position in the command line (:func:`input_style`), so the figures read in greyscale
print too. Where several inputs often take equal values, their points are dodged sideways
by their centred rank (:func:`centred_rank`) or drawn as concentric markers, the first
input largest (:func:`concentric`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from sim.compare.inputs import CompareInput
from sim.output.style import COLORS, LINESTYLES, MARKERS, issue_scale, panel_grid

HATCHES = ["", "//", "..", "xx", "\\\\", "++", "oo", "--"]
MIN_WIDTH = 7.5  # inches: room for the title and the legend below a single panel


def input_style(index: int) -> dict:
    """Colour, marker and line style of the input at ``index`` (cycling after 8)."""
    k = index % len(COLORS)
    return {"color": COLORS[k], "marker": MARKERS[k], "linestyle": LINESTYLES[k]}


def hatch(index: int) -> str:
    """The bar hatch of the input at ``index`` (none for the first)."""
    return HATCHES[index % len(HATCHES)]


def input_handles(inputs: Sequence[CompareInput]) -> list[Line2D]:
    """One legend handle per input: its colour, marker and line style, and its label."""
    return [
        Line2D([], [], markersize=6, label=f"{inp.label} ({inp.kind})", **input_style(inp.index))
        for inp in inputs
    ]


def marker_key(label: str, color: str, **kw) -> Line2D:
    """A legend entry of a circle marker alone (``kw``: its size and edge or face colour)."""
    return Line2D([], [], ls="", marker="o", color=color, label=label, **kw)


def centred_rank(inputs: Sequence[CompareInput], inp: CompareInput) -> float:
    """The input's rank among ``inputs`` minus the middle rank: the number of sideways
    steps of its points, so that equal values of several inputs stay visible side by side."""
    rank = [x.index for x in inputs].index(inp.index)
    return rank - (len(inputs) - 1) / 2


def concentric(size: float, rank: int) -> float:
    """Marker area of the input of this rank: each smaller than the one before, so that
    markers at the same place show as concentric rings."""
    return size * 0.6**rank


def grid(
    n: int, max_cols: int, w: float, h: float, extra: float = 1.2, **kw
) -> tuple[plt.Figure, np.ndarray]:
    """A figure with ``n`` panels in at most ``max_cols`` columns (unused ones hidden),
    wide enough for the title and the legend."""
    return panel_grid(n, max_cols, w, h, extra, min_width=MIN_WIDTH, **kw)


def finish(fig: plt.Figure, title: str, handles: Sequence = (), ncol: int = 4) -> plt.Figure:
    """Title, a legend of ``handles`` below the panels (room made for its rows) and layout."""
    fig.suptitle(title, fontsize=11)
    bottom = 0.0
    if handles:
        ncol = min(ncol, len(handles))
        fig.legend(handles=list(handles), loc="lower center", ncol=ncol, fontsize=8, frameon=False)
        rows = math.ceil(len(handles) / ncol)
        bottom = (0.12 + 0.2 * rows) / fig.get_figheight()
    fig.tight_layout(rect=(0, bottom, 1, 1))
    return fig


def _bottom_axes(axes: np.ndarray, n: int) -> list:
    """The lowest visible panel of each column."""
    rows, cols = axes.shape
    out = []
    for c in range(cols):
        visible = [r for r in range(rows) if r * cols + c < n]
        if visible:
            out.append(axes[visible[-1], c])
    return out


def label_axes(axes: np.ndarray, n: int, xlabel: str, ylabel: str) -> None:
    """The x label under the lowest visible panel of each column, the y label on the left."""
    for ax in _bottom_axes(axes, n):
        ax.set_xlabel(xlabel)
        ax.tick_params(labelbottom=True)
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel, fontsize=8)


def issue_axis(ax, inp: CompareInput, issue_id: str) -> None:
    """A panel of one issue: its scale (as in ``inp``), title, integer x ticks and grid."""
    issue = inp.issue(issue_id)
    issue_scale(ax, issue)
    ax.set_title(issue.label, fontsize=9)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)

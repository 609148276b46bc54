"""Figures of ``sim discover`` (in ``<discover folder>/plots/``):

* ``discover_tradeoff.png``: PRIM's peeling trajectory, coverage against density, each
  box coloured by its number of restricted parameters, the chosen box marked;
* ``discover_box_limits.png``: the chosen box's limits on each parameter's sampled range
  (normalised to 0..1), restricted parameters first, with their quasi-p-values;
* ``discover_scatter.png``: pairwise scatter of the most restricted parameters (by
  quasi-p-value; topped up by feature score), runs where the condition holds in colour,
  the box drawn;
* ``discover_feature_scores.png``: the parameters' feature scores (extra trees).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from sim.output.style import save

if TYPE_CHECKING:
    from sim.jobs.discover import Discovery

HOLDS, OTHER, BOX = "#c0392b", "#9aa5b1", "#1f5fa8"
MAX_BARS, MAX_SCATTER = 14, 4


def _short(label: str, width: int) -> str:
    """A label cut to ``width`` characters keeping its first and its last segments
    ("russia · … · territory at least"), so that the part that tells apart survives."""
    if len(label) <= width:
        return label
    parts = label.split(" · ")
    head, tail = parts[0], []
    for part in reversed(parts[1:]):
        if len(" · ".join([head, "…", part, *tail])) > width:
            break
        tail.insert(0, part)
    return " · ".join([head, "…", *tail]) if tail else label[: width - 1] + "…"


def _where(d: Discovery) -> str:
    return textwrap.shorten(d.where, 90, placeholder=" ...")


def plot_tradeoff(d: Discovery, path: Path) -> Path:
    """Coverage against density along the trajectory (module docstring)."""
    b = d.box
    cov = np.array([s.coverage for s in b.trajectory])
    den = np.array([s.density for s in b.trajectory])
    dims = np.array([s.restricted for s in b.trajectory])
    fig, ax = plt.subplots(figsize=(7.5, 5.6))
    ax.plot(cov, den, color="0.75", lw=1, zorder=1)
    levels = np.unique(dims)
    cmap = plt.get_cmap("viridis", max(len(levels), 2))
    for k, level in enumerate(levels):
        on = dims == level
        ax.scatter(
            cov[on],
            den[on],
            s=28,
            color=cmap(k),
            edgecolor="k",
            linewidth=0.4,
            zorder=2,
            label=f"{level} restricted parameter{'s' if level != 1 else ''}",
        )
    box = b.box
    ax.scatter(
        [box.coverage],
        [box.density],
        s=260,
        facecolor="none",
        edgecolor=HOLDS,
        lw=2,
        zorder=3,
        label=f"chosen box (step {b.chosen})",
    )
    ax.annotate(
        f"step {b.chosen}: coverage {box.coverage:.2f}, density {box.density:.2f}",
        (box.coverage, box.density),
        xytext=(-10, -28),
        textcoords="offset points",
        ha="right",
        fontsize=8,
        color=HOLDS,
    )
    threshold = d.settings.min_density
    ax.axhline(threshold, color="0.4", ls="--", lw=1, label=f"density threshold {threshold:g}")
    base = b.of_interest / b.runs
    ax.axhline(base, color="0.4", ls=":", lw=1, label=f"share in all runs {base:.2f}")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlabel("coverage (share of the runs where the condition holds that are in the box)")
    ax.set_ylabel("density (share of the box's runs where the condition holds)")
    ax.set_title(
        f"PRIM peeling trajectory: coverage against density\nwhere {_where(d)}", fontsize=10
    )
    ax.legend(fontsize=7.5, loc="lower left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return save(fig, path)


def _shown(d: Discovery) -> list[int]:
    """Parameters on the limits figure: restricted ones, then the others by score."""
    b = d.box
    restricted = b.restricted()
    rank = {p: r for r, (p, _) in enumerate(d.scores)}
    others = sorted(
        (k for k in range(len(d.params)) if k not in restricted), key=lambda k: rank[d.params[k]]
    )
    return (restricted + others)[: max(MAX_BARS, len(restricted))]


def plot_box_limits(d: Discovery, path: Path) -> Path:
    """The chosen box's limits on each parameter's range (module docstring)."""
    b = d.box
    shown = _shown(d)
    fig, ax = plt.subplots(figsize=(8.5, 1.2 + 0.5 * len(shown)))
    for row, k in enumerate(shown):
        lo, hi = b.range_lows[k], b.range_highs[k]
        span = hi - lo if hi > lo else 1.0
        a, z = (b.box.lows[k] - lo) / span, (b.box.highs[k] - lo) / span
        restricted = d.params[k] in b.quasi_p
        ax.barh(row, 1, left=0, height=0.5, color="0.92", edgecolor="0.6", lw=0.6)
        ax.barh(row, z - a, left=a, height=0.5, color=BOX if restricted else "#c9d5e6")
        if restricted:
            for at, value, ha in ((a, b.box.lows[k], "right"), (z, b.box.highs[k], "left")):
                if 1e-9 < at < 1 - 1e-9:  # a side the box cuts
                    ax.text(at, row - 0.3, f"{value:.3g}", ha=ha, va="bottom", fontsize=7.5)
            ax.text(1.03, row, f"quasi-p {b.quasi_p[d.params[k]]:.2g}", va="center", fontsize=7.5)
    ticks = [
        f"{_short(d.labels[k], 44)}\n(sampled {b.range_lows[k]:.3g} to {b.range_highs[k]:.3g})"
        for k in shown
    ]
    ax.set_yticks(range(len(shown)), ticks, fontsize=7.5)
    ax.set_ylim(len(shown) - 0.5, -0.8)
    ax.set_xlim(0, 1.22)
    ax.set_xticks([0, 0.5, 1], ["lowest sampled", "middle", "highest sampled"], fontsize=8)
    ax.set_xlabel("position in the parameter's sampled range (0 = lowest, 1 = highest value)")
    hidden = len(d.params) - len(shown)
    note = f"\n({hidden} more parameters, unrestricted, not shown)" if hidden else ""
    ax.set_title(
        f"PRIM box (step {b.chosen}): limits on each swept parameter, restricted ones dark\n"
        f"coverage {b.box.coverage:.2f}, density {b.box.density:.2f}, "
        f"mass {b.box.mass:.2f}; where {_where(d)}{note}",
        fontsize=9,
    )
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    fig.subplots_adjust(
        left=0.34, right=0.97, top=1 - 0.9 / fig.get_figheight(), bottom=0.75 / fig.get_figheight()
    )
    return save(fig, path)


def scatter_parameters(d: Discovery) -> list[int]:
    """The parameters of the scatter: restricted ones by quasi-p-value, then the highest
    feature scores, at most :data:`MAX_SCATTER`."""
    chosen = d.box.restricted()[:MAX_SCATTER]
    target = min(len(d.params), max(2, len(chosen)))
    for p, _ in d.scores:
        if len(chosen) >= target:
            break
        if d.params.index(p) not in chosen:
            chosen.append(d.params.index(p))
    return chosen


def _scatter_panel(ax, d: Discovery, i: int, j: int, order: np.ndarray) -> None:
    """Parameter j (x) against parameter i (y), the box's limits as a rectangle."""
    b, x, y = d.box, d.x, d.y
    size = 6 if len(y) > 2000 else 12
    ax.scatter(
        x[order, j],
        x[order, i],
        s=size,
        c=np.where(y[order], HOLDS, OTHER),
        alpha=0.7,
        linewidths=0,
    )
    lo, hi = b.box.lows, b.box.highs
    ax.add_patch(
        Rectangle((lo[j], lo[i]), hi[j] - lo[j], hi[i] - lo[i], fill=False, ec=BOX, lw=1.8)
    )


def plot_scatter(d: Discovery, path: Path) -> Path:
    """Pairwise scatter with the box (module docstring)."""
    ks = scatter_parameters(d)
    y = d.y
    order = np.argsort(y, kind="stable")  # runs where it holds drawn on top
    if len(ks) == 1:
        fig, axes = plt.subplots(1, 1, figsize=(6.5, 3.2), squeeze=False)
        k = ks[0]
        jitter = np.random.default_rng(0).uniform(-0.3, 0.3, len(y))
        ax = axes[0, 0]
        ax.scatter(
            d.x[order, k],
            y[order] + jitter[order],
            s=8,
            c=np.where(y[order], HOLDS, OTHER),
            linewidths=0,
        )
        ax.axvspan(d.box.box.lows[k], d.box.box.highs[k], color=BOX, alpha=0.12)
        ax.set_yticks([0, 1], ["does not hold", "holds"])
        ax.set_xlabel(d.labels[k])
    else:
        n = len(ks)
        fig, axes = plt.subplots(
            n - 1,
            n - 1,
            figsize=(max(6.0, 3.1 * (n - 1) + 1.2), max(5.4, 3.1 * (n - 1) + 1.6)),
            squeeze=False,
        )
        for r in range(1, n):
            for c in range(n - 1):
                ax = axes[r - 1, c]
                if c >= r:
                    ax.set_visible(False)
                    continue
                _scatter_panel(ax, d, ks[r], ks[c], order)
                ax.set_xlabel(textwrap.fill(d.labels[ks[c]], 34), fontsize=8)
                ax.set_ylabel(textwrap.fill(d.labels[ks[r]], 28), fontsize=8)
                ax.tick_params(labelsize=7)
    handles = [
        plt.Line2D([], [], ls="", marker="o", color=HOLDS, label="condition holds"),
        plt.Line2D([], [], ls="", marker="o", color=OTHER, label="does not hold"),
        Rectangle(
            (0, 0), 1, 1, fill=False, ec=BOX, lw=1.8, label=f"PRIM box (step {d.box.chosen})"
        ),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=8, frameon=False)
    fig.suptitle(
        f"Runs over the most restricted parameters\n(one point per run; {len(y)} runs) "
        f"where {_where(d)}",
        fontsize=9.5,
        x=0.02,
        ha="left",
    )
    fig.tight_layout(rect=(0, 0.06, 1, 0.93))
    return save(fig, path)


def plot_feature_scores(d: Discovery, path: Path) -> Path:
    """Horizontal bars of the feature scores, highest first (at most :data:`MAX_BARS`)."""
    top = d.scores[:MAX_BARS]
    label = dict(zip(d.params, d.labels, strict=True))
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.4 * len(top)))
    ax.barh(range(len(top)), [v for _, v in top], color=BOX)
    for row, (_, v) in enumerate(top):
        ax.text(v, row, f" {v:.3f}", va="center", fontsize=7.5)
    ax.set_yticks(range(len(top)), [_short(label[p], 44) for p, _ in top], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, max(v for _, v in top) * 1.18)
    ax.set_xlabel("feature score (mean decrease in Gini impurity; scores sum to 1)")
    hidden = len(d.scores) - len(top)
    note = f" ({hidden} lower ones not shown)" if hidden else ""
    ax.set_title(
        f"Which swept parameters tell the runs apart: extra-trees feature scores{note}\n"
        f"where {_where(d)}",
        fontsize=9,
    )
    fig.tight_layout()
    return save(fig, path)


def plot_discovery(d: Discovery, folder: Path) -> list[Path]:
    """Every figure of the module docstring into ``folder``."""
    return [
        plot_tradeoff(d, folder / "discover_tradeoff.png"),
        plot_box_limits(d, folder / "discover_box_limits.png"),
        plot_scatter(d, folder / "discover_scatter.png"),
        plot_feature_scores(d, folder / "discover_feature_scores.png"),
    ]

"""Plots of a backtest folder (``sim backtest``), drawn from its forecast rows and scores.

* ``forecasts.png``: every scored event, episode by episode: the model's probability (bar),
  the naive baselines (markers) and what happened (black cross at 0 or 1);
* ``reliability.png``: the model's reliability diagram — mean forecast against observed
  frequency per probability bin, with the number of events; the diagonal is perfect
  calibration;
* ``scores.png``: Brier and log scores of the model and the baselines, with 95% bootstrap
  intervals (lower is better).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sim.output.style import save

BASELINE_STYLE = {
    "persistence": {"marker": "s", "color": "0.45", "label": "status quo persists"},
    "weighted_median": {"marker": "^", "color": "tab:orange", "label": "weighted median (BDM)"},
    "weighted_mean": {"marker": "v", "color": "tab:purple", "label": "weighted mean"},
}


def plot_backtest(rows: list[dict[str, Any]], summary: dict[str, Any], folder: Path) -> list[Path]:
    """Write the three figures of a backtest into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        save(forecasts_figure(rows), folder / "forecasts.png"),
        save(reliability_figure(summary), folder / "reliability.png"),
        save(scores_figure(summary), folder / "scores.png"),
    ]


def _event_label(row: dict[str, Any]) -> str:
    event = "agreed" if row["event"] == "agreed" else "agreed and held 30 days"
    label = row["label"] if len(row["label"]) <= 44 else row["label"][:43] + "…"
    return f"{label} — {event} (by {row['by']})"


def forecasts_figure(rows: list[dict[str, Any]]) -> plt.Figure:
    n = len(rows)
    fig, ax = plt.subplots(figsize=(10, 2.0 + 0.3 * n))
    y = np.arange(n)[::-1]
    model = np.array([r["model"] for r in rows])
    ax.barh(y, model, color="tab:blue", alpha=0.75, height=0.6, label="model P (share of runs)")
    for name, style in BASELINE_STYLE.items():
        ax.scatter([r[name] for r in rows], y, s=28, zorder=3, **style)
    outcome = np.array([r["outcome"] for r in rows], dtype=float)
    ax.scatter(
        outcome, y, marker="x", s=70, color="k", zorder=4, linewidths=2, label="what happened"
    )
    ax.set_yticks(y, [_event_label(r) for r in rows], fontsize=7)
    previous = None
    for k, row in enumerate(rows):
        if row["episode"] != previous:
            ax.axhline(y[k] + 0.5, color="0.6", lw=0.8)
            ax.annotate(
                f"{row['episode']}\n(origin {row['origin']})",
                (1.01, y[k] + 0.45),
                xycoords=("axes fraction", "data"),
                fontsize=7,
                va="top",
                color="0.25",
            )
            previous = row["episode"]
    ax.set_xlim(-0.03, 1.03)
    ax.set_xlabel("probability of the event (0–1)")
    ax.grid(axis="x", alpha=0.3)
    height = 2.0 + 0.3 * n
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        fontsize=7,
        loc="upper center",
        ncol=5,
        frameon=False,
        bbox_to_anchor=(0.6, 1 - 0.4 / height),
    )
    fig.suptitle("Backtest: forecast against outcome, per episode and event", fontsize=10)
    fig.subplots_adjust(left=0.42, right=0.76, top=1 - 0.8 / height, bottom=0.6 / height)
    return fig


def reliability_figure(summary: dict[str, Any]) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(6, 6))
    ax.plot([0, 1], [0, 1], ls="--", color="0.5", label="perfect calibration")
    points = summary["reliability"]
    if points:
        f = [b["forecast"] for b in points]
        o = [b["observed"] for b in points]
        n = [b["events"] for b in points]
        ax.plot(f, o, color="tab:blue", lw=1)
        ax.scatter(f, o, s=[30 + 20 * k for k in n], color="tab:blue", zorder=3, label="model")
        for x, yv, k in zip(f, o, n, strict=True):
            ax.annotate(f"n={k}", (x, yv), xytext=(6, -10), textcoords="offset points", fontsize=8)
    brier = summary["scores"]["brier"]["model"]
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("mean forecast probability in the bin")
    ax.set_ylabel("observed frequency of the event")
    ax.set_title(
        f"Reliability of the model's forecasts ({summary['events']} events; "
        f"Brier {brier['score']:.3f})",
        fontsize=10,
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def scores_figure(summary: dict[str, Any]) -> plt.Figure:
    names = ["model", *BASELINE_STYLE]
    labels = ["model", *(s["label"] for s in BASELINE_STYLE.values())]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, (key, title) in zip(
        axes, (("brier", "Brier score"), ("log", "log score (loss)")), strict=True
    ):
        table = summary["scores"][key]
        values = np.array([table[n]["score"] for n in names])
        lo = np.array([table[n]["ci95"][0] for n in names])
        hi = np.array([table[n]["ci95"][1] for n in names])
        colors = ["tab:blue", *(s["color"] for s in BASELINE_STYLE.values())]
        x = np.arange(len(names))
        ax.bar(x, values, color=colors, alpha=0.8)
        ax.errorbar(x, values, yerr=[values - lo, hi - values], fmt="none", color="k", capsize=4)
        ax.set_xticks(x, labels, rotation=15, fontsize=8)
        ax.set_ylabel(f"{title} (lower is better)")
        ax.set_title(f"{title}, 95% bootstrap interval", fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle(f"Backtest scores over {summary['events']} scored events", fontsize=11)
    fig.tight_layout()
    return fig

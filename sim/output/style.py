"""Shared figure style: one colour and marker per party, readable in greyscale print."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

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

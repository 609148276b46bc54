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

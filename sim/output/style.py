"""Shared figure style: one colour and marker per party, readable in greyscale print, and
the small drawing helpers that the run, sweep and comparison figures have in common (panel
grids, issue scales, Pareto frontiers, run titles, event marks and dated time axes).

The y-axis policy of every figure (stated in the README): shares, probabilities and
utilities on the fixed scale 0–1; offers and agreed terms on the issue's whole scale
(:func:`issue_scale`), so sweep and comparison panels of one issue read alike and noise
never looks like an effect; the line of control zoomed to its moves but never to less
than :data:`MIN_TERRITORY_SPAN` of the issue scale (:func:`territory_scale`).
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.scenario.quantities import DEFAULT_NOTE
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
    """Save and close a figure.

    After ``fig.tight_layout()`` a figure keeps a placeholder layout engine, which makes
    ``savefig`` draw the whole figure once without output before drawing it for the file
    (``FigureCanvasBase.print_figure``). The placeholder lays nothing out, so it is removed
    first: the same pixels (tests/test_run_plots_parallel.py), 10-20% less drawing."""
    if isinstance(fig.get_layout_engine(), PlaceHolderLayoutEngine):
        no_autolayout = {"figure.autolayout": False, "figure.constrained_layout.use": False}
        with matplotlib.rc_context(no_autolayout):
            fig.set_layout_engine(None)  # None: no engine at all, with these settings
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


def unit_scale(*axes) -> None:
    """The fixed 0–1 y axis of utilities and shares on every one of ``axes``, widened
    (with a 2% margin) only if a data line of one of them leaves it (a reservation utility
    below 0 when fighting costs more than the expected share); vertical marks (drawn in
    axes coordinates) are ignored."""
    lo, hi = 0.0, 1.0
    for ax in axes:
        for line in ax.lines:
            if line.get_transform() != ax.transData:
                continue
            y = np.asarray(line.get_ydata(), dtype=float)
            y = y[np.isfinite(y)]
            if y.size:
                lo, hi = min(lo, float(y.min())), max(hi, float(y.max()))
    pad = 0.0 if (lo, hi) == (0.0, 1.0) else 0.02 * (hi - lo)
    for ax in axes:
        ax.set_ylim(lo - pad, hi + pad)


MIN_TERRITORY_SPAN = 0.25
"""The least span of a line-of-control axis, as a share of the issue's scale: a move of
0.03 shows as 0.03 of a quarter of the scale, not as a cliff."""


def territory_scale(ax, issue, values: np.ndarray) -> None:
    """The y axis of the line of control: its values with a 10% margin, widened about
    their middle to at least :data:`MIN_TERRITORY_SPAN` of the issue's span and kept
    inside the issue's scale."""
    lo, hi = issue.span()
    full = hi - lo
    finite = values[np.isfinite(values)]
    if not finite.size:
        return issue_scale(ax, issue)
    vmin, vmax = float(finite.min()), float(finite.max())
    half = min(max(0.55 * (vmax - vmin), MIN_TERRITORY_SPAN * full / 2), full / 2)
    mid = min(max((vmin + vmax) / 2, lo + half), hi - half)
    ax.set_ylim(mid - half - 0.02 * full, mid + half + 0.02 * full)


def territory_note(issue) -> str:
    """The axis note of a line-of-control axis: the scale and its least span."""
    lo, hi = issue.span()
    return f"issue scale; the axis spans at least {MIN_TERRITORY_SPAN * (hi - lo):g}"


def pareto_front(plane: np.ndarray) -> np.ndarray:
    """The Pareto-efficient points of a plane of two utilities, sorted by the first."""
    front = plane[pareto_mask(plane)]
    return front[np.argsort(front[:, 0])]


def run_title(run, what: str) -> str:
    """A run figure's title: the scenario, what the figure shows, the seed and the outcome."""
    s = run.summary
    return f"{run.scenario.title}\n{what} (seed {s['seed']}, outcome: {s['outcome']})"


def event_tag(numbers: list[int]) -> str:
    """The tag of the events of one round: ``[3]``, ``[1,2]``, or ``[1–5]`` for a run of
    three or more consecutive numbers."""
    if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"[{numbers[0]}–{numbers[-1]}]"
    return "[" + ",".join(map(str, numbers)) + "]"


def mark_events(ax, run) -> None:
    """Dotted vertical lines at the rounds with events, and above the panel (outside the
    plotting area, so never on a line) one tag per round with the events' numbers as in
    the footnote; the panel's title is moved up to make room. Call after ``set_title``."""
    by_round: dict[float, list[int]] = {}
    for k, (rnd, _) in enumerate(run.events(), start=1):
        by_round.setdefault(rnd, []).append(k)
    for rnd, numbers in by_round.items():
        ax.axvline(rnd, color="0.4", ls=":", lw=1, zorder=0.5)
        ax.annotate(
            event_tag(numbers),
            (rnd, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 1.5),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=6.5,
            color="0.25",
            annotation_clip=False,
        )
    if by_round and ax.get_title():
        ax.set_title(ax.get_title(), fontsize=ax.title.get_fontsize(), pad=11)


def mark_withdrawals(ax, run, party_id: str | None = None) -> None:
    """A red dash-dot line at the round each party (or only ``party_id``) is first
    recorded as withdrawn from the talks (``rounds.csv`` column ``withdrawn``), named in
    the legend ("<name> withdraws (round k)") rather than written over the lines."""
    for pid, rnd in run.withdrawals().items():
        if party_id is not None and pid != party_id:
            continue
        ax.axvline(
            rnd,
            color="#b03a2e",
            ls="-.",
            lw=1.4,
            zorder=0.6,
            label=f"{run.party_names[pid]} withdraws (round {rnd:g})",
        )


def has_dates(scenario) -> bool:
    """Whether the scenario states its round length (``protocol.round_days`` set in the
    file, not the format's default): only then do rounds have calendar dates."""
    prov = scenario.protocol.provenance.get("round_days")
    stated = "round_days" in scenario.protocol.model_fields_set
    return stated and (prov is None or prov.assumption != DEFAULT_NOTE)


def time_axis(ax, scenario, label: bool = True) -> None:
    """An x axis of rounds with integer ticks; where the scenario :func:`has_dates`, each
    tick also shows its round's start date (``round_date``: the scenario's date plus
    (k − 1)·round_days) and the label says so."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if not has_dates(scenario):
        if label:
            ax.set_xlabel("round")
        return

    def tick(x: float, _pos) -> str:
        if x < 1 or x != int(x):
            return ""
        return f"{int(x)}\n{scenario.round_date(int(x)):%d %b %y}"

    ax.xaxis.set_major_formatter(FuncFormatter(tick))
    ax.tick_params(axis="x", labelsize=7)
    if label:
        days = scenario.protocol.round_days
        ax.set_xlabel(f"round and its start date ({days} days a round)", fontsize=8)


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


FOOTNOTE_SIZE = 6.5  # points
FOOTNOTE_LINE = FOOTNOTE_SIZE * 1.25 / 72  # inches per footnote line


def footnote_text(width: float, run) -> str:
    """The numbered events as "Events: [k] round r: label ...", wrapped to a figure
    ``width`` inches wide (about 0.6 em per character); empty without events."""
    import textwrap

    events = run.events()
    if not events:
        return ""
    text = "   ".join(f"[{k}] round {r:g}: {label}" for k, (r, label) in enumerate(events, 1))
    return textwrap.fill("Events: " + text, int(width * 72 / (0.6 * FOOTNOTE_SIZE)))


def footnote_height(fig, run) -> float:
    """The height in inches of the figure's event footnote (0 without events)."""
    text = footnote_text(fig.get_figwidth(), run)
    return FOOTNOTE_LINE * (text.count("\n") + 1) if text else 0.0


def event_footnote(fig, run, bottom: float = 0.04) -> float:
    """List the numbered events under the figure (:func:`footnote_text`), ``bottom``
    inches above its lower edge; return the footnote's top in inches."""
    text = footnote_text(fig.get_figwidth(), run)
    if not text:
        return bottom
    fig.text(
        0.5,
        bottom / fig.get_figheight(),
        text,
        ha="center",
        va="bottom",
        fontsize=FOOTNOTE_SIZE,
        color="0.25",
    )
    return bottom + footnote_height(fig, run)

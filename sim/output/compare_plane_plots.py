"""The comparison's utility plane (``sim compare``): ``utility_plane.png``.

The first two principals' utilities, for every input: its Pareto frontier (in its line
style), its outcome(s) (its marker, filled: large for a run, small for each sweep run), and
its Nash (N) and Kalai–Smorodinsky (KS) points (hollow markers; each place labelled once).
Coinciding markers are drawn concentrically (the first input largest); when the outcomes
and reference points fill less than a third of the plot, an inset magnifies them.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D

from sim.compare.inputs import CompareInput
from sim.output.compare_style import concentric, finish, input_handles, input_style, marker_key
from sim.output.run_files import principal_pair
from sim.output.style import pareto_front


def _frontier_line(ax, inp: CompareInput, pair: tuple[str, str]) -> None:
    """The input's Pareto frontier of the pair over the whole space, in its colour and line
    style: the pair's own frontier when the pair is the input's principals
    (``principals_frontier.csv``), else the front of its frontier outcomes' projection."""
    if not len(inp.frontier):
        return
    front = _pair_front(inp, pair)
    style = input_style(inp.index)
    ax.plot(
        front[:, 0],
        front[:, 1],
        color=style["color"],
        ls=style["linestyle"],
        lw=1.1,
        alpha=0.75,
        zorder=2,
    )


def _pair_front(inp: CompareInput, pair: tuple[str, str]) -> np.ndarray:
    own = principal_pair(inp.scenario)
    if inp.pair_frontier is not None and set(pair) == set(own):
        whole = inp.pair_frontier[0] if pair == own else inp.pair_frontier[0][:, ::-1]
        return whole[np.argsort(whole[:, 0], kind="stable")]
    cols = [inp.parties.index(p) for p in pair]
    return pareto_front(inp.frontier[:, cols])


def _outcomes(ax, inp: CompareInput, rank: int, pair: tuple[str, str]) -> None:
    """A run's outcome (large filled marker) or each sweep run's outcome (small ones)."""
    style = input_style(inp.index)
    ua, ub = inp.values(f"utility.{pair[0]}"), inp.values(f"utility.{pair[1]}")
    big = inp.kind == "run"
    ax.scatter(
        ua,
        ub,
        s=concentric(260 if big else 40, rank),
        marker=style["marker"],
        color=style["color"],
        edgecolor="k",
        linewidth=0.8 if big else 0.3,
        alpha=1 if big else 0.45,
        zorder=5 + rank,
    )


def _reference_points(inp: CompareInput, pair: tuple[str, str]) -> list[tuple[str, float, float]]:
    """(letter, u_a, u_b) of the input's Nash (N) and Kalai–Smorodinsky (KS) points."""
    out = []
    for key, letter in (("nash", "N"), ("kalai_smorodinsky", "KS")):
        point = inp.references.get(key)
        if point and point.get("utilities"):
            out.append((letter, point["utilities"][pair[0]], point["utilities"][pair[1]]))
    return out


def _references(ax, inputs: Sequence[CompareInput], pair: tuple[str, str]) -> None:
    """Hollow markers of each input at its Nash and KS points; each place is labelled
    once with the points there (``N``, ``KS`` or ``N = KS``)."""
    places: dict[tuple[float, float], list[str]] = {}
    for rank, inp in enumerate(inputs):
        style = input_style(inp.index)
        for letter, x, y in _reference_points(inp, pair):
            ax.scatter(
                x,
                y,
                s=concentric(200, rank),
                marker=style["marker"],
                facecolor="none",
                edgecolor=style["color"],
                linewidth=1.5,
                zorder=7 + rank,
            )
            letters = places.setdefault((round(x, 3), round(y, 3)), [])
            if letter not in letters:
                letters.append(letter)
    for (x, y), letters in places.items():
        ax.annotate(
            " = ".join(letters),
            (x, y),
            xytext=(-9, 5),
            textcoords="offset points",
            fontsize=8,
            fontweight="bold",
            ha="right",
            zorder=9,
        )


def _draw_plane(ax, inputs: Sequence[CompareInput], pair: tuple[str, str]) -> None:
    """Every input's frontier and outcomes, then the reference points."""
    for rank, inp in enumerate(inputs):
        _frontier_line(ax, inp, pair)
        _outcomes(ax, inp, rank, pair)
    _references(ax, inputs, pair)


def _marked_box(inputs: Sequence[CompareInput], pair: tuple[str, str]) -> np.ndarray | None:
    """[[x0, y0], [x1, y1]]: the bounding box of the outcomes and reference points (None
    when there are none)."""
    xs, ys = [], []
    for inp in inputs:
        xs += list(inp.values(f"utility.{pair[0]}"))
        ys += list(inp.values(f"utility.{pair[1]}"))
        for _, x, y in _reference_points(inp, pair):
            xs.append(x)
            ys.append(y)
    pts = np.array([xs, ys], dtype=float).T
    pts = pts[np.isfinite(pts).all(axis=1)]
    return np.array([pts.min(axis=0), pts.max(axis=0)]) if len(pts) else None


def _zoom(ax, inputs: Sequence[CompareInput], pair: tuple[str, str]) -> None:
    """An inset (lower left) magnifying the outcomes and reference points when they fill
    less than a third of the plot in both directions."""
    box = _marked_box(inputs, pair)
    if box is None:
        return
    span = box[1] - box[0]
    full = np.array([np.diff(ax.get_xlim())[0], np.diff(ax.get_ylim())[0]])
    if np.any(span > full / 3):
        return
    pad = np.maximum(0.2 * span, 0.015)
    inset = ax.inset_axes((0.07, 0.07, 0.45, 0.45))
    _draw_plane(inset, inputs, pair)
    inset.set_xlim(box[0, 0] - pad[0], box[1, 0] + pad[0])
    inset.set_ylim(box[0, 1] - pad[1], box[1, 1] + pad[1])
    inset.tick_params(labelsize=7)
    inset.grid(alpha=0.3)
    inset.set_title("zoom", fontsize=8)
    ax.indicate_inset_zoom(inset, edgecolor="0.35")


def utility_plane_figure(inputs: Sequence[CompareInput], pair: tuple[str, str]) -> plt.Figure:
    """The two principals' utilities: frontiers, outcomes, Nash and KS per input."""
    fig, ax = plt.subplots(figsize=(7.2, 7.8))
    _draw_plane(ax, inputs, pair)
    _zoom(ax, inputs, pair)
    names = inputs[0].party_names
    ax.set_xlabel(f"utility of {names[pair[0]]} (0–1)")
    ax.set_ylabel(f"utility of {names[pair[1]]} (0–1)")
    ax.grid(alpha=0.3)
    keys = [
        Line2D([], [], color="0.3", ls="-", label="Pareto frontier (input's line style)"),
        marker_key(
            "outcome: filled marker (small: one sweep run)", "0.5", ms=9, markeredgecolor="k"
        ),
        marker_key(
            "Nash (N) and Kalai–Smorodinsky (KS): hollow", "0.2", ms=9, markerfacecolor="none"
        ),
    ]
    title = "Comparison: utility plane of the principals"
    return finish(fig, title, input_handles(inputs) + keys, ncol=2)

"""Figures of a comparison (``sim compare``): the inputs side by side on shared axes.

Every input keeps one colour, marker, line style and bar hatch in every figure, fixed by
its position in the command line (:func:`input_style`), so the figures read in greyscale
print too. Figures (in ``plots/``), each drawn only when it has something to show:

* ``offers.png`` — runs: the offer on each common issue per round, one line per run; a
  large marker where the run settled the issue (partial or full agreement);
* ``utilities.png`` — runs: each common party's utility of each round's offer;
* ``bargaining_range.png`` — runs with a war: each principal's reservation utility (the
  value of fighting on) and Fearon's bargaining range [p − c_A, p + c_B] (band) around
  the win share p (line);
* ``territory.png`` — runs with a war: the line of control (the territory issue's status
  quo) per round;
* ``sweep_outcomes.png`` — sweeps: the share of full / partial / no agreement against each
  swept parameter, one line per sweep, 95% Wilson intervals;
* ``sweep_terms_<k>.png`` — sweeps: the mean agreed value of each issue against parameter
  k, one line per sweep, mean ± 1.96·sd/√n;
* ``terms_distribution.png`` — every input: the distribution of the agreed value of each
  issue (box and points for a sweep, one point for a run; ``n`` = runs that agreed it);
* ``rounds_distribution.png`` — every input: the share of its runs with a full agreement
  in each round, and without one;
* ``utility_plane.png`` — the first two principals' utilities: each input's Pareto frontier
  (its line style), outcome(s) (its marker), Nash (N) and Kalai–Smorodinsky (K) points.

Where several inputs often take equal values, their points are dodged sideways so that
none hides another: by 0.1 round per run in ``offers.png`` and ``utilities.png``, by 2%
of the parameter's range per sweep in the sweep figures. In ``utility_plane.png``
coinciding markers are drawn concentrically (the first input largest).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from sim.compare.inputs import CompareInput
from sim.compare.match import Matching
from sim.jobs.sweep_analysis import OUTCOMES, group, mean_interval, wilson
from sim.output.style import COLORS, LINESTYLES, MARKERS, save
from sim.scenario.paths import readable_name
from sim.theory.pareto import pareto_mask

HATCHES = ["", "//", "..", "xx", "\\\\", "++", "oo", "--"]
OUTCOME_NAMES = {
    "agreement": "full agreement",
    "partial": "partial agreement only",
    "none": "no agreement",
}
DODGE = 0.02  # sideways shift per sweep, as a share of the parameter's range
MIN_WIDTH = 7.5  # inches: room for the title and the legend below a single panel
TIME_DODGE = 0.1  # sideways shift per run in the offers and utilities plots, in rounds


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


def _grid(n: int, max_cols: int, w: float, h: float, extra: float = 1.2, **kw):
    """A figure with ``n`` panels in at most ``max_cols`` columns (unused ones hidden)."""
    cols = min(max_cols, n)
    rows = math.ceil(n / cols)
    size = (max(w * cols, MIN_WIDTH), h * rows + extra)
    fig, axes = plt.subplots(rows, cols, figsize=size, squeeze=False, **kw)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes


def _finish(fig: plt.Figure, title: str, handles: Sequence = (), ncol: int = 4) -> plt.Figure:
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


def _label_axes(axes: np.ndarray, n: int, xlabel: str, ylabel: str) -> None:
    for ax in _bottom_axes(axes, n):
        ax.set_xlabel(xlabel)
        ax.tick_params(labelbottom=True)
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel, fontsize=8)


# ------------------------------------------------------------------- time plots (runs)


def _time_shift(runs: Sequence[CompareInput], inp: CompareInput) -> float:
    """The sideways shift of a run's points in rounds: its rank among the runs, centred
    (so that equal values of several runs stay visible side by side)."""
    rank = [r.index for r in runs].index(inp.index)
    return (rank - (len(runs) - 1) / 2) * TIME_DODGE


def _settled_rounds(inp: CompareInput, issue_id: str) -> list[int]:
    """Indices of the rounds in which the run settled the issue."""
    return [k for k, r in enumerate(inp.run.rounds) if issue_id in r["settled"].split(";")]


def _issue_axis(ax, inp: CompareInput, issue_id: str) -> None:
    issue = inp.issue(issue_id)
    lo, hi = issue.span()
    ax.set_ylim(lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))
    if issue.kind == "discrete":
        ax.set_yticks(range(len(issue.values)), issue.values, fontsize=7)
    ax.set_title(issue.label, fontsize=9)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)


def _status_quo(ax, runs: Sequence[CompareInput], issue_id: str) -> bool:
    """A dashed line at the status quo when all runs share a fixed numeric one."""
    values = set()
    for inp in runs:
        war = inp.scenario.war
        if war is not None and war.territory_issue == issue_id:
            return False  # it moves: see territory.png
        values.add(inp.issue(issue_id).status_quo.value)
    if len(values) != 1 or isinstance(next(iter(values)), str):
        return False
    ax.axhline(next(iter(values)), color="k", ls="--", lw=0.9, zorder=1)
    return True


def offers_figure(runs: Sequence[CompareInput], issues: Sequence[str]) -> plt.Figure:
    """The offers on each issue over rounds, one line per run (module docstring)."""
    fig, axes = _grid(len(issues), 4, 3.6, 2.7, extra=1.4, sharex=True)
    any_sq = False
    for ax, issue_id in zip(axes.flat, issues, strict=False):
        for inp in runs:
            style = input_style(inp.index)
            rounds = inp.run.round_numbers + _time_shift(runs, inp)
            y = inp.run.offer_values(inp.issue(issue_id))
            ax.plot(rounds, y, lw=1.2, markersize=3.5, alpha=0.9, **style)
            k = _settled_rounds(inp, issue_id)
            ax.scatter(
                rounds[k],
                y[k],
                s=_concentric(150, runs.index(inp)),
                marker=style["marker"],
                color=style["color"],
                edgecolor="k",
                zorder=4,
            )
        any_sq |= _status_quo(ax, runs, issue_id)
        _issue_axis(ax, runs[0], issue_id)
    _label_axes(axes, len(issues), "round", "offer (issue scale)")
    extra = [
        Line2D(
            [],
            [],
            ls="",
            marker="o",
            markersize=8,
            markeredgecolor="k",
            color="0.6",
            label="issue settled (large marker)",
        )
    ]
    if any_sq:
        extra.append(Line2D([], [], color="k", ls="--", label="status quo"))
    return _finish(fig, "Comparison: offers per issue over rounds", input_handles(runs) + extra)


def utilities_figure(runs: Sequence[CompareInput], parties: Sequence[str]) -> plt.Figure:
    """Each party's utility of each round's offer, one line per run."""
    fig, axes = _grid(len(parties), 2, 5.0, 3.0, sharex=True, sharey=True)
    names = runs[0].party_names
    for ax, pid in zip(axes.flat, parties, strict=False):
        for inp in runs:
            rounds = inp.run.round_numbers + _time_shift(runs, inp)
            u = inp.run.column(f"utility.{pid}")
            ax.plot(rounds, u, lw=1.2, markersize=4, **input_style(inp.index))
        ax.set_title(names.get(pid, pid), fontsize=10)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    _label_axes(axes, len(parties), "round", "utility of the offer (0–1)")
    return _finish(
        fig, "Comparison: each party's utility of the offer on the table", input_handles(runs)
    )


def bargaining_range_figure(runs: Sequence[CompareInput]) -> plt.Figure:
    """Reservation utilities of the two principals and Fearon's bargaining range."""
    a, b = runs[0].principals[:2]
    names = runs[0].party_names
    fig, axes = plt.subplots(3, 1, figsize=(8, 9.6), sharex=True)
    for inp in runs:
        style, run = input_style(inp.index), inp.run
        for ax, pid in zip(axes[:2], (a, b), strict=True):
            ax.plot(run.round_numbers, run.column(f"reservation.{pid}"), lw=1.3, ms=4, **style)
        _fearon(axes[2], inp)
    for ax, pid in zip(axes[:2], (a, b), strict=True):
        ax.set_ylabel(f"reservation utility of {names[pid]}\n(value of fighting on)", fontsize=8)
    axes[2].set_ylabel(
        f"share of the stakes for {names[a]}\nband: bargaining range, line: win share p", fontsize=8
    )
    axes[2].set_ylim(0, 1)
    axes[2].set_xlabel("round")
    for ax in axes:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    band = Patch(
        facecolor="0.85",
        edgecolor="0.4",
        label=f"Fearon's range [p − c_{names[a]}, p + c_{names[b]}]",
    )
    return _finish(
        fig,
        "Comparison: reservation utilities and Fearon's bargaining range",
        [*input_handles(runs), band],
        ncol=3,
    )


def _fearon(ax, inp: CompareInput) -> None:
    """One run's bargaining range (band with edges in its line style) and win share."""
    style, run = input_style(inp.index), inp.run
    rounds = run.round_numbers
    lo, hi = run.column("fearon_low"), run.column("fearon_high")
    ax.fill_between(rounds, lo, hi, color=style["color"], alpha=0.06)
    for edge in (lo, hi):
        ax.plot(rounds, edge, color=style["color"], ls=style["linestyle"], lw=0.8, alpha=0.7)
    ax.plot(rounds, run.column("win_share"), lw=1.4, ms=4, **style)


def territory_figure(runs: Sequence[CompareInput]) -> plt.Figure:
    """The line of control over rounds, one line per run."""
    issue = runs[0].issue(runs[0].scenario.war.territory_issue)
    fig, ax = plt.subplots(figsize=(8, 4.8))
    for inp in runs:
        ax.plot(
            inp.run.round_numbers,
            inp.run.column("territory"),
            lw=1.4,
            ms=4,
            **input_style(inp.index),
        )
    ax.set_xlabel("round")
    ax.set_ylabel(
        f"line of control: {issue.label}\n(issue scale; status quo of the issue)", fontsize=8
    )
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    return _finish(fig, "Comparison: the line of control over rounds", input_handles(runs), ncol=3)


# ------------------------------------------------------------ parameter plots (sweeps)


def _valid(inp: CompareInput) -> dict[str, np.ndarray]:
    """A sweep's columns over the runs that did not fail."""
    data = inp.sweep.data
    ok = data["outcome"] != "error"
    return {k: v[ok] for k, v in data.items()}


def _dodge(sweeps: Sequence[CompareInput], param: str, inp: CompareInput) -> float:
    """The sideways shift of ``inp``'s points: its rank among the sweeps, centred."""
    values = np.concatenate([s.sweep.data[f"param.{param}"] for s in sweeps])
    span = float(np.nanmax(values) - np.nanmin(values)) if values.size else 0.0
    rank = [s.index for s in sweeps].index(inp.index)
    return (rank - (len(sweeps) - 1) / 2) * DODGE * (span or 1.0)


def _errorbar(ax, x: np.ndarray, y: np.ndarray, lo: np.ndarray, hi: np.ndarray, index: int):
    with np.errstate(invalid="ignore"):
        err = np.vstack([np.clip(y - lo, 0, None), np.clip(hi - y, 0, None)])
    ax.errorbar(x, y, yerr=err, capsize=3, lw=1.3, ms=4.5, elinewidth=0.9, **input_style(index))


def _share_points(data: dict, param: str, kind: str) -> tuple[np.ndarray, ...]:
    """(levels, share, Wilson low, Wilson high) of one outcome against one parameter."""
    groups = group(data[f"param.{param}"])
    n = np.bincount(groups.index, minlength=len(groups.centres))
    k = np.bincount(groups.index, weights=data["outcome"] == kind, minlength=n.size)
    lo, hi = wilson(k, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return groups.centres, k / n, lo, hi


def sweep_outcomes_figure(sweeps: Sequence[CompareInput], params: Sequence[str]) -> plt.Figure:
    """Outcome shares against each swept parameter (rows: outcomes; columns: parameters)."""
    fig, axes = plt.subplots(
        3, len(params), figsize=(4.8 * len(params) + 0.6, 8.4), squeeze=False, sharey=True
    )
    for col, param in enumerate(params):
        for row, kind in enumerate(OUTCOMES):
            ax = axes[row, col]
            for inp in sweeps:
                x, y, lo, hi = _share_points(_valid(inp), param, kind)
                _errorbar(ax, x + _dodge(sweeps, param, inp), y, lo, hi, inp.index)
            ax.set_ylim(-0.03, 1.03)
            ax.grid(alpha=0.3)
            ax.set_title(OUTCOME_NAMES[kind], fontsize=9)
        axes[-1, col].set_xlabel(readable_name(param))
    for row in range(3):
        axes[row, 0].set_ylabel("share of runs\n(95% Wilson interval)", fontsize=8)
    return _finish(
        fig, "Comparison: outcome against the swept parameters", input_handles(sweeps), ncol=3
    )


def _term_points(data: dict, param: str, issue_id: str) -> tuple[np.ndarray, ...]:
    """(levels, mean, low, high) of an issue's agreed value against one parameter."""
    groups = group(data[f"param.{param}"])
    stats = np.array(
        [
            mean_interval(data[f"term.{issue_id}"][groups.index == g])
            for g in range(len(groups.centres))
        ]
    ).reshape(-1, 3)
    return groups.centres, stats[:, 0], stats[:, 1], stats[:, 2]


def sweep_terms_figure(
    sweeps: Sequence[CompareInput], param: str, issues: Sequence[str]
) -> plt.Figure:
    """Mean agreed value of each issue against one parameter, one line per sweep."""
    fig, axes = _grid(len(issues), 4, 3.6, 2.7, extra=1.3, sharex=True)
    for ax, issue_id in zip(axes.flat, issues, strict=False):
        for inp in sweeps:
            x, y, lo, hi = _term_points(_valid(inp), param, issue_id)
            _errorbar(ax, x + _dodge(sweeps, param, inp), y, lo, hi, inp.index)
        _issue_axis(ax, sweeps[0], issue_id)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    _label_axes(axes, len(issues), readable_name(param), "mean agreed value\n(± 95%)")
    title = f"Comparison: agreed terms against {readable_name(param)}"
    return _finish(fig, title, input_handles(sweeps), ncol=3)


# ----------------------------------------------------------------- distributions (all)


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
    fig, axes = _grid(len(issues), 4, 3.6, 2.9, extra=1.2)
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
        _issue_axis(ax, inputs[0], issue_id)
        ax.set_xticks(x, [inp.label for inp in inputs], fontsize=7, rotation=20, ha="right")
        ax.set_xlim(-0.6, len(inputs) - 0.4)
    for ax in axes[:, 0]:
        ax.set_ylabel("agreed value (issue scale)", fontsize=8)
    title = "Comparison: agreed terms per issue (n = runs that agreed the issue)"
    return _finish(fig, title, input_handles(inputs), ncol=3)


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
    return _finish(fig, "Comparison: when full agreements are reached", handles, ncol=3)


# --------------------------------------------------------------------- utility plane


def _frontier_line(ax, inp: CompareInput, pair: tuple[str, str]) -> None:
    """The input's Pareto frontier of the pair, in its colour and line style."""
    if not len(inp.frontier):
        return
    cols = [inp.parties.index(p) for p in pair]
    plane = inp.frontier[:, cols]
    front = plane[pareto_mask(plane)]
    front = front[np.argsort(front[:, 0])]
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


def _concentric(size: float, rank: int) -> float:
    """Marker area of the input of this rank: each smaller than the one before, so that
    markers at the same place show as concentric rings."""
    return size * 0.6**rank


def _outcomes(ax, inp: CompareInput, rank: int, pair: tuple[str, str]) -> None:
    """A run's outcome (large filled marker) or each sweep run's outcome (small ones)."""
    style = input_style(inp.index)
    ua, ub = inp.values(f"utility.{pair[0]}"), inp.values(f"utility.{pair[1]}")
    big = inp.kind == "run"
    ax.scatter(
        ua,
        ub,
        s=_concentric(260 if big else 40, rank),
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
                s=_concentric(200, rank),
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
        Line2D(
            [],
            [],
            color="0.5",
            ls="",
            marker="o",
            ms=9,
            markeredgecolor="k",
            label="outcome: filled marker (small: one sweep run)",
        ),
        Line2D(
            [],
            [],
            color="0.2",
            ls="",
            marker="o",
            ms=9,
            markerfacecolor="none",
            label="Nash (N) and Kalai–Smorodinsky (KS): hollow",
        ),
    ]
    title = "Comparison: utility plane of the principals"
    return _finish(fig, title, input_handles(inputs) + keys, ncol=2)


# ----------------------------------------------------------------------------- all


def plot_comparison(inputs: Sequence[CompareInput], m: Matching, folder: Path) -> list[Path]:
    """Write every figure that applies (module docstring) into ``folder``; return paths."""
    folder.mkdir(parents=True, exist_ok=True)
    runs = [inp for inp in inputs if inp.kind == "run"]
    sweeps = [inp for inp in inputs if inp.kind == "sweep"]
    wars = [inp for inp in runs if inp.label in m.war_runs]
    figures: list[tuple[str, plt.Figure]] = []
    if runs:
        figures += [
            ("offers.png", offers_figure(runs, m.issues)),
            ("utilities.png", utilities_figure(runs, m.parties)),
        ]
    if wars:
        figures += [
            ("bargaining_range.png", bargaining_range_figure(wars)),
            ("territory.png", territory_figure(wars)),
        ]
    if sweeps and m.params:
        figures.append(("sweep_outcomes.png", sweep_outcomes_figure(sweeps, m.params)))
        figures += [
            (f"sweep_terms_{k}.png", sweep_terms_figure(sweeps, p, m.issues))
            for k, p in enumerate(m.params)
        ]
    figures += [
        ("terms_distribution.png", terms_distribution_figure(inputs, m.issues)),
        ("rounds_distribution.png", rounds_distribution_figure(inputs)),
    ]
    if m.pair:
        figures.append(("utility_plane.png", utility_plane_figure(inputs, m.pair)))
    return [save(fig, folder / name) for name, fig in figures]

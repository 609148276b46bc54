"""Comparison figures of runs over rounds (``sim compare``), one line per run:

* ``offers.png`` — the offer on each common issue per round; a large marker where the run
  settled the issue (partial or full agreement);
* ``utilities.png`` — each common party's utility of each round's offer; where a party
  withdraws from the talks its line stops (a dash-dot line marks the round);
* ``bargaining_range.png`` — runs with a war: each principal's reservation utility (the
  value of fighting on) and Fearon's bargaining range [p − c_A, p + c_B] (band) around
  the win share p (line);
* ``territory.png`` — runs with a war: the line of control (the territory issue's status
  quo) per round, on an axis of at least a quarter of the issue's scale
  (:func:`sim.output.style.territory_scale`).

Where every run shares its scenario's date and stated round length, the rounds' start
dates show under the round numbers (:func:`sim.output.style.time_axis`).

In ``offers.png`` and ``utilities.png`` each run's points are shifted sideways by 0.1
round per run (centred), so that equal values of several runs stay visible.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from sim.compare.inputs import CompareInput
from sim.output.compare_style import (
    centred_rank,
    concentric,
    finish,
    grid,
    input_handles,
    input_style,
    issue_axis,
    label_axes,
    marker_key,
)
from sim.output.style import has_dates, territory_note, territory_scale, time_axis, unit_scale


def _time_axis(ax, runs: Sequence[CompareInput], label: bool = True) -> None:
    """Rounds, dated where every run has dates and the same date and round length."""
    scen = runs[0].scenario
    same = all(
        has_dates(r.scenario)
        and r.scenario.date == scen.date
        and r.scenario.protocol.round_days == scen.protocol.round_days
        for r in runs
    )
    if same:
        time_axis(ax, scen, label)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if label:
            ax.set_xlabel("round")


TIME_DODGE = 0.1  # sideways shift per run in the offers and utilities plots, in rounds


def _time_shift(runs: Sequence[CompareInput], inp: CompareInput) -> float:
    """The sideways shift of a run's points in rounds: its rank among the runs, centred
    (so that equal values of several runs stay visible side by side)."""
    return centred_rank(runs, inp) * TIME_DODGE


def _settled_rounds(inp: CompareInput, issue_id: str) -> list[int]:
    """Indices of the rounds in which the run settled the issue."""
    return [k for k, r in enumerate(inp.run.rounds) if issue_id in r["settled"].split(";")]


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
    fig, axes = grid(len(issues), 3, 3.0, 2.5, extra=1.4, sharex=True)
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
                s=concentric(150, runs.index(inp)),
                marker=style["marker"],
                color=style["color"],
                edgecolor="k",
                zorder=4,
            )
        any_sq |= _status_quo(ax, runs, issue_id)
        issue_axis(ax, runs[0], issue_id)
    label_axes(axes, len(issues), "round", "offer (issue scale)")
    extra = [marker_key("issue settled (large marker)", "0.6", markersize=8, markeredgecolor="k")]
    if any_sq:
        extra.append(Line2D([], [], color="k", ls="--", label="status quo"))
    return finish(fig, "Comparison: offers per issue over rounds", input_handles(runs) + extra)


def utilities_figure(runs: Sequence[CompareInput], parties: Sequence[str]) -> plt.Figure:
    """Each party's utility of each round's offer, one line per run."""
    fig, axes = grid(len(parties), 2, 5.0, 3.0, sharex=True, sharey=True)
    names = runs[0].party_names
    withdrew = False
    for ax, pid in zip(axes.flat, parties, strict=False):
        for inp in runs:
            withdrew |= _utility_line(ax, runs, inp, pid)
        ax.set_title(names.get(pid, pid), fontsize=10)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    unit_scale(*axes.flat[: len(parties)])
    label_axes(axes, len(parties), "round", "utility of the offer (0–1)")
    keys = input_handles(runs)
    if withdrew:
        keys.append(
            Line2D([], [], color="0.3", ls="-.", label="party withdraws (faint dotted after)")
        )
    return finish(fig, "Comparison: each party's utility of the offer on the table", keys)


def _utility_line(ax, runs: Sequence[CompareInput], inp: CompareInput, pid: str) -> bool:
    """One run's utility of the offers for a party; where the party withdraws from the
    talks (``rounds.csv`` column ``withdrawn``) the line stops, a dash-dot vertical line in
    the run's colour marks the round, and the later utilities are faint and dotted.
    Returns whether the party withdrew."""
    style = input_style(inp.index)
    rounds = inp.run.round_numbers
    shifted = rounds + _time_shift(runs, inp)
    u = inp.run.column(f"utility.{pid}")
    out = inp.run.withdrawals().get(pid)
    say = np.ones(rounds.size, bool) if out is None else rounds < out
    ax.plot(shifted[say], u[say], lw=1.2, markersize=4, **style)
    if out is None:
        return False
    ax.plot(shifted[~say], u[~say], color=style["color"], ls=":", lw=0.9, alpha=0.5)
    ax.axvline(out, color=style["color"], ls="-.", lw=1.1)
    return True


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
        ax.set_ylabel(
            f"reservation utility of {names[pid]}\n(value of fighting on, 0–1)", fontsize=8
        )
        unit_scale(ax)
    axes[2].set_ylabel(
        f"share of the stakes for {names[a]}\nband: bargaining range, line: win share p", fontsize=8
    )
    axes[2].set_ylim(0, 1)
    for ax in axes:
        _time_axis(ax, runs, label=ax is axes[2])
        ax.grid(alpha=0.3)
    band = Patch(
        facecolor="0.85",
        edgecolor="0.4",
        label=f"Fearon's range [p − c_{names[a]}, p + c_{names[b]}]",
    )
    return finish(
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
    values = np.concatenate([inp.run.column("territory") for inp in runs])
    territory_scale(ax, issue, values)
    ax.set_ylabel(
        f"line of control: {issue.label}\n({territory_note(issue)})",
        fontsize=8,
    )
    _time_axis(ax, runs)
    ax.grid(alpha=0.3)
    return finish(fig, "Comparison: the line of control over rounds", input_handles(runs), ncol=3)

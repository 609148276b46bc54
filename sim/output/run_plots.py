"""Plots of a single run, drawn from the run folder's data (never from a live model).

* ``offers.png``: the offer on every issue over rounds, coloured by proposer, with the
  status quo, each principal's ideal point, the partial/full settlements and exchanges
  marked, the rounds under a general ceasefire shaded, and why each rejected offer was
  rejected (agenda, red line, condition or demand) listed under the panels;
* ``utilities.png``: for every party, its utility of each round's offer, its threshold
  (aspiration) and its reservation utility;
* ``utility_plane.png``: the plane of the two principals' utilities with the Pareto
  frontier, the offers' path, the reservation (disagreement) point and the outcome.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from sim.output.drawer import can_fork
from sim.output.run_data import RunData
from sim.output.style import (
    event_footnote,
    footnote_height,
    issue_scale,
    mark_ceasefire,
    mark_events,
    mark_withdrawals,
    panel_grid,
    pareto_front,
    party_style,
    run_title,
    save,
    time_axis,
    unit_scale,
)
from sim.output.war_plots import beliefs_figure, war_figure

SETTLED = {  # marker of a settled issue: (with a full agreement, alone)
    True: {"marker": "*", "s": 190, "color": "gold", "label": "full agreement"},
    False: {
        "marker": "P",
        "s": 120,
        "color": "#7fd17f",
        "label": "agreed alone (partial agreement or exchange)",
    },
}


def figure_names(run: RunData) -> list[str]:
    """The names of a run's figures (``war`` and ``beliefs`` only with a war)."""
    names = ["offers", "utilities", "utility_plane"]
    return names + (["war", "beliefs"] if run.scenario.war is not None else [])


FIGURES = {
    "offers": lambda run: offers_figure(run),
    "utilities": lambda run: utilities_figure(run),
    "utility_plane": lambda run: utility_plane_figure(run),
    "war": lambda run: war_figure(run),
    "beliefs": lambda run: beliefs_figure(run),
}
"""A run's figures by name (file ``<name>.png``), in drawing order."""


def run_figure(run: RunData, name: str) -> plt.Figure:
    """One figure of a run by name (:func:`figure_names`)."""
    return FIGURES[name](run)


DRAWING_COST = {
    "offers": 1.3,
    "utilities": 0.41,
    "utility_plane": 0.24,
    "war": 0.34,
    "beliefs": 0.40,
}
"""Seconds to draw and save each figure of the baseline, one after the other on one core
(measured; only their ratios matter: :func:`split_figures`)."""


def plot_run(run: RunData, folder: Path, parallel: bool | None = None) -> list[Path]:
    """Write every plot of a run into ``folder``; return their paths.

    ``parallel`` (default: when the machine has two or more cores and ``fork`` exists):
    the figures are split in two shares of about equal drawing time
    (:func:`split_figures`); a forked child process draws one while this process draws
    the other. The child inherits ``run`` and matplotlib's state, so nothing is pickled,
    and the figures are the same pixels as when drawn one after the other
    (tests/test_run_plots_parallel.py)."""
    folder.mkdir(parents=True, exist_ok=True)
    names = figure_names(run)
    if parallel is None:
        parallel = can_fork()
    if not parallel:
        return [save(run_figure(run, name), folder / f"{name}.png") for name in names]
    child, own = split_figures(names)
    _plot_forked(run, folder, child, own)
    return [folder / f"{name}.png" for name in names]


def split_figures(names: list[str]) -> tuple[list[str], list[str]]:
    """Two shares of ``names`` by the longest-first rule (Graham 1969): each figure, the
    costliest first (:data:`DRAWING_COST`), goes to the share with less drawing so far;
    the first share holds the costliest figure."""
    shares: tuple[list[str], list[str]] = ([], [])
    totals = [0.0, 0.0]
    for name in sorted(names, key=lambda n: -DRAWING_COST.get(n, 1.0)):
        k = int(totals[1] < totals[0])
        shares[k].append(name)
        totals[k] += DRAWING_COST.get(name, 1.0)
    return shares


def _plot_forked(run: RunData, folder: Path, child_names: list[str], own: list[str]) -> None:
    """``child_names`` in a forked child, ``own`` here; wait for the child and raise if it
    failed."""
    import multiprocessing

    child = multiprocessing.get_context("fork").Process(
        target=_draw_in_child, args=(run, folder, child_names), daemon=True
    )
    child.start()
    try:
        for name in own:
            save(run_figure(run, name), folder / f"{name}.png")
    finally:
        child.join()
    if child.exitcode != 0:
        raise RuntimeError(
            f"drawing {', '.join(child_names)} failed in its process (exit {child.exitcode})"
        )


def _draw_in_child(run: RunData, folder: Path, names: list[str]) -> None:
    """In the forked child: draw its figures (an exception ends it with a non-zero exit)."""
    for name in names:
        save(run_figure(run, name), folder / f"{name}.png")


REASON_LINE = 0.17  # inches per line of rejection reasons under the offers panels


def offers_figure(run: RunData) -> plt.Figure:
    issues = run.scenario.issues
    reasons = _rejection_text(run)
    fig, axes = panel_grid(
        len(issues),
        2,
        4.4,
        2.3,
        extra=1.5 + REASON_LINE * len(reasons),
        min_width=8.5,
        sharex=True,
    )
    for ax, issue in zip(axes.flat, issues, strict=False):
        _offers_panel(ax, run, issue)
    cols = axes.shape[1]
    for k, ax in enumerate(axes.flat[: len(issues)]):
        lowest = k + cols >= len(issues)  # the lowest visible panel of its column
        time_axis(ax, run.scenario, label=lowest)
        ax.tick_params(labelbottom=lowest)
    for ax in axes[:, 0]:
        ax.set_ylabel("offer (issue scale)", fontsize=8)
    fig.set_figheight(fig.get_figheight() + footnote_height(fig, run))
    height = fig.get_figheight()  # the bottom, in inches: events, scale note, legend, reasons
    note = event_footnote(fig, run) + 0.05
    fig.text(0.5, note / height, scale_note(run.scenario), ha="center", fontsize=7, color="0.3")
    legend = note + 0.2
    _figure_legend(fig, axes.flat[0], legend / height)
    reasons_at = legend + 0.5  # two rows of legend
    fig.suptitle(run_title(run, "Offers per issue over rounds"), fontsize=11)
    fig.tight_layout(rect=(0, (reasons_at + REASON_LINE * len(reasons)) / height, 1, 1))
    for k, line in enumerate(reasons):
        y = reasons_at + REASON_LINE * (len(reasons) - k - 0.5)
        fig.text(0.5, y / height, line, ha="center", va="center", fontsize=7)
    return fig


def scale_note(scenario) -> str:
    """The footnote on the issue scales; the ceasefire coding (0 = Kyiv's maximal demand,
    1 = Moscow's) only for a scenario whose principals include Ukraine and Russia."""
    principals = {p.id for p in scenario.parties if p.role == "principal"}
    note = "Issue scales as in the scenario (continuous issues 0–1 between their anchors)"
    if {"ukraine", "russia"} <= principals:
        return note + "; 0 = Kyiv's maximal demand, 1 = Moscow's."
    return note + "."


def _rejection_text(run: RunData) -> list[str]:
    """One line per (party, reason): "Russia rejected in rounds 1, 3: condition ..."."""
    lines = []
    for pid, reason, rounds in run.rejections():
        shown = ", ".join(map(str, rounds[:8])) + (", …" if len(rounds) > 8 else "")
        plural = "s" if len(rounds) > 1 else ""
        lines.append(f"{run.party_names[pid]} rejected in round{plural} {shown}: {reason}")
    return lines[:6]


def _offers_panel(ax, run: RunData, issue) -> None:
    """One issue: the offers by proposer, its status quo, the principals' ideals, the
    settlement and the events."""
    talks = run.talks
    rounds = run.round_numbers
    proposers = [r["proposer"] for r in run.rounds]
    y = run.offer_values(issue)
    ax.plot(rounds[talks], y[talks], color="0.55", lw=1, zorder=1)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for pid in dict.fromkeys(p for p, t in zip(proposers, talks, strict=True) if t):
        sel = np.array([p == pid for p in proposers]) & talks
        ax.scatter(
            rounds[sel],
            y[sel],
            s=28,
            zorder=3,
            label=f"offer by {run.party_names[pid]}",
            **party_style(run.party_ids, pid, line=False),
        )
    _status_quo_and_ideals(ax, run, issue, rounds)
    _mark_settlements(ax, run, issue.id, rounds, y)
    mark_ceasefire(ax, run)
    ax.set_title(issue.label, fontsize=9)
    issue_scale(ax, issue)
    mark_events(ax, run)
    ax.grid(alpha=0.3)


def _status_quo_and_ideals(ax, run: RunData, issue, rounds: np.ndarray) -> None:
    """The issue's status quo (the front line over rounds for the territory issue) and
    each principal's ideal."""
    sq = issue.status_quo.value
    war = run.scenario.war
    if war is not None and war.territory_issue == issue.id:
        ax.plot(rounds, run.column("territory"), color="k", ls="--", lw=1, label="status quo")
    elif not isinstance(sq, str):
        ax.axhline(sq, color="k", ls="--", lw=1, label="status quo")
    for p in run.scenario.parties:
        ideal = p.positions[issue.id].ideal
        if p.role == "principal" and ideal is not None:
            ax.axhline(
                ideal.value,
                lw=0.9,
                alpha=0.6,
                ls=":",
                color=party_style(run.party_ids, p.id)["color"],
                label=f"ideal of {p.name}",
            )


def _mark_settlements(ax, run: RunData, issue_id: str, rounds: np.ndarray, y: np.ndarray) -> None:
    """Mark the rounds that settled the issue (a star with a full agreement, else a
    plus at the value agreed alone) and the exchanges of a repeatable issue (a plus)."""
    alone = run.column(f"alone.{issue_id}")
    for k, row in enumerate(run.rounds):
        full = row["agreement"] == "True"
        exchanged = issue_id in row.get("exchanged", "").split(";")
        if issue_id in row["settled"].split(";") or exchanged or np.isfinite(alone[k]):
            value = y[k] if full or not np.isfinite(alone[k]) else alone[k]
            ax.scatter([rounds[k]], [value], edgecolor="k", zorder=4, **SETTLED[full])


def _figure_legend(fig: plt.Figure, ax, bottom: float = 0.035) -> None:
    """The legend of every panel's entries (each once) under the panels, its lower edge
    at ``bottom`` (a share of the figure's height)."""
    handles, labels = [], []
    for a in fig.axes:
        for h, lab in zip(*a.get_legend_handles_labels(), strict=True):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    fig.legend(
        handles,
        labels,
        loc="lower center",
        bbox_to_anchor=(0.5, bottom),
        ncol=min(4, len(labels)),
        fontsize=8,
        frameon=False,
    )


def utilities_figure(run: RunData) -> plt.Figure:
    ids = run.party_ids
    fig, axes = panel_grid(len(ids), 2, 5.2, 3.2, extra=0.8, sharex=True, sharey=True)
    rounds, talks = run.round_numbers, run.talks
    for ax, pid in zip(axes.flat, ids, strict=False):
        _utilities_panel(ax, run, pid, rounds, talks)
    cols = axes.shape[1]
    for k, ax in enumerate(axes.flat[: len(ids)]):
        time_axis(ax, run.scenario, label=k + cols >= len(ids))
    for ax in axes[:, 0]:
        ax.set_ylabel("utility (0–1)")
    unit_scale(*axes.flat[: len(ids)])
    fig.set_figheight(fig.get_figheight() + footnote_height(fig, run))
    height = fig.get_figheight()
    legend = event_footnote(fig, run) + 0.1
    _figure_legend(fig, axes.flat[0], legend / height)
    fig.suptitle(run_title(run, "Utilities, thresholds and reservations"), fontsize=11)
    fig.tight_layout(rect=(0, (legend + 0.5) / height, 1, 1))
    return fig


def _utilities_panel(ax, run: RunData, pid: str, rounds: np.ndarray, talks: np.ndarray) -> None:
    """One party: its utility of each offer, threshold and reservation in the rounds of
    talks; its utility of the agreement in force in the truce rounds after it."""
    style = party_style(run.party_ids, pid, line=False)
    utility = run.column(f"utility.{pid}")
    out = run.withdrawals().get(pid)
    say = talks if out is None else talks & (rounds < out)  # stops when the party leaves
    if out is not None:
        after = talks & (rounds >= out)
        ax.plot(
            rounds[after],
            utility[after],
            color="0.6",
            ls=":",
            lw=1,
            label="utility of the offer after withdrawing (no say in the talks)",
        )
    ax.plot(rounds[say], utility[say], label="utility of the offer", lw=1.2, markersize=4, **style)
    if not talks.all():
        ax.plot(
            rounds[~talks],
            utility[~talks],
            color=style["color"],
            ls="-.",
            lw=1.2,
            label="utility of the agreement in force",
        )
    ax.plot(
        rounds[say],
        run.column(f"threshold.{pid}")[say],
        color=style["color"],
        ls="--",
        lw=1.2,
        marker="_",
        markersize=9,
        label="threshold (aspiration)",
    )
    ax.plot(
        rounds[say],
        run.column(f"reservation.{pid}")[say],
        color="k",
        ls=":",
        lw=1.2,
        marker="_",
        markersize=9,
        label="reservation (value of fighting on)"
        if run.scenario.war is not None
        else "reservation (value of no agreement)",
    )
    ax.set_title(run.party_names[pid], fontsize=10)
    mark_ceasefire(ax, run)
    mark_withdrawals(ax, run, pid)
    mark_events(ax, run)
    ax.grid(alpha=0.3)


def utility_plane_figure(run: RunData) -> plt.Figure:
    a, b = run.principal_pair()
    fig, ax = plt.subplots(figsize=(7, 7.4))
    _plane_frontier(ax, run, a, b)
    _plane_offers(ax, run, a, b)
    res, util = run.summary["reservation"], run.summary["utilities"]
    ax.scatter(
        res[a],
        res[b],
        marker="X",
        s=90,
        color="k",
        zorder=4,
        label="reservation (disagreement) point",
    )
    ax.scatter(
        util[a],
        util[b],
        marker="*",
        s=260,
        color="gold",
        edgecolor="k",
        zorder=5,
        label=f"outcome: {run.summary['outcome']}",
    )
    _mark_references(ax, run, a, b)
    ax.set_xlabel(f"utility of {run.party_names[a]} (0–1)")
    ax.set_ylabel(f"utility of {run.party_names[b]} (0–1)")
    ax.grid(alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    uniq = dict(zip(labels, handles, strict=True))
    ax.legend(
        uniq.values(),
        uniq.keys(),
        fontsize=7,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncol=3,
        frameon=False,
    )
    ax.set_title(run_title(run, "Utility plane of the principals"), fontsize=10)
    fig.tight_layout()
    return fig


def _plane_frontier(ax, run: RunData, a: str, b: str) -> None:
    """The frontier outcomes in the (a, b) plane and the two parties' own Pareto frontier:
    within every red line (solid) and over the whole space (dashed), from
    ``principals_frontier.csv``; for older folders, the front of the projected outcomes."""
    if not len(run.frontier):
        return
    plane = run.frontier[:, [run.party_ids.index(a), run.party_ids.index(b)]]
    ax.scatter(plane[:, 0], plane[:, 1], s=5, color="0.8", label="frontier outcomes (all parties)")
    pair = f"{run.party_names[a]}–{run.party_names[b]}"
    if run.pair_frontier is None:
        front = pareto_front(plane)
        ax.plot(front[:, 0], front[:, 1], color="0.25", lw=1.5, label=f"Pareto front ({pair})")
        return
    whole, within = run.pair_frontier
    ax.plot(
        whole[:, 0],
        whole[:, 1],
        color="0.45",
        lw=1.1,
        ls="--",
        label=f"Pareto frontier ({pair}), whole space",
    )
    if len(within):
        ax.plot(
            within[:, 0],
            within[:, 1],
            color="0.1",
            lw=1.6,
            label=f"Pareto frontier ({pair}), within every red line",
        )


PLANE_GROUP = 0.02  # offers closer than this (utility units) share one round label


def _plane_offers(ax, run: RunData, a: str, b: str) -> None:
    """The path of the offers in the (a, b) plane, each marked by its proposer and round.
    Offers within :data:`PLANE_GROUP` of an earlier one share its label, which lists their
    rounds (e.g. "rounds 3, 5, 7", or "rounds 1, 3, 5, …, 41 (21×)" beyond six); labels sit
    on a white box above every marker, so the outcome star and the reference points never
    hide them."""
    talks = run.talks
    ua, ub = run.column(f"utility.{a}"), run.column(f"utility.{b}")
    ax.plot(ua[talks], ub[talks], color="tab:blue", lw=0.8, alpha=0.6)
    rounds_at: dict[tuple[float, float], list[str]] = {}
    for k, row in enumerate(run.rounds):
        if not talks[k]:
            continue
        style = party_style(run.party_ids, row["proposer"], line=False)
        label = f"offer by {run.party_names[row['proposer']]}"
        ax.scatter(ua[k], ub[k], s=30, zorder=3, **style, label=label)
        near = [p for p in rounds_at if math.dist(p, (ua[k], ub[k])) < PLANE_GROUP]
        rounds_at.setdefault(near[0] if near else (ua[k], ub[k]), []).append(str(row["round"]))
    for point, rounds in rounds_at.items():
        shown = rounds if len(rounds) <= 6 else [*rounds[:3], f"…, {rounds[-1]} ({len(rounds)}×)"]
        ax.annotate(
            ("round " if len(rounds) == 1 else "rounds ") + ", ".join(shown),
            point,
            fontsize=7,
            xytext=(6, 6),
            textcoords="offset points",
            zorder=6,  # above the outcome star and the reference-point markers
            bbox={
                "boxstyle": "round,pad=0.15",
                "fc": "white",
                "ec": "0.6",
                "lw": 0.5,
                "alpha": 0.85,
            },
            arrowprops={"arrowstyle": "-", "color": "0.5", "lw": 0.5},
        )


def _mark_references(ax, run: RunData, a: str, b: str) -> None:
    """Mark the reference points of ``summary['reference']`` when the run has them."""
    markers = {
        "nash": ("D", "Nash point"),
        "kalai_smorodinsky": ("s", "Kalai–Smorodinsky"),
        "weighted_nash": ("P", "weighted Nash"),
        "forecast_median": ("^", "forecast (BDM median)"),
    }
    for key, (marker, label) in markers.items():
        ref = run.summary.get("reference", {}).get(key)
        if ref and ref.get("utilities"):
            u = ref["utilities"]
            ax.scatter(
                u[a],
                u[b],
                marker=marker,
                s=70,
                facecolor="white",
                edgecolor="k",
                zorder=4,
                label=label,
            )

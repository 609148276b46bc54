"""War plots of a run (drawn from ``rounds.csv``), written when the scenario has a war.

* ``war.png``: the line of control (the territory issue's status quo) over rounds, with
  the principals' cumulative losses and the first principal's win share p;
* ``beliefs.png``: each principal's belief about the battlefield trend (posterior mean
  ± 1 sd), the principals' reservation utilities, and Fearon's bargaining range
  [p − c_A, p + c_B] (shaded) around the win share p.

Every time axis marks the round's events (dotted vertical lines, their numbers above the
panel; the footnote lists them) and the withdrawals from the talks, and shows each round's
start date where the scenario states its round length. The line of control's axis spans at
least a quarter of the issue's scale (:func:`sim.output.style.territory_scale`).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from sim.output.run_data import RunData
from sim.output.style import (
    event_footnote,
    footnote_height,
    mark_ceasefire,
    mark_events,
    mark_withdrawals,
    party_style,
    run_title,
    territory_note,
    territory_scale,
    time_axis,
    unit_scale,
)


def _finish(fig: plt.Figure, run: RunData, axes, what: str) -> plt.Figure:
    for ax in axes:
        time_axis(ax, run.scenario, label=ax is axes[-1])
        ax.grid(alpha=0.3)
    fig.suptitle(run_title(run, what), fontsize=11)
    fig.set_figheight(fig.get_figheight() + footnote_height(fig, run))
    top = event_footnote(fig, run)
    fig.tight_layout(rect=(0, (top + 0.05) / fig.get_figheight(), 1, 1))
    return fig


def war_figure(run: RunData) -> plt.Figure:
    a, b = run.principal_pair()
    names = run.party_names
    rounds = run.round_numbers
    fig, axes = plt.subplots(3, 1, figsize=(8, 9), sharex=True)
    issue = run.scenario.issue(run.scenario.war.territory_issue)
    axes[0].plot(
        rounds,
        run.column("territory"),
        color="k",
        marker="o",
        ms=3,
        label="line of control (status quo of the territory issue)",
    )
    territory_scale(axes[0], issue, run.column("territory"))
    axes[0].set_ylabel(f"{issue.label}\n({territory_note(issue)})", fontsize=9)
    for pid in (a, b):
        axes[1].plot(
            rounds,
            run.column(f"losses.{pid}"),
            label=f"losses of {names[pid]}",
            **party_style(run.party_ids, pid),
        )
    axes[1].set_ylabel("cumulative losses (utility units)")
    axes[2].plot(rounds, run.column("win_share"), color="k", label=f"win share p of {names[a]}")
    axes[2].set_ylim(0, 1)
    axes[2].set_ylabel("win share p (0–1)")
    for ax in axes:
        mark_ceasefire(ax, run)
        mark_withdrawals(ax, run)
        mark_events(ax, run)
        ax.legend(fontsize=7, loc="best")
    return _finish(fig, run, axes, "War: line of control, losses and win share")


def beliefs_figure(run: RunData) -> plt.Figure:
    a, b = run.principal_pair()
    names = run.party_names
    rounds = run.round_numbers
    fig, axes = plt.subplots(3, 1, figsize=(8, 9), sharex=True)
    for pid in (a, b):
        style = party_style(run.party_ids, pid)
        mean, sd = run.column(f"belief_mean.{pid}"), run.column(f"belief_sd.{pid}")
        axes[0].plot(rounds, mean, label=f"belief of {names[pid]} (mean ± 1 sd)", **style)
        axes[0].fill_between(rounds, mean - sd, mean + sd, color=style["color"], alpha=0.15)
        axes[1].plot(
            rounds, run.column(f"reservation.{pid}"), label=f"reservation of {names[pid]}", **style
        )
    axes[0].axhline(run.scenario.war.trend.value, color="k", ls="--", lw=1, label="true trend θ")
    axes[0].set_ylabel("believed trend θ\n(territory units per round)")
    axes[1].set_ylabel("reservation utility (0–1)\n(value of fighting on)")
    unit_scale(axes[1])
    p = run.column("win_share")
    lo, hi = run.column("fearon_low"), run.column("fearon_high")
    axes[2].fill_between(
        rounds,
        lo,
        hi,
        color="tab:green",
        alpha=0.25,
        label=f"bargaining range [p − c_{names[a]}, p + c_{names[b]}]",
    )
    axes[2].plot(rounds, p, color="k", label=f"win share p of {names[a]}")
    axes[2].set_ylim(0, 1)
    axes[2].set_ylabel(f"share of the stakes for {names[a]}")
    for ax in axes:
        mark_ceasefire(ax, run)
        mark_withdrawals(ax, run)
        mark_events(ax, run)
        ax.legend(fontsize=7, loc="best")
    return _finish(fig, run, axes, "Beliefs, reservations and Fearon's bargaining range")

"""The live panels of ``sim view``: Solara components that take the model.

* :func:`RoundPanel`: the round played, the assumptions changed from the scenario, the
  offer on every issue, and each party's utility of it against its threshold and
  reservation (tables: the numbers the figures draw);
* :func:`TimelinePanel`: the scenario's events by round, those applied so far ticked, and
  what the run itself recorded (withdrawals, ceasefires broken);
* figure panels drawing the run figures of :mod:`sim.output.run_plots` and
  :mod:`sim.output.war_plots` from the rounds played so far (:func:`sim.view.live.live_run`).

:func:`Dashboard` lays them out full width on tabs (the round and events first, then
the offers, the utilities and the plane, the war and beliefs); it subscribes to Mesa's
``update_counter``, so it redraws after every Step. Only the open tab is drawn, so a step
redraws only the figures on screen (the first tab has none: play runs fastest there).
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable

import matplotlib.pyplot as plt
import solara
import solara.lab
from mesa.visualization.utils import update_counter

from sim.output.run_data import RunData
from sim.output.run_plots import offers_figure, utilities_figure, utility_plane_figure
from sim.output.war_plots import beliefs_figure, war_figure
from sim.scenario.paths import get_value
from sim.view.live import live_run
from sim.view.model import ViewModel

DPI = 90  # pixels per inch of the figures shown in the browser
Figure = Callable[[RunData], plt.Figure]
TABLE = "sim-table"
CSS = f"""
.{TABLE} {{ border-collapse: collapse; font-size: 14px; margin: 4px 0 12px 0; }}
.{TABLE} th, .{TABLE} td {{ padding: 2px 10px; border-bottom: 1px solid #ddd; }}
.{TABLE} th {{ text-align: left; background: #f3f3f3; }}
.{TABLE} td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
.sim-figure img {{ max-width: 100%; height: auto; }}
.v-input__slider .v-input__slot {{ flex-wrap: wrap; }}
.v-input__slider .v-input__slot > .v-label {{ flex: 0 0 100%; max-width: 100%;
  white-space: normal; margin-bottom: 44px; }}
.v-slider__thumb-label-container {{ display: block !important; }}
.v-slider__thumb-label {{ transform: translateY(-20%) translateY(-12px) translateX(-50%)
  rotate(45deg) !important; width: 38px !important; height: 38px !important; }}
"""


def _run(model: ViewModel) -> RunData | None:
    """The rounds played so far, or ``None`` before the first step."""
    if model.round == 0:
        return None
    return live_run(model, model.seed_used)


def png(figure: Figure, run: RunData, horizon: int | None = None) -> bytes:
    """``figure(run)`` as PNG bytes (the figure is closed). With a ``horizon``, the
    shared round axis spans rounds 1 to ``horizon``, so the rounds still to come show."""
    fig = figure(run)
    try:
        if horizon is not None:
            fig.axes[0].set_xlim(0.5, horizon + 0.5)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI)
        return buf.getvalue()
    finally:
        plt.close(fig)


@solara.component
def FigurePanel(
    figure: Figure, run: RunData | None, title: str, horizon: int | None = None
) -> None:
    """``figure`` of the rounds played so far, in a card titled ``title`` (a round axis
    over the ``horizon``, see :func:`png`)."""
    with solara.Card(title, classes=["sim-figure"], style={"width": "100%"}):
        if run is None:
            solara.Text("Press STEP (or ▶) to play the first round.")
        else:
            solara.Image(png(figure, run, horizon), width="100%")


def table(header: list[str], rows: list[list[str]], numeric_from: int = 1) -> str:
    """An HTML table (cells escaped); columns from ``numeric_from`` on are right-aligned."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{html.escape(c)}</td>'
            if k >= numeric_from
            else f"<td>{html.escape(c)}</td>"
            for k, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f'<table class="{TABLE}"><tr>{head}</tr>{body}</table>'


@solara.component
def RoundPanel(model: ViewModel, run: RunData | None) -> None:
    """The last round in numbers (module docstring)."""
    with solara.Card("Round", style={"width": "100%"}):
        if model.problem:
            solara.Error(
                "The controls' values were rejected, so the scenario as written is played: "
                + model.problem
            )
        solara.HTML(unsafe_innerHTML=round_html(model, run))


def round_html(model: ViewModel, run: RunData | None) -> str:
    """The round readout: a headline, the changed assumptions, offers, parties' numbers."""
    head = f"<b>Round {model.round} of {model.max_rounds}</b> · seed {model.seed_used}"
    changes = changed_assumptions(model)
    parts = [f"<p>{head}</p>"]
    parts.append(
        "<p>Assumptions changed from the scenario: "
        + (html.escape("; ".join(changes)) if changes else "none")
        + "</p>"
    )
    if run is None:
        return "".join(parts) + "<p>No round played yet.</p>"
    game, row, names = model.base_game, run.rounds[-1], run.party_names
    parts[0] = (
        f"<p>{head} · proposer: {html.escape(names.get(row['proposer'], row['proposer']))}"
        f" · outcome: <b>{html.escape(run.summary['outcome'])}</b></p>"
    )
    status_quo = game.format_outcome(model.negotiation.status_quo)
    offers = [
        [issue.label, _fmt(row[f"offer.{issue.id}"]), _fmt(status_quo[issue.id])]
        for issue in game.scenario.issues
    ]
    parties = [
        [names[pid]]
        + [_fmt(row[f"{k}.{pid}"]) for k in ("utility", "threshold", "reservation")]
        + [row[f"response.{pid}"]]
        for pid in game.party_ids
    ]
    parts.append(table(["issue", "offer", "status quo"], offers))
    parts.append(
        table(["party", "utility of the offer", "threshold", "reservation", "response"], parties)
    )
    return "".join(parts)


def changed_assumptions(model: ViewModel) -> list[str]:
    """The controls whose value in the model's scenario differs from the file's, as
    "label: old → new", and the linked conditions when they were switched off."""
    data = model.base_game.scenario.model_dump(mode="python")
    out = []
    for c in model.setup.controls:
        try:
            value = float(get_value(data, c.path))
        except (ValueError, KeyError, TypeError):
            continue
        if abs(value - c.value) > 1e-12:
            out.append(f"{c.label}: {c.value:g} → {value:g}")
    if model.setup.has_conditions and not model.base_game.prefs.conditions:
        out.append("linked conditions: off")
    return out


def _fmt(value: str | float) -> str:
    """A number to 3 decimals; text as it is."""
    try:
        return f"{float(value):.3f}"
    except ValueError:
        return str(value)


@solara.component
def TimelinePanel(model: ViewModel, run: RunData | None) -> None:
    """The event timeline (module docstring)."""
    with solara.Card("Event timeline", style={"width": "100%"}):
        solara.HTML(unsafe_innerHTML=timeline_html(model, run))


def timeline_html(model: ViewModel, run: RunData | None) -> str:
    """Scheduled events by round (✓ once applied), then the events the run recorded."""
    scenario = model.base_game.scenario
    rows = []
    for ev in sorted(scenario.events, key=scenario.event_round):
        rnd = scenario.event_round(ev)
        done = "✓" if rnd <= model.round else ""
        rows.append([done, str(rnd), ev.label, ev.type.replace("_", " ")])
    scheduled = {ev.label for ev in scenario.events}
    recorded = [] if run is None else [(r, lab) for r, lab in run.events() if lab not in scheduled]
    rows += [["✓", f"{r:g}", label, "recorded in the run"] for r, label in recorded]
    if not rows:
        return "<p>No events in this scenario.</p>"
    return table(["", "round", "event", "kind"], rows, numeric_from=99)


@solara.component
def Dashboard(model: ViewModel) -> None:
    """The panels, full width, on tabs (module docstring)."""
    update_counter.get()  # redraw after every step (Mesa's SolaraViz increments it)
    run = _run(model)
    rounds = model.max_rounds
    solara.Style(CSS)
    with solara.lab.Tabs(lazy=True):
        with solara.lab.Tab("Round and events"), solara.Columns([3, 2]):
            RoundPanel(model, run)
            TimelinePanel(model, run)
        with solara.lab.Tab("Offers per issue"):
            FigurePanel(offers_figure, run, "Offers per issue", rounds)
        with solara.lab.Tab("Utilities and the plane"), solara.Columns([3, 2]):
            FigurePanel(utilities_figure, run, "Utilities, thresholds and reservations", rounds)
            FigurePanel(utility_plane_figure, run, "Utility plane of the principals")
        if model.base_game.scenario.war is not None:
            with solara.lab.Tab("War and beliefs"), solara.Columns([1, 1]):
                FigurePanel(war_figure, run, "War: line of control, losses, win share", rounds)
                FigurePanel(beliefs_figure, run, "Beliefs, reservations, bargaining range", rounds)

"""The Solara app of ``sim view``: Mesa's SolaraViz on the scenario named by the
environment variable ``SIM_VIEW_SCENARIO`` (set by :func:`sim.view.server.serve`).

SolaraViz gives the sidebar: RESET, ▶ (play) and STEP, the play interval, and the model
parameters (:meth:`sim.view.controls.ViewSetup.model_params`); a moved control takes
effect at the next RESET, which rebuilds the model with it. The panels
(:func:`sim.view.panels.Dashboard`) fill the main area at full width, so they are given
to SolaraViz as no components and drawn after it from the same reactive model.
"""

from __future__ import annotations

import os

import solara
from mesa.visualization import SolaraViz

from sim.view import server
from sim.view.controls import ViewSetup
from sim.view.model import ViewModel
from sim.view.panels import Dashboard

SCENARIO_ENV = "SIM_VIEW_SCENARIO"

setup = server.prepared or ViewSetup.from_file(os.environ[SCENARIO_ENV])


@solara.component
def Page() -> None:
    """The whole view: SolaraViz's controls and the dashboard of the model they drive."""
    first = solara.use_memo(lambda: ViewModel(setup), [])
    model = solara.use_reactive(first)
    SolaraViz(
        model,
        components=[],
        model_params=setup.model_params(),
        name=f"sim view · {setup.scenario.title}",
        play_interval=200,
    )
    Dashboard(model.value)

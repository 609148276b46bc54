"""``sim view``: watch a scenario round by round in the browser (Mesa's SolaraViz).

* :mod:`sim.view.controls`: the scenario's main assumptions as sliders and a toggle;
* :mod:`sim.view.model`: the Mesa model SolaraViz steps and rebuilds on Reset;
* :mod:`sim.view.live`: the rounds played so far as run data, for the run figures;
* :mod:`sim.view.panels`: the live panels; :mod:`sim.view.app`: the Solara page;
* :mod:`sim.view.server`: the command (checks the scenario, then serves the page).

Needs the optional extra ``view`` (``pip install '.[view]'``).
"""

import warnings

# Mesa 3.3's ComponentsView returns early when given no components (the view draws its
# own panels), which Solara's hook checker reports at import; the order of hooks is the
# same on every render, so the warning is silenced for that one message.
warnings.filterwarnings(
    "ignore",
    message=r".*ComponentsView: `use_state` found despite early return",
    category=UserWarning,
)
# Solara warns that a page served from 127.0.0.1 (not "localhost") over http cannot set a
# samesite=none cookie; that matters only inside an iframe, which the view is not.
warnings.filterwarnings(
    "ignore", message=r"Cookies with samesite=none require https", category=UserWarning
)

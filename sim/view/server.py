"""``sim view``: check the scenario, then serve the Solara app of :mod:`sim.view.app`."""

from __future__ import annotations

import os
from pathlib import Path

from sim.scenario import InputError, Problem

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765

prepared = None
"""The :class:`~sim.view.controls.ViewSetup` :func:`serve` checked (the app reuses it)."""


def serve(scenario: str | Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve the view of ``scenario`` at http://host:port until interrupted.

    The scenario is read and compiled first, so a bad file is an :class:`InputError`
    before any server starts; so is a port outside 1..65535.
    """
    if not 1 <= port <= 65535:
        raise InputError("sim view", [Problem("--port", f"must be in 1..65535, got {port}")])
    try:
        import solara  # noqa: F401  (the optional extra "view")
    except ImportError:
        problem = Problem("", "needs the optional packages of the view: pip install '.[view]'")
        raise InputError("sim view", [problem]) from None
    from sim.view.controls import ViewSetup

    global prepared
    prepared = ViewSetup.from_file(scenario)  # raises InputError naming the file and field
    os.environ["SIM_VIEW_SCENARIO"] = str(Path(scenario).resolve())
    from solara.__main__ import run

    args = ["sim.view.app", "--host", host, "--port", str(port), "--production"]
    args += ["--no-open", "--no-check-version", "--log-level", "warning"]
    run.main(args=args, standalone_mode=False)

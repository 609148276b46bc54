"""``sim view``: check the scenario, then serve the Solara app of :mod:`sim.view.app`."""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

from sim.scenario import InputError, Problem

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765

prepared = None
"""The :class:`~sim.view.controls.ViewSetup` :func:`serve` checked (the app reuses it)."""


def serve(scenario: str | Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve the view of ``scenario`` at http://host:port until interrupted.

        The scenario is read and compiled first, so a bad file is an :class:`InputError`
        before any server starts; so is a port outside 1..65535, or an address this computer
    cannot listen on (a port in use, an unknown host).
    """
    if not 1 <= port <= 65535:
        raise InputError("sim view", [Problem("--port", f"must be in 1..65535, got {port}")])
    try:
        import solara  # noqa: F401  (the optional extra "view")
    except ImportError:
        problem = Problem("", "needs the optional packages of the view: pip install '.[view]'")
        raise InputError("sim view", [problem]) from None
    _check_address(host, port)
    from sim.view.controls import ViewSetup

    global prepared
    prepared = ViewSetup.from_file(scenario)  # raises InputError naming the file and field
    os.environ["SIM_VIEW_SCENARIO"] = str(Path(scenario).resolve())
    from click.exceptions import Abort
    from solara.__main__ import run

    args = ["sim.view.app", "--host", host, "--port", str(port), "--production"]
    args += ["--no-open", "--no-check-version", "--log-level", "warning"]
    try:
        run.main(args=args, standalone_mode=False)
    except Abort:  # click's form of Ctrl-C: the command line prints "interrupted", exit 130
        raise KeyboardInterrupt from None


def _check_address(host: str, port: int) -> None:
    """Raise :class:`InputError` unless a server can listen on ``host:port`` now."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
            probe.bind((host, port))
    except OSError as exc:
        option = "--port" if exc.errno == errno.EADDRINUSE else "--host"
        reason = exc.strerror or str(exc)
        raise InputError(
            "sim view", [Problem(option, f"cannot listen on {host}:{port} ({reason})")]
        ) from None

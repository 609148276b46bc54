"""A model's rounds so far as :class:`~sim.output.run_data.RunData`, so that the view
draws with the very plotting functions of the run figures (:mod:`sim.output.run_plots`,
:mod:`sim.output.war_plots`).

The rows are those ``rounds.csv`` would hold (:meth:`~sim.jobs.run.RunResult.round_rows`
written and read back through :mod:`csv`, so every value is the text the file holds);
the summary is :meth:`~sim.jobs.run.RunResult.summary` of the rounds played, its
``outcome`` followed by "so far" while the model still runs; the frontier is the game's.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from sim.jobs.run import result_of
from sim.model.model import NegotiationModel
from sim.output.run_data import RunData
from sim.output.run_files import pair_frontier_of


def live_run(model: NegotiationModel, seed: int) -> RunData:
    """The rounds ``model`` has played, as a run folder would give them (module docstring)."""
    result = result_of(model, seed)
    summary = result.summary()
    if model.running:
        summary["outcome"] = f"{summary['outcome']} so far"
    game = model.base_game
    rounds = as_text(result.round_rows())
    frontier = game.frontier.utilities
    return RunData(Path(), game.scenario, rounds, summary, frontier, pair_frontier_of(game))


def as_text(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Rows as :mod:`csv` writes and reads them (``None`` → ``""``, numbers → ``str``)."""
    if not rows:
        return []
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    buf.seek(0)
    return list(csv.DictReader(buf))

"""What the Python API (:mod:`sim.api`) returns: runs, sweeps and comparisons as pandas
DataFrames, dicts and figures, with the same values as the files the command line writes.

* :class:`Run` — one run held in memory: ``rounds`` (= ``rounds.csv`` read by
  ``pandas.read_csv``), ``world`` (its war and event columns), ``frontier``
  (= ``frontier.csv``), ``summary`` (= ``summary.json``), figures by name (the run plots
  of :mod:`sim.output.run_plots`, drawn from the same data) and :meth:`Run.save`, which
  writes the folder ``sim run`` writes.
* :class:`Sweep` — a sweep folder (:func:`sim.api.run_sweep`): ``runs`` (every row of
  its Parquet store), ``summary`` (= ``summary.json``) and its plot files.
* :class:`Comparison` — a comparison folder (:func:`sim.api.compare_folders`): ``table``
  (= ``differences.csv``) and its plot files.

The tables go through the files' CSV text (not rebuilt by hand), so a value in a
DataFrame is the value ``pandas.read_csv`` finds in the file ``sim run`` writes for the
same scenario, seed and horizon.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.jobs.run import RunResult, write_run_folder
from sim.output.folders import read_json, tidy_numbers
from sim.output.run_data import RunData, frontier_array
from sim.output.run_files import csv_text, frontier_rows, pair_frontier_of

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _frame(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text))


@dataclass(frozen=True, eq=False, repr=False)
class Run:
    """A finished run in memory (see the module docstring). ``result`` is the engine's
    :class:`~sim.jobs.run.RunResult` (round records, final negotiation state);
    ``source`` the scenario file it was loaded from, if any."""

    result: RunResult
    source: Path | None
    summary: dict[str, Any]
    rounds: pd.DataFrame
    world: pd.DataFrame
    frontier: pd.DataFrame
    _texts: tuple[str, str] = field(default=("", ""))

    @classmethod
    def of(cls, result: RunResult, source: str | Path | None = None) -> Run:
        """The tables, summary and figures' data of an engine result."""
        rounds_text = csv_text(result.round_rows())
        frontier_text = csv_text(
            frontier_rows(result.game.party_ids, result.game.frontier.utilities)
        )
        rounds = _frame(rounds_text)
        summary = json.loads(json.dumps(tidy_numbers(result.summary()), ensure_ascii=False))
        return cls(
            result=result,
            source=None if source is None else Path(source),
            summary=summary,
            rounds=rounds,
            world=rounds[["round", *result.world_columns()]],
            frontier=_frame(frontier_text),
            _texts=(rounds_text, frontier_text),
        )

    @property
    def seed(self) -> int:
        """The run's seed."""
        return self.result.seed

    @property
    def title(self) -> str:
        """The scenario's title."""
        return self.result.game.scenario.title

    def figure_names(self) -> list[str]:
        """The names :meth:`plot` accepts (``war`` and ``beliefs`` only with a war)."""
        from sim.output.run_plots import figure_names

        return figure_names(self._data())

    def plot(self, *names: str) -> dict[str, Figure]:
        """The run figures of ``sim run`` (``plots/<name>.png``) as matplotlib figures,
        by name; all of them when no name is given (:meth:`figure_names`)."""
        from sim.output.run_plots import figure_names, run_figure

        data = self._data()
        known = figure_names(data)
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ValueError(f"unknown figure {unknown[0]!r}; expected one of {known}")
        return {name: run_figure(data, name) for name in names or known}

    def save(self, out: str | Path | None = None, plots: bool = True) -> Path:
        """Write the folder ``sim run`` writes for this run (default
        ``results/<scenario>-<UTC time>``; ``out`` must not exist); return it."""
        if self.source is None:
            raise ValueError("save() needs a run of a scenario file (sim.run(PATH, ...))")
        return write_run_folder(self.result, self.source, out, plots)[0]

    def _data(self) -> RunData:
        """The run as the plotting code reads a run folder."""
        scenario = self.result.game.scenario
        rounds = list(csv.DictReader(io.StringIO(self._texts[0])))
        frontier = frontier_array(scenario, list(csv.DictReader(io.StringIO(self._texts[1]))))
        pair = pair_frontier_of(self.result.game)
        return RunData(None, scenario, rounds, self.summary, frontier, pair)

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"Run(title={self.title!r}, seed={self.seed}, rounds={s['rounds_played']}, "
            f"outcome={s['outcome']!r}, deal={s['deal']!r}, round={s['round']})"
        )


@dataclass(frozen=True, eq=False, repr=False)
class Sweep:
    """A sweep folder's results: ``runs`` (one row per run: its parameters, seed,
    outcome, terms, utilities; see :mod:`sim.jobs.sweep_worker`), ``summary``
    (= ``summary.json``) and the plot files."""

    folder: Path
    runs: pd.DataFrame
    summary: dict[str, Any]
    plots: list[Path]

    @classmethod
    def read(cls, folder: str | Path) -> Sweep:
        """Read a finished (or interrupted) sweep folder."""
        from sim.jobs.load import load_game
        from sim.jobs.sweep import BASE_COPY, SWEEP_COPY
        from sim.output.sweep_store import RunStore, run_schema
        from sim.sweep import load_sweep

        folder = Path(folder)
        spec = load_sweep(folder / SWEEP_COPY)
        game = load_game(folder / BASE_COPY)
        schema = run_schema(spec.paths, list(game.issue_ids), list(game.party_ids))
        runs = RunStore(folder, schema).read().to_pandas()
        summary_file = folder / "summary.json"
        summary = read_json(summary_file) if summary_file.is_file() else {}
        return cls(folder, runs, summary, sorted((folder / "plots").glob("*.png")))

    def __repr__(self) -> str:
        return f"Sweep(folder={str(self.folder)!r}, runs={len(self.runs)}, plots={len(self.plots)})"


@dataclass(frozen=True, eq=False, repr=False)
class Comparison:
    """A comparison folder's results: ``table`` (= ``differences.csv``: each input against
    the first, with bootstrap intervals) and the plot files."""

    folder: Path
    table: pd.DataFrame
    plots: list[Path]

    @classmethod
    def read(cls, folder: str | Path) -> Comparison:
        """Read a comparison folder written by ``sim compare``."""
        from sim.jobs.compare import DIFFERENCES_CSV

        folder = Path(folder)
        table = pd.read_csv(folder / DIFFERENCES_CSV)
        return cls(folder, table, sorted((folder / "plots").glob("*.png")))

    def __repr__(self) -> str:
        return (
            f"Comparison(folder={str(self.folder)!r}, rows={len(self.table)}, "
            f"plots={len(self.plots)})"
        )

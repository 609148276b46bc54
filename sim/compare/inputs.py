"""The inputs of a comparison: run folders (``sim run``) and sweep folders (``sim sweep``),
read into one shape.

Rules
-----
* A folder is a *run* folder when it holds ``scenario.yaml``, ``rounds.csv`` and
  ``summary.json``; a *sweep* folder when it holds ``sweep.yaml``, ``base_scenario.yaml``
  and ``runs/``. Anything else (a missing folder, a comparison folder, any other folder)
  is an :class:`~sim.scenario.InputError` naming the folder and what it lacks.
* Outcome rows (:mod:`sim.compare.stats`): a run is one row built from ``summary.json``
  (``terms`` lists every issue of the scenario, None where not agreed); a sweep has one
  row per run from its Parquet columns ``outcome``, ``round``, ``term.<issue>`` (null when
  not agreed) and ``utility.<party>``. Discrete issues are label indices in both (the
  sweep's convention), so runs and sweeps are on one scale.
* Reference points (Nash, Kalai–Smorodinsky): a run's come from the ``reference`` block of
  its ``summary.json``; a sweep's are computed from its base scenario
  (:func:`sim.jobs.reference.reference_points`) and so ignore the swept parameters.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import numpy as np

from sim.output.run_data import RunData, load_run
from sim.output.run_files import pair_frontier_of
from sim.scenario import InputError, Issue, Problem, Scenario

RUN_FILES = ("scenario.yaml", "rounds.csv", "summary.json")
SWEEP_FILES = ("sweep.yaml", "base_scenario.yaml", "runs")
REFERENCE_KEYS = ("nash", "kalai_smorodinsky")

Kind = Literal["run", "sweep"]


@dataclass(frozen=True)
class SweepData:
    """A sweep folder's specification, base scenario and run columns (numpy arrays)."""

    spec: Any  # sim.sweep.SweepSpec
    data: dict[str, np.ndarray]

    @property
    def params(self) -> list[str]:
        """The swept parameters' paths, in the sweep file's order."""
        return list(self.spec.paths)


@dataclass(frozen=True)
class CompareInput:
    """One input of a comparison: its label, position (``index``, which fixes its colour,
    marker and line style in every figure), kind, scenario and outcome rows."""

    label: str
    index: int
    folder: Path
    kind: Kind
    scenario: Scenario
    rows: list[dict[str, Any]]
    references: dict[str, dict | None]
    frontier: np.ndarray
    pair_frontier: tuple[np.ndarray, np.ndarray] | None = None
    """The first two principals' own frontier, whole space and within every red line
    (:func:`sim.theory.frontier.pair_frontier`; ``None`` for older run folders)."""
    run: RunData | None = None
    sweep: SweepData | None = None
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def issues(self) -> list[str]:
        """The scenario's issue ids, in order."""
        return [i.id for i in self.scenario.issues]

    def issue(self, issue_id: str) -> Issue:
        """The scenario's issue with this id."""
        return self.scenario.issue(issue_id)

    @property
    def parties(self) -> list[str]:
        """The negotiating parties (mediators have no utility)."""
        return [p.id for p in self.scenario.parties if p.role != "mediator"]

    @property
    def principals(self) -> list[str]:
        """The principals' ids, in order."""
        return [p.id for p in self.scenario.parties if p.role == "principal"]

    @property
    def party_names(self) -> dict[str, str]:
        """Party id → display name."""
        return {p.id: p.name for p in self.scenario.parties}

    @property
    def has_war(self) -> bool:
        """Whether the scenario has a war block (war columns in rounds.csv)."""
        return self.scenario.war is not None

    @property
    def params(self) -> list[str]:
        """A sweep's swept parameters; none for a run."""
        return self.sweep.params if self.sweep is not None else []

    @cached_property
    def arrays(self) -> dict[str, np.ndarray]:
        """Every metric over the valid runs (:func:`sim.compare.stats.metric_arrays`)."""
        from sim.compare.stats import metric_arrays

        return metric_arrays(self.rows, self.issues, self.parties)

    def values(self, metric: str) -> np.ndarray:
        """One metric over the valid runs, NaN where it has no value."""
        return self.arrays[metric]


def folder_kind(folder: Path) -> str:
    """``run``, ``sweep`` or ``comparison``; InputError if missing or none of these."""
    if not folder.exists():
        raise InputError(str(folder), [Problem("", "no such folder")])
    if not folder.is_dir():
        raise InputError(str(folder), [Problem("", "not a folder")])
    if (folder / "comparison.json").is_file():
        return "comparison"
    if all((folder / f).exists() for f in SWEEP_FILES):
        return "sweep"
    if all((folder / f).is_file() for f in RUN_FILES):
        return "run"
    message = (
        "not a result folder: a run folder (sim run) holds "
        f"{', '.join(RUN_FILES)}; a sweep folder (sim sweep) holds {', '.join(SWEEP_FILES)}"
    )
    raise InputError(str(folder), [Problem("", message)])


def load_input(folder: str | Path, label: str, index: int) -> CompareInput:
    """Read a run or sweep folder (see the module docstring); InputError otherwise."""
    folder = Path(folder)
    kind = folder_kind(folder)
    if kind == "comparison":
        problem = Problem("", "is a comparison folder (sim compare); give run or sweep folders")
        raise InputError(str(folder), [problem])
    if kind == "run":
        return load_run_input(folder, label, index)
    return load_sweep_input(folder, label, index)


def _manifest(folder: Path) -> dict[str, Any]:
    path = folder / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _label_index(issue: Issue, value: Any) -> Any:
    """A discrete issue's label as its index (other values unchanged)."""
    if issue.kind == "discrete" and isinstance(value, str):
        return float(issue.values.index(value)) if value in issue.values else None
    return value


def run_row(run: RunData) -> dict[str, Any]:
    """The outcome row of a run folder: every issue in ``terms`` (None where not agreed)."""
    s = run.summary
    terms = {i.id: _label_index(i, s["terms"].get(i.id)) for i in run.scenario.issues}
    return {
        "outcome": s["outcome"],
        "round": s.get("round"),
        "terms": terms,
        "utilities": dict(s["utilities"]),
    }


def load_run_input(folder: Path, label: str, index: int) -> CompareInput:
    """A run folder as a comparison input (one outcome row)."""
    run = load_run(folder)
    refs = run.summary.get("reference", {})
    return CompareInput(
        label=label,
        index=index,
        folder=folder,
        kind="run",
        scenario=run.scenario,
        rows=[run_row(run)],
        references={k: refs.get(k) for k in REFERENCE_KEYS},
        frontier=run.frontier,
        pair_frontier=run.pair_frontier,
        run=run,
        manifest=_manifest(folder),
    )


def sweep_rows(data: dict[str, np.ndarray], issues: list[str], parties: list[str]) -> list[dict]:
    """One outcome row per sweep run from its columns (NaN terms become None)."""
    rows = []
    for k, outcome in enumerate(data["outcome"]):
        rnd = data["round"][k]
        rows.append(
            {
                "outcome": outcome,
                "round": None if np.isnan(rnd) else int(rnd),
                "terms": {i: _none_if_nan(data[f"term.{i}"][k]) for i in issues},
                "utilities": {p: _none_if_nan(data[f"utility.{p}"][k]) for p in parties},
            }
        )
    return rows


def _none_if_nan(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def read_sweep(folder: Path) -> tuple[Any, SweepData]:
    """(base game, spec and data) of a sweep folder; InputError if it has no runs."""
    from sim.jobs.load import load_game
    from sim.jobs.sweep_analysis import columns
    from sim.output.sweep_store import RunStore, run_schema
    from sim.sweep import load_sweep

    spec = load_sweep(folder / "sweep.yaml")
    game = load_game(folder / "base_scenario.yaml")
    issues, parties = list(game.issue_ids), list(game.party_ids)
    store = RunStore(folder, run_schema(spec.paths, issues, parties, spec.integer_paths))
    if not store.parts():
        raise InputError(str(folder), [Problem("runs", "the sweep has no runs on disk yet")])
    wanted = ["outcome", "round", *(f"param.{p}" for p in spec.paths)]
    wanted += [*(f"term.{i}" for i in issues), *(f"utility.{p}" for p in parties)]
    return game, SweepData(spec, columns(store.read(wanted)))


def load_sweep_input(folder: Path, label: str, index: int) -> CompareInput:
    """A sweep folder as a comparison input (one outcome row per run)."""
    from sim.jobs.reference import reference_points

    game, sweep = read_sweep(folder)
    refs = reference_points(game)
    return CompareInput(
        label=label,
        index=index,
        folder=folder,
        kind="sweep",
        scenario=game.scenario,
        rows=sweep_rows(sweep.data, list(game.issue_ids), list(game.party_ids)),
        references={k: refs.get(k) for k in REFERENCE_KEYS},
        frontier=np.asarray(game.frontier.utilities, dtype=float),
        pair_frontier=pair_frontier_of(game),
        sweep=sweep,
        manifest=_manifest(folder),
    )

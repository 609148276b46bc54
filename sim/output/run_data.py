"""Reading a run folder back: the data the plots, reports and comparisons draw from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.output.folders import read_json
from sim.output.run_files import (
    FRONTIER,
    PAIR_FRONTIER,
    ROUNDS,
    SCENARIO,
    SUMMARY,
    principal_pair,
    read_csv,
)
from sim.scenario import InputError, Issue, Problem, Scenario, parse_scenario, read_yaml


@dataclass(frozen=True)
class RunData:
    """A run folder's contents as arrays and mappings (``folder`` is ``None`` for a run
    held in memory, see :mod:`sim.api`)."""

    folder: Path | None
    scenario: Scenario
    rounds: list[dict[str, str]]
    summary: dict
    frontier: np.ndarray
    pair_frontier: tuple[np.ndarray, np.ndarray] | None = None
    """The principals' frontier over the whole space and within every red line
    (``principals_frontier.csv``; ``None`` for folders written before it existed)."""

    @property
    def party_ids(self) -> list[str]:
        return [p.id for p in self.scenario.parties if p.role != "mediator"]

    @property
    def party_names(self) -> dict[str, str]:
        return {p.id: p.name for p in self.scenario.parties}

    def column(self, name: str) -> np.ndarray:
        """A numeric column of ``rounds.csv`` (NaN where empty or non-numeric)."""
        return np.array([_float(r.get(name, "")) for r in self.rounds])

    def offer_values(self, issue: Issue) -> np.ndarray:
        """The offers on an issue per round as numbers (label indices for discrete issues)."""
        if issue.kind != "discrete":
            return self.column(f"offer.{issue.id}")
        index = {label: k for k, label in enumerate(issue.values)}
        return np.array([index.get(r[f"offer.{issue.id}"], np.nan) for r in self.rounds], float)

    @property
    def round_numbers(self) -> np.ndarray:
        return self.column("round")

    @property
    def talks(self) -> np.ndarray:
        """Whether each round had an offer (not a ``truce`` round after an agreement)."""
        return np.array([r.get("phase", "talks") != "truce" for r in self.rounds], dtype=bool)

    def ceasefire_spans(self) -> list[tuple[float, float]]:
        """(first, last) round of each stretch with a general ceasefire in force."""
        spans: list[tuple[float, float]] = []
        for r in self.rounds:
            if r.get("ceasefire_in_force") != "True":
                continue
            k = float(r["round"])
            if spans and spans[-1][1] == k - 1:
                spans[-1] = (spans[-1][0], k)
            else:
                spans.append((k, k))
        return spans

    def rejections(self) -> list[tuple[str, str, list[int]]]:
        """(party id, reason, rounds) for every reason a party gave for rejecting."""
        found: dict[tuple[str, str], list[int]] = {}
        for r in self.rounds:
            for pid in self.party_ids:
                reason = r.get(f"blocked.{pid}", "")
                if reason:
                    found.setdefault((pid, reason), []).append(int(r["round"]))
        return [(pid, reason, rounds) for (pid, reason), rounds in found.items()]

    def events(self) -> list[tuple[float, str]]:
        """(round, label) of every event recorded in ``rounds.csv``, in order."""
        out = []
        for r in self.rounds:
            for label in filter(None, (x.strip() for x in r.get("events", "").split("|"))):
                out.append((float(r["round"]), label))
        return out

    def withdrawals(self) -> dict[str, float]:
        """Party id → the first round whose ``withdrawn`` column (the parties out of the
        talks in that round, ``;``-separated) lists it."""
        out: dict[str, float] = {}
        for r in self.rounds:
            for pid in filter(None, r.get("withdrawn", "").split(";")):
                out.setdefault(pid, float(r["round"]))
        return out

    def principal_pair(self) -> tuple[str, str]:
        """The two parties of the utility plane (:func:`~sim.output.run_files.principal_pair`)."""
        return principal_pair(self.scenario)


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return np.nan


def load_run(folder: str | Path) -> RunData:
    """Load a run folder written by ``sim run``; raise :class:`InputError` if it is not one."""
    folder = Path(folder)
    missing = [f for f in (SCENARIO, ROUNDS, SUMMARY) if not (folder / f).is_file()]
    if missing:
        problem = Problem("", f"not a run folder: missing {', '.join(missing)}")
        raise InputError(str(folder), [problem])
    scenario = parse_scenario(read_yaml(folder / SCENARIO), str(folder / SCENARIO))
    summary = read_json(folder / SUMMARY)
    frontier_rows = read_csv(folder / FRONTIER) if (folder / FRONTIER).is_file() else []
    frontier = frontier_array(scenario, frontier_rows)
    pair = folder / PAIR_FRONTIER
    pair_frontier = pair_arrays(scenario, read_csv(pair)) if pair.is_file() else None
    return RunData(folder, scenario, read_csv(folder / ROUNDS), summary, frontier, pair_frontier)


def frontier_array(scenario: Scenario, rows: list[dict[str, str]]) -> np.ndarray:
    """The rows of ``frontier.csv`` as an (candidates x negotiating parties) array."""
    ids = [p.id for p in scenario.parties if p.role != "mediator"]
    return np.array([[float(r[p]) for p in ids] for r in rows]).reshape(-1, len(ids))


def pair_arrays(scenario: Scenario, rows: list[dict[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    """The rows of ``principals_frontier.csv`` as (k, 2) arrays of the principals'
    utilities: the whole space's frontier, and the frontier within every red line."""
    a, b = principal_pair(scenario)
    fronts = []
    for flag in ("False", "True"):
        points = [(float(r[a]), float(r[b])) for r in rows if r["within_red_lines"] == flag]
        fronts.append(np.array(points, dtype=float).reshape(-1, 2))
    return fronts[0], fronts[1]

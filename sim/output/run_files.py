"""The files of a run folder: resolved scenario, manifest, rounds, frontier and summary."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import importlib.metadata
import io
import platform
import sys
from pathlib import Path
from typing import Any

import numpy as np

import sim
from sim.output.folders import write_json
from sim.scenario import Scenario
from sim.scenario.yaml_io import dump_yaml

SCENARIO = "scenario.yaml"
MANIFEST = "manifest.json"
ROUNDS = "rounds.csv"
SUMMARY = "summary.json"
FRONTIER = "frontier.csv"
PAIR_FRONTIER = "principals_frontier.csv"


def scenario_yaml(scenario: Scenario) -> str:
    """The resolved scenario as YAML (defaults filled in, unset optional fields left out)."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    return dump_yaml(data, sort_keys=False, allow_unicode=True, width=100)


def sha256_file(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def manifest(
    scenario_file: str | Path, seed: int | None, extra: dict[str, Any] | None = None
) -> dict:
    """Provenance of a job: versions, seed, scenario hash, command and UTC time."""
    return {
        "package": "ceasefire-sim",
        "version": sim.__version__,
        "seed": seed,
        "scenario_file": Path(scenario_file).name,
        "scenario_sha256": sha256_file(scenario_file),
        "command": " ".join(["sim", *sys.argv[1:]]),
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "mesa": importlib.metadata.version("mesa"),
        **(extra or {}),
    }


def csv_text(rows: list[dict[str, Any]]) -> str:
    """Dict rows as CSV text, columns in the order of the first row (``csv`` module
    defaults: ``\\r\\n`` line ends, ``None`` as an empty field)."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else [])
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write dict rows as CSV (:func:`csv_text`)."""
    path.write_text(csv_text(rows), encoding="utf-8", newline="")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def frontier_rows(party_ids: tuple[str, ...], utilities: np.ndarray) -> list[dict[str, float]]:
    """The frontier candidates' utilities, one row per candidate."""
    return [{pid: float(u) for pid, u in zip(party_ids, row, strict=True)} for row in utilities]


def principal_pair(scenario: Scenario) -> tuple[str, str]:
    """The two parties of the utility plane: the first two principals (then the first
    other negotiating parties)."""
    negotiating = [p.id for p in scenario.parties if p.role != "mediator"]
    principals = [p.id for p in scenario.parties if p.role == "principal"]
    pair = (principals + [p for p in negotiating if p not in principals])[:2]
    return pair[0], pair[1]


def pair_frontier_of(game) -> tuple[np.ndarray, np.ndarray] | None:
    """The two principals' Pareto frontier (:func:`sim.theory.frontier.pair_frontier`):
    over the whole space and within every party's red lines (``None`` with one party)."""
    from sim.theory.frontier import pair_frontier

    if game.n_parties < 2:
        return None
    a, b = principal_pair(game.scenario)
    return game.memo(
        "pair_frontier",
        lambda: pair_frontier(game.prefs, game.anchor_points(), game.index(a), game.index(b)),
    )


def pair_frontier_rows(game) -> list[dict[str, Any]]:
    """:func:`pair_frontier_of` one row per point: both utilities and
    ``within_red_lines`` (false: the frontier of the whole space, true: of the outcomes
    within every party's red lines)."""
    a, b = principal_pair(game.scenario)
    whole, within = pair_frontier_of(game)
    return [
        {a: float(ua), b: float(ub), "within_red_lines": flag}
        for flag, front in ((False, whole), (True, within))
        for ua, ub in front
    ]


def write_run_files(folder: Path, result, scenario_file: str | Path, summary: dict) -> None:
    """Write every data file of a run into ``folder`` (plots are drawn separately)."""
    (folder / SCENARIO).write_text(scenario_yaml(result.game.scenario), encoding="utf-8")
    write_json(folder / MANIFEST, manifest(scenario_file, result.seed))
    write_csv(folder / ROUNDS, result.round_rows())
    write_csv(
        folder / FRONTIER, frontier_rows(result.game.party_ids, result.game.frontier.utilities)
    )
    if result.game.n_parties > 1:
        write_csv(folder / PAIR_FRONTIER, pair_frontier_rows(result.game))
    write_json(folder / SUMMARY, summary)

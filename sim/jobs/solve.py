"""``sim solve``: the scenario's reference points without running the negotiation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.jobs.load import load_game
from sim.jobs.reference import reference_method, reference_points
from sim.output.folders import atomic_folder, choose_folder, write_json
from sim.output.run_files import manifest


def solve(scenario_file: str | Path) -> dict[str, Any]:
    """Reference points of a scenario file, with the disagreement point."""
    game = load_game(scenario_file)
    d = game.reservation(game.status_quo)
    return {
        "scenario": game.scenario.title,
        "disagreement": {pid: float(v) for pid, v in zip(game.party_ids, d, strict=True)},
        "frontier": {"outcomes": len(game.frontier), "exact": game.frontier.exact},
        "method": reference_method(game),
        "points": reference_points(game),
        "notes": list(game.notes),
    }


def solve_to_folder(scenario_file: str | Path, out: str | Path | None) -> tuple[Path, dict]:
    """Solve and write ``reference.json`` and ``manifest.json`` into a new folder."""
    result = solve(scenario_file)
    folder = choose_folder(f"{Path(scenario_file).stem}-solve", out)
    with atomic_folder(folder) as tmp:
        write_json(tmp / "reference.json", result)
        write_json(tmp / "manifest.json", manifest(scenario_file, seed=None))
    return folder, result

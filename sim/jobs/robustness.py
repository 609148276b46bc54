"""``sim robustness``: every declared assumption range of a scenario, swept at once.

Seeds alone vary only the battlefield noise. The robustness check varies every number
whose ``assumption`` declares a plausible ``range: [low, high]``, jointly, with a Latin
hypercube by default (McKay, Beckman & Conover 1979: each range cut into ``samples``
equal strata, each stratum used once), ``replications`` seeds per point. With
``--design sobol`` it uses Saltelli's scheme and reports Sobol' first-order and total
indices (Saltelli 2002; Saltelli et al. 2010) of the ceasefire, agreement and exchange
rates: which assumptions decide the outcome. Sourced numbers are never varied.

It writes an ordinary sweep folder (``sim report`` and ``sim compare`` read it) whose
``sweep.yaml`` lists the ranges, and prints each outcome's share with its 95% interval. A
scenario that declares no range is run over ``samples × replications`` seeds instead,
and says so in the sweep's title.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml

from sim.jobs.sweep import SweepRun, finish, run_sweep
from sim.output.folders import choose_folder
from sim.scenario import InputError, Problem, load_scenario
from sim.scenario.provenance import provenance_rows
from sim.sweep import load_sweep

DESIGNS = ("lhs", "random", "sobol")


def declared_ranges(scenario_file: str | Path) -> list[tuple[str, float, float]]:
    """(path, low, high) of every assumption with a declared range, in file order."""
    scenario = load_scenario(scenario_file)
    return [(r.path, *r.range) for r in provenance_rows(scenario) if r.range is not None]


def robustness_spec(
    scenario_file: str | Path, design: str, samples: int, replications: int, seed: int
) -> dict[str, Any]:
    """The sweep file (as a mapping) that varies every declared range of the scenario; a
    scenario that declares none is run over ``samples × replications`` seeds (its
    battlefield noise only), except with the sobol design, which then has nothing to do."""
    if design not in DESIGNS:
        raise InputError("--design", [Problem("--design", f"expected one of {DESIGNS}")])
    ranges = declared_ranges(scenario_file)
    title = load_scenario(scenario_file).title
    if not ranges:
        if design == "sobol":
            raise InputError(
                str(scenario_file),
                [
                    Problem(
                        "--design", "no assumption declares a 'range': Sobol' has nothing to vary"
                    )
                ],
            )
        return {
            "title": f"Robustness (seeds only: no declared range): {title}",
            "base": str(Path(scenario_file).resolve()),
            "design": "grid",
            "replications": samples * replications,
            "seed": seed,
            "parameters": [],
        }
    return {
        "title": f"Robustness: {title}",
        "base": str(Path(scenario_file).resolve()),
        "design": design,
        "samples": samples,
        "replications": replications,
        "seed": seed,
        "parameters": [
            {"path": path, "linear": {"start": low, "stop": high}} for path, low, high in ranges
        ],
    }


def run_robustness(
    scenario_file: str | Path,
    design: str = "lhs",
    samples: int = 200,
    replications: int = 2,
    seed: int = 1,
    workers: int | None = None,
    out: str | Path | None = None,
    plots: bool = True,
    progress: bool | None = None,
    rounds: int | None = None,
) -> tuple[SweepRun, dict[str, Any]]:
    """Sweep every declared range; return the sweep and its summary (with Sobol' indices
    under ``summary["sobol"]`` for the ``sobol`` design). ``rounds`` sets the simulation
    horizon ``protocol.max_rounds`` of every run."""
    if rounds is not None and not 1 <= rounds <= 10_000:
        raise InputError("--rounds", [Problem("--rounds", f"must be in 1..10000, got {rounds}")])
    spec = robustness_spec(scenario_file, design, samples, replications, seed)
    folder = choose_folder(f"{Path(scenario_file).stem}-robustness", out)
    with tempfile.TemporaryDirectory() as tmp:
        if rounds is not None:
            spec["base"] = str(_with_horizon(Path(spec["base"]), rounds, Path(tmp)))
        file = Path(tmp) / "robustness.yaml"
        file.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True))
        run = run_sweep(file, workers, out=folder, progress=progress)
    summary = finish(run, load_sweep(run.folder / "sweep.yaml"), plots=plots)
    war = load_scenario(scenario_file).war
    summary["ceasefire_line"] = war is not None and war.ceasefire is not None
    sobol = run.folder / "sobol.json"
    if sobol.is_file():
        from sim.output.folders import read_json

        summary["sobol"] = read_json(sobol)
    return run, summary


def _with_horizon(scenario: Path, rounds: int, folder: Path) -> Path:
    """A variant of ``scenario`` with the simulation horizon ``rounds`` (``extends``)."""
    variant = {
        "extends": str(scenario),
        "changes": [
            {
                "path": "protocol.max_rounds",
                "set": {"value": rounds, "assumption": "simulation horizon set by --rounds"},
            }
        ],
    }
    path = folder / scenario.name
    path.write_text(yaml.safe_dump(variant, sort_keys=False))
    return path

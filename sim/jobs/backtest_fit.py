"""Fitting that cannot peek (``sim backtest --fit``), and frozen parameter files.

Each listed parameter — a behavioural or ``assumption`` number that declares a range in
the episodes; a sourced number has no range and can never be fitted — takes, for the
episode being scored, the value of a grid over its range (``FIT_GRID`` points, ends
included) with the lowest Brier score on the episodes whose origin comes *before* it
(rolling origin); the first episode is forecast unfitted. The fit on every episode is
kept for episodes after the last (``fits/next.yaml``). Fits are written with their
SHA-256, which each forecast names.
"""

from __future__ import annotations

import hashlib
import itertools
import sys
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from sim.jobs.backtest_forecast import Episode, Plan, forecast_rows, model_forecast
from sim.jobs.robustness import declared_ranges
from sim.scenario import InputError, Problem
from sim.scenario.loader import read_yaml
from sim.theory import scores

FIT_GRID = 5
"""Values per fitted parameter: evenly spaced over its declared range, ends included."""
NEXT_FIT = "next"
"""``fits/next.yaml``: the fit on every episode, to freeze for episodes after the last."""


def fit_grid(episodes: list[Episode], paths: list[str]) -> dict[str, list[float]]:
    """Candidate values of each fitted path: ``FIT_GRID`` points over its declared range
    (the first episode declaring it); a path no episode declares is an error."""
    grid = {}
    for path in paths:
        found = [(lo, hi) for ep in episodes for p, lo, hi in declared_ranges(ep.file) if p == path]
        if not found:
            raise InputError(
                "--fit",
                [
                    Problem(
                        "--fit",
                        f"{path}: no episode declares a range for it (only "
                        "assumptions with a declared range can be fitted)",
                    )
                ],
            )
        lo, hi = found[0]
        grid[path] = np.round(np.linspace(lo, hi, FIT_GRID), 6).tolist()
    return grid


def rolling_fits(
    episodes: list[Episode], paths: list[str], plan: Plan, pool: Executor | None = None
) -> list[dict[str, Any] | None]:
    """For each episode, the fit on the episodes with an earlier origin (``None`` for an
    episode with none), then the fit on all of them (for episodes after the last):
    ``{"values", "fitted_on", "brier"}``; one more item than ``episodes``."""
    grid = fit_grid(episodes, paths)
    candidates = [
        dict(zip(grid, combo, strict=True)) for combo in itertools.product(*grid.values())
    ]
    cache: dict[tuple[int, int], list[dict]] = {}

    def rows_of(k: int, c: int) -> list[dict]:
        if (k, c) not in cache:
            ep = episodes[k]
            print(
                f"  fitting: {ep.id}, candidate {c + 1} of {len(candidates)}",
                file=sys.stderr,
                flush=True,
            )
            model, runs = model_forecast(ep, plan, pool, candidates[c])
            zeros = {"persistence": np.zeros_like(model)}
            cache[k, c] = forecast_rows(ep, model, runs, zeros, "")
        return cache[k, c]

    fits: list[dict[str, Any] | None] = []
    origins = [ep.scenario.origin for ep in episodes] + [None]
    for origin in origins:
        earlier = [
            j for j, e in enumerate(episodes) if origin is None or e.scenario.origin < origin
        ]
        if not earlier:
            fits.append(None)
            continue
        briers = []
        for c in range(len(candidates)):
            rows = [r for j in earlier for r in rows_of(j, c)]
            o = np.array([r["outcome"] for r in rows], dtype=float)
            briers.append(scores.brier(np.array([r["model"] for r in rows]), o))
        best = int(np.argmin(briers))
        fits.append(
            {
                "values": candidates[best],
                "fitted_on": [episodes[j].id for j in earlier],
                "brier": briers[best],
            }
        )
    return fits


def write_fit(folder: Path, name: str, fit: dict[str, Any]) -> tuple[str, str]:
    """Write ``fits/<name>.yaml``; return its path (relative) and SHA-256."""
    text = yaml.safe_dump(
        {
            "episode": name,
            "fitted_on": fit["fitted_on"],
            "brier_on_fit": fit["brier"],
            "values": fit["values"],
        },
        sort_keys=False,
    )
    (folder / "fits").mkdir(exist_ok=True)
    (folder / "fits" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return f"fits/{name}.yaml", hashlib.sha256(text.encode()).hexdigest()


def read_params(path: str | Path) -> dict[str, float]:
    """A frozen parameters file: ``{path: number}`` (a fit file's ``values`` also works)."""
    data = read_yaml(path)
    values = data.get("values", data)
    bad = [k for k, v in values.items() if not isinstance(v, int | float) or isinstance(v, bool)]
    if bad:
        raise InputError(str(path), [Problem(k, "expected a number") for k in bad])
    return {str(k): float(v) for k, v in values.items()}

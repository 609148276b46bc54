"""Forecasts of dated episodes and their scores (the parts of ``sim backtest``).

An episode is a scenario file with a ``record`` (:mod:`sim.scenario.record`). Its model
forecast is the share of runs over its declared assumption ranges (Latin hypercube) and
seeds in which each recorded observable happened (:mod:`sim.jobs.backtest_runs`); the
naive baselines, the scoring and the skills are described in :mod:`sim.jobs.backtest`.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.jobs.backtest_runs import Target, run_chunk, targets
from sim.jobs.load import check_scenario
from sim.jobs.reference import forecast_outcomes
from sim.jobs.robustness import declared_ranges
from sim.jobs.sweep import base_key
from sim.scenario import InputError, Problem, Scenario
from sim.scenario.loader import read_yaml
from sim.scenario.paths import get_value
from sim.scenario.record import RECORD, Record, load_episode
from sim.scenario.variants import resolve_variant
from sim.sweep.design import planned_runs, scenario_for
from sim.sweep.schema import SweepSpec
from sim.theory import scores

FORECASTERS = ("model", "persistence", "weighted_median", "weighted_mean")
BASELINES = FORECASTERS[1:]
CHUNK = 25
"""Runs per task sent to a worker."""


@dataclass(frozen=True)
class Plan:
    """How many runs an episode's forecast takes: ``samples`` Latin-hypercube points of
    its declared ranges × ``replications`` seeds, from the master ``seed``."""

    samples: int = 100
    replications: int = 2
    seed: int = 1


@dataclass(frozen=True)
class Episode:
    """An episode file: its scenario (without the record), its record and raw base."""

    file: Path
    scenario: Scenario
    record: Record
    base: dict[str, Any] = field(repr=False)

    @property
    def id(self) -> str:
        return self.file.stem


def load_episodes(folder: str | Path) -> list[Episode]:
    """Every ``*.yaml`` of ``folder`` (recursively) with a ``record``, by forecast origin."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(str(folder), [Problem("DIR", "not a folder of episode files")])
    episodes = []
    for file in sorted(folder.rglob("*.yaml")):
        data = resolve_variant(read_yaml(file), file)
        if RECORD not in data:
            continue
        scenario, record = load_episode(file)
        data.pop(RECORD)
        episodes.append(Episode(file, scenario, record, data))
    if not episodes:
        raise InputError(
            str(folder), [Problem("DIR", "no episode file (a scenario with a 'record')")]
        )
    return sorted(episodes, key=lambda e: (e.scenario.origin, e.id))


def episode_design(episode: Episode, plan: Plan, fixed: dict) -> SweepSpec:
    """The runs of an episode: its declared ranges (minus fixed paths) as a Latin hypercube,
    or, without ranges, ``samples × replications`` seeds."""
    ranges = [r for r in declared_ranges(episode.file) if r[0] not in fixed]
    if not ranges:
        return SweepSpec(
            title=episode.id,
            base=episode.file,
            design="grid",
            replications=plan.samples * plan.replications,
            seed=plan.seed,
        )
    return SweepSpec.model_validate(
        {
            "title": episode.id,
            "base": str(episode.file),
            "design": "lhs",
            "samples": plan.samples,
            "replications": plan.replications,
            "seed": plan.seed,
            "parameters": [
                {"path": p, "linear": {"start": lo, "stop": hi}} for p, lo, hi in ranges
            ],
        }
    )


def applicable(episode: Episode, values: dict[str, float]) -> dict[str, float]:
    """The (path, value) pairs of ``values`` that exist in the episode."""
    out = {}
    for path, value in values.items():
        try:
            get_value(episode.base, path)
        except ValueError:
            continue
        out[path] = value
    return out


def model_forecast(
    episode: Episode,
    plan: Plan,
    pool: Executor | None = None,
    fixed: dict[str, float] | None = None,
) -> tuple[np.ndarray, int]:
    """(items, 2) probabilities P(agreed), P(agreed and held), and the number of runs
    (chunks of runs go to ``pool`` when given, else run here)."""
    fixed = applicable(episode, fixed or {})
    base = scenario_for(episode.base, fixed.items()) if fixed else episode.base
    spec = episode_design(episode, plan, fixed)
    seed = plan.seed
    goals = targets(episode.scenario, episode.record)
    runs = list(planned_runs(spec))
    chunks = [runs[k : k + CHUNK] for k in range(0, len(runs), CHUNK)]
    key = base_key(base)
    if pool is None or len(chunks) == 1:
        parts = [run_chunk(key, base, seed, c, goals) for c in chunks]
    else:
        futures = [pool.submit(run_chunk, key, base, seed, c, goals) for c in chunks]
        parts = [f.result() for f in futures]
    outcomes = np.concatenate(parts)
    return outcomes.mean(axis=0), len(runs)


def baseline_forecasts(episode: Episode) -> dict[str, np.ndarray]:
    """(items, 2) probabilities of each naive baseline (module docstring)."""
    game = check_scenario(episode.scenario, str(episode.file))
    goals = targets(episode.scenario, episode.record)
    capability = np.array(
        [
            p.capability.value if p.capability is not None else 1.0
            for p in (episode.scenario.party(pid) for pid in game.party_ids)
        ]
    )
    out = {"persistence": np.zeros((len(goals), 2))}
    for kind, outcome in forecast_outcomes(game, capability).items():
        agreed = np.array([_forecast_agrees(game, outcome, t) for t in goals], dtype=float)
        out[f"weighted_{kind}"] = np.stack([agreed, agreed], axis=1)
    return out


def _forecast_agrees(game, outcome: np.ndarray, target: Target) -> bool:
    """Whether a static forecast outcome makes the target agreed (module docstring)."""
    p = game.prefs
    if target.kind == "agreement":
        return bool(p.acceptable(outcome)[0].all())
    if target.kind == "ceasefire":
        j = game.ceasefire[0]
        ok = p.acceptable(outcome)[0][game.principals].all()
        return bool(game.in_ceasefire_zone(outcome[j]) and ok)
    j = target.issue
    moved = abs(outcome[j] - game.status_quo[j]) > 0.01 * (p.hi[j] - p.lo[j])
    alone = game.status_quo.copy()
    alone[j] = outcome[j]
    ok = p.acceptable(alone, np.arange(game.n_issues) == j)[0][game.consent[j]].all()
    return bool(moved and ok)


def forecast_rows(
    episode: Episode, model: np.ndarray, runs: int, baselines: dict, params: str
) -> list[dict[str, Any]]:
    """One row per scored event of an episode: item, event, outcome and every forecast."""
    rows = []
    for k, item in enumerate(episode.record):
        held = (
            None
            if item.held_30_days is None and item.agreed
            else (item.agreed and bool(item.held_30_days))
        )
        for e, (event, outcome) in enumerate((("agreed", item.agreed), ("held_30_days", held))):
            if outcome is None:
                continue
            row = {
                "episode": episode.id,
                "origin": episode.scenario.origin.isoformat(),
                "item": item.id,
                "label": item.label,
                "observable": item.observable.text(),
                "by": item.by.isoformat(),
                "event": event,
                "outcome": int(outcome),
                "model": float(model[k, e]),
            }
            row |= {name: float(f[k, e]) for name, f in baselines.items()}
            rows.append(row | {"runs": runs, "parameters_file": params})
    return rows


def score_table(rows: list[dict[str, Any]], seed: int = 0) -> dict[str, Any]:
    """Brier and log scores of every forecaster with 95% bootstrap intervals, and the
    model's skill against each baseline (paired bootstrap)."""
    o = np.array([r["outcome"] for r in rows], dtype=float)
    p = {name: np.array([r[name] for r in rows], dtype=float) for name in FORECASTERS}
    rng = np.random.default_rng(seed)
    out: dict[str, Any] = {"events": len(rows), "epsilon": scores.EPSILON, "scores": {}}
    for score_name, fn in scores.SCORES.items():
        out["scores"][score_name] = _scored(fn, p, o, rng)
    out["reliability"] = scores.reliability(p["model"], o)
    return out


def _scored(fn, p: dict[str, np.ndarray], o: np.ndarray, rng) -> dict[str, Any]:
    """One score for every forecaster and the model's skills, each with its interval."""

    def score_of(name: str):
        return lambda i: fn(p[name][i], o[i])

    def skill_against(ref: str):
        return lambda i: scores.skill(fn(p["model"][i], o[i]), fn(p[ref][i], o[i]))

    table: dict[str, Any] = {}
    for name in FORECASTERS:
        ci = scores.bootstrap_interval(score_of(name), len(o), rng)
        table[name] = {"score": fn(p[name], o), "ci95": list(ci)}
    for ref in BASELINES:
        value = scores.skill(table["model"]["score"], table[ref]["score"])
        ci = scores.bootstrap_interval(skill_against(ref), len(o), rng)
        table[f"skill_vs_{ref}"] = {"score": value, "ci95": list(ci)}
    return table

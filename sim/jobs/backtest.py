"""``sim backtest``: probability forecasts of dated episodes, scored against the record.

For every episode file of a folder (a scenario with a ``record:``, see
:mod:`sim.scenario.record`), in order of forecast origin:

1. **Model forecast.** The episode is run over its declared assumption ranges (a Latin
   hypercube of ``samples`` points, McKay et al. 1979) × ``replications`` seeds, up to
   the rounds its record needs; for each record item, P(agreed) is the share of runs in
   which the observable was agreed by its date, and P(agreed and held 30 days) the share
   in which it was also still in force 30 days later.
2. **Naive baselines.** ``persistence``: the status quo persists, nothing is agreed
   (P = 0). ``weighted_median`` / ``weighted_mean``: the capability × salience weighted
   median (Bueno de Mesquita 1994) / mean of the ideal points predicts the outcome of
   every issue (:func:`sim.jobs.reference.forecast_outcomes`); an item is forecast agreed
   (P = 1, else 0) when that outcome makes it so — a general ceasefire when the forecast
   of the ceasefire issue lies in ``war.ceasefire`` and the forecast outcome respects every
   principal's red lines; an issue settled or exchanged when its forecast moves more than
   1% of its span off the status quo and respects the red lines of those who must consent;
   a comprehensive agreement when the forecast respects every party's red lines. These
   baselines have no dynamics, so their P(held) equals their P(agreed).
3. **Scores** (:mod:`sim.theory.scores`) over all scored events (each item gives the event
   "agreed"; and "agreed and held 30 days" unless the record leaves holding unknown):
   Brier and log score with 95% bootstrap intervals, and the skill of the model against
   each baseline with paired bootstrap intervals.

**Fitting that cannot peek** (``--fit PATH,...``): each listed parameter (a behavioural
or ``assumption`` number that declares a range in the episodes) is set, for the episode
being scored, to the value of a grid over its range that gives the lowest Brier score on
the episodes whose origin comes *before* it (rolling origin; the first episode is
forecast unfitted). Sourced numbers can never be fitted. The fitted values are written to
``fits/<episode>.yaml`` with their SHA-256, and each forecast names the file it used;
``fits/next.yaml`` holds the fit on every episode, to freeze for later episodes.
``--params FILE`` applies a frozen parameters file (``{path: value}``) to every episode
instead.
"""

from __future__ import annotations

import hashlib
import itertools
import multiprocessing
import sys
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from sim.jobs.backtest_runs import Target, run_chunk, targets
from sim.jobs.load import check_scenario
from sim.jobs.reference import forecast_outcomes
from sim.jobs.robustness import declared_ranges
from sim.jobs.sweep import _base_key, default_workers
from sim.output.folders import atomic_folder, choose_folder, write_json
from sim.output.run_files import manifest, write_csv
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
FIT_GRID = 5
"""Values per fitted parameter: evenly spaced over its declared range, ends included."""
CHUNK = 25
NEXT_FIT = "next"
"""``fits/next.yaml``: the fit on every episode, to freeze for episodes after the last."""


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
    key = _base_key(base)
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


def run_backtest(
    folder: str | Path,
    out: str | Path | None = None,
    workers: int | None = None,
    samples: int = 100,
    replications: int = 2,
    seed: int = 1,
    fit: list[str] | None = None,
    params: str | Path | None = None,
    plots: bool = True,
) -> tuple[Path, dict[str, Any]]:
    """Forecast and score every episode of ``folder``; write a backtest folder."""
    if samples < 1 or replications < 1:
        raise InputError(
            "sim backtest", [Problem("--samples", "samples and replications must be >= 1")]
        )
    if fit and params:
        raise InputError("sim backtest", [Problem("--fit", "give --fit or --params, not both")])
    episodes = load_episodes(folder)
    frozen = read_params(params) if params else {}
    target = choose_folder("backtest", out)
    plan = Plan(samples, replications, seed)
    with worker_pool(workers or default_workers()) as pool:
        fits = rolling_fits(episodes, fit, plan, pool) if fit else None
        with atomic_folder(target) as tmp:
            rows, meta = forecast_all(tmp, episodes, plan, pool, fits, params, frozen)
            if fits:
                write_fit(tmp, NEXT_FIT, fits[-1])
            summary = score_table(rows, seed) | {"episodes": meta}
            write_csv(tmp / "forecasts.csv", rows)
            write_json(tmp / "scores.json", summary)
            write_json(tmp / "manifest.json", _manifest(folder, episodes, plan))
            if plots:
                from sim.output.backtest_plots import plot_backtest

                plot_backtest(rows, summary, tmp / "plots")
    return target, summary


@contextmanager
def worker_pool(workers: int) -> Iterator[Executor | None]:
    """A spawn process pool of ``workers`` processes (``None`` for one worker)."""
    if workers <= 1:
        yield None
        return
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def forecast_all(
    folder: Path,
    episodes: list[Episode],
    plan: Plan,
    pool: Executor | None,
    fits: list | None,
    params: str | Path | None,
    frozen: dict[str, float],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Forecast rows and metadata of every episode, each with its fitted values (written to
    ``folder/fits``) or the frozen ones."""
    rows, meta = [], []
    for k, ep in enumerate(episodes):
        name, digest, values = (str(params), _sha(params), frozen) if params else ("", "", {})
        if fits and fits[k] is not None:
            (name, digest), values = write_fit(folder, ep.id, fits[k]), fits[k]["values"]
        print(f"  {ep.id}: forecasting ...", file=sys.stderr, flush=True)
        model, runs = model_forecast(ep, plan, pool, values)
        rows += forecast_rows(ep, model, runs, baseline_forecasts(ep), name)
        meta.append(_episode_meta(ep, runs, name, digest, applicable(ep, values)))
    return rows, meta


def _sha(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _episode_meta(ep: Episode, runs: int, params: str, digest: str, values: dict) -> dict:
    return {
        "episode": ep.id,
        "file": ep.file.name,
        "title": ep.scenario.title,
        "origin": ep.scenario.origin.isoformat(),
        "runs": runs,
        "parameters_file": params,
        "parameters_sha256": digest,
        "fitted_values": values,
    }


def _manifest(folder: str | Path, episodes: list[Episode], plan: Plan) -> dict:
    extra = {
        "episodes_folder": str(Path(folder)),
        "episodes": {e.file.name: _sha(e.file) for e in episodes},
        "samples": plan.samples,
        "replications": plan.replications,
    }
    return manifest(episodes[0].file, plan.seed, extra)

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
import sys
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sim.jobs.backtest_fit import NEXT_FIT, read_params, rolling_fits, write_fit
from sim.jobs.backtest_forecast import (
    Episode,
    Plan,
    applicable,
    baseline_forecasts,
    forecast_rows,
    load_episodes,
    model_forecast,
    score_table,
)
from sim.jobs.sweep import default_workers, process_pool
from sim.output.folders import atomic_folder, choose_folder, write_json
from sim.output.run_files import manifest, write_csv
from sim.scenario import InputError, Problem


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
    pool = process_pool(workers)
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

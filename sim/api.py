"""The Python API: load a scenario, run it, sweep and compare, from a notebook or a script.

::

    import sim

    scenario = sim.load("scenarios/istanbul_2025_06_02.yaml")
    run = sim.run(scenario, seed=7, rounds=20)
    run.rounds          # pandas DataFrame, = rounds.csv of `sim run ... --seed 7 --rounds 20`
    run.summary         # dict, = summary.json
    run.plot("offers")  # {"offers": matplotlib Figure}

Every function calls the code the command line calls (:mod:`sim.jobs`), so a result here
and a result folder of the same command hold the same numbers (the sweep and compare
functions are ``run_sweep`` and ``compare_folders``: ``sim.sweep`` and ``sim.compare`` are
the packages of sweep files and comparison statistics); bad input raises
:class:`sim.scenario.InputError` with the message the command line prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sim.jobs.run import prepare_game, run_game
from sim.results import Comparison, Run, Sweep
from sim.scenario import Scenario


def load(path: str | Path) -> Scenario:
    """Read and validate a scenario file (``sim validate``): the schema, the cross-checks
    and the strategies; raise :class:`~sim.scenario.InputError` naming every problem."""
    from sim.jobs.load import load_game

    return load_game(path).scenario


def run(scenario: Scenario | str | Path, seed: int | None = None, rounds: int | None = None) -> Run:
    """Play a scenario (a file or a :func:`load`-ed scenario) as ``sim run`` does, with
    ``seed`` (default: the scenario's) and ``rounds`` (default: ``protocol.max_rounds``);
    nothing is written (see :meth:`sim.results.Run.save`)."""
    game = prepare_game(scenario, seed, rounds)
    source = None if isinstance(scenario, Scenario) else Path(scenario)
    return Run.of(run_game(game), source)


def run_sweep(
    file: str | Path,
    workers: int | None = None,
    out: str | Path | None = None,
    plots: bool = True,
    backend: str = "local",
) -> Sweep:
    """Run a sweep file as ``sim sweep`` does (a new folder, default
    ``results/<sweep>-<UTC time>``) and read its results back."""
    from sim.jobs.sweep import finish
    from sim.jobs.sweep import run_sweep as sweep_to_folder
    from sim.sweep import load_sweep

    done = sweep_to_folder(file, workers, backend, None, out, progress=False)
    finish(done, load_sweep(done.folder / "sweep.yaml"), plots=plots)
    return Sweep.read(done.folder)


def compare_folders(
    folders: Sequence[str | Path],
    labels: Sequence[str] | None = None,
    out: str | Path | None = None,
) -> Comparison:
    """Compare run and sweep folders as ``sim compare`` does (a new folder, default
    ``results/compare-<UTC time>``) and read its difference table back."""
    from sim.jobs.compare import compare

    written = compare(list(folders), ",".join(labels) if labels else None, out)
    return Comparison.read(written.folder)

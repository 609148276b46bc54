"""Speed and memory of the simulator on the Istanbul baseline (a benchmark, not a test).

    python benchmarks/bench.py                  # everything (about 12 minutes on 2 cores)
    python benchmarks/bench.py --quick          # smaller sweeps, no 10^5-run sweep
    python benchmarks/bench.py --profile        # only: where a run's time goes

Prints, for the baseline scenario:

* single-run time: median over many runs of one full negotiation (model built, all
  rounds played) and of a run plus its sweep result row;
* runs per second of a replications-only sweep of the baseline on 1 and on 2 local
  workers, and the parallel efficiency rps(2) / (2 · rps(1));
* the Dask backend's runs per second on a 2-worker LocalCluster, and its ratio to the
  local backend.

  These are measured in five interleaved rounds (one with ``--quick``), each round one
  sweep of every kind, and every reading is printed. Runs per second are the medians
  over rounds; the efficiency and the Dask ratio are the medians of the ratios within
  each round, whose sweeps run within about two minutes of each other, so that the
  drift of a shared machine's speed largely cancels;
* peak resident memory of sweeps of 10^3, 10^4 and 10^5 runs (the sweep process and the
  largest worker, from ``getrusage``), each sweep in a fresh process.

Sweeps run without plots; the worker start-up (about 2 s per process) is excluded from
runs per second by timing from the first finished chunk, and included in nothing else.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "istanbul_2025_06_02.yaml"


def single_run_times(n: int) -> tuple[float, float]:
    """Median seconds of one run, and of one run plus its result row."""
    from sim.jobs.load import load_game
    from sim.jobs.run import run_game
    from sim.jobs.sweep_worker import result_row
    from sim.sweep.design import RunSpec

    game = load_game(BASELINE)
    result_row(RunSpec(0, 0, 0, 0, ()), run_game(game, seed=0))  # warm the caches
    runs, rows = [], []
    for seed in range(n):
        t0 = time.perf_counter()
        result = run_game(game, seed=seed)
        t1 = time.perf_counter()
        result_row(RunSpec(seed, 0, seed, seed, ()), result)
        t2 = time.perf_counter()
        runs.append(t1 - t0)
        rows.append(t2 - t0)
    return statistics.median(runs), statistics.median(rows)


def sweep_file(folder: Path, runs: int) -> Path:
    path = folder / f"bench_{runs}.yaml"
    path.write_text(
        f"title: benchmark {runs}\nbase: {BASELINE}\ndesign: grid\n"
        f"replications: {runs}\nseed: 1\nparameters: []\n",
        encoding="utf-8",
    )
    return path


def measure_sweep(runs: int, workers: int, backend: str) -> dict:
    """Run one sweep in a fresh process; return its runs/s and peak memory (MB)."""
    code = f"""
import json, resource, sys, time
from sim.jobs import sweep as S
from sim.jobs.sweep import run_sweep
first = {{}}
original = S.RunStore.add
def add(self, table):
    first.setdefault("t", time.perf_counter())
    first["n"] = first.get("n", 0) + table.num_rows
    first.setdefault("n0", table.num_rows)
    original(self, table)
S.RunStore.add = add
t0 = time.perf_counter()
run = run_sweep(sys.argv[1], workers={workers}, backend="{backend}", out=sys.argv[2],
                progress=False)
t1 = time.perf_counter()
steady = (first["n"] - first["n0"]) / (t1 - first["t"])
me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({{"runs": run.completed, "failed": run.failed, "seconds": t1 - t0,
                  "rps": steady, "main_mb": me, "worker_mb": kids}}))
"""
    with tempfile.TemporaryDirectory() as tmp:
        file = sweep_file(Path(tmp), runs)
        out = subprocess.run(
            [sys.executable, "-c", code, str(file), str(Path(tmp) / "out")],
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(out.stdout.strip().splitlines()[-1])


def throughput(runs: int, rounds: int) -> dict[str, list[float]]:
    """Runs per second of ``rounds`` interleaved rounds of three sweeps (1 local worker,
    2 local workers, Dask with 2 workers), so that a slow spell of a shared machine
    touches every configuration alike; prints every reading."""
    configs = {"1 worker": (1, "local"), "2 workers": (2, "local"), "dask": (2, "dask")}
    speeds: dict[str, list[float]] = {name: [] for name in configs}
    for k in range(rounds):
        for name, (workers, backend) in configs.items():
            speeds[name].append(measure_sweep(runs, workers, backend)["rps"])
        one, two, dask = (speeds[name][-1] for name in configs)
        print(
            f"  round {k + 1} of {rounds}: runs/s 1 worker {one:.0f}, 2 workers {two:.0f}, "
            f"dask {dask:.0f}; efficiency {two / (2 * one):.0%}, dask/local {dask / two:.0%}",
            flush=True,
        )
    return speeds


STAGES = {  # what --profile reports: label -> the (file suffix, function) pairs it sums
    "build the model and its agents": (("sim/model/model.py", "__init__"),),
    "  of which Mesa's Model and Agent constructors": (
        ("mesa/model.py", "__init__"),
        ("mesa/agent.py", "__init__"),
    ),
    "war update (World.advance)": (("sim/behaviour/world.py", "advance"),),
    "reservation utilities (World.reservation)": (("sim/behaviour/world.py", "reservation"),),
    "thresholds (Strategy.threshold, every party)": (("strategies/base.py", "threshold"),),
    "proposal search (choose_offer)": (("sim/behaviour/offers.py", "choose_offer"),),
    "settlement and records (Negotiation.resolve)": (("behaviour/negotiation.py", "resolve"),),
    "result row (result_row)": (("sim/jobs/sweep_worker.py", "result_row"),),
}


def profile_shares(n: int) -> None:
    """Print the share of run time spent in each stage (cProfile cumulative times over
    ``n`` runs; cProfile inflates many small calls, so the shares are indicative)."""
    import cProfile
    import pstats

    from sim.jobs.load import load_game
    from sim.jobs.run import run_game
    from sim.jobs.sweep_worker import result_row
    from sim.sweep.design import RunSpec

    game = load_game(BASELINE)
    result_row(RunSpec(0, 0, 0, 0, ()), run_game(game, seed=0))
    profiler = cProfile.Profile()
    profiler.enable()
    for seed in range(n):
        result_row(RunSpec(seed, 0, seed, seed, ()), run_game(game, seed=seed))
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    total = sum(tt for _, _, tt, _, _ in stats.values())
    for label, functions in STAGES.items():
        share = sum(
            ct
            for (file, _, func), (_, _, _, ct, _) in stats.items()
            if any(func == name and file.endswith(suffix) for suffix, name in functions)
        )
        print(f"  {share / total:6.1%}  {label}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sweeps, no 10^5 runs")
    parser.add_argument("--profile", action="store_true", help="only print where a run's time goes")
    args = parser.parse_args()
    if args.profile:
        print("share of the time of a baseline run with its result row (cProfile, 500 runs):")
        profile_shares(500)
        return
    n_single, n_speed = (200, 2000) if args.quick else (1000, 20_000)
    run_s, row_s = single_run_times(n_single)
    print(
        f"single run (median of {n_single}): {run_s * 1e3:.2f} ms; "
        f"with its result row: {row_s * 1e3:.2f} ms ({1 / row_s:.0f} runs/s on one core)"
    )
    rounds = 1 if args.quick else 5
    speeds = throughput(n_speed, rounds)
    one, two, dask = (statistics.median(speeds[k]) for k in ("1 worker", "2 workers", "dask"))
    efficiency = statistics.median(
        b / (2 * a) for a, b in zip(speeds["1 worker"], speeds["2 workers"], strict=True)
    )
    dask_share = statistics.median(
        d / b for b, d in zip(speeds["2 workers"], speeds["dask"], strict=True)
    )
    print(
        f"sweep of {n_speed} runs, local backend (median of {rounds}): 1 worker "
        f"{one:.0f} runs/s, 2 workers {two:.0f} runs/s; parallel efficiency "
        f"{efficiency:.0%} (median over rounds)"
    )
    print(
        f"sweep of {n_speed} runs, Dask LocalCluster with 2 workers (median of {rounds}): "
        f"{dask:.0f} runs/s ({dask_share:.0%} of the local backend, median over rounds)"
    )
    sizes = (1_000, 10_000) if args.quick else (1_000, 10_000, 100_000)
    for size in sizes:
        m = measure_sweep(size, 2, "local")
        print(
            f"sweep of {size:>7,} runs on 2 workers: {m['seconds']:.0f} s, peak memory "
            f"{m['main_mb']:.0f} MB (sweep process), {m['worker_mb']:.0f} MB (largest "
            f"worker), {m['failed']} failed"
        )


if __name__ == "__main__":
    main()

"""Speed and memory of the simulator on the Istanbul baseline (a benchmark, not a test).

    python benchmarks/bench.py                  # everything (15-25 minutes on 2 cores)
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
* peak resident memory of sweeps of 10^3, 10^4 and 10^5 runs (the sweep process, from
  its ``VmHWM`` where Linux gives it, and the largest worker, from ``getrusage``), each
  sweep in a fresh process;
* runs per second on 2 workers of sweeps of distinct points that change no frontier
  (two fighting costs) and that do (two saliences; two ideals), next to a
  replications-only sweep, in three interleaved rounds (one with ``--quick``; medians,
  and the ratios' medians over rounds), and the CPU time of one such run on one core,
  the kinds taking turns in six rounds (two with ``--quick``; the ratios' medians:
  robust to a busy machine and to a drift of its speed);
* wall and CPU time of ``python -m sim run`` of the baseline with its five figures and
  with ``--no-plots`` (and of the imports alone), the package's bytecode compiled first as
  ``pip install .`` compiles it;
* a summary: each figure next to its target (issue 17), met or missed, with the load
  average (wall times on a shared machine are only as good as its idle cores).

Sweeps run without plots. Their runs per second are steady rates: counted from the first
finished chunk (the worker start-up, about 2 s per process, excluded) to the chunk that
brings a sweep to 90% of its runs (the drain at its end, one worker idle while the other
finishes, and the summary written after the last run excluded; :data:`STEADY_SHARE`).
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


SWEEP_KINDS = {
    # replications of the baseline point only
    "replications": "",
    # distinct points that change no frontier or offer set (two fighting costs)
    "non-frontier": """
  - path: parties.russia.fighting_cost
    linear: {start: 0.02, stop: 0.2}
  - path: parties.ukraine.fighting_cost
    linear: {start: 0.02, stop: 0.2}
""",
    # distinct points that change the preferences (two territorial saliences)
    "frontier": """
  - path: parties.russia.positions.territory.salience
    linear: {start: 0.5, stop: 2.0}
  - path: parties.ukraine.positions.territory.salience
    linear: {start: 0.5, stop: 2.0}
""",
    # distinct points that move two ideals (two issues' grids and weighted sums)
    "ideals": """
  - path: parties.united_states.positions.sanctions.ideal
    linear: {start: 0.5, stop: 0.9}
  - path: parties.european_allies.positions.guarantees.ideal
    linear: {start: 0.0, stop: 0.3}
""",
}


def sweep_file(folder: Path, runs: int, kind: str = "replications") -> Path:
    """A sweep of ``runs`` runs of the baseline: ``runs`` replications of one point, or
    ``runs`` random distinct points of :data:`SWEEP_KINDS` ``kind``, one run each."""
    path = folder / f"bench_{kind}_{runs}.yaml"
    head = f"title: benchmark {kind} {runs}\nbase: {BASELINE}\nseed: 1\n"
    if kind == "replications":
        body = f"design: grid\nreplications: {runs}\nparameters: []\n"
    else:
        body = f"design: random\nsamples: {runs}\nreplications: 1\nparameters:{SWEEP_KINDS[kind]}"
    path.write_text(head + body, encoding="utf-8")
    return path


STEADY_SHARE = 0.9
"""Runs per second of a sweep are counted from its first finished chunk (the workers
started) to the chunk that brings it to this share of its runs: the steady rate of a long
sweep, without the start-up, nor the drain at its end (one worker idle while the other
finishes its last chunk: a chunk's time, up to 10% of a short sweep of slow runs), nor
the summary written after the last run."""


def measure_sweep(runs: int, workers: int, backend: str, kind: str = "replications") -> dict:
    """Run one sweep in a fresh process; return its steady runs/s (:data:`STEADY_SHARE`),
    its duration and peak memory (MB)."""
    code = f"""
import json, resource, sys, time
from sim.jobs import sweep as S
from sim.jobs.sweep import run_sweep
stored = []  # (time, runs stored so far) at each finished chunk
original = S.RunStore.add
def add(self, table):
    stored.append((time.perf_counter(), (stored[-1][1] if stored else 0) + table.num_rows))
    original(self, table)
S.RunStore.add = add
t0 = time.perf_counter()
run = run_sweep(sys.argv[1], workers={workers}, backend="{backend}", out=sys.argv[2],
                progress=False)
t1 = time.perf_counter()
(t_first, n_first), total = stored[0], stored[-1][1]
t_last, n_last = next(((t, n) for t, n in stored[1:] if n >= {STEADY_SHARE} * total), stored[0])
steady = (n_last - n_first) / (t_last - t_first) if len(stored) > 1 else float("nan")
me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
try:  # VmHWM starts at exec; ru_maxrss also counts the parent's pages before exec
    status = open("/proc/self/status").read().split("VmHWM:")[1]
    me = int(status.split()[0]) / 1024
except (OSError, IndexError):
    pass
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({{"runs": run.completed, "failed": run.failed, "seconds": t1 - t0,
                  "rps": steady, "main_mb": me, "worker_mb": kids}}))
"""
    with tempfile.TemporaryDirectory() as tmp:
        file = sweep_file(Path(tmp), runs, kind)
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


def distinct_points(n_reps: int, n_points: int, rounds: int) -> dict[str, dict]:
    """Runs per second on 2 local workers of sweeps of distinct points (non-frontier:
    fighting costs; frontier: saliences; ideals) next to a replications-only sweep, in
    ``rounds`` interleaved rounds of the four sweeps (every reading printed). Each kind's
    runs/s is its median over rounds, and each ratio to the replications' runs/s the median of the
    ratios within a round (sweeps about a minute apart: a shared machine's drift largely
    cancels)."""
    kinds = ("replications", "non-frontier", "frontier", "ideals")
    readings: dict[str, list[dict]] = {kind: [] for kind in kinds}
    for k in range(rounds):
        for kind in kinds:
            runs = n_reps if kind == "replications" else n_points
            readings[kind].append(measure_sweep(runs, 2, "local", kind))
        rps = {kind: readings[kind][-1]["rps"] for kind in kinds}
        print(
            f"  round {k + 1} of {rounds}: runs/s on 2 workers "
            + ", ".join(f"{kind} {v:.0f}" for kind, v in rps.items())
            + f"; non-frontier / replications {rps['non-frontier'] / rps['replications']:.0%}",
            flush=True,
        )
    out = {}
    for kind in kinds:
        rps = [m["rps"] for m in readings[kind]]
        pairs = zip(readings[kind], readings["replications"], strict=True)
        ratios = [m["rps"] / r["rps"] for m, r in pairs]
        out[kind] = {
            "runs": readings[kind][0]["runs"],
            "rps": statistics.median(rps),
            "ratio": statistics.median(ratios),
        }
    return out


def cpu_per_run(n: int, rounds: int) -> dict[str, dict[str, float]]:
    """CPU milliseconds of one run with its result row, in this process on one core, as a
    sweep worker makes it (``game_for``, ``run_game``, ``result_row``): replications of
    the baseline point, and distinct points of each :data:`SWEEP_KINDS` kind (drawn
    uniformly from its ranges), ``n`` of each in ``rounds`` rounds that take the kinds in
    turn. A kind's turn starts with one untimed run (replications find their point's game
    and tables again after the other kinds' points have pushed them out of the caches, as
    they would not in a sweep). CPU time (``time.process_time``) does not count the time
    other processes take from a shared machine. Returns per kind the mean ``ms`` and the
    median over rounds of the replications' time over the kind's (``share``: the kind's
    speed as a share of the replications')."""
    import numpy as np
    import yaml

    from sim.jobs.run import run_game
    from sim.jobs.sweep_worker import game_for, result_row
    from sim.scenario.yaml_io import read_yaml
    from sim.sweep.design import RunSpec

    base = read_yaml(BASELINE)
    rng = np.random.default_rng(1)
    plans = {}
    for kind, text in SWEEP_KINDS.items():
        ranges = [(p["path"], p["linear"]) for p in yaml.safe_load(text or "[]")]
        plans[kind] = [
            tuple((path, float(rng.uniform(r["start"], r["stop"]))) for path, r in ranges)
            for _ in range(n + rounds)
        ]

    def one(seed: int, params: tuple) -> None:
        game = game_for("bench", base, params)
        result_row(RunSpec(seed, 0, 0, seed, params), run_game(game, seed=seed))

    per_round = -(-n // rounds)
    spent: dict[str, list[float]] = {kind: [] for kind in plans}
    for k in range(rounds):
        chunk = range(k * per_round, min(n, (k + 1) * per_round))
        for kind, points in plans.items():
            one(n + k, points[n + k])  # untimed
            t0 = time.process_time()
            for seed in chunk:
                one(seed, points[seed])
            spent[kind].append((time.process_time() - t0) / len(chunk) * 1e3)
    reps = spent["replications"]
    return {
        kind: {
            "ms": statistics.fmean(times),
            "share": statistics.median(r / t for r, t in zip(reps, times, strict=True)),
        }
        for kind, times in spent.items()
    }


def run_command_times(repeats: int) -> dict[str, dict[str, float]]:
    """Wall and CPU seconds (user + system, this process's children: the run and its
    figure process) of ``python -m sim run BASELINE`` with its five figures and with
    ``--no-plots``, and of importing what the run imports; medians of ``repeats``.

    The package's bytecode is compiled first, as ``pip install .`` (the README's command)
    compiles it: in an editable checkout under ``PYTHONDONTWRITEBYTECODE=1`` every run
    would otherwise compile about 70 modules from source (0.15-0.2 s of each run)."""
    import compileall
    import resource

    import sim

    compileall.compile_dir(Path(sim.__file__).parent, quiet=1)

    def cpu() -> float:
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime

    commands = {
        "sim run (5 figures)": ["-m", "sim", "run", str(BASELINE)],
        "sim run --no-plots": ["-m", "sim", "run", str(BASELINE), "--no-plots"],
        "python -c 'import sim.jobs.run'": ["-c", "import sim.jobs.run"],
        "python -c 'import mesa'": ["-c", "import mesa"],
    }
    times: dict[str, dict[str, list[float]]] = {k: {"wall": [], "cpu": []} for k in commands}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(repeats):
            for i, (name, args) in enumerate(commands.items()):
                extra = ["--out", str(Path(tmp) / f"{k}-{i}")] if "run" in args else []
                c0, t0 = cpu(), time.perf_counter()
                subprocess.run(
                    [sys.executable, *args, *extra], check=True, capture_output=True, cwd=ROOT
                )
                times[name]["wall"].append(time.perf_counter() - t0)
                times[name]["cpu"].append(cpu() - c0)
    return {name: {key: statistics.median(v) for key, v in t.items()} for name, t in times.items()}


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
    n_cpu, cpu_rounds = (100, 2) if args.quick else (600, 6)
    costs = cpu_per_run(n_cpu, cpu_rounds)
    print(
        f"CPU per run with its row, one core ({n_cpu} each, {cpu_rounds} rounds): "
        + ", ".join(
            f"{k} {c['ms']:.2f} ms ({c['share']:.0%} of replications' speed)"
            for k, c in costs.items()
        ),
        flush=True,
    )
    n_reps, n_points = (2000, 300) if args.quick else (5000, 2000)
    point_rounds = 1 if args.quick else 3
    points = distinct_points(n_reps, n_points, point_rounds)
    for kind, m in points.items():
        print(
            f"sweep of {m['runs']:,} runs ({kind}) on 2 workers: {m['rps']:.0f} runs/s "
            f"({m['ratio']:.0%} of replications'; medians of {point_rounds} rounds)",
            flush=True,
        )
    repeats = 1 if args.quick else 3
    commands = run_command_times(repeats)
    for name, t in commands.items():
        print(
            f"{name}: {t['wall']:.2f} s wall, {t['cpu']:.2f} s CPU (median of {repeats})",
            flush=True,
        )
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
    memory = {}
    for size in sizes:
        m = memory[size] = measure_sweep(size, 2, "local")
        print(
            f"sweep of {size:>7,} runs on 2 workers: {m['seconds']:.0f} s, peak memory "
            f"{m['main_mb']:.0f} MB (sweep process), {m['worker_mb']:.0f} MB (largest "
            f"worker), {m['failed']} failed",
            flush=True,
        )
    print_summary(points, costs, commands, memory)


def print_summary(points: dict, costs: dict, commands: dict, memory: dict) -> None:
    """Every figure of issue 17 next to its target, in one table."""
    import os

    small, large = memory[min(memory)], memory[max(memory)]
    cpu_share = costs["non-frontier"]["share"]
    rows = [
        (
            "non-frontier points / replications (CPU per run)",
            f"{cpu_share:.0%}",
            ">= 50%",
            cpu_share >= 0.5,
        ),
        (
            "non-frontier points / replications (runs/s, 2 workers)",
            f"{points['non-frontier']['ratio']:.0%}",
            ">= 50%",
            points["non-frontier"]["ratio"] >= 0.5,
        ),
        (
            "frontier points (saliences), runs/s on 2 workers",
            f"{points['frontier']['rps']:.0f}",
            ">= 200",
            points["frontier"]["rps"] >= 200,
        ),
        (
            "frontier points (ideals), runs/s on 2 workers",
            f"{points['ideals']['rps']:.0f}",
            ">= 200",
            points["ideals"]["rps"] >= 200,
        ),
        (
            "sim run with its 5 figures, wall s",
            f"{commands['sim run (5 figures)']['wall']:.2f}",
            "<= 2",
            commands["sim run (5 figures)"]["wall"] <= 2,
        ),
        (
            "sim run --no-plots, wall s",
            f"{commands['sim run --no-plots']['wall']:.2f}",
            "<= 0.5",
            commands["sim run --no-plots"]["wall"] <= 0.5,
        ),
        (
            f"peak memory {max(memory):,} / {min(memory):,} runs (sweep, worker)",
            f"{large['main_mb'] / small['main_mb']:.2f}, "
            f"{large['worker_mb'] / small['worker_mb']:.2f}",
            "flat (~1)",
            max(large["main_mb"] / small["main_mb"], large["worker_mb"] / small["worker_mb"])
            < 1.25,
        ),
    ]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nsummary (load average during the run {load} on {os.cpu_count()} cores):")
    width = max(len(r[0]) for r in rows)
    for name, value, target, met in rows:
        print(f"  {name:<{width}}  {value:>12}  target {target:<9}  {'met' if met else 'MISSED'}")


if __name__ == "__main__":
    main()

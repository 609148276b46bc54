"""The issue-15 negotiation timed in NegMAS and in the simulator, side by side, interleaved.

    pip install ".[bench]"                            # NegMAS 0.16
    python benchmarks/negmas_side_by_side.py          # 30 interleaved rounds
    python benchmarks/negmas_side_by_side.py --rounds 5 --profile

The negotiation is ``scenarios/negmas_boulware_conceder.yaml``: Boulware (e = 4) against
Conceder (e = 0.25), 2 parties, 3 issues of 10 values, at most 100 steps, the stacked
alternating offers protocol with the ``lowest_own_utility`` offer policy. Each round
times, one after the other, one whole negotiation in each of:

* ``negmas``: the mechanism and its negotiators built from the compiled scenario
  (``negmas_reference.negmas_mechanism``) and run (NegMAS sorts the outcomes when the
  negotiators first offer);
* ``sim fast path``: from a freshly compiled game, every shared cache emptied first
  (:func:`sim.game.clear_shared_caches`): every outcome enumerated and ranked, and the
  turns planned (:func:`sim.behaviour.stacked.plan_game`), which is what ``sim run``
  follows for this protocol;
* ``sim run``: ``run_game`` on a freshly compiled game, shared caches emptied: the same
  plus the Mesa model, its per-step records and world snapshots;
* ``sim plan (warm)``: the turns planned again on an already compiled game whose offer
  set (the outcomes ranked by each party) is cached: the negotiation alone;
* ``sim run (warm)``: ``run_game`` on an already compiled game, as in a sweep's
  replications: offer set and plan cached, so this times the Mesa model replaying the
  plan into records.

Before timing, it checks that both engines make the same offers: every step's proposer,
outcome and utilities equal (so identical own-utility sequences). It prints the median
time of each and the median over rounds of NegMAS's time divided by ours within the
round (robust to the drift of a shared machine's speed).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from negmas_reference import SCENARIO, negmas_mechanism, trace  # noqa: E402

from sim.behaviour.stacked import plan_game  # noqa: E402
from sim.behaviour.strategies import make_strategy  # noqa: E402
from sim.game import clear_shared_caches, compile_game  # noqa: E402
from sim.jobs.load import load_game  # noqa: E402
from sim.jobs.run import run_game  # noqa: E402


def negmas_once(game) -> None:
    mechanism, _ = negmas_mechanism(game)
    mechanism.run()


def fast_once(scenario) -> None:
    clear_shared_caches()
    game = compile_game(scenario)
    plan_once(game, strategies_of(game))


def strategies_of(game) -> list:
    scenario = game.scenario
    return [
        make_strategy(p.strategy.name, p.strategy.params, p.id, game.party_ids)
        for p in (scenario.party(pid) for pid in game.party_ids)
    ]


def plan_once(game, strategies) -> None:
    plan_game(game, strategies, game.scenario.protocol.max_rounds)


def run_once(scenario) -> None:
    clear_shared_caches()
    run_game(compile_game(scenario))


def same_offers(game) -> int:
    """Check that both engines make the same offers; return the number of steps."""
    mechanism, ufuns = negmas_mechanism(game)
    mechanism.run()
    theirs = trace(mechanism, ufuns, game)
    ours = run_game(game).records
    assert len(theirs) == len(ours), (len(theirs), len(ours))
    for t, r in zip(theirs, ours, strict=True):
        outcome = list(game.format_outcome(r.outcome).values())
        assert (t["proposer"], t["outcome"]) == (r.proposer_id, outcome), (t, r)
        assert t["utilities"] == r.utilities.tolist(), (t, r)
    return len(ours)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=30, help="interleaved rounds (30)")
    parser.add_argument("--profile", action="store_true", help="also profile one sim run")
    args = parser.parse_args(argv)
    import negmas

    game = load_game(SCENARIO)
    scenario = game.scenario
    steps = same_offers(game)
    strategies = strategies_of(game)
    print(f"NegMAS {negmas.__version__}: identical offers in all {steps} steps")
    engines = {
        "negmas": lambda: negmas_once(game),
        "sim fast path": lambda: fast_once(scenario),
        "sim run": lambda: run_once(scenario),
        "sim plan (warm)": lambda: plan_once(game, strategies),
        "sim run (warm)": lambda: run_game(game),
    }
    for once in engines.values():  # warm up imports and first-call costs
        once()
    times: dict[str, list[float]] = {name: [] for name in engines}
    for _ in range(args.rounds):
        for name, once in engines.items():
            start = time.perf_counter()
            once()
            times[name].append(time.perf_counter() - start)
    print(f"median of {args.rounds} interleaved rounds, one negotiation each:")
    for name, values in times.items():
        ratios = [n / v for n, v in zip(times["negmas"], values, strict=True)]
        ratio = "" if name == "negmas" else f"  {statistics.median(ratios):6.1f}x faster"
        print(f"  {name:15s} {statistics.median(values) * 1e3:8.3f} ms{ratio}")
    if args.profile:
        import cProfile
        import pstats

        cProfile.runctx("for _ in range(50): run_once(scenario)", globals(), locals(), "prof")
        pstats.Stats("prof").sort_stats("cumulative").print_stats(20)
        Path("prof").unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The command line: a thin layer over :mod:`sim.jobs`.

User mistakes (bad scenario files, bad options) print one clear message on stderr and
exit with code 2, without a traceback and without writing anything to ``results/``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence

from sim import __version__
from sim.scenario import InputError

USER_ERROR = 2


def _cmd_run(args: argparse.Namespace) -> int:
    from sim.jobs.run import run_to_folder
    from sim.output.text import describe_run

    folder, summary = run_to_folder(
        args.scenario, args.seed, args.rounds, args.out, plots=not args.no_plots
    )
    print(describe_run(summary, folder))
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from sim.jobs.load import load_game
    from sim.output.text import describe_scenario
    from sim.scenario.diff import format_diff, scenario_diff
    from sim.scenario.record import split_record

    game = load_game(args.scenario)
    if args.diff is None:
        print(describe_scenario(game, args.scenario))
        record = split_record(args.scenario)[1]
        if record is not None:
            print(f"  record: {len(record)} observed outcomes (never an input to a run)")
        return 0
    base = load_game(args.diff)
    print(format_diff(scenario_diff(base.scenario, game.scenario), args.diff, args.scenario))
    return 0


def _cmd_solve(args: argparse.Namespace) -> int:
    from sim.jobs.solve import solve_to_folder
    from sim.output.text import describe_solution

    folder, result = solve_to_folder(args.scenario, args.out)
    print(describe_solution(result, folder))
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    from sim.jobs.sweep import finish, run_sweep
    from sim.output.text import describe_dry_run, describe_sweep

    if args.dry_run:
        print(describe_dry_run(args.file))
        return 0
    if args.verify:
        from sim.jobs.sweep import verify_sweep

        report = verify_sweep(args.verify)
        print(report["text"])
        return 0 if report["complete"] else 1
    run = run_sweep(
        args.file,
        args.workers,
        args.backend,
        args.scheduler,
        args.out,
        args.resume,
        args.chunk_size,
    )
    from sim.sweep import load_sweep

    summary = finish(run, load_sweep(run.folder / "sweep.yaml"), plots=not args.no_plots)
    print(describe_sweep(run, summary))
    if run.interrupted:
        return 130
    return 1 if run.failed else 0


def _cmd_robustness(args: argparse.Namespace) -> int:
    from sim.jobs.robustness import declared_ranges, run_robustness
    from sim.output.text import describe_robustness

    run, summary = run_robustness(
        args.scenario,
        args.design,
        args.samples,
        args.replications,
        args.seed,
        args.workers,
        args.out,
        plots=not args.no_plots,
        rounds=args.rounds,
    )
    print(describe_robustness(run, summary, len(declared_ranges(args.scenario))))
    return 130 if run.interrupted else (1 if run.failed else 0)


def _cmd_backtest(args: argparse.Namespace) -> int:
    from sim.jobs.backtest import run_backtest
    from sim.output.text import describe_backtest

    fit = [p.strip() for p in args.fit.split(",") if p.strip()] if args.fit else None
    folder, summary = run_backtest(
        args.dir,
        args.out,
        args.workers,
        args.samples,
        args.replications,
        args.seed,
        fit,
        args.params,
        plots=not args.no_plots,
    )
    print(describe_backtest(summary, folder))
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from sim.jobs.compare import compare, describe_comparison

    print(describe_comparison(compare(args.dirs, args.labels, args.out)))
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from sim.jobs.report import write_folder_report

    path = write_folder_report(args.dir, args.out)
    print(f"report written to {path}")
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    from sim.scenario import Scenario
    from sim.scenario.record import record_json_schema

    schema = Scenario.model_json_schema()
    record = record_json_schema()
    schema.setdefault("$defs", {}).update(record.pop("$defs", {}))
    schema["properties"]["record"] = record
    print(json.dumps(schema, indent=2))
    return 0


def _command(sub, name: str, summary: str, examples: list[str]) -> argparse.ArgumentParser:
    """A subcommand whose ``--help`` starts with ``summary`` and ends with ``examples``."""
    return sub.add_parser(
        name,
        help=summary,
        description=summary[0].upper() + summary[1:] + ".",
        epilog="examples:\n" + "\n".join(f"  {example}" for example in examples),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _add_run(sub) -> None:
    """The ``sim run`` command."""
    run = _command(
        sub,
        "run",
        "run a scenario file and write data and plots",
        [
            "sim run scenarios/istanbul_2025_06_02.yaml",
            "sim run scenarios/istanbul_2025_06_02.yaml --seed 7 --rounds 52 --no-plots",
        ],
    )
    run.add_argument("scenario", help="scenario YAML file")
    run.add_argument("--seed", type=int, help="random seed (default: the scenario's seed)")
    run.add_argument("--rounds", type=int, help="maximum rounds (default: protocol.max_rounds)")
    run.add_argument(
        "--out", help="output folder (must not exist; default results/<scenario>-<UTC time>)"
    )
    run.add_argument("--no-plots", action="store_true", help="write the data files only")
    run.set_defaults(func=_cmd_run)


def _add_validate(sub) -> None:
    """The ``sim validate`` command."""
    val = _command(
        sub,
        "validate",
        "check a scenario file and describe it",
        [
            "sim validate scenarios/istanbul_2025_06_02.yaml",
            "sim validate --diff scenarios/istanbul_2025_06_02.yaml "
            "scenarios/cf_package_talks.yaml",
        ],
    )
    val.add_argument("scenario", help="scenario YAML file")
    val.add_argument(
        "--diff",
        metavar="BASE",
        help="also check BASE and print every field "
        "in which SCENARIO differs from it (sim validate --diff BASE SCENARIO)",
    )
    val.set_defaults(func=_cmd_validate)


def _add_solve(sub) -> None:
    """The ``sim solve`` command."""
    solve = _command(
        sub,
        "solve",
        "print and save the reference points (Nash, KS, ...)",
        ["sim solve scenarios/istanbul_2025_06_02.yaml"],
    )
    solve.add_argument("scenario", help="scenario YAML file")
    solve.add_argument(
        "--out", help="output folder (must not exist; default results/<scenario>-solve-<UTC time>)"
    )
    solve.set_defaults(func=_cmd_solve)


def _add_sweep(sub) -> None:
    """The ``sim sweep`` command."""
    sweep = _command(
        sub,
        "sweep",
        "run a parameter sweep (points x replications)",
        [
            "sim sweep scenarios/sweeps/territory_salience_support.yaml --dry-run",
            "sim sweep scenarios/sweeps/territory_salience_support.yaml --workers 2",
            "sim sweep --resume results/territory_salience_support-20250602T120000Z",
            "sim sweep --verify results/territory_salience_support-20250602T120000Z",
        ],
    )
    sweep.add_argument("file", nargs="?", help="sweep YAML file (omit with --resume)")
    sweep.add_argument("--workers", type=int, help="parallel workers (default: all cores)")
    sweep.add_argument(
        "--backend",
        choices=["local", "dask"],
        default="local",
        help="local processes (default) or dask.distributed",
    )
    sweep.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler to connect to (e.g. tcp://10.0.0.5:8786); default: a new LocalCluster",
    )
    sweep.add_argument(
        "--out", help="output folder (must not exist; default results/<sweep>-<UTC time>)"
    )
    sweep.add_argument("--resume", metavar="DIR", help="finish an interrupted sweep in DIR")
    sweep.add_argument(
        "--dry-run",
        action="store_true",
        help="print the number of runs and the first parameter sets, then stop",
    )
    sweep.add_argument(
        "--chunk-size",
        type=int,
        help="runs per task (default: about four tasks per worker, at most 100 runs "
        "with --backend local, 500 with dask)",
    )
    sweep.add_argument("--no-plots", action="store_true", help="skip the plots")
    sweep.add_argument(
        "--verify",
        metavar="DIR",
        help="check a sweep folder: rows on disk against the runs planned, duplicates and "
        "gaps (exit 0 when complete and clean, 1 otherwise)",
    )
    sweep.set_defaults(func=_cmd_sweep)


def _add_robustness(sub) -> None:
    """The ``sim robustness`` command."""
    rob = _command(
        sub,
        "robustness",
        "sweep every assumption's declared range at once and report outcome shares",
        [
            "sim robustness scenarios/istanbul_2025_06_02.yaml --samples 200",
            "sim robustness scenarios/istanbul_2025_06_02.yaml --design sobol --samples 64",
        ],
    )
    rob.add_argument("scenario", help="scenario YAML file (its assumptions declare 'range')")
    rob.add_argument(
        "--design",
        choices=["lhs", "random", "sobol"],
        default="lhs",
        help="lhs: Latin hypercube (default); sobol: Saltelli sampling and Sobol' indices",
    )
    rob.add_argument(
        "--samples",
        type=int,
        default=200,
        help="design points (lhs, random: default 200); for sobol Saltelli's N, a power of 2",
    )
    rob.add_argument(
        "--replications", type=int, default=2, help="seeds per design point (default 2)"
    )
    rob.add_argument("--seed", type=int, default=1, help="master seed of the design (default 1)")
    rob.add_argument(
        "--rounds", type=int, help="simulation horizon of every run (default: protocol.max_rounds)"
    )
    rob.add_argument("--workers", type=int, help="parallel workers (default: all cores)")
    rob.add_argument(
        "--out", help="output folder (must not exist; default results/<scenario>-robustness-<UTC>)"
    )
    rob.add_argument("--no-plots", action="store_true", help="skip the plots")
    rob.set_defaults(func=_cmd_robustness)


def _add_backtest(sub) -> None:
    """The ``sim backtest`` command."""
    bt = _command(
        sub,
        "backtest",
        "forecast dated episodes (scenarios with a record) and score them against it",
        [
            "sim backtest",
            "sim backtest scenarios/history --params scenarios/fits/fitted_on_history.yaml",
        ],
    )
    bt.add_argument(
        "dir",
        nargs="?",
        default="scenarios/history",
        metavar="DIR",
        help="folder of episode files (default scenarios/history)",
    )
    bt.add_argument(
        "--out", help="output folder (must not exist; default results/backtest-<UTC time>)"
    )
    bt.add_argument("--workers", type=int, help="parallel workers (default: all cores)")
    bt.add_argument(
        "--samples", type=int, default=100, help="design points per episode (default 100)"
    )
    bt.add_argument(
        "--replications", type=int, default=2, help="seeds per design point (default 2)"
    )
    bt.add_argument("--seed", type=int, default=1, help="master seed (default 1)")
    bt.add_argument(
        "--fit",
        metavar="PATH,...",
        help="fit these declared-range parameters on the earlier episodes only (rolling "
        "origin), e.g. parties.russia.strategy.params.aspiration",
    )
    bt.add_argument(
        "--params", metavar="FILE", help="apply a frozen parameters file ({path: value})"
    )
    bt.add_argument("--no-plots", action="store_true", help="skip the plots")
    bt.set_defaults(func=_cmd_backtest)


def _add_compare(sub) -> None:
    """The ``sim compare`` command."""
    comp = _command(
        sub,
        "compare",
        "compare run and sweep folders: overlaid figures and a difference table",
        ["sim compare results/baseline results/cf --labels baseline,counterfactual"],
    )
    comp.add_argument("dirs", nargs="+", metavar="DIR", help="run or sweep folders (at least two)")
    comp.add_argument(
        "--labels",
        metavar="A,B,...",
        help="one label per folder, comma-separated (default: the folder names)",
    )
    comp.add_argument(
        "--out",
        metavar="DIR",
        help="output folder (must not exist; default results/compare-<UTC time>)",
    )
    comp.set_defaults(func=_cmd_compare)


def _add_report(sub) -> None:
    """The ``sim report`` command."""
    report = _command(
        sub,
        "report",
        "write a self-contained HTML report of a run, sweep or comparison folder",
        [
            "sim report results/baseline",
            "sim report results/compare-20250602T120000Z --out briefing.html",
        ],
    )
    report.add_argument("dir", metavar="DIR", help="a run, sweep or comparison folder")
    report.add_argument(
        "--out", metavar="FILE", help="the HTML file to write (default DIR/report.html)"
    )
    report.set_defaults(func=_cmd_report)


def _add_schema(sub) -> None:
    """The ``sim schema`` command."""
    schema = _command(
        sub,
        "schema",
        "print the JSON Schema of scenario files (and of an episode's record)",
        ["sim schema > scenario.schema.json"],
    )
    schema.set_defaults(func=_cmd_schema)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sim", description="Game-theoretic simulator of the Russia–Ukraine ceasefire talks."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_run(sub)
    _add_validate(sub)
    _add_solve(sub)
    _add_sweep(sub)
    _add_robustness(sub)
    _add_backtest(sub)
    _add_compare(sub)
    _add_report(sub)
    _add_schema(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sim`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.func
    try:
        return handler(args)
    except InputError as exc:
        print(str(exc), file=sys.stderr)
        return USER_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader of the output went away (`sim schema | head`): stop quietly, as other
        # command-line tools do; stdout goes to /dev/null so that its last flush cannot fail
        # (https://docs.python.org/3/library/signal.html#note-on-sigpipe)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1

"""The command line: a thin layer over :mod:`sim.jobs`.

User mistakes (bad scenario files, bad options) print one clear message on stderr and
exit with code 2, without a traceback and without writing anything to ``results/``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from sim import __version__
from sim.scenario import InputError

USER_ERROR = 2


def _cmd_run(args: argparse.Namespace) -> int:
    from sim.jobs.run import run_to_folder
    from sim.output.text import describe_run

    folder, summary = run_to_folder(args.scenario, args.seed, args.rounds, args.out)
    print(describe_run(summary, folder))
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from sim.jobs.load import load_game
    from sim.output.text import describe_scenario
    from sim.scenario.diff import format_diff, scenario_diff

    game = load_game(args.scenario)
    if args.diff is None:
        print(describe_scenario(game, args.scenario))
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


def _cmd_schema(args: argparse.Namespace) -> int:
    from sim.scenario import Scenario

    print(json.dumps(Scenario.model_json_schema(), indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sim", description="Game-theoretic simulator of the Russia–Ukraine ceasefire talks."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run a scenario file and write data and plots")
    run.add_argument("scenario", help="scenario YAML file")
    run.add_argument("--seed", type=int, help="random seed (default: the scenario's seed)")
    run.add_argument("--rounds", type=int, help="maximum rounds (default: protocol.max_rounds)")
    run.add_argument(
        "--out", help="output folder (must not exist; default results/<scenario>-<UTC time>)"
    )
    run.set_defaults(func=_cmd_run)

    val = sub.add_parser("validate", help="check a scenario file and describe it")
    val.add_argument("scenario", help="scenario YAML file")
    val.add_argument(
        "--diff",
        metavar="BASE",
        help="also check BASE and print every field "
        "in which SCENARIO differs from it (sim validate --diff BASE SCENARIO)",
    )
    val.set_defaults(func=_cmd_validate)

    solve = sub.add_parser("solve", help="print and save the reference points (Nash, KS, ...)")
    solve.add_argument("scenario", help="scenario YAML file")
    solve.add_argument(
        "--out", help="output folder (must not exist; default results/<scenario>-solve-<UTC time>)"
    )
    solve.set_defaults(func=_cmd_solve)

    schema = sub.add_parser("schema", help="print the JSON Schema of scenario files")
    schema.set_defaults(func=_cmd_schema)
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

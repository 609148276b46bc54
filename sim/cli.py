"""The command line: a thin layer over :mod:`sim.jobs`.

User mistakes (bad scenario files, bad options) print one clear message on stderr and
exit with code 2, without a traceback and without writing anything to ``results/``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from collections.abc import Callable, Sequence

from sim import __version__

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


def _cmd_discover(args: argparse.Namespace) -> int:
    from sim.jobs.discover import NothingToDiscoverError, Settings, describe, discover

    settings = Settings(
        min_density=args.min_density,
        box=args.box,
        peel_alpha=args.peel_alpha,
        paste_alpha=args.paste_alpha,
        mass_min=args.mass_min,
        cart_depth=args.cart_depth,
        seed=args.seed,
        plots=not args.no_plots,
    )
    try:
        found = discover(args.dir, args.where, args.out, settings)
    except NothingToDiscoverError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(describe(found))
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from sim.jobs.report import write_folder_report

    path = write_folder_report(args.dir, args.out)
    print(f"report written to {path}")
    return 0


def _cmd_view(args: argparse.Namespace) -> int:
    from sim.view.server import serve

    serve(args.scenario, args.host, args.port)
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


def _cmd_import(args: argparse.Namespace) -> int:
    from sim.jobs.interop import import_files

    path, notes = import_files(
        args.format,
        args.domain,
        args.profiles,
        args.out,
        date=args.date,
        rounds=args.rounds,
        strategy=args.strategy,
        normalise=args.normalise_weights,
    )
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"scenario written to {path}")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from sim.jobs.interop import export_scenario

    folder, files, notes = export_scenario(args.scenario, args.format, args.out)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"{len(files)} files written to {folder}: {', '.join(files)}")
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


def _add_discover(sub) -> None:
    """The ``sim discover`` command."""
    from sim.discover.defaults import SHORT_NAMES

    disc = _command(
        sub,
        "discover",
        "find which ranges of a sweep's parameters hold the runs where a condition holds "
        "(PRIM boxes, CART rules, feature scores)",
        [
            "sim discover results/ceasefire_preconditions-20250602T120000Z "
            '--where "general_ceasefire"',
            'sim discover DIR --where "agreement and ceasefire <= 0.3" --min-density 0.9',
        ],
    )
    disc.description += "\n\n" + textwrap.fill(
        "Names in --where: any column of the sweep's rows (param.<path>, term.<issue>, "
        "utility.<party>, outcome, deal, round, ceasefire_round, exchanges, ...); "
        "<issue> for term.<issue>; <path> for param.<path>; and "
        + "; ".join(f"{k}: {v}" for k, v in SHORT_NAMES.items())
        + ". Exit code 1 when the condition holds in no run or in every run.",
        78,
    )
    disc.add_argument(
        "dir", metavar="SWEEP_DIR", help="a finished sweep folder (sim sweep, sim robustness)"
    )
    disc.add_argument(
        "--where",
        required=True,
        metavar="EXPR",
        help="the runs of interest: names, numbers, comparisons, and/or/not, + - * /",
    )
    disc.add_argument(
        "--out",
        metavar="DIR",
        help="output folder (must not exist; default SWEEP_DIR/discover, replaced)",
    )
    _add_discover_tuning(disc)
    disc.add_argument("--no-plots", action="store_true", help="skip the figures")
    disc.set_defaults(func=_cmd_discover)


def _add_discover_tuning(disc) -> None:
    """The options of ``sim discover``'s methods: PRIM's box choice and peeling, CART's
    depth, and the seed of CART and the extra trees."""
    from sim.discover.defaults import MASS_MIN, MIN_DENSITY, PASTE_ALPHA, PEEL_ALPHA

    disc.add_argument(
        "--min-density",
        metavar="D",
        type=float,
        default=MIN_DENSITY,
        help=f"choose the box with the highest coverage among those with at least this density "
        f"(default {MIN_DENSITY:g})",
    )
    disc.add_argument(
        "--box", type=int, metavar="STEP", help="choose this step of the trajectory instead"
    )
    disc.add_argument(
        "--peel-alpha",
        metavar="A",
        type=float,
        default=PEEL_ALPHA,
        help=f"share peeled per step (default {PEEL_ALPHA:g})",
    )
    disc.add_argument(
        "--paste-alpha",
        metavar="A",
        type=float,
        default=PASTE_ALPHA,
        help=f"share pasted per step (default {PASTE_ALPHA:g})",
    )
    disc.add_argument(
        "--mass-min",
        metavar="M",
        type=float,
        default=MASS_MIN,
        help=f"smallest box and CART leaf, as a share of the runs (default {MASS_MIN:g})",
    )
    disc.add_argument(
        "--cart-depth", metavar="N", type=int, default=3, help="depth of the CART tree (default 3)"
    )
    disc.add_argument(
        "--seed",
        metavar="S",
        type=int,
        default=0,
        help="seed of CART and the extra trees (default 0)",
    )


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


def _add_view(sub) -> None:
    """The ``sim view`` command."""
    view = _command(
        sub,
        "view",
        "watch a scenario round by round in the browser (Mesa SolaraViz) with its "
        "main assumptions as controls",
        [
            "sim view scenarios/istanbul_2025_06_02.yaml",
            "sim view scenarios/cf_package_talks.yaml --port 8800",
        ],
    )
    view.add_argument("scenario", help="scenario YAML file")
    view.add_argument("--port", type=int, default=8765, help="port to serve on (default 8765)")
    view.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this computer only)",
    )
    view.set_defaults(func=_cmd_view)


def _add_schema(sub) -> None:
    """The ``sim schema`` command."""
    schema = _command(
        sub,
        "schema",
        "print the JSON Schema of scenario files (and of an episode's record)",
        ["sim schema > scenario.schema.json"],
    )
    schema.set_defaults(func=_cmd_schema)


def _date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _add_import(sub) -> None:
    """The ``sim import`` command."""
    imp = _command(
        sub,
        "import",
        "turn a GENIUS or GeniusWeb domain and its profiles into a scenario file",
        [
            "sim import --domain scenarios/domains/genius/lease-domain.xml "
            "scenarios/domains/genius/lessor.xml scenarios/domains/genius/lessee.xml "
            "--out lease.yaml",
            "sim import scenarios/domains/geniusweb/supplier.json "
            "scenarios/domains/geniusweb/buyer.json --out supply.yaml --strategy conceder",
        ],
    )
    imp.add_argument("profiles", nargs="+", metavar="PROFILE", help="profile files (two or more)")
    imp.add_argument(
        "--domain", metavar="FILE", help="domain file (needed for GENIUS; optional for GeniusWeb)"
    )
    imp.add_argument("--out", required=True, metavar="FILE", help="scenario file to write (new)")
    imp.add_argument(
        "--format",
        choices=["genius", "geniusweb"],
        help="file format (default: from the extension, .xml GENIUS, .json GeniusWeb)",
    )
    imp.add_argument(
        "--strategy", default="boulware", help="every party's strategy (default boulware)"
    )
    imp.add_argument("--rounds", type=int, default=20, help="protocol.max_rounds (default 20)")
    imp.add_argument("--date", type=_date, help="the scenario's date (default today, UTC)")
    imp.add_argument(
        "--normalise-weights",
        action="store_true",
        help="divide weights that do not sum to 1 by their sum (default: an error)",
    )
    imp.set_defaults(func=_cmd_import)


def _add_export(sub) -> None:
    """The ``sim export`` command."""
    exp = _command(
        sub,
        "export",
        "write a generic scenario as a GENIUS or GeniusWeb domain and one profile per party",
        [
            "sim export scenarios/textbook_job_offer.yaml --format genius --out job-genius",
            "sim export scenarios/domains/supply.yaml --format geniusweb --out supply-gw",
        ],
    )
    exp.add_argument("scenario", help="scenario YAML file (no war block)")
    exp.add_argument(
        "--format", choices=["genius", "geniusweb"], required=True, help="the format to write"
    )
    exp.add_argument(
        "--out", required=True, metavar="DIR", help="folder to create (must not exist)"
    )
    exp.set_defaults(func=_cmd_export)


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
    _add_discover(sub)
    _add_report(sub)
    _add_view(sub)
    _add_schema(sub)
    _add_import(sub)
    _add_export(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sim`` console script.

    It turns Pydantic's plugins off unless ``PYDANTIC_DISABLE_PLUGINS`` is set already:
    looking for them reads the entry points of every installed distribution, about 40 ms
    of a 0.5 s run, and the command validates only its own schema. Set the variable to
    an empty string to keep them on."""
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from sim.scenario import InputError

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

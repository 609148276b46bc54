"""``sim report DIR``: one self-contained HTML file for a run, sweep, comparison or
backtest folder (a backtest folder holds ``scores.json`` and ``forecasts.csv``).

The folder's kind is recognised by its files (:func:`sim.compare.inputs.folder_kind`:
``comparison.json``; ``sweep.yaml`` + ``base_scenario.yaml`` + ``runs/``; ``scenario.yaml``
+ ``rounds.csv`` + ``summary.json``); anything else is an :class:`~sim.scenario.InputError`
and nothing is written. The report (default ``DIR/report.html``, replaced if it exists) is
written to a temporary sibling and renamed; it embeds every PNG under the folder as a data
URI and has no scripts and no external links (:mod:`sim.output.html`).
"""

from __future__ import annotations

from pathlib import Path

from sim.compare.inputs import folder_kind
from sim.scenario import InputError, Problem

REPORT = "report.html"


def report_path(folder: Path, out: str | Path | None) -> Path:
    """``--out`` (its folder must exist, and it must not be a folder) or ``DIR/report.html``."""
    if out is None:
        return folder / REPORT
    path = Path(out)
    if path.is_dir():
        raise InputError(str(path), [Problem("--out", "is a folder; give a file name")])
    if not path.parent.is_dir():
        raise InputError(str(path), [Problem("--out", f"no such folder: {path.parent}")])
    return path


def build_report(folder: str | Path) -> tuple[str, list]:
    """(title, sections) of the folder's report, by its kind."""
    from sim.output.report_compare import comparison_sections
    from sim.output.report_run import run_sections
    from sim.output.report_sweep import sweep_sections

    folder = Path(folder)
    if (folder / "scores.json").is_file() and (folder / "forecasts.csv").is_file():
        from sim.output.report_backtest import backtest_sections

        return backtest_sections(folder)
    kind = folder_kind(folder)
    if kind == "sweep" and not (folder / "summary.json").is_file():
        problem = Problem("summary.json", "missing: finish the sweep with sim sweep --resume DIR")
        raise InputError(str(folder), [problem])
    build = {
        "run": run_sections,
        "sweep": sweep_sections,
        "comparison": comparison_sections,
    }[kind]
    return build(folder)


def write_folder_report(folder: str | Path, out: str | Path | None = None) -> Path:
    """Write the HTML report of a run, sweep or comparison folder; return its path."""
    from sim.output.html import write_report

    folder = Path(folder)
    title, sections = build_report(folder)
    return write_report(report_path(folder, out), title, sections)

"""The report of a backtest folder (``sim report BACKTEST``): the scores of the model and
the naive baselines with their intervals, the skills, the forecast of every scored event
against what happened, the episodes (origin, runs, parameters file), then the figures and
the manifest (:mod:`sim.output.report_common`)."""

from __future__ import annotations

from pathlib import Path

from sim.output.folders import read_json
from sim.output.html import Section, Table
from sim.output.report_common import figures_section, manifest_section
from sim.output.run_files import read_csv


def _score_table(summary: dict, key: str, title: str) -> Table:
    rows = [
        [name, value["score"], value["ci95"][0], value["ci95"][1]]
        for name, value in summary["scores"][key].items()
    ]
    return Table(["forecaster or skill", title, "95% low", "95% high"], rows, caption=title)


def backtest_sections(folder: Path) -> tuple[str, list[Section]]:
    summary = read_json(folder / "scores.json")
    forecasts = read_csv(folder / "forecasts.csv")
    sections = [
        _scores_section(summary),
        _forecasts_section(forecasts),
        _episodes_section(summary),
        figures_section(folder),
        manifest_section(folder),
    ]
    return "Backtest", sections


def _scores_section(summary: dict) -> Section:
    """Brier and log scores of every forecaster, and the model's skills."""
    return Section(
        "Scores",
        [
            f"{summary['events']} scored events over {len(summary['episodes'])} episodes. Lower "
            "scores are better; skill = 1 − score / baseline score (positive: the model beats "
            f"the baseline). Log scores clip probabilities to [{summary['epsilon']}, "
            f"{1 - summary['epsilon']}]."
        ],
        [
            _score_table(summary, "brier", "Brier score"),
            _score_table(summary, "log", "log score"),
        ],
    )


def _forecasts_section(forecasts: list[dict]) -> Section:
    """Every scored event: the forecasts against what happened."""
    header = [
        "episode",
        "item",
        "event",
        "by",
        "happened",
        "model",
        "persistence",
        "weighted median",
        "weighted mean",
    ]
    rows = [
        [r["episode"], r["label"], r["event"], r["by"], r["outcome"]]
        + [float(r[k]) for k in ("model", "persistence", "weighted_median", "weighted_mean")]
        for r in forecasts
    ]
    return Section(
        "Forecasts against the record",
        [
            "Per scored event: the model's probability (share of runs), the baselines', "
            "and what happened."
        ],
        [Table(header, rows, caption="forecasts.csv")],
    )


def _episodes_section(summary: dict) -> Section:
    """Each episode's origin, runs and the parameters file its forecast used."""
    rows = [
        [
            e["episode"],
            e["title"],
            e["origin"],
            e["runs"],
            e["parameters_file"] or "—",
            e["parameters_sha256"][:12] or "—",
        ]
        for e in summary["episodes"]
    ]
    return Section(
        "Episodes",
        ["Each episode's forecast origin, its runs and the parameters file its forecast used."],
        [
            Table(
                ["episode", "title", "origin", "runs", "parameters file", "sha256"],
                rows,
                caption="episodes",
            )
        ],
    )

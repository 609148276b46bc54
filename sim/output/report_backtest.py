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
    scores = Section(
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
    events = Section(
        "Forecasts against the record",
        [
            "Per scored event: the model's probability (share of runs), the baselines', "
            "and what happened."
        ],
        [
            Table(
                [
                    "episode",
                    "item",
                    "event",
                    "by",
                    "happened",
                    "model",
                    "persistence",
                    "weighted median",
                    "weighted mean",
                ],
                [
                    [
                        r["episode"],
                        r["label"],
                        r["event"],
                        r["by"],
                        r["outcome"],
                        float(r["model"]),
                        float(r["persistence"]),
                        float(r["weighted_median"]),
                        float(r["weighted_mean"]),
                    ]
                    for r in forecasts
                ],
                caption="forecasts.csv",
            )
        ],
    )
    episodes = Section(
        "Episodes",
        ["Each episode's forecast origin, its runs and the parameters file its forecast used."],
        [
            Table(
                ["episode", "title", "origin", "runs", "parameters file", "sha256"],
                [
                    [
                        e["episode"],
                        e["title"],
                        e["origin"],
                        e["runs"],
                        e["parameters_file"] or "—",
                        e["parameters_sha256"][:12] or "—",
                    ]
                    for e in summary["episodes"]
                ],
                caption="episodes",
            )
        ],
    )
    sections = [scores, events, episodes, figures_section(folder), manifest_section(folder)]
    return "Backtest", sections

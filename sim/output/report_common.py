"""What every ``sim report`` has, whatever the folder's kind: every PNG figure under the
folder (:func:`figures_section`), the scenario's provenance (:func:`provenance_section`)
and the manifest (:func:`manifest_section`), as sections for
:func:`sim.output.html.write_report`.

Provenance lists every number with a ``source`` (its quote and where it was reported) or
an ``assumption`` (its reason), and every event (events carry a source or an assumption
too), found by walking the whole scenario (issues, parties, war block, events) — so its
counts can exceed those of ``sim validate``, which counts the issues' and parties' numbers
only.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim.output.folders import read_json
from sim.output.html import Figure, Section, Table
from sim.scenario import Scenario
from sim.scenario.provenance import ProvenanceRow, join_path, provenance_rows

CAPTIONS = {
    "offers": "Offers per issue over rounds, by proposer, with settlements and events",
    "utilities": "Each party's utility of the offer on the table, its threshold and reservation",
    "utility_plane": "Utility plane of the first two principals: offers, outcome and "
    "reference points",
    "war": "The war: line of control, losses and win share",
    "beliefs": "Beliefs, reservation utilities and Fearon's bargaining range",
    "outcomes": "Outcome shares against each swept parameter (95% Wilson intervals)",
    "rounds": "Distribution of agreement rounds",
    "sobol": "Sobol' sensitivity indices",
    "bargaining_range": "Reservation utilities and Fearon's bargaining range, per run",
    "territory": "The line of control over rounds, per run",
    "sweep_outcomes": "Outcome shares against the swept parameters, per sweep (95% Wilson)",
    "terms_distribution": "Distribution of the agreed terms per issue, per input",
    "rounds_distribution": "Round of the full agreement, per input",
    "forecasts": "Forecast probability of every scored event, episode by episode",
    "reliability": "Reliability of the forecasts: mean forecast against observed frequency",
    "scores": "Brier and log scores of the model and the baselines (95% bootstrap)",
}
PREFIX_CAPTIONS = {  # {0}, {1}: the readable names of the swept parameters in the file name
    "sweep_terms_": "Mean agreed terms against {0}, per sweep (± 95%)",
    "terms_": "Mean agreed terms against {0} (± 95%)",
    "heatmap_": "Full-agreement rate for each pair of values of {0} and {1}, with run counts",
}
FIGURE_ORDER = (
    # the headline first (what happened, or how often), then the mechanics behind it
    "outcomes",
    "sweep_outcomes",
    "heatmap_",
    "offers",
    "utilities",
    "utility_plane",
    "war",
    "territory",
    "beliefs",
    "bargaining_range",
    "terms_distribution",
    "terms_",
    "sweep_terms_",
    "rounds",
    "rounds_distribution",
    "sobol",
    "forecasts",
    "reliability",
    "scores",
)
"""The order of the figures in a report, by file stem (an entry ending in ``_`` is a
prefix, its figures in the order of their parameter numbers); other figures follow, by
path."""


# ------------------------------------------------------------------------- provenance


def provenance_tables(rows: Sequence[ProvenanceRow], what: str = "") -> list[Table]:
    """Two tables: the sourced values (quote, where, coding) and the assumptions (reason)."""
    sourced = [r for r in rows if r.kind == "source"]
    assumed = [r for r in rows if r.kind == "assumption"]
    return [
        Table(
            ["field", "value", "quote", "where", "coding"],
            [[r.path, r.value, r.quote, r.where, r.coding] for r in sourced],
            caption=f"Sourced values{what} ({len(sourced)})",
            widths=(22, 9, 30, 19, 20),
        ),
        Table(
            ["field", "value", "assumption (reason)", "coding"],
            [[r.path, r.value, r.reason, r.coding] for r in assumed],
            caption=f"Assumptions{what} ({len(assumed)})",
            widths=(24, 9, 44, 23),
        ),
    ]


def counts_text(rows: Sequence[ProvenanceRow]) -> str:
    """How many values are sourced and how many are assumptions, as a sentence."""
    sourced = sum(r.kind == "source" for r in rows)
    return (
        f"{len(rows)} values carry provenance: {sourced} are sourced (a reported statement, "
        f"quoted, and where it was reported) and {len(rows) - sourced} are assumptions "
        "(with the reason)."
    )


def provenance_section(scenario: Scenario, heading: str = "Provenance of the scenario") -> Section:
    """Counts, then the sourced values and the assumptions of one scenario."""
    rows = provenance_rows(scenario)
    return Section(heading, [f"{scenario.title}: {counts_text(rows)}"], provenance_tables(rows))


# ------------------------------------------------------------------ figures, manifest


def _indices(stem: str, prefix: str) -> list[int]:
    """The parameter numbers in a figure's stem, e.g. ``heatmap_0_1`` → [0, 1]."""
    rest = stem[len(prefix) :].split("_")
    return [int(x) for x in rest] if all(x.isdigit() for x in rest) else []


def _prefix(stem: str) -> str | None:
    """The prefix of :data:`PREFIX_CAPTIONS` a numbered figure's stem starts with."""
    return next((p for p in PREFIX_CAPTIONS if stem.startswith(p) and _indices(stem, p)), None)


def caption(path: Path, params: Sequence[str] = ()) -> str:
    """The caption of a figure file (by name; the file name for unknown ones), the
    parameter numbers of a numbered figure replaced by ``params`` (readable names, in the
    sweep's order), ending with the file's name."""
    stem = path.stem
    prefix = _prefix(stem)
    if stem in CAPTIONS:
        text = CAPTIONS[stem]
    elif prefix is not None:
        names = [
            params[k] if k < len(params) else f"swept parameter {k + 1}"
            for k in _indices(stem, prefix)
        ]
        text = PREFIX_CAPTIONS[prefix].format(*names, *[""] * 2)
    else:
        return path.name
    return f"{text} (file {path.name})"


def figure_key(path: Path) -> tuple:
    """Sort key of a figure: its place in :data:`FIGURE_ORDER`, then its parameter
    numbers, then its path."""
    stem = path.stem
    prefix = _prefix(stem)
    name = stem if stem in FIGURE_ORDER else prefix
    if name is None or name not in FIGURE_ORDER:
        return (len(FIGURE_ORDER), [], str(path))
    return (FIGURE_ORDER.index(name), _indices(stem, prefix) if prefix else [], str(path))


def figure_paths(folder: Path, skip: Sequence[str] = ()) -> list[Path]:
    """Every PNG file under the folder, in :func:`figure_key` order (none under its
    subfolders ``skip``)."""
    paths = (p for p in folder.rglob("*.png") if p.relative_to(folder).parts[0] not in skip)
    return sorted(paths, key=figure_key)


def figures_section(folder: Path, params: Sequence[str] = (), skip: Sequence[str] = ()) -> Section:
    """Every PNG under the folder (none under its subfolders ``skip``, which another
    section shows), embedded in a meaningful order, with numbered captions (``params``:
    the readable names of the swept parameters, in order)."""
    paths = figure_paths(folder, skip)
    text = [f"{len(paths)} figures."] if paths else ["This folder has no figures."]
    figures = [Figure(p, f"Figure {k}. {caption(p, params)}") for k, p in enumerate(paths, 1)]
    return Section("Figures", text, figures=figures)


def flatten(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """(dotted key, value) for every leaf of nested mappings and lists."""
    if isinstance(data, dict):
        return [kv for k, v in data.items() for kv in flatten(v, join_path(prefix, str(k)))]
    if isinstance(data, list) and any(isinstance(x, dict | list) for x in data):
        return [kv for k, v in enumerate(data) for kv in flatten(v, f"{prefix}[{k}]")]
    if isinstance(data, list):
        return [(prefix, ", ".join(map(str, data)))]
    return [(prefix, data)]


def manifest_section(folder: Path) -> Section:
    """The folder's ``manifest.json`` as a table of (key, value)."""
    path = folder / "manifest.json"
    if not path.is_file():
        return Section("Manifest", ["This folder has no manifest.json."])
    table = Table(["key", "value"], flatten(read_json(path)), "manifest.json", widths=(30, 70))
    return Section("Manifest", [f"The provenance of the folder's files ({path.name})."], [table])

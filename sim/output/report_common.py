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
    "offers": "Offers per issue over rounds",
    "utilities": "Utilities of the offers per party",
    "utility_plane": "Utility plane of the first two principals",
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
}
PREFIX_CAPTIONS = {
    "sweep_terms_": "Mean agreed terms against swept parameter {k}, per sweep (± 95%)",
    "terms_": "Mean agreed terms against swept parameter {k} (± 95%)",
    "heatmap_": "Full-agreement rate for parameter pair {k}",
}


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
        ),
        Table(
            ["field", "value", "assumption (reason)", "coding"],
            [[r.path, r.value, r.reason, r.coding] for r in assumed],
            caption=f"Assumptions{what} ({len(assumed)})",
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


def caption(path: Path) -> str:
    """The caption of a figure file (by name; the file name for unknown ones)."""
    stem = path.stem
    if stem in CAPTIONS:
        return f"{CAPTIONS[stem]} ({path.name})"
    for prefix, text in PREFIX_CAPTIONS.items():
        if stem.startswith(prefix):
            return f"{text.format(k=stem[len(prefix) :])} ({path.name})"
    return path.name


def figure_paths(folder: Path, skip: Sequence[str] = ()) -> list[Path]:
    """Every PNG file under the folder, sorted by path (none under its subfolders ``skip``)."""
    return sorted(p for p in folder.rglob("*.png") if p.relative_to(folder).parts[0] not in skip)


def figures_section(folder: Path, skip: Sequence[str] = ()) -> Section:
    """Every PNG under the folder (none under its subfolders ``skip``, which another
    section shows), embedded, with captions."""
    paths = figure_paths(folder, skip)
    text = [f"{len(paths)} figures."] if paths else ["This folder has no figures."]
    return Section("Figures", text, figures=[Figure(p, caption(p)) for p in paths])


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
    table = Table(["key", "value"], flatten(read_json(path)), caption="manifest.json")
    return Section("Manifest", [f"The provenance of the folder's files ({path.name})."], [table])

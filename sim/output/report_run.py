"""The report of a run folder (``sim report RUN``): outcome, terms, utilities, reference
points, then the figures, the scenario's provenance and the manifest
(:mod:`sim.output.report_common`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.output.html import Section, Table
from sim.output.report_common import figures_section, manifest_section, provenance_section
from sim.scenario import Scenario


def run_outcome_section(summary: dict[str, Any]) -> Section:
    """Outcome, rounds, seed, partial agreements and notes of a run."""
    rows = [
        ["outcome", summary["outcome"]],
        ["round (of the agreement, or of the last partial one)", summary.get("round")],
        ["rounds played", summary.get("rounds_played")],
        ["round limit", summary.get("max_rounds")],
        ["seed", summary.get("seed")],
    ]
    partial = [[p["issue"], p["value"], p["round"]] for p in summary.get("partial_agreements", [])]
    tables = [Table(["", ""], rows, caption="Outcome")]
    if partial:
        tables.append(Table(["issue", "value", "round"], partial, caption="Partial agreements"))
    notes = [f"Note: {n}" for n in summary.get("notes", [])]
    return Section("Outcome", [summary.get("scenario", ""), *notes], tables)


def run_terms_section(scenario: Scenario, summary: dict[str, Any]) -> Section:
    """Per issue: agreed or not, the final state and the status quo."""
    rows = [
        [
            i.id,
            i.label,
            "yes" if i.id in summary["terms"] else "no",
            summary["final_state"].get(i.id),
            i.status_quo.value,
        ]
        for i in scenario.issues
    ]
    header = ["issue", "label", "agreed", "final state", "status quo (scenario)"]
    text = ["The final state is the agreed value where agreed and the status quo elsewhere."]
    return Section("Terms", text, [Table(header, rows, caption="Terms")])


def run_utilities_section(summary: dict[str, Any], names: dict[str, str]) -> Section:
    """Per party: utility of the final state, last reservation, individually rational."""
    rational = summary.get("reference", {}).get("outcome", {}).get("rational_by_party", {})
    rows = [
        [pid, names.get(pid, pid), u, summary["reservation"].get(pid), rational.get(pid)]
        for pid, u in summary["utilities"].items()
    ]
    header = ["party", "name", "utility", "reservation (last round)", "individually rational"]
    return Section("Utilities", tables=[Table(header, rows, caption="Utilities")])


def _yes_no(value: Any) -> str:
    """A flag as ``yes``/``no`` (``n/a`` when missing)."""
    return "n/a" if value is None else "yes" if value else "no"


def run_reference_section(summary: dict[str, Any]) -> Section:
    """The reference points' utilities and terms, and where the outcome stands."""
    ref = summary.get("reference") or {}
    points = {k: v for k, v in ref.items() if k not in ("disagreement", "outcome") and v}
    assess = ref.get("outcome", {})
    parties = list(summary["utilities"])
    issues = list(summary["final_state"])
    u_rows = [["disagreement", *(ref.get("disagreement", {}).get(p) for p in parties), None]]
    u_rows += [
        [k, *(v["utilities"].get(p) for p in parties), assess.get("distance", {}).get(k)]
        for k, v in points.items()
    ]
    t_rows = [[k, *(v["terms"].get(i) for i in issues)] for k, v in points.items()]
    text = [
        f"The outcome is Pareto-efficient: {_yes_no(assess.get('pareto_efficient'))}; "
        f"individually rational: {_yes_no(assess.get('individually_rational'))}."
    ]
    tables = [
        Table(
            ["point", *parties, "distance of the outcome"],
            u_rows,
            caption="Reference points: utilities",
        ),
        Table(["point", *issues], t_rows, caption="Reference points: terms"),
    ]
    return Section("Reference points", text, tables)


def run_sections(folder: Path) -> tuple[str, list[Section]]:
    """Title and sections of a run folder's report."""
    from sim.output.run_data import load_run

    run = load_run(folder)
    s = run.summary
    sections = [
        run_outcome_section(s),
        run_terms_section(run.scenario, s),
        run_utilities_section(s, run.party_names),
    ]
    if s.get("reference"):
        sections.append(run_reference_section(s))
    sections += [
        figures_section(folder),
        provenance_section(run.scenario),
        manifest_section(folder),
    ]
    return f"Run report: {run.scenario.title}", sections

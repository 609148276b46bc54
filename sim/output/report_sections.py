"""The sections of ``sim report``: what a run, sweep or comparison folder holds, as tables
and figures for :func:`sim.output.html.write_report`.

Every report has the folder's summary tables, every PNG figure under the folder
(:func:`figures_section`), the scenario's provenance (:func:`provenance_section`) and the
manifest (:func:`manifest_section`). Provenance lists every number with a ``source`` (its
quote and where it was reported) or an ``assumption`` (its reason), and every event (events
carry a source or an assumption too), found by walking the whole scenario (issues,
parties, war block, events) — so its counts can exceed those of ``sim validate``, which
counts the issues' and parties' numbers only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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


def figure_paths(folder: Path) -> list[Path]:
    """Every PNG file under the folder, sorted by path."""
    return sorted(folder.rglob("*.png"))


def figures_section(folder: Path) -> Section:
    """Every PNG under the folder, embedded, with captions."""
    paths = figure_paths(folder)
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
    data = json.loads(path.read_text(encoding="utf-8"))
    table = Table(["key", "value"], flatten(data), caption="manifest.json")
    return Section("Manifest", [f"The provenance of the folder's files ({path.name})."], [table])


def read_json(path: Path) -> dict[str, Any]:
    """A JSON file's content."""
    return json.loads(path.read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------- runs


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
        f"The outcome is Pareto-efficient: {assess.get('pareto_efficient')}; individually "
        f"rational: {assess.get('individually_rational')}."
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


# ----------------------------------------------------------------------------- sweeps


def _spec_text(param: dict[str, Any]) -> str:
    """A parameter's value source as compact text, e.g. ``linear: start=0, stop=1, num=5``."""
    parts = []
    for key, value in param.items():
        if key == "path":
            continue
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        elif isinstance(value, list):
            value = ", ".join(map(str, value))
        parts.append(f"{key}: {value}")
    return "; ".join(parts)


def sweep_design_section(raw: dict[str, Any], summary: dict[str, Any]) -> Section:
    """The sweep's design, run counts and swept parameters."""
    from sim.scenario.paths import readable_name

    rows = [
        ["title", raw.get("title")],
        ["design", raw.get("design")],
        ["replications", raw.get("replications", 1)],
        ["master seed", raw.get("seed", 0)],
        ["runs planned", summary.get("runs_total")],
        ["runs on disk", summary.get("runs_done")],
        ["failed runs", summary.get("failed")],
        ["interrupted", summary.get("interrupted")],
    ]
    params = [
        [p["path"], readable_name(p["path"]), _spec_text(p)] for p in raw.get("parameters") or []
    ]
    tables = [Table(["", ""], rows, caption="Sweep")]
    tables.append(Table(["path", "name", "values"], params, caption="Swept parameters"))
    notes = [f"Note: {n}" for n in summary.get("notes", [])]
    return Section("Sweep", notes, tables)


def sweep_outcome_section(summary: dict[str, Any]) -> Section:
    """Outcome shares with 95% Wilson intervals, and the mean agreement round."""
    names = {"agreement": "full agreement", "partial": "partial only", "none": "no agreement"}
    rows = [
        [names.get(kind, kind), s.get("share"), *(s.get("ci95") or [None, None])]
        for kind, s in summary.get("outcomes", {}).items()
    ]
    text = [f"Mean round of the full agreements: {_fmt(summary.get('mean_agreement_round'))}."]
    header = ["outcome", "share of runs", "95% low (Wilson)", "95% high (Wilson)"]
    return Section("Outcome shares", text, [Table(header, rows, caption="Outcome shares")])


def _fmt(value: Any) -> str:
    return "n/a" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def sweep_issue_section(summary: dict[str, Any], labels: dict[str, str]) -> Section:
    """Per issue: the share of runs settling it and its mean agreed value; mean utilities."""
    settled, terms = summary.get("settled_share", {}), summary.get("mean_terms", {})
    alone = summary.get("partial_share", {})
    rows = [[i, labels.get(i, i), settled.get(i), alone.get(i), terms.get(i)] for i in labels]
    util = [[p, u] for p, u in summary.get("mean_utilities", {}).items()]
    header = ["issue", "label", "settled share", "settled on its own", "mean agreed value"]
    tables = [
        Table(header, rows, caption="Settled shares and mean terms"),
        Table(["party", "mean utility"], util, caption="Mean utilities (final state)"),
    ]
    return Section("Terms and utilities", tables=tables)


def sobol_section(sobol: dict[str, Any]) -> Section:
    """First-order and total Sobol' indices with their 95% intervals (sobol design)."""
    rows = [
        [output, path, v.get("S1"), v.get("S1_conf"), v.get("ST"), v.get("ST_conf")]
        for output, by_path in sobol.get("indices", {}).items()
        for path, v in by_path.items()
    ]
    header = ["output", "parameter", "S1", "S1 ± (95%)", "ST", "ST ± (95%)"]
    left = sobol.get("left_out") or []
    text = [f"Left out (undefined at some point): {', '.join(left)}."] if left else []
    return Section("Sobol' indices", text, [Table(header, rows, caption="Sobol' indices")])


def sweep_sections(folder: Path) -> tuple[str, list[Section]]:
    """Title and sections of a sweep folder's report."""
    from sim.scenario import parse_scenario, read_yaml

    raw = read_yaml(folder / "sweep.yaml")
    summary = read_json(folder / "summary.json")
    base = folder / "base_scenario.yaml"
    scenario = parse_scenario(read_yaml(base), str(base))
    labels = {i.id: i.label for i in scenario.issues}
    sections = [
        sweep_design_section(raw, summary),
        sweep_outcome_section(summary),
        sweep_issue_section(summary, labels),
    ]
    if (folder / "sobol.json").is_file():
        sections.append(sobol_section(read_json(folder / "sobol.json")))
    heading = "Provenance of the base scenario"
    sections += [figures_section(folder), provenance_section(scenario, heading)]
    sections.append(manifest_section(folder))
    return f"Sweep report: {raw.get('title', folder.name)}", sections


# ------------------------------------------------------------------------ comparisons

SINGULAR = {"issues": "issue", "parties": "party", "figures": "figure"}
DIFF_COLUMNS = (
    ("label", "input"),
    ("metric", "metric"),
    ("reference_value", "reference value"),
    ("value", "value"),
    ("difference", "difference"),
    ("ci_low", "CI low"),
    ("ci_high", "CI high"),
    ("n_reference", "n (reference)"),
    ("n", "n"),
)


def _cell(text: str) -> Any:
    """A CSV cell as int, float or text (empty is None)."""
    if text == "":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def differences_table(path: Path, level: float) -> Table:
    """``differences.csv`` as a table (the columns of :data:`DIFF_COLUMNS`)."""
    from sim.output.run_files import read_csv

    rows = read_csv(path)
    body = [[_cell(r.get(key, "")) for key, _ in DIFF_COLUMNS] for r in rows]
    header = [h.replace("CI", f"{100 * level:g}% CI") for _, h in DIFF_COLUMNS]
    return Table(header, body, caption=f"Differences ({path.name})")


def comparison_inputs_section(data: dict[str, Any]) -> Section:
    """The inputs, what was compared, what was left out and the notes."""
    rows = [
        [k, i["label"], i["kind"], i["title"], i["runs"], i["folder"]]
        for k, i in enumerate(data["inputs"], start=1)
    ]
    on = data["compared_on"]
    text = [
        f"Compared on the issues {', '.join(on['issues'])} and the parties "
        f"{', '.join(on['parties'])}; differences are against '{data['reference']}'.",
        *(f"Note: {n}" for n in data["notes"]),
    ]
    left = [
        [what, item.get(SINGULAR[what]), item["reason"]]
        for what, items in data["left_out"].items()
        for item in items
    ]
    tables = [Table(["#", "label", "kind", "scenario", "runs", "folder"], rows, caption="Inputs")]
    tables.append(Table(["left out", "name", "reason"], left, caption=f"Left out ({len(left)})"))
    return Section("Inputs", text, tables)


def comparison_differences_section(folder: Path, data: dict[str, Any]) -> Section:
    """The difference table and how its intervals were computed."""
    boot = data["bootstrap"]
    text = [
        f"Each input against '{data['reference']}': value − reference value, with "
        f"{100 * boot['level']:g}% intervals by {boot['method']}, {boot['resamples']} "
        f"resamples, seed {boot['seed']}.",
        f"Metrics: {data.get('metrics', '')}",
    ]
    table = differences_table(folder / "differences.csv", boot["level"])
    return Section(f"Differences against '{data['reference']}'", text, [table])


def comparison_summary_section(data: dict[str, Any]) -> Section:
    """Per input: outcome shares and mean round; mean terms; mean utilities."""
    s = data["summaries"]
    labels = list(s)
    shares = [
        [
            k,
            v["n_runs"],
            v["n_failed"],
            v["share_agreement"],
            v["share_partial"],
            v["share_none"],
            v["mean_round"],
        ]
        for k, v in s.items()
    ]
    issues, parties = data["compared_on"]["issues"], data["compared_on"]["parties"]
    terms = [[i, *(s[k]["mean_terms"].get(i) for k in labels)] for i in issues]
    utils = [[p, *(s[k]["mean_utilities"].get(p) for k in labels)] for p in parties]
    header = ["input", "runs", "failed", "full", "partial only", "none", "mean round"]
    tables = [
        Table(header, shares, caption="Outcome shares and mean agreement round"),
        Table(["issue", *labels], terms, caption="Mean agreed terms"),
        Table(["party", *labels], utils, caption="Mean utilities"),
    ]
    return Section("Summaries per input", tables=tables)


def comparison_provenance_section(folder: Path, data: dict[str, Any]) -> Section:
    """Counts per input; the reference input's provenance in full; for each other input
    the values whose provenance or value differ from the reference's."""
    from sim.scenario import parse_scenario, read_yaml

    scenarios = []
    for entry in data["inputs"]:
        path = folder / entry["copy"] / "scenario.yaml"
        scenarios.append((entry["label"], parse_scenario(read_yaml(path), str(path))))
    rows = {label: provenance_rows(sc) for label, sc in scenarios}
    ref_label = scenarios[0][0]
    counts = [
        [
            label,
            sc.title,
            len(r),
            sum(x.kind == "source" for x in r),
            sum(x.kind == "assumption" for x in r),
        ]
        for (label, sc), r in zip(scenarios, rows.values(), strict=True)
    ]
    tables = [
        Table(
            ["input", "scenario", "values", "sourced", "assumptions"],
            counts,
            caption="Provenance counts",
        )
    ]
    tables += provenance_tables(rows[ref_label], f" of '{ref_label}'")
    reference = set(rows[ref_label])
    for label, _ in scenarios[1:]:
        changed = [r for r in rows[label] if r not in reference]
        tables += provenance_tables(changed, f" of '{label}' that differ from '{ref_label}'")
    text = [f"{label}: {counts_text(rows[label])}" for label, _ in scenarios]
    return Section("Provenance of the scenarios", text, tables)


def comparison_sections(folder: Path) -> tuple[str, list[Section]]:
    """Title and sections of a comparison folder's report."""
    data = read_json(folder / "comparison.json")
    sections = [
        comparison_inputs_section(data),
        comparison_differences_section(folder, data),
        comparison_summary_section(data),
        figures_section(folder),
        comparison_provenance_section(folder, data),
        manifest_section(folder),
    ]
    return f"Comparison report: {' vs '.join(data['labels'])}", sections

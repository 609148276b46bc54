"""The report of a comparison folder (``sim report CMP``): the inputs and what was left
out, the difference table, the summaries per input, the figures, the provenance of every
input's scenario (the reference's in full, the others' where they differ) and the
manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.output.folders import read_json
from sim.output.html import Section, Table
from sim.output.report_common import (
    counts_text,
    figures_section,
    manifest_section,
    provenance_tables,
)
from sim.scenario.provenance import provenance_rows

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


def significant(row: dict[str, Any]) -> bool:
    """Whether a difference is significant at its interval's level: the interval has a
    width (``ci_low < ci_high``; two single runs give a zero-width interval, which tests
    nothing) and excludes 0 (``ci_low > 0`` or ``ci_high < 0``) — a two-sided test by
    inverting the bootstrap interval (Efron & Tibshirani 1993, ch. 16)."""
    low, high = _cell(row.get("ci_low", "")), _cell(row.get("ci_high", ""))
    if not (isinstance(low, int | float) and isinstance(high, int | float)):
        return False
    return low < high and (low > 0 or high < 0)


def differences_table(path: Path, level: float) -> Table:
    """``differences.csv`` as a table (the columns of :data:`DIFF_COLUMNS`), the
    :func:`significant` rows highlighted."""
    from sim.output.run_files import read_csv

    rows = read_csv(path)
    body = [[_cell(r.get(key, "")) for key, _ in DIFF_COLUMNS] for r in rows]
    header = [h.replace("CI", f"{100 * level:g}% CI") for _, h in DIFF_COLUMNS]
    marked = [significant(r) for r in rows]
    caption = f"Differences ({path.name}; {sum(marked)} significant, highlighted)"
    widths = (12, 18, 10, 8, 10, 8, 8, 10, 6)  # one per column of DIFF_COLUMNS
    return Table(header, body, caption=caption, widths=widths, marked=marked)


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
        f"resamples, seed {boot['seed']}. Highlighted rows are significant: their interval "
        "has a width and excludes 0 (between two single runs the interval has no width, so "
        "nothing is highlighted).",
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


def _params(data: dict[str, Any]) -> list[str]:
    """The readable names of the compared sweeps' parameters, in order."""
    from sim.scenario.paths import readable_name

    return [readable_name(p) for p in data["compared_on"].get("swept_parameters", [])]


def comparison_sections(folder: Path) -> tuple[str, list[Section]]:
    """Title and sections of a comparison folder's report."""
    data = read_json(folder / "comparison.json")
    sections = [
        comparison_inputs_section(data),
        comparison_differences_section(folder, data),
        comparison_summary_section(data),
        figures_section(folder, _params(data)),
        comparison_provenance_section(folder, data),
        manifest_section(folder),
    ]
    return f"Comparison report: {' vs '.join(data['labels'])}", sections

"""The report of a sweep folder (``sim report SWEEP``): the design and the swept
parameters, outcome shares, settled shares and mean terms, Sobol' indices (sobol design),
scenario discovery (when ``sim discover`` wrote ``discover/``:
:mod:`sim.output.report_discover`, its figures shown there only), then the figures, the
base scenario's provenance and the manifest (:mod:`sim.output.report_common`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.output.folders import read_json
from sim.output.html import Section, Table
from sim.output.report_common import figures_section, manifest_section, provenance_section


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
    tables.append(
        Table(["path", "name", "values"], params, caption="Swept parameters", widths=(4, 3, 3))
    )
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
    """A value as text: floats to 3 decimals, ``n/a`` for None."""
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
    """First-order and total Sobol' indices with their 95% percentile bootstrap intervals
    (clipped to [0, 1], the range of an index; estimates unclipped: see
    :mod:`sim.sweep.sensitivity`) and the rows where the parameter changed the output."""
    rows = [
        [
            output,
            path,
            v.get("S1"),
            _interval(v, "S1"),
            v.get("ST"),
            _interval(v, "ST"),
            v.get("changes"),
        ]
        for output, by_path in sobol.get("indices", {}).items()
        for path, v in by_path.items()
    ]
    header = [
        "output",
        "parameter",
        "S1",
        "S1 95% interval",
        "ST",
        "ST 95% interval",
        "base rows changed",
    ]
    left = sobol.get("left_out") or []
    text = [
        "Estimates are not clipped: S1 < 0 or ST > 1 means the index is within noise of its "
        "bound. Intervals are 95% percentile bootstrap intervals over the base rows, "
        "clipped to [0, 1], the range of a share of variance. With a 0/1 output and few base "
        "rows the estimates are coarse: parameters that change the output at the same rows "
        "get identical indices."
    ]
    text += [f"Left out (undefined at some point): {', '.join(left)}."] if left else []
    return Section("Sobol' indices", text, [Table(header, rows, caption="Sobol' indices")])


def _interval(v: dict[str, Any], key: str) -> str | None:
    """``[low, high]`` of an index, or SALib's ± half-width for older sobol.json files."""
    low, high = v.get(f"{key}_low"), v.get(f"{key}_high")
    if low is None or high is None:
        conf = v.get(f"{key}_conf")
        return None if conf is None else f"± {conf:.3g}"
    return f"[{low:.3f}, {high:.3f}]"


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
    discover = folder / "discover"
    if (discover / "discovery.json").is_file():
        from sim.output.report_discover import discover_section

        sections.append(discover_section(discover))
    from sim.scenario.paths import readable_name

    params = [readable_name(p["path"]) for p in raw.get("parameters") or []]
    heading = "Provenance of the base scenario"
    sections += [
        figures_section(folder, params, skip=("discover",)),
        provenance_section(scenario, heading),
    ]
    sections.append(manifest_section(folder))
    return f"Sweep report: {raw.get('title', folder.name)}", sections

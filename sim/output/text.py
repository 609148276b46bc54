"""Short human-readable descriptions printed by the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.game import Game
from sim.scenario.provenance import provenance_rows


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def describe_run(summary: dict[str, Any], folder: Path) -> str:
    """Outcome, agreed terms, utilities and where the files are."""
    lines = [f"{summary['scenario']} (seed {summary['seed']})"]
    kind = summary["outcome"]
    if kind == "agreement":
        lines.append(f"outcome: full agreement in round {summary['round']}")
    elif kind == "partial":
        lines.append(f"outcome: partial agreement only ({summary['rounds_played']} rounds)")
    else:
        lines.append(f"outcome: no agreement after {summary['rounds_played']} rounds")
    for p in summary["partial_agreements"]:
        lines.append(f"  partial: {p['issue']} = {_fmt(p['value'])} in round {p['round']}")
    if summary["terms"]:
        lines.append(
            "agreed terms: " + ", ".join(f"{k}={_fmt(v)}" for k, v in summary["terms"].items())
        )
    lines.append("utilities: " + ", ".join(f"{k}={v:.3f}" for k, v in summary["utilities"].items()))
    lines += [f"note: {n}" for n in summary["notes"]]
    lines.append(f"results written to {folder}")
    return "\n".join(lines)


def describe_scenario(game: Game, file: str) -> str:
    """What a valid scenario contains, and how its saliences were treated."""
    s = game.scenario
    roles = ", ".join(f"{p.id} ({p.role}, {p.strategy.name})" for p in s.parties)
    counts = provenance_counts(game)
    lines = [
        f"{file}: valid",
        f"  title: {s.title} ({s.date})",
        f"  issues ({len(s.issues)}): {', '.join(game.issue_ids)}",
        f"  parties: {roles}",
        f"  protocol: {s.protocol.kind}, order {s.protocol.proposer_order}, "
        f"max {s.protocol.max_rounds} rounds",
        f"  provenance: {counts['source']} numbers sourced, {counts['assumption']} assumptions"
        f" ({counts['range']} with a declared range), forecast origin {s.origin}",
    ]
    lines += _linked_lines(s)
    lines += [f"  note: {n}" for n in game.notes]
    return "\n".join(lines)


def _linked_lines(s) -> list[str]:
    """Conditions, agendas, separable issues and the ceasefire line, one line each."""
    lines = []
    for p in s.parties:
        for c in p.conditions:
            lines.append(f"  condition {p.id}.{c.id}: {c.text()}")
        if p.settle_first is not None:
            lines.append(f"  agenda {p.id}: settles first {', '.join(p.settle_first.issues)}")
    for i in s.issues:
        if i.separable:
            lines.append(
                f"  separable: {i.id}" + (" (repeatable exchanges)" if i.repeatable else "")
            )
    if s.war is not None and s.war.ceasefire is not None:
        kept = "can break (war.compliance)" if s.war.compliance else "cannot break"
        lines.append(f"  general ceasefire: {s.war.ceasefire.text()}; {kept}")
    return lines


def provenance_counts(game: Game) -> dict[str, int]:
    """How many values of the scenario are sourced and how many are assumptions."""
    counts = {"source": 0, "assumption": 0, "range": 0}
    for row in provenance_rows(game.scenario):
        counts[row.kind] += 1
        counts["range"] += row.range is not None
    return counts


def table(header: list[str], rows: list[list[Any]]) -> str:
    """A plain aligned text table (numbers to 3 decimals)."""
    cells = [header] + [[_fmt(v) if v is not None else "—" for v in row] for row in rows]
    widths = [max(len(str(r[k])) for r in cells) for k in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def describe_solution(result: dict[str, Any], folder: Path) -> str:
    """Reference points as two tables: utilities per party, and terms per issue."""
    points = result["points"]
    parties = list(result["disagreement"])
    defined = {k: v for k, v in points.items() if v is not None}
    issues = list(next(iter(defined.values()))["terms"]) if defined else []
    u_rows = [["disagreement (reservation)", *result["disagreement"].values()]]
    u_rows += [[k, *(v["utilities"][p] for p in parties)] for k, v in defined.items()]
    t_rows = [[k, *(v["terms"][i] for i in issues)] for k, v in defined.items()]
    parts = [result["scenario"], "", "Utilities", table(["point", *parties], u_rows)]
    if issues:
        parts += ["", "Terms", table(["point", *issues], t_rows)]
    missing = [k for k, v in points.items() if v is None]
    if missing:
        parts.append(f"\nundefined (no outcome beats every reservation): {', '.join(missing)}")
    if "method" in result:
        kind = "exact efficient set" if result["frontier"]["exact"] else "sampled"
        parts.append(f"\nfrontier: {result['frontier']['outcomes']} outcomes ({kind})")
        parts.append(f"bargaining solutions: {result['method']}")
    parts.append(f"\nreference points written to {folder / 'reference.json'}")
    return "\n".join(parts)


def describe_dry_run(file: str, shown: int = 5) -> str:
    """How many runs a sweep file means, and its first parameter sets (the points are
    read, not the runs: a million replications are not walked through)."""
    from sim.sweep import count_runs, load_sweep, n_points, points
    from sim.sweep.design import normalisation_notes

    spec = load_sweep(file)
    lines = [
        f"{spec.title}: {spec.design} design, {n_points(spec)} points x "
        f"{spec.replications} replications = {count_runs(spec)} runs (master seed "
        f"{spec.seed})"
    ]
    for point, row in enumerate(points(spec)[:shown]):
        pairs = zip(spec.paths, row, strict=True)
        values = ", ".join(f"{p} = {float(v):g}" for p, v in pairs) or "(base scenario)"
        lines.append(f"  point {point}: {values}")
    lines += [f"note: {n}" for n in normalisation_notes(spec)]
    return "\n".join(lines)


def describe_sweep(run, summary: dict[str, Any]) -> str:
    """Outcome shares of a sweep, failures, and where the results are."""
    state = "interrupted" if run.interrupted else "finished"
    lines = [
        f"{summary['title']}: {state}, {summary['runs_done']} of {run.total} runs on disk"
        f" ({run.completed} this time, {run.failed} failed)"
    ]
    for kind, label in (
        ("agreement", "full agreement"),
        ("partial", "partial only"),
        ("none", "no agreement"),
    ):
        s = summary["outcomes"][kind]
        if s["share"] is not None:
            lines.append(
                f"  {label}: {s['share']:.1%} (95% CI {s['ci95'][0]:.1%}–{s['ci95'][1]:.1%})"
            )
    settled = ", ".join(
        f"{k} {v:.0%}" for k, v in summary["settled_share"].items() if v is not None and v > 0
    )
    lines.append(f"  issues settled (share of runs): {settled or 'none'}")
    alone = ", ".join(
        f"{k} {v:.0%}" for k, v in summary["partial_share"].items() if v is not None and v > 0
    )
    lines.append(f"  settled on their own first (partial agreements): {alone or 'none'}")
    if summary["mean_agreement_round"] is not None:
        lines.append(f"  mean round of full agreement: {summary['mean_agreement_round']:.1f}")
    lines += [f"note: {n}" for n in summary["notes"]]
    if run.interrupted:
        lines.append(f"resume with: sim sweep --resume {run.folder}")
    lines.append(f"results written to {run.folder}")
    return "\n".join(lines)


def describe_robustness(run, summary: dict[str, Any], ranges: int) -> str:
    """Each outcome's share over the declared ranges with its 95% interval, and (Sobol'
    design) the assumptions that decide the ceasefire, agreement and exchange rates."""
    lines = [
        f"{summary['title']}: {summary['runs_done']} runs over {ranges} declared ranges"
        f" ({summary['design']}, {run.failed} failed)"
    ]
    keys = [k for k in _EVENT_LABELS if summary.get("ceasefire_line", True) or "cease" not in k]
    rows = [(_EVENT_LABELS[key], summary["events"][key]) for key in keys]
    rows += [(f"outcome: {k}", share) for k, share in summary["deals"].items() if share["runs"]]
    for label, s in rows:
        if s["share"] is not None:
            lines.append(
                f"  {label:<46} {s['share']:6.1%}  (95% CI {s['ci95'][0]:.1%}–{s['ci95'][1]:.1%})"
            )
    sobol = summary.get("sobol", {}).get("indices", {})
    for output in ("ceasefire", "agreement", "exchange"):
        if output in sobol:
            top = sorted(sobol[output].items(), key=lambda kv: -(kv[1]["ST"] or 0))[:5]
            ranked = ", ".join(f"{p} (ST {v['ST']:.2f})" for p, v in top)
            lines.append(f"  decides '{output}' most: {ranked}")
    absent = [k for k, share in summary["deals"].items() if not share["runs"]]
    if absent:
        lines.append(f"  no run ended in: {', '.join(absent)}")
    lines.append(f"results written to {run.folder}")
    return "\n".join(lines)


_EVENT_LABELS = {
    "ceasefire": "general ceasefire agreed",
    "ceasefire_kept": "ceasefire in force at the horizon",
    "ceasefire_broken": "ceasefire agreed, then broken",
    "exchange": "exchange agreed (a separable issue alone)",
}


def describe_backtest(summary: dict[str, Any], folder: Path) -> str:
    """Scores of the model and the naive baselines, skills, and where the files are."""
    lines = [f"backtest of {len(summary['episodes'])} episodes, {summary['events']} scored events"]
    for key, title in (("brier", "Brier score"), ("log", "log score")):
        table = summary["scores"][key]
        lines.append(f"  {title} (lower is better; 95% bootstrap interval):")
        for name, value in table.items():
            lo, hi = value["ci95"]
            lines.append(f"    {name:<26} {value['score']:7.3f}  [{lo:.3f}, {hi:.3f}]")
    lines.append(f"results written to {folder}")
    return "\n".join(lines)

"""The "Scenario discovery" section of a sweep's report (``sim report SWEEP``), from the
``discover/`` folder that ``sim discover`` writes: the condition and its counts, the chosen
PRIM box (limits, quasi-p-values, coverage, density, mass), CART's leaves, the feature
scores and the figures (:mod:`sim.output.discover_plots`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.output.folders import read_json
from sim.output.html import Figure, Section, Table

FIGURES = {
    "discover_tradeoff.png": "PRIM's peeling trajectory: coverage against density, the chosen "
    "box circled",
    "discover_box_limits.png": "The chosen box's limits on each swept parameter's sampled range",
    "discover_scatter.png": "Runs over the most restricted parameters, with the box",
    "discover_feature_scores.png": "Feature scores of the swept parameters (extra trees)",
}


def _limits_table(box: dict[str, Any]) -> Table:
    rows = [
        [
            r["name"],
            r["low"] if r["restricted"] else None,
            r["high"] if r["restricted"] else None,
            f"{r['range_low']:.4g} to {r['range_high']:.4g}",
            f"{r['quasi_p']:.2g}" if r["quasi_p"] is not None else "not restricted",
        ]
        for r in box["limits"]
    ]
    header = ["parameter", "box low", "box high", "sampled range", "quasi-p-value"]
    return Table(header, rows, caption=f"PRIM box (step {box['step']}): limits")


def discover_section(folder: Path) -> Section:
    """The section for a ``discover/`` folder holding ``discovery.json``."""
    data = read_json(folder / "discovery.json")
    box = data["box"]
    share = data["share_of_interest"]
    text = [
        f"Condition (sim discover --where): {data['where']}. It holds in "
        f"{data['runs_of_interest']} of {data['runs']} runs ({share:.1%}).",
        f"PRIM (Friedman & Fisher 1999) chose step {box['step']} of its peeling trajectory "
        f"({box['rule']}): coverage {box['coverage']:.3f} (the share of the runs where the "
        f"condition holds that fall in the box), density {box['density']:.3f} (the share of "
        f"the box's runs where it holds), mass {box['mass']:.3f} (the box's share of all "
        "runs). A quasi-p-value (Bryant & Lempert 2010) is the chance of the box's density "
        "if the restriction on that parameter were lifted: small values say the restriction "
        "matters.",
    ]
    if data.get("failed_runs_left_out"):
        text.append(f"{data['failed_runs_left_out']} failed runs were left out.")
    leaves = [
        [
            leaf["rule"],
            leaf["runs"],
            leaf["of_interest"],
            leaf["density"],
            leaf["coverage"],
            "holds" if leaf["predicted"] else "does not hold",
        ]
        for leaf in data["cart"]["leaves"]
    ]
    cart = Table(
        ["rule", "runs", "runs where it holds", "density", "coverage", "CART predicts"],
        leaves,
        caption=f"CART leaves (depth {data['cart']['depth']}), densest first",
    )
    names = {r["parameter"]: r["name"] for r in box["limits"]}
    scores = Table(
        ["parameter", "feature score"],
        [[names.get(s["parameter"], s["parameter"]), s["score"]] for s in data["feature_scores"]],
        caption="Feature scores (extra trees; they sum to 1)",
    )
    plots = folder / "plots"
    figures = [Figure(plots / n, c) for n, c in FIGURES.items() if (plots / n).is_file()]
    return Section("Scenario discovery", text, [_limits_table(box), cart, scores], figures)

"""What the inputs of a comparison have in common, and what is left out.

Rules
-----
* **Issues** are compared when every input has them (same id) on the same scale (kind,
  span, and labels of discrete issues). Any other issue is left out, with the inputs that
  lack it or the scales that differ. No issue in common at all is an error.
* **Parties** (negotiating parties: mediators have no utilities) are compared when every
  input has them; the others are left out. No party in common is an error.
* **Utility plane**: the first input's first two principals (or parties); every input must
  have both as negotiating parties, else the figure is left out.
* **Swept parameters**: the sweep inputs share the parameter-axis figures only when they
  all sweep the same parameters (as a set; the first sweep's order); otherwise those
  figures are left out, naming each sweep's parameters. A sweep without parameters has no
  such axis.
* **Time plots** show the run inputs (a sweep has no single time course); the war figures
  show the runs whose scenario has a war on the same territory issue as the first one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sim.compare.inputs import CompareInput
from sim.scenario import InputError, Issue, Problem
from sim.scenario.paths import readable_name

SWEEP_FIGURES = "sweep_outcomes.png, sweep_terms_<k>.png"
PLURAL = {"issue": "issues", "party": "parties", "figure": "figures"}


@dataclass
class Matching:
    """The common ground of the inputs and what was left out (see the module docstring).

    ``left_out`` has lists of ``{"issue"|"party"|"figure": name, "reason": text}``;
    ``notes`` are sentences for the reader (printed, and written to comparison.json and
    differences.md).
    """

    issues: list[str]
    parties: list[str]
    pair: tuple[str, str] | None = None
    params: list[str] = field(default_factory=list)
    war_runs: list[str] = field(default_factory=list)
    left_out: dict[str, list[dict[str, str]]] = field(
        default_factory=lambda: {"issues": [], "parties": [], "figures": []}
    )
    notes: list[str] = field(default_factory=list)

    def leave_out(self, what: str, names: Sequence[str], reason: str) -> None:
        """Record left-out issues, parties or figures (one reason) and say so in one note."""
        key = PLURAL[what]
        self.left_out[key] += [{what: name, "reason": reason} for name in names]
        kind = what if len(names) == 1 else key
        self.notes.append(f"left out {kind} {', '.join(names)}: {reason}")


def _quote(labels: Sequence[str]) -> str:
    return ", ".join(f"'{x}'" for x in labels)


def issue_scale(issue: Issue) -> str:
    """A short description of an issue's scale, e.g. ``continuous [0, 1]``."""
    if issue.kind == "discrete":
        return f"discrete ({', '.join(issue.values)})"
    lo, hi = issue.span()
    return f"{issue.kind} [{lo:g}, {hi:g}]"


def _check_overlap(inputs: Sequence[CompareInput], field_name: str, what: str) -> None:
    """InputError naming the first input that shares nothing of ``field_name`` with the
    first input, or the whole set when only the intersection of all is empty."""
    first = inputs[0]
    mine = getattr(first, field_name)
    for other in inputs[1:]:
        theirs = getattr(other, field_name)
        if not set(mine) & set(theirs):
            message = (
                f"no {what} in common with input '{first.label}' ({first.folder}): "
                f"'{other.label}' has {', '.join(theirs)}; '{first.label}' has {', '.join(mine)}"
            )
            raise InputError(str(other.folder), [Problem(field_name, message)])
    problems = [
        Problem(inp.label, f"{what}s: {', '.join(getattr(inp, field_name))}") for inp in inputs
    ]
    raise InputError(
        "sim compare", [Problem("", f"the inputs have no {what} in all of them"), *problems]
    )


def _common(inputs: Sequence[CompareInput], field_name: str, what: str, m: Matching) -> list[str]:
    """The ids every input has (first appearance order); the others are left out."""
    all_ids = list(dict.fromkeys(x for inp in inputs for x in getattr(inp, field_name)))
    common = [x for x in all_ids if all(x in getattr(inp, field_name) for inp in inputs)]
    if not common:
        _check_overlap(inputs, field_name, what)
    reasons: dict[str, list[str]] = {}  # reason -> ids, so that one note covers them
    for x in all_ids:
        if x not in common:
            lacking = [inp.label for inp in inputs if x not in getattr(inp, field_name)]
            having = [inp.label for inp in inputs if x in getattr(inp, field_name)]
            reasons.setdefault(f"only in {_quote(having)}; not in {_quote(lacking)}", []).append(x)
    for reason, ids in reasons.items():
        m.leave_out(what, ids, reason)
    return common


def _same_scale(inputs: Sequence[CompareInput], issues: list[str], m: Matching) -> list[str]:
    """The common issues on one scale in every input; the others are left out."""
    kept = []
    for issue_id in issues:
        scales = {inp.label: issue_scale(inp.issue(issue_id)) for inp in inputs}
        if len(set(scales.values())) == 1:
            kept.append(issue_id)
        else:
            detail = "; ".join(f"'{label}': {scale}" for label, scale in scales.items())
            m.leave_out("issue", [issue_id], f"different scales ({detail})")
    if not kept:
        raise InputError("sim compare", [Problem("issues", "no issue has one scale in all inputs")])
    return kept


def _pair(inputs: Sequence[CompareInput], m: Matching) -> None:
    """The utility plane's two parties (module docstring), or leave the figure out."""
    first = inputs[0]
    order = first.principals + [p for p in first.parties if p not in first.principals]
    pair = [p for p in order if p in first.parties][:2]
    missing = [inp.label for inp in inputs if not set(pair) <= set(inp.parties)]
    if len(pair) < 2 or missing:
        reason = (
            f"{_quote(missing)} lack {', '.join(pair)}"
            if len(pair) == 2
            else f"'{first.label}' has fewer than two parties"
        )
        m.leave_out("figure", ["utility_plane.png"], reason)
        return
    m.pair = (pair[0], pair[1])


def _params(inputs: Sequence[CompareInput], m: Matching) -> None:
    """The swept parameters the sweep inputs share, or leave their figures out."""
    sweeps = [inp for inp in inputs if inp.kind == "sweep"]
    if not sweeps:
        return
    first = sweeps[0].params
    if any(set(s.params) != set(first) for s in sweeps):
        detail = "; ".join(
            f"'{s.label}' sweeps {', '.join(map(readable_name, s.params)) or 'no parameter'}"
            for s in sweeps
        )
        m.leave_out(
            "figure", [SWEEP_FIGURES], f"different swept parameters cannot share axes: {detail}"
        )
        return
    if not first:
        m.leave_out(
            "figure", [SWEEP_FIGURES], "the sweeps have no swept parameter (replications only)"
        )
        return
    m.params = list(first)


def _war_runs(inputs: Sequence[CompareInput], m: Matching) -> None:
    """Runs with a war on the first war run's territory issue (the war figures' inputs)."""
    runs = [inp for inp in inputs if inp.kind == "run"]
    wars = [inp for inp in runs if inp.has_war]
    if not wars:
        return
    territory = wars[0].scenario.war.territory_issue
    m.war_runs = [inp.label for inp in wars if inp.scenario.war.territory_issue == territory]
    others = [inp.label for inp in runs if inp.label not in m.war_runs]
    if others:
        m.notes.append(
            f"the war figures (territory.png, bargaining_range.png) show {_quote(m.war_runs)} "
            f"only: {_quote(others)} have no war on the issue '{territory}'"
        )


def _kind_notes(inputs: Sequence[CompareInput], m: Matching) -> None:
    runs = [inp.label for inp in inputs if inp.kind == "run"]
    sweeps = [inp.label for inp in inputs if inp.kind == "sweep"]
    if runs and sweeps:
        m.notes.append(
            f"runs and sweeps mixed: the time plots show the runs only ({_quote(runs)}); "
            "a sweep has no single time course"
        )
    if runs:
        m.notes.append(
            f"{_quote(runs)}: a single run is one draw, so the bootstrap cannot see its "
            "variation; an interval against a run reflects the other input's runs only "
            "(zero width between two runs)"
        )
    if sweeps:
        m.notes.append(
            "the Nash and Kalai–Smorodinsky points of a sweep are those of its base scenario "
            "(the swept parameters move them)"
        )


def match_inputs(inputs: Sequence[CompareInput]) -> Matching:
    """Common issues, parties, utility-plane pair and swept parameters (module docstring)."""
    m = Matching(issues=[], parties=[])
    issues = _common(inputs, "issues", "issue", m)
    m.issues = _same_scale(inputs, issues, m)
    m.parties = _common(inputs, "parties", "party", m)
    _pair(inputs, m)
    _params(inputs, m)
    _war_runs(inputs, m)
    _kind_notes(inputs, m)
    return m


def matching_json(m: Matching) -> dict[str, Any]:
    """The matching as JSON-ready data (comparison.json's ``compared_on`` and ``left_out``)."""
    return {
        "compared_on": {
            "issues": m.issues,
            "parties": m.parties,
            "utility_plane": list(m.pair) if m.pair else None,
            "swept_parameters": m.params,
        },
        "left_out": m.left_out,
    }

"""Cross-field checks of linked positions: conditions (linked red lines), agendas and
the clauses they are made of (see :mod:`sim.scenario.linked`). Each check returns
:class:`~sim.scenario.errors.Problem` objects whose path names the offending field."""

from __future__ import annotations

from sim.scenario.errors import Problem, unknown_id
from sim.scenario.linked import Clause, Condition
from sim.scenario.schema import Issue, Party


def clause_problems(where: str, clause: Clause, issues: dict[str, Issue]) -> list[Problem]:
    """A clause names a known continuous or integer issue and a bound inside its span
    that leaves some value."""
    issue = issues.get(clause.issue)
    if issue is None:
        return [Problem(f"{where}.issue", unknown_id("issue", clause.issue, issues))]
    if issue.kind == "discrete":
        return [
            Problem(
                f"{where}.issue",
                f"{issue.id} is discrete: conditions take continuous or integer issues",
            )
        ]
    lo, hi = issue.span()
    bound = clause.at_least if clause.at_least is not None else clause.at_most
    name = "at_least" if clause.at_least is not None else "at_most"
    if not lo <= bound <= hi:
        return [Problem(f"{where}.{name}", f"{bound:g} is outside {issue.id}'s [{lo:g}, {hi:g}]")]
    return []


def _own_interval(party: Party, issue: Issue) -> tuple[float, float]:
    """The values of ``issue`` within ``party``'s plain red line."""
    lo, hi = issue.span()
    pos = party.positions.get(issue.id)
    if pos is None or pos.red_line is None or pos.ideal is None:
        return lo, hi
    red = pos.red_line.value
    return (lo, red) if red >= pos.ideal.value else (red, hi)


def condition_problems(where: str, party: Party, issues: dict[str, Issue]) -> list[Problem]:
    """Each condition refers to known issues and each of its options can hold."""
    problems = []
    ids = [c.id for c in party.conditions]
    if len(set(ids)) != len(ids):
        problems.append(Problem(f"{where}.conditions", f"condition ids must be unique: {ids}"))
    for k, cond in enumerate(party.conditions):
        at = f"{where}.conditions[{k}]"
        found = clause_problems(f"{at}.when", cond.when, issues)
        for o, option in enumerate(cond.any_of):
            for c, clause in enumerate(option.all_of):
                found += clause_problems(f"{at}.any_of[{o}].all_of[{c}]", clause, issues)
        if not found:
            found = _impossible_options(at, party, cond, issues)
        problems += found
    return problems


def _impossible_options(
    at: str, party: Party, cond: Condition, issues: dict[str, Issue]
) -> list[Problem]:
    """Options that can never hold while the condition applies: clauses that contradict
    one another, the condition's own zone, or the party's own red line."""
    problems = []
    zone = cond.when.interval(*issues[cond.when.issue].span())
    for o, option in enumerate(cond.any_of):
        box: dict[str, tuple[float, float]] = {cond.when.issue: zone}
        for clause in option.all_of:
            issue = issues[clause.issue]
            own = _own_interval(party, issue)
            a, b = box.get(clause.issue, own)
            c, d = clause.interval(*issue.span())
            box[clause.issue] = (max(a, c, own[0]), min(b, d, own[1]))
        empty = [iid for iid, (a, b) in box.items() if a > b]
        if empty:
            problems.append(
                Problem(
                    f"{at}.any_of[{o}]",
                    f"option '{option.id}' can never hold while the condition applies: on "
                    f"{', '.join(empty)} its clauses contradict one another, the 'when' zone "
                    "or the party's own red line",
                )
            )
    return problems


def agenda_problems(where: str, listed: list[str], issues: dict[str, Issue]) -> list[Problem]:
    """Agenda issues are known and not separable (separable issues are always open)."""
    problems = []
    for k, iid in enumerate(listed):
        if iid not in issues:
            problems.append(Problem(f"{where}.issues[{k}]", unknown_id("issue", iid, issues)))
        elif issues[iid].separable:
            problems.append(
                Problem(
                    f"{where}.issues[{k}]",
                    f"{iid} is separable: it is open for agreement on its own at any time",
                )
            )
    if len(set(listed)) == len(issues):
        problems.append(Problem(f"{where}.issues", "lists every issue: nothing would come after"))
    return problems

"""Cross-field checks of a scenario that the per-field schema cannot express.

Each check returns :class:`~sim.scenario.errors.Problem` objects whose path names the
offending field, e.g. ``parties[2].positions.territory.red_line``.
"""

from __future__ import annotations

from sim.scenario.errors import Problem
from sim.scenario.schema import SALIENCE_TOLERANCE, Issue, Party, Position, Scenario


def cross_check(scenario: Scenario) -> list[Problem]:
    """All cross-field problems of ``scenario`` (an empty list when it is consistent)."""
    problems: list[Problem] = []
    issues = {i.id: i for i in scenario.issues}
    party_ids = set(scenario.party_ids)
    for k, issue in enumerate(scenario.issues):
        for j, pid in enumerate(issue.consent):
            if pid not in party_ids:
                problems.append(
                    Problem(f"issues[{k}].consent[{j}]", _unknown("party", pid, party_ids))
                )
    for k, party in enumerate(scenario.parties):
        problems += _party_problems(f"parties[{k}]", party, issues, scenario)
    for j, pid in enumerate(scenario.protocol.proposer_order):
        if pid not in party_ids:
            problems.append(
                Problem(f"protocol.proposer_order[{j}]", _unknown("party", pid, party_ids))
            )
    return (
        problems
        + _protocol_problems(scenario)
        + _war_problems(scenario)
        + _event_problems(scenario)
    )


def _war_problems(scenario: Scenario) -> list[Problem]:
    war = scenario.war
    if war is None:
        return []
    issues = {i.id: i for i in scenario.issues}
    roles = {p.id: p.role for p in scenario.parties}
    principals = {pid for pid, r in roles.items() if r == "principal"}
    problems = []
    issue = issues.get(war.territory_issue)
    if issue is None or issue.kind == "discrete":
        problems.append(
            Problem(
                "war.territory_issue",
                f"must name a continuous or integer issue; got '{war.territory_issue}'",
            )
        )
    for pid in principals - set(war.resources):
        problems.append(Problem("war.resources", f"no resources for principal '{pid}'"))
    for pid in set(war.resources) - principals:
        problems.append(
            Problem(
                f"war.resources.{pid}",
                "only principals fight: " + _unknown("principal", pid, principals),
            )
        )
    for pid in set(war.beliefs) - principals:
        problems.append(Problem(f"war.beliefs.{pid}", _unknown("principal", pid, principals)))
    for k, sup in enumerate(war.support):
        if sup.supporter not in roles:
            problems.append(
                Problem(f"war.support[{k}].supporter", _unknown("party", sup.supporter, roles))
            )
        if sup.recipient not in principals:
            problems.append(
                Problem(
                    f"war.support[{k}].recipient", _unknown("principal", sup.recipient, principals)
                )
            )
    return problems


def _event_problems(scenario: Scenario) -> list[Problem]:
    roles = {p.id: p.role for p in scenario.parties}
    issues = {i.id: i for i in scenario.issues}
    problems = []
    for k, ev in enumerate(scenario.events):
        where = f"events[{k}]"
        for field in ("party", "supporter", "recipient"):
            pid = getattr(ev, field, None)
            if pid is not None and pid not in roles:
                problems.append(Problem(f"{where}.{field}", _unknown("party", pid, roles)))
        for j, pid in enumerate(getattr(ev, "parties", [])):
            if pid not in roles:
                problems.append(Problem(f"{where}.parties[{j}]", _unknown("party", pid, roles)))
        if ev.type in ("capability_shock", "support_change", "belief_shock") and (
            scenario.war is None
        ):
            problems.append(Problem(f"{where}.type", f"a {ev.type} event needs a 'war' block"))
        if (
            ev.type == "support_change"
            and scenario.war is not None
            and not any(
                s.supporter == ev.supporter and s.recipient == ev.recipient
                for s in scenario.war.support
            )
        ):
            problems.append(
                Problem(
                    where,
                    f"no war.support entry from '{ev.supporter}' to '{ev.recipient}' to change",
                )
            )
        if ev.type == "position_shift":
            problems += _shift_problems(where, ev, issues)
    return problems


def _shift_problems(where: str, ev, issues: dict[str, Issue]) -> list[Problem]:
    issue = issues.get(ev.issue)
    if issue is None:
        return [Problem(f"{where}.issue", _unknown("issue", ev.issue, issues))]
    lo, hi = issue.span()
    problems = []
    for field in ("ideal", "red_line"):
        value = getattr(ev, field)
        if value is not None and issue.kind == "discrete":
            problems.append(
                Problem(f"{where}.{field}", f"{issue.id} is discrete: only 'salience' can shift")
            )
        elif value is not None and not lo <= value <= hi:
            problems.append(Problem(f"{where}.{field}", f"{value:g} is outside [{lo:g}, {hi:g}]"))
    return problems


def _protocol_problems(scenario: Scenario) -> list[Problem]:
    """Proposers fit the protocol; Rubinstein needs two parties with discount factors."""
    protocol = scenario.protocol
    roles = {p.id: p.role for p in scenario.parties}
    want_mediator = protocol.kind == "mediated"
    problems = [
        Problem(
            f"protocol.proposer_order[{j}]",
            f"'{pid}' is a {roles[pid]}; the {protocol.kind} protocol needs "
            + ("mediators" if want_mediator else "negotiating parties (not mediators)"),
        )
        for j, pid in enumerate(protocol.proposer_order)
        if pid in roles and (roles[pid] == "mediator") != want_mediator
    ]
    if protocol.kind == "rubinstein":
        problems += _rubinstein_problems(scenario)
    return problems


def _rubinstein_problems(scenario: Scenario) -> list[Problem]:
    negotiators = [(k, p) for k, p in enumerate(scenario.parties) if p.role != "mediator"]
    if len(negotiators) != 2:
        return [
            Problem(
                "protocol.kind",
                "the rubinstein protocol needs exactly two "
                f"negotiating parties, found {len(negotiators)}",
            )
        ]
    problems = [
        Problem(
            f"parties[{k}].discount",
            "required by the rubinstein protocol: a discount factor in [0, 1)",
        )
        for k, p in negotiators
        if p.discount is None
    ]
    deltas = [p.discount.value for _, p in negotiators if p.discount is not None]
    if len(deltas) == 2 and deltas[0] * deltas[1] >= 1:
        problems.append(Problem("parties", "discount factors may not both be 1"))
    return problems


def _unknown(what: str, name: str, known: set[str] | dict) -> str:
    return f"unknown {what} '{name}'; known {what} ids: {', '.join(sorted(known))}"


def _party_problems(
    where: str, party: Party, issues: dict[str, Issue], scenario: Scenario
) -> list[Problem]:
    problems = [
        Problem(f"{where}.positions.{iid}", _unknown("issue", iid, issues))
        for iid in party.positions
        if iid not in issues
    ]
    if party.role == "mediator":
        if party.positions:
            problems.append(Problem(f"{where}.positions", "a mediator holds no positions"))
        return problems
    missing = [iid for iid in issues if iid not in party.positions]
    if missing:
        problems.append(
            Problem(f"{where}.positions", f"no position on issue(s) {', '.join(missing)}")
        )
    for iid, pos in party.positions.items():
        if iid in issues:
            problems += _position_problems(f"{where}.positions.{iid}", pos, issues[iid])
    total = sum(p.salience.value for p in party.positions.values())
    if total <= 0:
        problems.append(Problem(f"{where}.positions", "saliences are all zero; give weights > 0"))
    elif scenario.salience_normalisation == "strict" and abs(total - 1) > SALIENCE_TOLERANCE:
        problems.append(
            Problem(
                f"{where}.positions",
                f"saliences sum to {total:g}, expected 1 (salience_normalisation: strict); "
                "fix them or set salience_normalisation: normalise",
            )
        )
    return problems


def _position_problems(where: str, pos: Position, issue: Issue) -> list[Problem]:
    if issue.kind == "discrete":
        return _discrete_position_problems(where, pos, issue)
    problems = []
    if pos.values is not None or pos.unacceptable:
        problems.append(
            Problem(
                where,
                f"'values'/'unacceptable' are for discrete issues; {issue.id} is "
                f"{issue.kind}: give 'ideal' (and optionally 'red_line')",
            )
        )
    lo, hi = issue.span()
    if pos.ideal is None:
        problems.append(Problem(f"{where}.ideal", f"missing: a number in [{lo:g}, {hi:g}]"))
    elif not lo <= pos.ideal.value <= hi:
        problems.append(
            Problem(f"{where}.ideal.value", f"{pos.ideal.value:g} is outside [{lo:g}, {hi:g}]")
        )
    if pos.red_line is not None and not lo <= pos.red_line.value <= hi:
        problems.append(
            Problem(
                f"{where}.red_line.value", f"{pos.red_line.value:g} is outside [{lo:g}, {hi:g}]"
            )
        )
    return problems


def _discrete_position_problems(where: str, pos: Position, issue: Issue) -> list[Problem]:
    problems = []
    if pos.ideal is not None or pos.red_line is not None:
        problems.append(
            Problem(
                where,
                f"{issue.id} is discrete: score its labels in 'values' and list "
                "red-line labels in 'unacceptable' instead of 'ideal'/'red_line'",
            )
        )
    if pos.values is None:
        problems.append(
            Problem(f"{where}.values", f"missing: a score in [0, 1] for each of {issue.values}")
        )
    else:
        extra = sorted(set(pos.values) - set(issue.values))
        missing = [v for v in issue.values if v not in pos.values]
        if extra:
            problems.append(
                Problem(
                    f"{where}.values",
                    f"unknown label(s) {extra}; labels of {issue.id}: {issue.values}",
                )
            )
        if missing:
            problems.append(Problem(f"{where}.values", f"no score for label(s) {missing}"))
    bad = [v for v in pos.unacceptable if v not in issue.values]
    if bad:
        problems.append(Problem(f"{where}.unacceptable", f"unknown label(s) {bad}"))
    return problems

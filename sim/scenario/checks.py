"""Cross-field checks of a scenario that the per-field schema cannot express.

Each check returns :class:`~sim.scenario.errors.Problem` objects whose path names the
offending field, e.g. ``parties[2].positions.territory.red_line``.
"""

from __future__ import annotations

import math

from sim.behaviour.all_outcomes import MAX_OUTCOMES
from sim.identity_cache import IdentityCache
from sim.scenario.errors import Problem, unknown_id
from sim.scenario.linked_checks import agenda_problems, clause_problems, condition_problems
from sim.scenario.provenance import provenance_rows
from sim.scenario.quantities import missing_provenance
from sim.scenario.schema import SALIENCE_TOLERANCE, Issue, Party, Position, Scenario

NEEDS_PROVENANCE = (
    "a ceasefire scenario (one with a 'war' block) gives every number its provenance: "
    "write {value: X, source: {quote, where, date}} or {value: X, assumption: 'why'}"
)


def cross_check(scenario: Scenario, dating: bool = True) -> list[Problem]:
    """All cross-field problems of ``scenario`` (an empty list when it is consistent);
    ``dating=False``: all but the provenance checks (:func:`_dating_problems`)."""
    problems: list[Problem] = []
    issues = {i.id: i for i in scenario.issues}
    party_ids = set(scenario.party_ids)
    for k, issue in enumerate(scenario.issues):
        for j, pid in enumerate(issue.consent):
            if pid not in party_ids:
                problems.append(
                    Problem(f"issues[{k}].consent[{j}]", unknown_id("party", pid, party_ids))
                )
    for k, party in enumerate(scenario.parties):
        problems += PARTY_PROBLEMS.get(
            (party.positions, party.conditions, party.settle_first, *scenario.issues),
            (k, scenario.salience_normalisation, party.role),
            lambda k=k, party=party: _party_problems(
                f"parties[{k}]", party, issues, scenario.salience_normalisation
            ),
        )
    for j, pid in enumerate(scenario.protocol.proposer_order):
        if pid not in party_ids:
            problems.append(
                Problem(f"protocol.proposer_order[{j}]", unknown_id("party", pid, party_ids))
            )
    return (
        problems
        + _protocol_problems(scenario)
        + _war_problems(scenario)
        + _event_problems(scenario)
        + (_dating_problems(scenario) if dating else [])
    )


def _dating_problems(scenario: Scenario) -> list[Problem]:
    """Sources dated after the forecast origin, and (in ceasefire scenarios) numbers
    without provenance."""
    origin = scenario.origin
    problems = [
        Problem(
            f"{row.path}.source.date",
            f"a fact from the future: the source is dated {row.date}, after the scenario's "
            f"forecast origin {origin.isoformat()} (only facts known by then may be used)",
        )
        for row in provenance_rows(scenario)
        if row.date and row.date > origin.isoformat()
    ]
    if scenario.war is not None:
        problems += [Problem(path, NEEDS_PROVENANCE) for path in missing_provenance(scenario)]
    return problems


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
    if war.ceasefire is not None:
        problems += clause_problems("war.ceasefire", war.ceasefire, issues)
    problems += _compliance_problems(war, issues)
    problems += _link_problems(war, issues, principals)
    return problems + _fighter_problems(war, roles, principals)


def _fighter_problems(war, roles: dict[str, str], principals: set[str]) -> list[Problem]:
    """Resources and beliefs of principals only; support by known parties to principals."""
    problems = [
        Problem("war.resources", f"no resources for principal '{pid}'")
        for pid in sorted(principals - set(war.resources))
    ]
    for pid in set(war.resources) - principals:
        problems.append(
            Problem(
                f"war.resources.{pid}",
                "only principals fight: " + unknown_id("principal", pid, principals),
            )
        )
    for pid in set(war.beliefs) - principals:
        problems.append(Problem(f"war.beliefs.{pid}", unknown_id("principal", pid, principals)))
    for k, sup in enumerate(war.support):
        if sup.supporter not in roles:
            problems.append(
                Problem(f"war.support[{k}].supporter", unknown_id("party", sup.supporter, roles))
            )
        if sup.recipient not in principals:
            problems.append(
                Problem(
                    f"war.support[{k}].recipient",
                    unknown_id("principal", sup.recipient, principals),
                )
            )
    return problems


def _compliance_problems(war, issues: dict[str, Issue]) -> list[Problem]:
    """Compliance needs a ceasefire line; its terms name continuous or integer issues."""
    if war.compliance is None:
        return []
    problems = []
    if war.ceasefire is None:
        problems.append(
            Problem("war.compliance", "needs 'war.ceasefire': which values are a ceasefire")
        )
    for name in ("arms_limits", "guarantees"):
        term = getattr(war.compliance, name)
        if term is not None and (term.issue not in issues or issues[term.issue].kind == "discrete"):
            problems.append(
                Problem(
                    f"war.compliance.{name}.issue",
                    f"must name a continuous or integer issue; got '{term.issue}'",
                )
            )
    return problems


def _link_problems(war, issues: dict[str, Issue], principals: set[str]) -> list[Problem]:
    """Status-quo links name another continuous or integer issue and a known driver."""
    problems = []
    for k, link in enumerate(war.status_quo_links):
        where = f"war.status_quo_links[{k}]"
        issue = issues.get(link.issue)
        if issue is None or issue.kind == "discrete" or link.issue == war.territory_issue:
            problems.append(
                Problem(
                    f"{where}.issue",
                    "must name a continuous or integer issue other than the territory issue;"
                    f" got '{link.issue}'",
                )
            )
        if link.losses_of is not None and link.losses_of not in principals:
            problems.append(
                Problem(f"{where}.losses_of", unknown_id("principal", link.losses_of, principals))
            )
        if link.supporter is not None and not any(
            s.supporter == link.supporter for s in war.support
        ):
            problems.append(
                Problem(f"{where}.supporter", f"'{link.supporter}' supports nobody in war.support")
            )
    return problems


def _event_problems(scenario: Scenario) -> list[Problem]:
    roles = {p.id: p.role for p in scenario.parties}
    issues = {i.id: i for i in scenario.issues}
    problems = []
    for k, ev in enumerate(scenario.events):
        where = f"events[{k}]"
        fields = vars(ev)  # an event type's own fields (getattr on a missing one is slow)
        for field in ("party", "supporter", "recipient"):
            pid = fields.get(field)
            if pid is not None and pid not in roles:
                problems.append(Problem(f"{where}.{field}", unknown_id("party", pid, roles)))
        for j, pid in enumerate(fields.get("parties", [])):
            if pid not in roles:
                problems.append(Problem(f"{where}.parties[{j}]", unknown_id("party", pid, roles)))
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
        return [Problem(f"{where}.issue", unknown_id("issue", ev.issue, issues))]
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
    if protocol.kind == "stacked_alternating":
        problems += _stacked_problems(scenario)
    if protocol.turns_per_step == "every_party":
        problems += _every_party_problems(scenario)
    if protocol.offer_policy == "lowest_own_utility":
        problems += _finite_space_problems(scenario)
    return problems


def _stacked_problems(scenario: Scenario) -> list[Problem]:
    """Every negotiating party takes a turn exactly once per cycle; no agendas."""
    negotiators = [p.id for p in scenario.parties if p.role != "mediator"]
    order = scenario.protocol.proposer_order
    problems = []
    if sorted(order) != sorted(negotiators):
        problems.append(
            Problem(
                "protocol.proposer_order",
                "the stacked_alternating protocol needs every negotiating party exactly "
                f"once (the turn order): expected {negotiators} in some order, got {order}",
            )
        )
    problems += [
        Problem(
            f"parties[{k}].settle_first",
            "not supported by the stacked_alternating protocol (every offer is a full package)",
        )
        for k, p in enumerate(scenario.parties)
        if p.settle_first is not None
    ]
    return problems


def _every_party_problems(scenario: Scenario) -> list[Problem]:
    """``turns_per_step: every_party``: the stacked protocol, whole steps of n turns."""
    protocol = scenario.protocol
    if protocol.kind != "stacked_alternating":
        return [
            Problem(
                "protocol.turns_per_step",
                "'every_party' is for the stacked_alternating protocol only",
            )
        ]
    n = sum(p.role != "mediator" for p in scenario.parties)
    if protocol.max_rounds % n:
        return [
            Problem(
                "protocol.max_rounds",
                f"with turns_per_step 'every_party' max_rounds counts turns: a multiple of "
                f"the {n} negotiating parties, got {protocol.max_rounds}",
            )
        ]
    return []


def _finite_space_problems(scenario: Scenario) -> list[Problem]:
    """The ``lowest_own_utility`` policy offers over every outcome: a finite, bounded space."""
    problems = [
        Problem(
            f"issues[{k}].kind",
            "protocol.offer_policy 'lowest_own_utility' offers over every outcome: every "
            "issue must be discrete or integer, this one is continuous",
        )
        for k, issue in enumerate(scenario.issues)
        if issue.kind == "continuous"
    ]
    if problems:
        return problems
    size = math.prod(_n_values(issue) for issue in scenario.issues)
    if size > MAX_OUTCOMES:
        problems.append(
            Problem(
                "protocol.offer_policy",
                f"'lowest_own_utility' offers over every outcome: the issues have {size:,} "
                f"outcomes, more than the limit of {MAX_OUTCOMES:,}",
            )
        )
    return problems


def _n_values(issue: Issue) -> int:
    """How many values a discrete or integer issue takes."""
    if issue.kind == "discrete":
        return len(issue.values)
    lo, hi = issue.range
    return hi - lo + 1


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


PARTY_PROBLEMS = IdentityCache(64)
"""The problems of a party (:func:`_party_problems`) by the identity of what they read (its
positions, conditions and agenda, and the issues) and its role: the points of a sweep
share these objects with the base unless they change them (a fighting cost does not)."""


def _party_problems(
    where: str, party: Party, issues: dict[str, Issue], normalisation: str
) -> list[Problem]:
    problems = [
        Problem(f"{where}.positions.{iid}", unknown_id("issue", iid, issues))
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
    problems += condition_problems(where, party, issues)
    if party.settle_first is not None:
        problems += agenda_problems(f"{where}.settle_first", party.settle_first.issues, issues)
    total = sum(p.salience.value for p in party.positions.values())
    if total <= 0:
        problems.append(Problem(f"{where}.positions", "saliences are all zero; give weights > 0"))
    elif normalisation == "strict" and abs(total - 1) > SALIENCE_TOLERANCE:
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
    elif pos.red_line is not None and pos.ideal is not None:
        red, ideal = pos.red_line.value, pos.ideal.value
        if (red >= ideal and red == hi) or (red < ideal and red == lo):
            problems.append(
                Problem(
                    f"{where}.red_line.value",
                    f"a red line at {red:g}, the end of the scale beyond the ideal "
                    f"{ideal:g}, excludes nothing: give the farthest acceptable value "
                    "inside the scale, or a condition (see `conditions`)",
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

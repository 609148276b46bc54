"""GENIUS XML domains (``negotiation_template``) and utility spaces (``utility_space``).

The format is the one the GENIUS Java code reads (Lin et al. 2014, "Genius: an integrated
environment for supporting the design of generic automated negotiators", Computational
Intelligence 30(1)); the rules below follow its evaluator classes
(``genius.core.utility.EvaluatorDiscrete``, ``EvaluatorInteger``, ``EvaluatorReal``):

* a **discrete** issue lists ``<item value=... evaluation=...>``; the utility of a value is
  its evaluation divided by the issue's largest evaluation (0 when that is below 1e-5);
* an **integer** issue ``[lowerbound, upperbound]`` has ``<evaluator ftype="linear"
  slope=... offset=...>`` and u(x) = offset + slope · (x − lowerbound), clamped to [0, 1]
  (NegMAS's importer forgets the ``− lowerbound``, so it is wrong whenever lowerbound ≠ 0);
  the GENIUS editor's ``utilityLowestValue``/``utilityHighestValue`` are read when given
  (and written, with slope and offset, on export);
* a **real** issue ``<range lowerbound upperbound>`` has ``<evaluator ftype="linear"
  parameter0=offset parameter1=slope>`` and u(x) = slope · x + offset, clamped to [0, 1];
  the ftypes ``constant``, ``triangular`` and the rest are not linear and are refused;
* ``<weight index=k value=w>`` weighs the issue of index k; ``<reservation value=r>`` is
  the reservation value and ``<discount_factor value=d>`` the discount factor (d = 0 or
  d = 1 means no discounting in GENIUS).

Parsing refuses DOCTYPE and ENTITY declarations (no entity expansion).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

from sim.interop.files import fail, read_bytes
from sim.interop.model import (
    EXACT,
    Domain,
    Evaluator,
    IssueDef,
    Line,
    Profile,
    Table,
    line_of_table,
)
from sim.scenario.errors import InputError, Problem

ISSUE_TYPES = ("discrete", "integer", "real")
GENIUS_ZERO = 1e-5
"""Below this largest evaluation GENIUS scores every value of a discrete issue 0."""


def parse_xml(path: str | Path) -> ET.Element:
    """The root element of an XML file; a malformed file is an input error with its line."""
    data = read_bytes(path)  # bytes: the parser honours the declared encoding
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise fail(path, "", "DOCTYPE/ENTITY declarations are not accepted")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        line, col = exc.position
        raise fail(path, f"line {line}, column {col}", f"malformed XML ({exc.msg})") from None


def _objective(root: ET.Element, path: str | Path) -> ET.Element:
    space = root if root.tag == "utility_space" else root.find("utility_space")
    if space is None:
        raise fail(path, root.tag, "expected a <utility_space> element (GENIUS domain or profile)")
    objective = space.find("objective")
    if objective is None:
        raise fail(path, "utility_space", "no <objective> element holding the issues")
    if objective.find("objective") is not None:
        raise fail(path, "objective.objective", "nested objectives are not supported")
    return objective


def _number(path: str | Path, where: str, text: str | None, kind: type = float) -> float:
    if text is None:
        raise fail(path, where, "missing")
    try:
        value = float(text) if kind is float else int(text)
    except ValueError:
        raise fail(
            path, where, f"not {'a number' if kind is float else 'an integer'}: {text!r}"
        ) from None
    if not math.isfinite(value):
        raise fail(path, where, f"not a finite number: {text!r}")
    return value


def _bounds(path: str | Path, where: str, el: ET.Element, kind: str) -> tuple[float, float]:
    """``lowerbound``/``upperbound`` of an issue: attributes, or a ``<range>`` child."""
    rng = el.find("range")
    src = el if "lowerbound" in el.attrib or rng is None else rng
    conv = int if kind == "integer" else float
    lo = _number(path, f"{where}.lowerbound", src.get("lowerbound"), conv)
    hi = _number(path, f"{where}.upperbound", src.get("upperbound"), conv)
    if lo >= hi:
        raise fail(path, where, f"lowerbound {lo:g} must be below upperbound {hi:g}")
    return float(lo), float(hi)


def _issue_type(path: str | Path, where: str, el: ET.Element, default: str = "discrete") -> str:
    """The issue's ``type`` (or ``etype``, ``vtype``); ``default`` when none is given."""
    kind = el.get("type") or el.get("etype") or el.get("vtype") or default
    if kind not in ISSUE_TYPES:
        raise fail(
            path,
            f"{where}.type",
            f"unknown issue type {kind!r}; GENIUS types are {', '.join(ISSUE_TYPES)}",
        )
    return kind


def _where(el: ET.Element, k: int) -> str:
    return f"issue[{k}] '{el.get('name', '?')}'"


def read_domain(path: str | Path) -> Domain:
    """A GENIUS domain file (``negotiation_template`` or bare ``utility_space``)."""
    root = parse_xml(path)
    objective = _objective(root, path)
    issues = []
    for k, el in enumerate(objective.findall("issue"), start=1):
        where = _where(el, k)
        name = el.get("name")
        if not name:
            raise fail(path, f"issue[{k}].name", "missing")
        kind = _issue_type(path, where, el)
        if kind == "discrete":
            values = tuple(item.get("value", "") for item in el.findall("item"))
            if len(values) < 2 or len(set(values)) != len(values) or "" in values:
                raise fail(
                    path,
                    f"{where}.item",
                    "a discrete issue needs at least 2 distinct, non-empty values",
                )
            issues.append(IssueDef(name, "discrete", values=values))
        else:
            lo, hi = _bounds(path, where, el, kind)
            issues.append(IssueDef(name, kind, low=lo, high=hi))  # type: ignore[arg-type]
    if not issues:
        raise fail(path, "objective", "no <issue> elements")
    names = [i.name for i in issues]
    if len(set(names)) != len(names):
        raise fail(path, "objective.issue", f"issue names repeat: {names}")
    return Domain(objective.get("name") or Path(path).stem, tuple(issues))


def read_profile(path: str | Path, domain: Domain) -> Profile:
    """A GENIUS utility space over ``domain``."""
    root = parse_xml(path)
    objective = _objective(root, path)
    space = root if root.tag == "utility_space" else root.find("utility_space")
    assert space is not None
    by_index: dict[str, str] = {}
    evaluators: dict[str, Evaluator] = {}
    for k, el in enumerate(objective.findall("issue"), start=1):
        where = _where(el, k)
        name = el.get("name", "")
        if name not in [i.name for i in domain.issues]:
            known = ", ".join(i.name for i in domain.issues)
            raise fail(
                path, f"{where}.name", f"issue {name!r} is not in the domain; its issues: {known}"
            )
        issue = domain.issues[domain.index(name)]
        kind = _issue_type(path, where, el, default=issue.kind)
        if kind != issue.kind:
            raise fail(path, f"{where}.type", f"{kind!r}, but the domain's issue is {issue.kind!r}")
        by_index[el.get("index", str(k))] = name
        evaluators[name] = _evaluator(path, where, el, issue)
    weights = _weights(path, objective, by_index)
    missing = [i.name for i in domain.issues if i.name not in evaluators or i.name not in weights]
    if missing:
        raise fail(path, "objective", f"no evaluator or no <weight> for issue(s) {missing}")
    return Profile(
        name=Path(path).stem,
        weights=tuple(weights[i.name] for i in domain.issues),
        evaluators=tuple(evaluators[i.name] for i in domain.issues),
        reservation=_reservation(path, space),
        discount=_discount(path, space),
    )


def _weights(path: str | Path, objective: ET.Element, by_index: dict[str, str]) -> dict[str, float]:
    weights = {}
    for k, el in enumerate(objective.findall("weight"), start=1):
        index = el.get("index")
        if index not in by_index:
            raise fail(path, f"weight[{k}].index", f"{index!r} names no issue of this file")
        w = _number(path, f"weight[{k}].value", el.get("value"))
        if w < 0:
            raise fail(path, f"weight[{k}].value", f"weights must be >= 0, got {w:g}")
        weights[by_index[index]] = w
    return weights


def _evaluator(path: str | Path, where: str, el: ET.Element, issue: IssueDef) -> Evaluator:
    if issue.kind == "discrete":
        return _discrete(path, where, el, issue)
    if el.find("range") is not None or "lowerbound" in el.attrib:
        bounds = _bounds(path, where, el, issue.kind)
        if bounds != (issue.low, issue.high):
            raise fail(
                path,
                where,
                f"range {list(bounds)} differs from the domain's {[issue.low, issue.high]}",
            )
    ev = el.find("evaluator")
    if ev is None:
        raise fail(path, f"{where}.evaluator", "missing: a linear <evaluator>")
    ftype = ev.get("ftype", "linear")
    if ftype != "linear":
        raise fail(
            path,
            f"{where}.evaluator.ftype",
            f"{ftype!r} is not linear: the scenario format has linear (and quadratic) losses "
            "only, so this evaluator cannot be imported",
        )
    if issue.kind == "integer":
        return _integer(path, f"{where}.evaluator", ev, issue)
    return _real(path, f"{where}.evaluator", ev, issue)


def _discrete(path: str | Path, where: str, el: ET.Element, issue: IssueDef) -> Table:
    evals: dict[str, float] = {}
    for k, item in enumerate(el.findall("item"), start=1):
        e = _number(path, f"{where}.item[{k}].evaluation", item.get("evaluation"))
        if e < 0:
            raise fail(
                path, f"{where}.item[{k}].evaluation", f"evaluations must be >= 0, got {e:g}"
            )
        evals[item.get("value", "")] = e
    missing = [v for v in issue.values if v not in evals]
    if missing:
        raise fail(path, f"{where}.item", f"no evaluation for value(s) {missing}")
    top = max(evals[v] for v in issue.values)
    if top < GENIUS_ZERO:
        return Table(tuple(0.0 for _ in issue.values))
    return Table(tuple(evals[v] / top for v in issue.values))


def _integer(path: str | Path, where: str, ev: ET.Element, issue: IssueDef) -> Evaluator:
    span = issue.high - issue.low
    if ev.get("utilityLowestValue") is not None and ev.get("utilityHighestValue") is not None:
        low = _number(path, f"{where}.utilityLowestValue", ev.get("utilityLowestValue"))
        high = _number(path, f"{where}.utilityHighestValue", ev.get("utilityHighestValue"))
        slope, offset = (high - low) / span, low
    else:
        slope = _number(path, f"{where}.slope", ev.get("slope"))
        offset = _number(path, f"{where}.offset", ev.get("offset"))
        low, high = offset, offset + slope * span
    if -EXACT <= low <= 1.0 + EXACT and -EXACT <= high <= 1.0 + EXACT:  # round-off: snapped
        return Line(min(1.0, max(0.0, low)), min(1.0, max(0.0, high)))
    # GENIUS clamps to [0, 1] inside the range: exact as a table over the whole numbers
    n = int(span) + 1
    return Table(tuple(min(1.0, max(0.0, offset + slope * k)) for k in range(n)))


def _real(path: str | Path, where: str, ev: ET.Element, issue: IssueDef) -> Line:
    offset = _number(path, f"{where}.parameter0", ev.get("parameter0"))
    slope = _number(path, f"{where}.parameter1", ev.get("parameter1"))
    low, high = slope * issue.low + offset, slope * issue.high + offset
    if not (-EXACT <= low <= 1 + EXACT and -EXACT <= high <= 1 + EXACT):
        raise fail(
            path,
            where,
            f"the line runs from {low:g} to {high:g} over [{issue.low:g}, {issue.high:g}]; GENIUS "
            "clamps it to [0, 1], a kink the scenario format cannot express on a real issue",
        )
    return Line(min(1.0, max(0.0, low)), min(1.0, max(0.0, high)))


def _reservation(path: str | Path, space: ET.Element) -> float | None:
    el = space.find("reservation")
    return None if el is None else _number(path, "reservation.value", el.get("value"))


def _discount(path: str | Path, space: ET.Element) -> float | None:
    el = space.find("discount_factor")
    if el is None:
        return None
    d = _number(path, "discount_factor.value", el.get("value"))
    if not 0.0 <= d <= 1.0:
        raise fail(path, "discount_factor.value", f"must lie in [0, 1], got {d:g}")
    return None if d in (0.0, 1.0) else d


# ---------------------------------------------------------------------------- writing


def _xml(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _issue_element(parent: ET.Element, k: int, issue: IssueDef) -> ET.Element:
    attrs = {
        "index": str(k),
        "name": issue.name,
        "type": issue.kind,
        "etype": issue.kind,
        "vtype": issue.kind,
    }
    if issue.kind == "integer":
        attrs |= {"lowerbound": str(int(issue.low)), "upperbound": str(int(issue.high))}
    el = ET.SubElement(parent, "issue", attrs)
    if issue.kind == "real":
        ET.SubElement(el, "range", {"lowerbound": repr(issue.low), "upperbound": repr(issue.high)})
    return el


def _space(domain: Domain) -> tuple[ET.Element, ET.Element]:
    space = ET.Element("utility_space", {"number_of_issues": str(len(domain.issues))})
    objective = ET.SubElement(
        space,
        "objective",
        {"index": "0", "name": domain.name, "type": "objective", "etype": "objective"},
    )
    return space, objective


def write_domain(domain: Domain) -> str:
    """The GENIUS domain file of ``domain``."""
    template = ET.Element("negotiation_template")
    space, objective = _space(domain)
    template.append(space)
    for k, issue in enumerate(domain.issues, start=1):
        el = _issue_element(objective, k, issue)
        for m, value in enumerate(issue.values, start=1):
            ET.SubElement(el, "item", {"index": str(m), "value": value})
    return _xml(template)


def write_profile(domain: Domain, profile: Profile, party: str) -> str:
    """The GENIUS utility space of ``profile``; raises :class:`InputError` (naming
    ``party``) when a discrete table's best value is not 1, which GENIUS would rescale."""
    space, objective = _space(domain)
    for k, (issue, w, ev) in enumerate(
        zip(domain.issues, profile.weights, profile.evaluators, strict=True), start=1
    ):
        el = _issue_element(objective, k, issue)
        if isinstance(ev, Table):
            _check_table(party, issue, ev)
            for m, (value, u) in enumerate(zip(issue.values, ev.utilities, strict=True), start=1):
                ET.SubElement(el, "item", {"index": str(m), "value": value, "evaluation": repr(u)})
        elif issue.kind == "integer":
            slope = (ev.high_utility - ev.low_utility) / (issue.high - issue.low)
            ET.SubElement(
                el,
                "evaluator",
                {
                    "ftype": "linear",
                    "slope": repr(slope),
                    "offset": repr(ev.low_utility),
                    "utilityLowestValue": repr(ev.low_utility),
                    "utilityHighestValue": repr(ev.high_utility),
                },
            )
        else:
            slope = (ev.high_utility - ev.low_utility) / (issue.high - issue.low)
            offset = ev.low_utility - slope * issue.low
            ET.SubElement(
                el,
                "evaluator",
                {"ftype": "linear", "parameter0": repr(offset), "parameter1": repr(slope)},
            )
        ET.SubElement(objective, "weight", {"index": str(k), "value": repr(w)})
    if profile.reservation is not None:
        ET.SubElement(space, "reservation", {"value": repr(profile.reservation)})
    if profile.discount is not None:
        ET.SubElement(space, "discount_factor", {"value": repr(profile.discount)})
    return _xml(space)


def _check_table(party: str, issue: IssueDef, table: Table) -> None:
    top = max(table.utilities)
    if top == 0.0 or abs(top - 1.0) <= EXACT:
        return
    raise InputError(
        "export",
        [
            Problem(
                f"parties.{party}.positions (issue {issue.name!r})",
                f"the best value scores {top:g}, not 1: GENIUS divides every evaluation by the "
                "best one, so this table cannot be written without changing the utilities",
            )
        ],
    )


def _rescaled(table: Table) -> bool:
    top = max(table.utilities)
    return not (top == 0.0 or abs(top - 1.0) <= EXACT)


def genius_ready(domain: Domain, profiles: list[Profile]) -> tuple[Domain, list[Profile]]:
    """``domain`` and ``profiles`` with every discrete issue that GENIUS would rescale (a
    table whose best value is not 1) written back as the integer issue it came from, when
    its labels are consecutive whole numbers and every table is a line over them."""
    issues, evaluators = list(domain.issues), [list(p.evaluators) for p in profiles]
    for j, issue in enumerate(domain.issues):
        tables = [p.evaluators[j] for p in profiles]
        if issue.kind != "discrete" or not any(_rescaled(t) for t in tables):  # type: ignore[arg-type]
            continue
        lines = integer_line(issue, tables)  # type: ignore[arg-type]
        if lines is None:
            continue  # write_profile names the party and issue
        issues[j] = IssueDef(
            issue.name, "integer", low=float(issue.values[0]), high=float(issue.values[-1])
        )
        for i, line in enumerate(lines):
            evaluators[i][j] = line
    new = Domain(domain.name, tuple(issues))
    return new, [replace(p, evaluators=tuple(e)) for p, e in zip(profiles, evaluators, strict=True)]


def integer_line(issue: IssueDef, tables: list[Table]) -> list[Line] | None:
    """The lines of tables over consecutive whole-number labels (an integer issue written
    as a table), or ``None`` when the labels or a table are not of that form."""
    try:
        xs = [float(int(v)) for v in issue.values]
    except ValueError:
        return None
    if [str(int(x)) for x in xs] != list(issue.values) or xs != [xs[0] + k for k in range(len(xs))]:
        return None
    lines = [line_of_table(t, xs) for t in tables]
    return None if any(line is None for line in lines) else lines  # type: ignore[return-value]

"""GeniusWeb domain JSON and ``LinearAdditiveUtilitySpace`` profile JSON.

The format is GeniusWeb's (TU Delft, the successor of GENIUS; classes
``geniusweb.issuevalue.Domain``, ``DiscreteValueSet``, ``NumberValueSet`` and
``geniusweb.profile.utilityspace.LinearAdditiveUtilitySpace``,
``DiscreteValueSetUtilities``, ``NumberValueSetUtilities``):

* domain: ``{"name": N, "issuesValues": {issue: {"values": [label, ...]}}}`` for a
  discrete issue, ``{issue: {"range": {"low": a, "high": b, "step": s}}}`` for numbers
  a, a + s, ..., b;
* profile: ``{"LinearAdditiveUtilitySpace": {"issueUtilities": {...}, "issueWeights":
  {issue: w}, "domain": {...}, "name": N, "reservationBid": bid or null}}`` with
  ``{"DiscreteValueSetUtilities": {"valueUtilities": {label: u}}}`` or
  ``{"NumberValueSetUtilities": {"lowValue": a, "lowUtility": ua, "highValue": b,
  "highUtility": ub}}`` (linear between a and b, 0 outside; a and b must be the range's
  ends);
* a bid is ``{"issuevalues": {issue: value}}``.

A range of whole numbers with step 1 is an integer issue; any other range becomes a
discrete issue whose labels are its numbers. A profile has a reservation *bid*, not a
value: it is read as the bid's utility, and written back as the first outcome (in
lexicographic order) whose utility equals the reservation value, if there is one.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np

from sim.interop.files import fail, read_text
from sim.interop.model import EXACT, Domain, Evaluator, IssueDef, Line, Profile, Table

MAX_VALUES = 10_001
MAX_SEARCH = 1_000_000
"""Largest outcome space searched for a reservation bid on export."""


def parse_json(path: str | Path) -> Any:
    """A JSON file (numbers with a fraction read exactly, as decimals)."""
    try:
        return json.loads(read_text(path), parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise fail(
            path, f"line {exc.lineno}, column {exc.colno}", f"malformed JSON ({exc.msg})"
        ) from None


def _mapping(path: str | Path, where: str, node: Any) -> dict:
    if not isinstance(node, dict):
        raise fail(path, where, f"expected an object, got {type(node).__name__}")
    return node


def _num(path: str | Path, where: str, node: Any) -> Decimal:
    """A finite number (a JSON number, or a number written as text such as "0.5")."""
    try:
        if isinstance(node, bool) or not isinstance(node, int | Decimal | str):
            raise InvalidOperation
        value = Decimal(node)
    except InvalidOperation:
        raise fail(path, where, f"expected a number, got {node!r}") from None
    if not value.is_finite():
        raise fail(path, where, f"expected a finite number, got {node!r}")
    return value


def read_domain(path: str | Path) -> Domain:
    """A GeniusWeb domain file."""
    return domain_from(path, parse_json(path), "")


def domain_from(path: str | Path, node: Any, where: str) -> Domain:
    """The domain held by ``node`` (a domain file's top level, or a profile's ``domain``)."""
    data = _mapping(path, where or "(top level)", node)
    pre = f"{where}." if where else ""
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise fail(path, f"{pre}name", "missing: the domain's name")
    values = _mapping(path, f"{pre}issuesValues", data.get("issuesValues"))
    if not values:
        raise fail(path, f"{pre}issuesValues", "no issues")
    issues = tuple(_issue(path, f"{pre}issuesValues.{k}", k, v) for k, v in values.items())
    return Domain(name, issues)


def _issue(path: str | Path, where: str, name: str, node: Any) -> IssueDef:
    node = _mapping(path, where, node)
    if "values" in node:
        labels = node["values"]
        if not isinstance(labels, list) or not all(isinstance(v, str) and v for v in labels):
            raise fail(path, f"{where}.values", "expected a list of non-empty strings")
        if len(labels) < 2 or len(set(labels)) != len(labels):
            raise fail(path, f"{where}.values", "a discrete issue needs at least 2 distinct values")
        return IssueDef(name, "discrete", values=tuple(labels))
    if "range" in node:
        rng = _mapping(path, f"{where}.range", node["range"])
        low, high, step = (
            _num(path, f"{where}.range.{k}", rng.get(k)) for k in ("low", "high", "step")
        )
        if step <= 0 or low >= high:
            raise fail(path, f"{where}.range", "needs low < high and step > 0")
        count = int((high - low) / step) + 1
        if count > MAX_VALUES:
            raise fail(path, f"{where}.range", f"{count:,} values; at most {MAX_VALUES:,}")
        if step == 1 and low == low.to_integral_value() and (high - low) % 1 == 0:
            return IssueDef(name, "integer", low=float(low), high=float(high))
        labels = tuple(str(low + k * step) for k in range(count))
        return IssueDef(name, "discrete", labels, float(low), float(high), from_range=True)
    raise fail(path, where, "unknown value set: expected 'values' (discrete) or 'range' (numbers)")


def read_profile(path: str | Path, domain: Domain | None) -> tuple[Domain, Profile, list[str]]:
    """A ``LinearAdditiveUtilitySpace`` profile: its domain (checked against ``domain``
    when given), the profile and notes about what was converted."""
    data = _mapping(path, "(top level)", parse_json(path))
    kinds = list(data)
    if kinds != ["LinearAdditiveUtilitySpace"]:
        raise fail(path, "(top level)", f"expected one key LinearAdditiveUtilitySpace, got {kinds}")
    body = _mapping(path, "LinearAdditiveUtilitySpace", data["LinearAdditiveUtilitySpace"])
    pre = "LinearAdditiveUtilitySpace"
    if body.get("domain") is None:
        if domain is None:
            raise fail(path, f"{pre}.domain", "missing: the profile's domain (or give --domain)")
        own = domain
    else:
        own = domain_from(path, body["domain"], f"{pre}.domain")
    if domain is not None and own != domain:
        raise fail(
            path,
            f"{pre}.domain",
            f"differs from the domain {domain.name!r} (of --domain, else of the first profile)",
        )
    utils = _mapping(path, f"{pre}.issueUtilities", body.get("issueUtilities"))
    weights = _mapping(path, f"{pre}.issueWeights", body.get("issueWeights"))
    for key, what in ((utils, "issueUtilities"), (weights, "issueWeights")):
        extra = sorted(set(key) - {i.name for i in own.issues})
        missing = [i.name for i in own.issues if i.name not in key]
        if extra or missing:
            raise fail(
                path, f"{pre}.{what}", f"unknown issue(s) {extra}, missing issue(s) {missing}"
            )
    evaluators = tuple(
        _evaluator(path, f"{pre}.issueUtilities.{i.name}", utils[i.name], i) for i in own.issues
    )
    w = tuple(
        float(_weight(path, f"{pre}.issueWeights.{i.name}", weights[i.name])) for i in own.issues
    )
    name = (
        body.get("name")
        if isinstance(body.get("name"), str) and body.get("name")
        else Path(path).stem
    )
    profile = Profile(name, w, evaluators)
    notes: list[str] = []
    bid = body.get("reservationBid")
    if bid is not None:
        r = _bid_utility(path, f"{pre}.reservationBid", bid, own, profile)
        profile = Profile(name, w, evaluators, reservation=r)
        notes.append(
            f"{Path(path).name}: reservationBid read as its utility {r:.12g} (the scenario format "
            "has a reservation value, not a bid)"
        )
    return own, profile, notes


def _weight(path: str | Path, where: str, node: Any) -> Decimal:
    w = _num(path, where, node)
    if w < 0:
        raise fail(path, where, f"weights must be >= 0, got {w}")
    return w


def _unit(path: str | Path, where: str, node: Any) -> float:
    u = _num(path, where, node)
    if not 0 <= u <= 1:
        raise fail(path, where, f"utilities must lie in [0, 1], got {u}")
    return float(u)


def _evaluator(path: str | Path, where: str, node: Any, issue: IssueDef) -> Evaluator:
    node = _mapping(path, where, node)
    if list(node) == ["DiscreteValueSetUtilities"]:
        vu = _mapping(
            path,
            f"{where}.DiscreteValueSetUtilities.valueUtilities",
            _mapping(
                path, f"{where}.DiscreteValueSetUtilities", node["DiscreteValueSetUtilities"]
            ).get("valueUtilities"),
        )
        labels = issue.labels()
        missing = [v for v in labels if v not in vu]
        if missing:
            raise fail(path, f"{where}...valueUtilities", f"no utility for value(s) {missing}")
        return Table(tuple(_unit(path, f"{where}...valueUtilities.{v}", vu[v]) for v in labels))
    if list(node) == ["NumberValueSetUtilities"]:
        nv = _mapping(path, f"{where}.NumberValueSetUtilities", node["NumberValueSetUtilities"])
        sub = f"{where}.NumberValueSetUtilities"
        lo_v, hi_v = (
            _num(path, f"{sub}.lowValue", nv.get("lowValue")),
            _num(path, f"{sub}.highValue", nv.get("highValue")),
        )
        lo_u, hi_u = (
            _unit(path, f"{sub}.lowUtility", nv.get("lowUtility")),
            _unit(path, f"{sub}.highUtility", nv.get("highUtility")),
        )
        if issue.kind == "discrete" and not issue.from_range:
            raise fail(path, sub, "NumberValueSetUtilities on a discrete value set")
        if (float(lo_v), float(hi_v)) != (issue.low, issue.high):
            raise fail(
                path,
                sub,
                f"lowValue/highValue {lo_v}/{hi_v} must be the range's low and high "
                f"{issue.low:g}/{issue.high:g}",
            )
        line = Line(lo_u, hi_u)
        if issue.kind == "integer":
            return line
        return Table(tuple(line.at(float(x), issue.low, issue.high) for x in issue.values))
    raise fail(
        path,
        where,
        f"unknown utilities {list(node)}: expected DiscreteValueSetUtilities or "
        "NumberValueSetUtilities",
    )


def _bid_utility(
    path: str | Path, where: str, node: Any, domain: Domain, profile: Profile
) -> float:
    values = _mapping(path, f"{where}.issuevalues", _mapping(path, where, node).get("issuevalues"))
    total = 0.0
    for j, issue in enumerate(domain.issues):
        if issue.name not in values:
            continue  # GeniusWeb: an issue missing from a partial bid adds nothing
        x = values[issue.name]
        labels = issue.labels()
        label = x if isinstance(x, str) else _number_label(x, labels)
        if label not in labels:
            raise fail(
                path, f"{where}.issuevalues.{issue.name}", f"{x!r} is not a value of the issue"
            )
        ev = profile.evaluators[j]
        k = labels.index(label)
        u = (
            ev.utilities[k]
            if isinstance(ev, Table)
            else ev.at(issue.low + k, issue.low, issue.high)
        )
        total += profile.weights[j] * u
    return round(total, 12)


def _number_label(x: Any, labels: tuple[str, ...]) -> str | None:
    """The label of a numeric issue equal to the number ``x`` (``None`` if none)."""
    if isinstance(x, bool) or not isinstance(x, int | Decimal):
        return None
    for label in labels:
        try:
            if Decimal(label) == Decimal(x):
                return label
        except InvalidOperation:
            return None
    return None


# ---------------------------------------------------------------------------- writing


def _domain_json(domain: Domain) -> dict:
    out: dict[str, Any] = {}
    for issue in domain.issues:
        if issue.kind == "discrete":
            out[issue.name] = {"values": list(issue.values)}
        else:
            out[issue.name] = {"range": {"low": int(issue.low), "high": int(issue.high), "step": 1}}
    return {"name": domain.name, "issuesValues": out}


def write_domain(domain: Domain) -> str:
    """The GeniusWeb domain JSON of ``domain`` (no real issues: GeniusWeb has none)."""
    return json.dumps(_domain_json(domain), indent=2, ensure_ascii=False) + "\n"


def write_profile(domain: Domain, profile: Profile) -> tuple[str, list[str]]:
    """The profile JSON and notes on what GeniusWeb cannot hold (a discount factor, a
    reservation value that no outcome's utility equals)."""
    utils: dict[str, Any] = {}
    for issue, ev in zip(domain.issues, profile.evaluators, strict=True):
        if isinstance(ev, Table):
            utils[issue.name] = {
                "DiscreteValueSetUtilities": {
                    "valueUtilities": dict(zip(issue.values, ev.utilities, strict=True))
                }
            }
        else:
            utils[issue.name] = {
                "NumberValueSetUtilities": {
                    "lowValue": int(issue.low),
                    "lowUtility": ev.low_utility,
                    "highValue": int(issue.high),
                    "highUtility": ev.high_utility,
                }
            }
    notes = []
    bid = None
    if profile.reservation:  # 0 (or none) is a null reservation bid: nothing to find
        bid = reservation_bid(domain, profile)
        if bid is None:
            notes.append(
                f"{profile.name}: reservation {profile.reservation:g} is the utility of no "
                "outcome; a GeniusWeb profile holds a reservation bid only, so it is left out"
            )
    if profile.discount is not None:
        notes.append(
            f"{profile.name}: discount {profile.discount:g} left out (GeniusWeb profiles have none)"
        )
    body = {
        "issueUtilities": utils,
        "issueWeights": dict(zip((i.name for i in domain.issues), profile.weights, strict=True)),
        "domain": _domain_json(domain),
        "name": profile.name,
        "reservationBid": bid,
    }
    return json.dumps(
        {"LinearAdditiveUtilitySpace": body}, indent=2, ensure_ascii=False
    ) + "\n", notes


def reservation_bid(domain: Domain, profile: Profile) -> dict | None:
    """The first outcome (lexicographic in value order) whose utility is the profile's
    reservation value (to 1e-12), as a GeniusWeb bid; ``None`` if none or too many outcomes."""
    parts = []
    for issue, w, ev in zip(domain.issues, profile.weights, profile.evaluators, strict=True):
        n = len(issue.labels())
        u = np.array(
            ev.utilities
            if isinstance(ev, Table)
            else [ev.at(issue.low + k, issue.low, issue.high) for k in range(n)]
        )
        parts.append(w * u)
    if np.prod([len(p) for p in parts], dtype=float) > MAX_SEARCH:
        return None
    total = parts[0]
    for p in parts[1:]:
        total = np.add.outer(total, p)
    hits = np.flatnonzero(np.abs(np.ravel(total) - profile.reservation) <= EXACT)
    if len(hits) == 0:
        return None
    index = np.unravel_index(hits[0], np.shape(total))
    values: dict[str, Any] = {}
    for issue, k in zip(domain.issues, index, strict=True):
        values[issue.name] = (
            issue.values[k] if issue.kind == "discrete" else int(issue.low) + int(k)
        )
    return {"issuevalues": values}

"""The intermediate form (:mod:`sim.interop.model`) to a scenario and back.

Import (profiles → scenario), per issue:

* discrete → ``kind: discrete``, each party's table as its ``values`` scores;
* integer [lo, hi] whose every profile is the full line from 0 to 1 (or 1 to 0) →
  ``kind: integer``, ``range: [lo, hi]``, ``loss: linear`` and the ideal at the end scored 1
  (v = 1 − |x − ideal| / (hi − lo) is then that line exactly);
* any other integer issue → ``kind: discrete`` with the whole numbers as labels and each
  profile's utilities (line or table) as scores: exact on every outcome;
* real [lo, hi] whose every profile is a full line → ``kind: continuous`` on [0, 1] with
  x' = (x − lo) / (hi − lo) and anchors ``{0: lo, 1: hi}`` (so export restores the
  bounds); any other real issue is refused (a partial line on a continuum is not a
  spatial loss).

Every party gets ``reservation`` (the file's, else 0: GENIUS's default) and ``discount``
when the file has one; weights become saliences (``salience_normalisation: strict``).

Export (scenario → profiles) runs the same table backwards with the engine's numbers
(:func:`sim.game.compile_game`: weights divided by their sums, score tables): an integer
issue whose every party has a linear loss with its ideal at an end is a line; any other
integer issue is written as a table over its whole numbers; a continuous issue needs a
linear loss with the ideal at 0 or 1 for every party (else refused). Red lines, linked
conditions, agendas, strategies and the protocol have no counterpart in either format:
they are left out and named in the notes.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np

from sim.game import Game
from sim.interop.model import Domain, IssueDef, Line, Profile, Table, table_of_line
from sim.scenario.errors import InputError, Problem

IMPORTED = "as written in the imported {fmt} file (the description names it)"
NO_STATUS_QUO = (
    "{fmt} has no status quo: the first value; unused, every party's reservation is fixed"
)
DEFAULT_RESERVATION = "as written in the imported {fmt} file (0 when it has none)"
MAX_LABELS = 10_001


def slug(name: str, taken: set[str]) -> str:
    """A scenario identifier (``[a-z][a-z0-9_]*``, at most 40 characters) for ``name``,
    unique among ``taken`` (which it joins)."""
    base = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "x"
    if not base[0].isalpha():
        base = f"i_{base}"
    base = base[:36]
    out, k = base, 2
    while out in taken:
        out, k = f"{base}_{k}", k + 1
    taken.add(out)
    return out


def _sourced(value: Any, note: str) -> dict[str, Any]:
    return {"value": value, "assumption": note}


def to_scenario(
    domain: Domain,
    profiles: list[Profile],
    party_ids: list[str],
    files: list[str],
    *,
    fmt: str,
    date: dt.date,
    rounds: int,
    strategy: str,
) -> dict[str, Any]:
    """The scenario mapping of the module docstring (``files``: the profiles' file
    names, named in errors and in the description)."""
    note = IMPORTED.format(fmt=fmt)
    taken: set[str] = set()
    issues: list[dict] = []
    positions: list[dict] = [{} for _ in profiles]
    for j, issue in enumerate(domain.issues):
        iid = slug(issue.name, taken)
        entry, scores = _issue(issue, [p.evaluators[j] for p in profiles], files, fmt)
        issues.append({"id": iid, "label": issue.name, **entry})
        for i, profile in enumerate(profiles):
            positions[i][iid] = {"salience": _sourced(profile.weights[j], note), **scores[i]}
    parties = []
    for i, profile in enumerate(profiles):
        party: dict[str, Any] = {
            "id": party_ids[i],
            "name": profile.name,
            "role": "principal",
            "strategy": {"name": strategy},
            "reservation": _sourced(
                profile.reservation if profile.reservation is not None else 0.0,
                DEFAULT_RESERVATION.format(fmt=fmt),
            ),
        }
        if profile.discount is not None:
            party["discount"] = _sourced(profile.discount, note)
        party["positions"] = positions[i]
        parties.append(party)
    return {
        "title": domain.name,
        "date": date.isoformat(),
        "description": f"Imported by `sim import` from {fmt} files: {', '.join(files)}.",
        "seed": 0,
        "salience_normalisation": "strict",
        "issues": issues,
        "parties": parties,
        "protocol": {"kind": "alternating", "proposer_order": party_ids, "max_rounds": rounds},
    }


def _issue(
    issue: IssueDef, evaluators: list, files: list[str], fmt: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The scenario issue entry and each party's position fields (without salience)."""
    note = IMPORTED.format(fmt=fmt)
    sq = NO_STATUS_QUO.format(fmt=fmt)
    ends = [ev.full_range() if isinstance(ev, Line) else None for ev in evaluators]
    if issue.kind != "discrete" and all(ends):
        lo, hi = issue.low, issue.high
        ideal = [lo if e == "down" else hi for e in ends]
        if issue.kind == "integer":
            entry = {"kind": "integer", "range": [int(lo), int(hi)]}
            entry["status_quo"] = _sourced(int(lo), sq)
            return entry, [{"ideal": _sourced(int(x), note), "loss": "linear"} for x in ideal]
        entry = {"kind": "continuous", "anchors": {0.0: repr(lo), 1.0: repr(hi)}}
        entry["status_quo"] = _sourced(0.0, sq)
        return entry, [
            {"ideal": _sourced(0.0 if x == lo else 1.0, note), "loss": "linear"} for x in ideal
        ]
    if issue.kind == "real":
        k = next(i for i, e in enumerate(ends) if e is None)
        ev = evaluators[k]
        raise InputError(
            files[k],
            [
                Problem(
                    f"issue {issue.name!r}",
                    f"utility {ev.low_utility:g} at {issue.low:g} and {ev.high_utility:g} at "
                    f"{issue.high:g}: on a real issue the scenario format needs the full line "
                    "from 0 to 1 (a linear loss with the ideal at an end)",
                )
            ],
        )
    labels = issue.labels()
    if len(labels) > MAX_LABELS:
        raise InputError(
            files[0],
            [Problem(f"issue {issue.name!r}", f"{len(labels):,} values; at most {MAX_LABELS:,}")],
        )
    bad = [v for v in labels if v != v.strip()]
    if bad:
        raise InputError(
            files[0],
            [Problem(f"issue {issue.name!r}", f"values with surrounding spaces: {bad[:3]}")],
        )
    tables = [ev if isinstance(ev, Table) else table_of_line(ev, issue) for ev in evaluators]
    entry = {"kind": "discrete", "values": list(labels), "status_quo": _sourced(labels[0], sq)}
    return entry, [
        {"values": {v: _sourced(u, note) for v, u in zip(labels, t.utilities, strict=True)}}
        for t in tables
    ]


# ---------------------------------------------------------------------------- export


def from_game(game: Game, file: str) -> tuple[Domain, list[Profile], list[str], list[str]]:
    """The domain, the profiles (named by the parties' names) and the party ids of a
    generic scenario (see the module docstring), and notes naming what was left out.
    ``file`` is named in errors."""
    scenario = game.scenario
    if scenario.war is not None:
        raise InputError(file, [Problem("war", "export handles generic scenarios (no war block)")])
    labels = [i.label for i in scenario.issues]
    if len(set(labels)) != len(labels):
        raise InputError(file, [Problem("issues", f"issue labels repeat: {labels}")])
    prefs, ids = game.prefs, list(game.party_ids)
    issues, columns = [], []
    for j in range(len(scenario.issues)):
        defn, evs = _export_issue(game, j, file)
        issues.append(defn)
        columns.append(evs)
    domain = Domain(scenario.title, tuple(issues))
    status_quo = prefs.utilities(game.status_quo)[0] - game.fighting_cost
    profiles = []
    for i in range(len(ids)):
        fixed = game.fixed_reservation[i]
        reservation = float(status_quo[i]) if np.isnan(fixed) else float(fixed)
        discount = None if np.isnan(game.discount[i]) else float(game.discount[i])
        profiles.append(
            Profile(
                game.party_names[i],
                _weights(game, i),
                tuple(col[i] for col in columns),
                reservation,
                discount,
            )
        )
    return domain, profiles, ids, _left_out(game)


def _weights(game: Game, i: int) -> tuple[float, ...]:
    """Party i's weights: its saliences as written when they sum to 1 (to 1e-9, the
    engine's own threshold for a normalisation note), else divided by their sum as the
    engine does (:func:`sim.game.normalised_weights`)."""
    party = next(p for p in game.scenario.parties if p.id == game.party_ids[i])
    raw = [party.positions[iid].salience.value for iid in game.issue_ids]
    if abs(sum(raw) - 1.0) <= 1e-9:
        return tuple(float(w) for w in raw)
    return tuple(float(w) for w in game.prefs.weights[i])


def _export_issue(game: Game, j: int, file: str) -> tuple[IssueDef, list]:
    issue, prefs, n = game.scenario.issues[j], game.prefs, game.prefs.n_parties
    if issue.kind == "discrete":
        return IssueDef(issue.label, "discrete", values=tuple(issue.values)), [
            Table(tuple(float(u) for u in prefs.tables[j][i])) for i in range(n)
        ]
    lo, hi = issue.span()
    lines = [_line(prefs.ideal[i, j], prefs.exponent[i, j], lo, hi) for i in range(n)]
    if issue.kind == "integer":
        if all(lines):
            return IssueDef(issue.label, "integer", low=lo, high=hi), lines
        xs = np.arange(int(lo), int(hi) + 1, dtype=float)
        values = prefs.issue_values(j, xs)
        labels = tuple(str(int(x)) for x in xs)
        return IssueDef(issue.label, "discrete", values=labels), [
            Table(tuple(float(u) for u in values[i])) for i in range(n)
        ]
    if not all(lines):
        i = lines.index(None)
        pid = game.party_ids[i]
        raise InputError(
            file,
            [
                Problem(
                    f"parties.{pid}.positions.{issue.id}",
                    "GENIUS and GeniusWeb value a real issue along a straight line: a continuous "
                    "issue needs 'loss: linear' with the ideal at 0 or 1 to be exported",
                )
            ],
        )
    low, high = _bounds(issue.anchors)
    return IssueDef(issue.label, "real", low=low, high=high), lines


def _line(ideal: float, exponent: float, lo: float, hi: float) -> Line | None:
    if exponent != 1:
        return None
    if ideal == lo:
        return Line(1.0, 0.0)
    if ideal == hi:
        return Line(0.0, 1.0)
    return None


def _bounds(anchors: dict[float, str]) -> tuple[float, float]:
    """The real bounds of a continuous issue: its anchors at 0 and 1 when both are numbers
    (as an import writes them), else [0, 1]."""
    try:
        low, high = float(anchors[0.0]), float(anchors[1.0])
    except (KeyError, ValueError):
        return 0.0, 1.0
    return (low, high) if low < high else (0.0, 1.0)


def _left_out(game: Game) -> list[str]:
    """What the formats cannot hold, one note per item."""
    notes = [f"mediator {m} left out (it holds no preferences)" for m in game.mediators]
    for party in game.scenario.parties:
        for iid, pos in party.positions.items():
            if pos.red_line is not None or pos.unacceptable:
                notes.append(
                    f"red line of {party.id} on {iid} left out (no red lines in the format)"
                )
        if party.conditions:
            notes.append(f"linked conditions of {party.id} left out")
        if party.settle_first is not None:
            notes.append(f"agenda (settle_first) of {party.id} left out")
        if party.reservation is None:
            notes.append(f"{party.id} has no reservation: written as its utility of the status quo")
    return notes

"""Dated shocks of the scenario's timeline and how each type changes the world.

Each event applies at the start of its round (before the war moves and before offers):

* ``capability_shock``: the principal's resources change by ``delta`` (not below 0);
* ``support_change``: the supporter's support level of the recipient becomes ``level``;
* ``belief_shock``: the principal's believed battlefield trend shifts by ``delta``;
* ``position_shift``: the party's ideal, salience and/or red line on an issue change;
* ``consultation``: on every spatial issue each member's ideal moves a share ``weight`` of
  the way to the members' salience-weighted mean ideal (discrete issues are unchanged);
* ``deadline``: the party withdraws unless some issue has been settled (or exchanged) by then;
* ``aspiration_shift``: the party gives up ``delta`` of its aspiration (``fallback``);
* ``history``: nothing (a fact already in the status quo, shown on the timeline).

Position shifts and consultations change preferences, so the game is recompiled (its
frontier recomputed) once per distinct set of applied shifts, and cached.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from pydantic import TypeAdapter

from sim.game import Game, compiled_preferences
from sim.identity_cache import IdentityCache
from sim.scenario.schema import Event, Issue, Position, Scenario

PREFERENCE_EVENTS = ("position_shift", "consultation")


def timeline(scenario: Scenario) -> dict[int, list[tuple[int, Event]]]:
    """Events by the round (from 1) in which they apply, in file order: {round: [(k, ev)]}."""
    out: dict[int, list[tuple[int, Event]]] = {}
    for k, ev in enumerate(scenario.events):
        out.setdefault(scenario.event_round(ev), []).append((k, ev))
    return out


def _provenance(ev: Event, coding: str) -> dict[str, Any]:
    if ev.source is not None:
        return {"source": ev.source.model_dump(), "coding": coding}
    return {"assumption": ev.assumption, "coding": coding}


def shifted_scenario(scenario: Scenario, indices: tuple[int, ...]) -> Scenario:
    """The scenario with the preference events ``indices`` applied in order.

    Only the positions an event changes are rebuilt (and validated, as ``Position``
    models); the rest of the scenario is shared with ``scenario`` (``model_copy``). No
    validator above ``Position`` reads positions, so this is the scenario a full
    re-validation would give (tests/test_events_shift.py), at a fraction of its cost
    (a sweep builds these variants for every point); scenarios that share their events
    and positions (the points of a sweep that vary neither) share the new positions
    (:func:`_shifted_positions`)."""
    new = _shifted_positions(scenario, indices)
    parties = [
        p.model_copy(update={"positions": p.positions | new[p.id]}) if p.id in new else p
        for p in scenario.parties
    ]
    return scenario.model_copy(update={"parties": parties})


SHIFTED = IdentityCache(256)
"""The validated positions of one issue that :func:`_shifted_positions` changes, by the
identity of their inputs."""


def _shifted_positions(scenario: Scenario, indices: tuple[int, ...]) -> dict[str, dict]:
    """The validated positions the events ``indices`` change (party -> issue -> position).

    The events act issue by issue: on an issue, the new positions depend only on the
    events that touch it (:func:`_touches`) and on the positions there of the parties
    they name. So they are remembered per issue, by the identity of those inputs
    (:data:`SHIFTED`): a sweep point that changes one position (a salience, say) builds
    anew only the positions of that issue. Only the fields an event sets are validated:
    ``Position`` has no validator of its own, so the position copied with them is what
    validating it whole gives."""
    out: dict[str, dict[str, Position]] = {}
    parties = {p.id: p for p in scenario.parties}
    for issue in scenario.issues:
        events = tuple(k for k in indices if _touches(scenario.events[k], issue))
        if not events:
            continue
        members = tuple(dict.fromkeys(pid for k in events for pid in _members(scenario.events[k])))
        positions = {pid: parties[pid].positions[issue.id] for pid in members}

        def build(events=events, positions=positions) -> dict[str, Position]:
            fields = _shifted_fields([scenario.events[k] for k in events], positions)
            return {
                pid: positions[pid].model_copy(
                    update={name: _FIELDS[name].validate_python(raw) for name, raw in new.items()}
                )
                for pid, new in fields.items()
            }

        inputs = (*(scenario.events[k] for k in events), *positions.values())
        for pid, position in SHIFTED.get(
            inputs, (events, issue.id, issue.kind, members), build
        ).items():
            out.setdefault(pid, {})[issue.id] = position
    return out


def _touches(ev: Event, issue: Issue) -> bool:
    """Whether the preference event ``ev`` sets positions on ``issue`` (a consultation: on
    every issue that is not discrete)."""
    if ev.type == "position_shift":
        return ev.issue == issue.id
    return issue.kind != "discrete"


def _members(ev: Event) -> tuple[str, ...]:
    return (ev.party,) if ev.type == "position_shift" else tuple(ev.parties)


SHIFTABLE = ("ideal", "salience", "red_line")
_FIELDS = {name: TypeAdapter(Position.model_fields[name].annotation) for name in SHIFTABLE}
"""Validators of the position fields an event sets."""


def _shifted_fields(
    events: list[Event], positions: dict[str, Position]
) -> dict[str, dict[str, dict]]:
    """The fields the ``events`` (in order, each touching one issue) set on that issue, as
    raw mappings ``{"value": ..., provenance}``: party -> field -> mapping. ``positions``
    are the named parties' positions on the issue before the events."""
    shifted: dict[str, dict[str, dict]] = {}

    def value(pid: str, name: str) -> float:
        raw = shifted.get(pid, {}).get(name)
        if raw is not None:
            return raw["value"]
        return getattr(positions[pid], name).value

    for ev in events:
        if ev.type == "position_shift":
            fields = shifted.setdefault(ev.party, {})
            for name in SHIFTABLE:
                if getattr(ev, name) is not None:
                    coding = _provenance(ev, f"{name} set by: {ev.label}")
                    fields[name] = {"value": getattr(ev, name), **coding}
            continue
        coding = _provenance(ev, f"moved {ev.weight:g} of the way to the group mean: {ev.label}")
        ideals = np.array([value(pid, "ideal") for pid in ev.parties])
        weights = np.array([value(pid, "salience") for pid in ev.parties])
        mean = ideals @ weights / weights.sum() if weights.sum() > 0 else ideals.mean()
        for pid, x in zip(ev.parties, ideals, strict=True):
            moved = float((1 - ev.weight) * x + ev.weight * mean)
            shifted.setdefault(pid, {})["ideal"] = {"value": moved, **coding}
    return shifted


def shifted_game(base: Game, indices: tuple[int, ...]) -> Game:
    """The base game with preference events applied (made once, cached on ``base``). The
    events change positions only, and of a compiled game only the preferences and the
    notes on saliences read positions (:func:`~sim.game.compiled_preferences`), so the
    variant is ``base`` with those two replaced (equal to compiling the shifted scenario,
    tests/test_events_shift.py)."""
    if indices not in base.variants:
        scenario = shifted_scenario(base.scenario, indices)
        negotiators = [scenario.party(pid) for pid in base.party_ids]
        prefs, notes = compiled_preferences(scenario, negotiators)
        base.variants[indices] = replace(
            base, scenario=scenario, prefs=prefs, notes=tuple(notes), variants={}, derived={}
        )
    return base.variants[indices]

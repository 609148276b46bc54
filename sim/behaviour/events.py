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
from sim.scenario.schema import Event, Position, Scenario

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


SHIFTED = IdentityCache(64)
"""The validated positions of :func:`_shifted_positions`, by the identity of their inputs."""


def _shifted_positions(scenario: Scenario, indices: tuple[int, ...]) -> dict[str, dict]:
    """The validated positions the events ``indices`` change (party -> issue -> position).
    They depend only on the events, the parties' ids and positions and the issues'
    kinds, so they are remembered by the identity of those inputs (:data:`SHIFTED`).
    Only the fields an event sets are validated: ``Position`` has no validator of its
    own, so the position copied with them is what validating it whole gives."""

    def build() -> dict[str, dict[str, Position]]:
        out: dict[str, dict[str, Position]] = {}
        for (pid, iid), fields in _shifted_fields(scenario, indices).items():
            new = {name: _FIELDS[name].validate_python(raw) for name, raw in fields.items()}
            position = scenario.party(pid).positions[iid]
            out.setdefault(pid, {})[iid] = position.model_copy(update=new)
        return out

    inputs = (*(scenario.events[k] for k in indices), *(p.positions for p in scenario.parties))
    names = (indices, tuple(p.id for p in scenario.parties), tuple(i.kind for i in scenario.issues))
    return SHIFTED.get(inputs, names, build)


SHIFTABLE = ("ideal", "salience", "red_line")
_FIELDS = {name: TypeAdapter(Position.model_fields[name].annotation) for name in SHIFTABLE}
"""Validators of the position fields an event sets."""


def _shifted_fields(
    scenario: Scenario, indices: tuple[int, ...]
) -> dict[tuple[str, str], dict[str, dict]]:
    """The fields the events ``indices`` set, in order, as raw mappings ``{"value": ...,
    provenance}``: (party, issue) -> field -> mapping."""
    shifted: dict[tuple[str, str], dict[str, dict]] = {}

    def value(pid: str, iid: str, name: str) -> float:
        raw = shifted.get((pid, iid), {}).get(name)
        if raw is not None:
            return raw["value"]
        return getattr(scenario.party(pid).positions[iid], name).value

    for k in indices:
        ev = scenario.events[k]
        if ev.type == "position_shift":
            fields = shifted.setdefault((ev.party, ev.issue), {})
            for name in SHIFTABLE:
                if getattr(ev, name) is not None:
                    coding = _provenance(ev, f"{name} set by: {ev.label}")
                    fields[name] = {"value": getattr(ev, name), **coding}
            continue
        coding = _provenance(ev, f"moved {ev.weight:g} of the way to the group mean: {ev.label}")
        for issue in (i for i in scenario.issues if i.kind != "discrete"):
            ideals = np.array([value(pid, issue.id, "ideal") for pid in ev.parties])
            weights = np.array([value(pid, issue.id, "salience") for pid in ev.parties])
            mean = ideals @ weights / weights.sum() if weights.sum() > 0 else ideals.mean()
            for pid, x in zip(ev.parties, ideals, strict=True):
                moved = float((1 - ev.weight) * x + ev.weight * mean)
                shifted.setdefault((pid, issue.id), {})["ideal"] = {"value": moved, **coding}
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

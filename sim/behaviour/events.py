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
    kinds, so they are remembered by the identity of those inputs (:data:`SHIFTED`)."""

    def build() -> dict[str, dict[str, Position]]:
        return {
            pid: {iid: Position.model_validate(data) for iid, data in changed.items()}
            for pid, changed in _dumped_shifts(scenario, indices).items()
        }

    inputs = (*(scenario.events[k] for k in indices), *(p.positions for p in scenario.parties))
    names = (indices, tuple(p.id for p in scenario.parties), tuple(i.kind for i in scenario.issues))
    return SHIFTED.get(inputs, names, build)


def _dumped_shifts(scenario: Scenario, indices: tuple[int, ...]) -> dict[str, dict[str, dict]]:
    """The positions the events ``indices`` change, as dumped mappings."""
    positions: dict[str, dict[str, dict]] = {}  # party -> issue -> dumped position

    def position(pid: str, iid: str) -> dict:
        held = positions.setdefault(pid, {})
        if iid not in held:
            pos = scenario.party(pid).positions[iid]
            held[iid] = pos.model_dump(mode="python", exclude_none=True)
        return held[iid]

    for k in indices:
        ev = scenario.events[k]
        if ev.type == "position_shift":
            pos = position(ev.party, ev.issue)
            for name in ("ideal", "salience", "red_line"):
                value = getattr(ev, name)
                if value is not None:
                    pos[name] = {"value": value, **_provenance(ev, f"{name} set by: {ev.label}")}
        else:
            _consult(scenario, position, ev)
    return positions


def _consult(scenario: Scenario, position, ev: Event) -> None:
    for issue in scenario.issues:
        if issue.kind == "discrete":
            continue
        members = [position(pid, issue.id) for pid in ev.parties]
        ideals = np.array([m["ideal"]["value"] for m in members])
        weights = np.array([m["salience"]["value"] for m in members])
        mean = ideals @ weights / weights.sum() if weights.sum() > 0 else ideals.mean()
        for m, x in zip(members, ideals, strict=True):
            m["ideal"] = {
                "value": float((1 - ev.weight) * x + ev.weight * mean),
                **_provenance(ev, f"moved {ev.weight:g} of the way to the group mean: {ev.label}"),
            }


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

"""Episode files: a scenario plus a ``record:`` of what was observed (the backtest's truth).

An episode is an ordinary scenario file (its ``forecast_origin`` the date of the forecast)
with one more top-level key, ``record``: the dated observable outcomes a forecast is
scored against. The record is **never an input to the run**: :func:`load_episode` takes it
out of the mapping before the scenario is validated and compiled, so no game ever sees
it (``tests/test_backtest.py`` proves that a scenario with and without its record plays
the same). Its sources are dated after the origin by nature (they report the outcome)::

    record:
      - id: r2_exchange
        label: "exchange of wounded and young POWs; 6,000 bodies"
        observable: {kind: exchange, issue: humanitarian}
        by: 2025-06-02          # agreed (or not) by this date
        agreed: true
        held_30_days: true      # still in force 30 days later: true, false, or null (unknown)
        source: {quote: "...", where: "...", date: 2025-06-02}

Observable kinds (what a run is scored on, in the rounds up to the one holding ``by``):

``ceasefire``
    a general ceasefire (``war.ceasefire``) agreed, alone or in a package;
``exchange``
    separable issue ``issue`` agreed (an exchange, a deal on it alone, or in a package);
``settled``
    issue ``issue`` agreed in any way (alone, in an interim deal or a package);
``agreement``
    a comprehensive agreement on every open issue.

Held for 30 days: the agreement is not broken in the rounds covering the 30 days after
it (``sim.behaviour.compliance``); the model implements agreed exchanges, so for them
held = agreed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError, model_validator

from sim.scenario.base import Identifier, Source, Strict, Text
from sim.scenario.errors import InputError, Problem
from sim.scenario.loader import parse_scenario, problems_from_validation, read_yaml
from sim.scenario.schema import Scenario

RECORD = "record"
HELD_DAYS = 30


class Observable(Strict):
    """What a run is scored on (see the module docstring)."""

    kind: Literal["ceasefire", "exchange", "settled", "agreement"]
    issue: Identifier | None = None

    @model_validator(mode="after")
    def _issue_when_needed(self) -> Observable:
        if (self.kind in ("exchange", "settled")) != (self.issue is not None):
            raise ValueError("'issue' is required for kinds exchange and settled, and only there")
        return self

    def text(self) -> str:
        return self.kind if self.issue is None else f"{self.kind} {self.issue}"


class RecordItem(Strict):
    """One dated observable outcome of an episode."""

    id: Identifier
    label: Text
    observable: Observable
    by: dt.date
    agreed: bool
    held_30_days: bool | None = None
    source: Source
    note: str = ""


Record = list[RecordItem]
RECORD_ADAPTER = TypeAdapter(Record)


def load_episode(path: str | Path) -> tuple[Scenario, Record]:
    """The scenario of an episode file (without its record) and its record."""
    scenario, record = split_record(path)
    if record is None:
        raise InputError(str(path), [Problem(RECORD, "missing: an episode lists its outcomes")])
    return scenario, record


def raw_inputs(path: str | Path) -> dict[str, Any]:
    """A scenario file's raw mapping with ``extends``/``changes`` resolved
    (:mod:`sim.scenario.variants`) and an episode's ``record`` left out: what a run reads."""
    from sim.scenario.variants import resolve_variant

    data = resolve_variant(read_yaml(path), Path(path))
    data.pop(RECORD, None)
    return data


def split_record(path: str | Path) -> tuple[Scenario, Record | None]:
    """A scenario file's scenario, validated without its ``record``, and the record
    (checked) if the file has one."""
    from sim.scenario.variants import resolve_variant

    path = Path(path)
    data = resolve_variant(read_yaml(path), path)
    raw = data.pop(RECORD, None)
    scenario = parse_scenario(data, str(path))
    if raw is None:
        return scenario, None
    try:
        record = RECORD_ADAPTER.validate_python(raw)
    except ValidationError as exc:
        problems = [
            Problem(RECORD + (p.path if p.path.startswith("[") else f".{p.path}"), p.message)
            for p in problems_from_validation(
                exc, RECORD_ADAPTER.json_schema(), "an episode's record; see `sim schema`"
            )
        ]
        raise InputError(str(path), problems) from None
    problems = record_problems(scenario, record)
    if problems:
        raise InputError(str(path), problems)
    return scenario, record


def record_problems(scenario: Scenario, record: Record) -> list[Problem]:
    """Ids unique; observables refer to known issues; dates not before the origin."""
    problems = []
    issues = {i.id: i for i in scenario.issues}
    ids = [item.id for item in record]
    if not record:
        problems.append(Problem(RECORD, "empty: list at least one observed outcome"))
    if len(set(ids)) != len(ids):
        problems.append(Problem(RECORD, f"item ids must be unique: {ids}"))
    for k, item in enumerate(record):
        where = f"{RECORD}[{k}]"
        obs = item.observable
        if obs.issue is not None and obs.issue not in issues:
            known = ", ".join(issues)
            problems.append(
                Problem(
                    f"{where}.observable.issue", f"unknown issue '{obs.issue}'; issues: {known}"
                )
            )
        if obs.kind == "exchange" and obs.issue in issues and not issues[obs.issue].separable:
            problems.append(
                Problem(f"{where}.observable", f"{obs.issue} is not separable: use kind settled")
            )
        if obs.kind == "ceasefire" and (scenario.war is None or scenario.war.ceasefire is None):
            problems.append(
                Problem(f"{where}.observable", "kind ceasefire needs the scenario's war.ceasefire")
            )
        if item.by < scenario.origin:
            problems.append(
                Problem(
                    f"{where}.by",
                    f"{item.by} is before the forecast origin {scenario.origin}: "
                    "an outcome to forecast comes on or after it",
                )
            )
        if not item.agreed and item.held_30_days:
            problems.append(Problem(f"{where}.held_30_days", "true, but agreed is false"))
    return problems


def record_json_schema() -> dict[str, Any]:
    """The JSON Schema of the ``record`` list, described for ``sim schema``."""
    schema = RECORD_ADAPTER.json_schema()
    schema["description"] = (
        "Episode files only (sim backtest): the dated observable outcomes a forecast is "
        "scored against. Never an input to the run. Observable kinds: ceasefire (a "
        "general ceasefire, war.ceasefire, agreed), exchange (separable issue agreed), "
        "settled (issue agreed in any way), agreement (comprehensive agreement); each "
        "scored in the rounds up to the one holding 'by'. held_30_days: still in force 30 "
        "days later (true/false/null = unknown)."
    )
    return schema

"""What a sweep worker process runs: chunks of runs, each turned into one flat result row.

A new parameter point costs only what it changes. Workers keep the compiled games of
recent points (replications of a point share one game); a point's scenario is validated
only in the blocks its paths enter (:func:`point_scenario`); games with the same
preferences, anchors, status quo and consent share, through :mod:`sim.game`, their
Pareto frontier and their offer tables (options, consent rules, offer sets, weighted
forecasts), so a point that moves a fighting cost, a support level, a strategy
parameter or an event's size compiles no frontier and builds no offer set. A run that
raises is recorded as a row with outcome ``error`` and the message, and the chunk goes
on.
"""

from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache
from typing import Any, get_args

import numpy as np
import pyarrow as pa
from pydantic import BaseModel, TypeAdapter, ValidationError

from sim.game import Game
from sim.jobs.load import check_scenario
from sim.jobs.reference import assess, outcome_facts, reference_points
from sim.jobs.run import RunResult, deal_kind, outcome_round, run_game
from sim.output.sweep_store import rows_to_table
from sim.scenario import InputError, Scenario, parse_scenario
from sim.scenario.checks import cross_check
from sim.scenario.paths import resolve_path, split_path
from sim.sweep.design import PlannedRun, RunSpec, scenario_for

GAME_CACHE_SIZE = 8
"""Compiled games a worker keeps: a chunk's runs come point by point (the replications of
a point in a row, :func:`~sim.sweep.design.planned_runs`), so a few recent points suffice,
and fewer live games keep memory and the garbage collector's work small."""
_GAMES: OrderedDict[tuple, Game] = OrderedDict()
ERROR = "error"


def game_for(base_key: str, base: dict[str, Any], params: tuple[tuple[str, float], ...]) -> Game:
    """The compiled game of a parameter point (least recently used cache)."""
    key = (base_key, params)
    if key in _GAMES:
        _GAMES.move_to_end(key)
        return _GAMES[key]
    data = scenario_for(base, params)
    scenario = point_scenario(base_scenario(base_key, base), data, params)
    game = check_scenario(scenario, "sweep point")
    _GAMES[key] = game
    if len(_GAMES) > GAME_CACHE_SIZE:
        _GAMES.popitem(last=False)
    return game


_BASES: dict[str, Scenario] = {}


def base_scenario(base_key: str, base: dict[str, Any]) -> Scenario:
    """The validated base scenario of a sweep (one per base, kept for the worker's life)."""
    if base_key not in _BASES:
        _BASES.clear()
        _BASES[base_key] = parse_scenario(base, "the sweep's base scenario")
    return _BASES[base_key]


def point_scenario(
    base: Scenario, data: dict[str, Any], params: tuple[tuple[str, float], ...]
) -> Scenario:
    """The validated scenario of a sweep point: ``data`` (the base's raw mapping with the
    point's values, :func:`~sim.sweep.design.scenario_for`) validated only where it
    differs from the base, and the rest taken from the validated ``base``
    (:func:`_revalidated`: the smallest model around each path whose parents check
    nothing of their own, e.g. the provenance mapping of ``parties.russia.fighting_cost``
    or the strategy of ``parties.russia.strategy.params.aspiration``); then the
    cross-field checks of the whole scenario (without the provenance checks the base
    passed, see :func:`~sim.scenario.loader.parse_scenario`). No validator of
    ``Scenario`` itself reads a number (they check ids and roles), so the result is the
    scenario a full validation gives (tests/test_game_cache.py); anything else (a
    top-level number, a validation error, whose message should name the whole file's
    fields) goes through the full :func:`~sim.scenario.loader.parse_scenario`."""
    name = f"sweep point {dict(params)}"
    scenario = base
    try:
        for path, _ in params:
            scenario = _with_block(scenario, data, split_path(path))
    except (ValidationError, _NotABlockError):
        return parse_scenario(data, name, dating=False)
    problems = cross_check(scenario, dating=False)
    if problems:
        raise InputError(name, problems)
    return scenario


class _NotABlockError(Exception):
    """A path into a top-level value that is not a block of models (full validation)."""


_LISTS = ("parties", "issues", "events")
_BLOCKS = ("protocol", "war")


def _with_block(scenario: Scenario, data: dict[str, Any], segments: list[str]) -> Scenario:
    """``scenario`` with the party, issue or event, or the top-level block (``protocol``,
    ``war``), that the path ``segments`` enters re-validated from ``data``."""
    top = segments[0]
    annotation = Scenario.model_fields[top].annotation
    if top in _LISTS and len(segments) > 2:
        _, index = resolve_path(data, ".".join(segments[:2]))
        items = list(getattr(scenario, top))
        element = get_args(annotation)[0]
        items[index] = _revalidated(items[index], data[top][index], segments[2:], element)
        return scenario.model_copy(update={top: items})
    if top in _BLOCKS and len(segments) > 1:
        block = _revalidated(getattr(scenario, top), data[top], segments[1:], annotation)
        return scenario.model_copy(update={top: block})
    raise _NotABlockError(".".join(segments))


def _revalidated(model: Any, raw: Any, rest: list[str], annotation: Any) -> Any:
    """``model`` (validated as ``annotation``) with the value at the path ``rest`` below it
    re-validated from its raw mapping ``raw``. While ``model`` has no validator of its
    own and the path goes on into a sub-model that its field holds as is (``X`` or
    ``X | None``, or a mapping of ``X``), only that sub-model is validated and ``model``
    is copied around it; otherwise ``model`` is validated whole. A model skipped this way
    checks nothing that the new value could break, so the result is what validating
    ``raw`` as ``annotation`` gives."""
    if rest and isinstance(model, BaseModel) and not _own_validators(type(model)):
        field = type(model).model_fields.get(rest[0])
        child = getattr(model, rest[0], None)
        if field is not None and not field.metadata:
            if isinstance(child, BaseModel) and _holds(field.annotation, type(child)):
                new = _revalidated(child, raw[rest[0]], rest[1:], type(child))
                return model.model_copy(update={rest[0]: new})
            key = rest[1] if len(rest) > 1 else None
            item = child.get(key) if isinstance(child, dict) else None
            if isinstance(item, BaseModel) and field.annotation == dict[str, type(item)]:
                new = _revalidated(item, raw[rest[0]][key], rest[2:], type(item))
                return model.model_copy(update={rest[0]: child | {key: new}})
    return _adapter(annotation).validate_python(raw)


def _own_validators(cls: type[BaseModel]) -> bool:
    """Whether a model class (or a base of it) declares a field or model validator."""
    found = cls.__pydantic_decorators__
    return bool(
        found.validators
        or found.field_validators
        or found.root_validators
        or found.model_validators
    )


def _holds(annotation: Any, cls: type) -> bool:
    """Whether a field annotated ``annotation`` validates a mapping as ``cls`` alone:
    ``cls`` or ``cls | None``."""
    return annotation is cls or set(get_args(annotation)) == {cls, type(None)}


@lru_cache(maxsize=16)
def _adapter(annotation: Any) -> TypeAdapter:
    return TypeAdapter(annotation)


def run_chunk(
    base_key: str,
    base: dict[str, Any],
    master_seed: int,
    runs: list[PlannedRun],
    schema: pa.Schema,
) -> pa.Table:
    """Run every run of a chunk, each with the seed derived from ``master_seed``; one row
    per run (see :func:`result_row`), returned as a table in ``schema`` (seeds and table
    are made here, in the worker, so the collecting process stays light). A run that
    raises becomes a row with outcome ``error`` and its message."""
    rows = []
    for spec in (run.with_seed(master_seed) for run in runs):
        try:
            game = game_for(base_key, base, spec.params)
            rows.append(result_row(spec, run_game(game, seed=spec.seed)))
        except Exception as exc:
            rows.append(error_row(spec, f"{type(exc).__name__}: {exc}"))
    return rows_to_table(rows, schema)


def _identity(spec: RunSpec) -> dict[str, Any]:
    row: dict[str, Any] = {
        "run_id": spec.run_id,
        "point": spec.point,
        "replication": spec.replication,
        "seed": spec.seed,
    }
    row |= {f"param.{path}": value for path, value in spec.params}  # int on integer fields
    return row


def error_row(spec: RunSpec, message: str) -> dict[str, Any]:
    """The row of a run that raised."""
    return _identity(spec) | {"outcome": ERROR, "error": message}


def _row_names(game: Game) -> dict[str, list]:
    """Column names of a game's result rows: per issue (settled, partial, term) and per
    party its utility column."""
    return {
        "issues": [(f"settled.{i}", f"partial.{i}", f"term.{i}") for i in game.issue_ids],
        "utilities": [f"utility.{pid}" for pid in game.party_ids],
    }


def result_row(spec: RunSpec, result: RunResult) -> dict[str, Any]:
    """outcome, round, rounds played, per issue settled/term, per party utility, distance
    to each reference point, Pareto efficiency and individual rationality."""
    game, neg = result.game, result.negotiation
    final = neg.final_outcome()
    settled = ~np.isnan(neg.settled)
    row = _identity(spec) | {
        "outcome": neg.outcome_kind(),
        "deal": deal_kind(result),
        "round": outcome_round(neg),
        "rounds_played": len(result.records),
        "ceasefire_round": result.ceasefires[0] if result.ceasefires else None,
        "ceasefire_broken": bool(result.breaks),
        "ceasefire_in_force": neg.ceasefire_in_force(),
        "exchanges": len(neg.exchanges),
        "exchange_size": float(sum(e.size for e in neg.exchanges)),
    }
    alone = {j for j, _, _ in neg.partials} | {e.issue for e in neg.exchanges}
    names = game.memo("row_names", lambda: _row_names(game))
    terms = final.tolist()
    exchanged = {e.issue: e.value for e in neg.exchanges}  # the last exchange per issue
    for j, (is_settled, (settled_key, partial_key, term_key)) in enumerate(
        zip(settled.tolist(), names["issues"], strict=True)
    ):
        row[settled_key] = is_settled
        row[partial_key] = j in alone
        row[term_key] = terms[j] if is_settled else exchanged.get(j)
    points = game.memo("reference_points", lambda: reference_points(game))
    verdict = assess(game, final, result.records[-1].reservation, points, detail=False)
    utilities = outcome_facts(game, final, points)[0]
    row |= zip(names["utilities"], utilities.tolist(), strict=True)
    row |= {f"distance.{k}": v for k, v in verdict["distance"].items()}
    row["pareto_efficient"] = verdict["pareto_efficient"]
    row["individually_rational"] = verdict["individually_rational"]
    return row

"""Fuzz cases drawn from the JSON Schema of the input formats, and the property they must hold.

A document is drawn from a schema (``sim schema`` for scenarios, the sweep format's schema
for sweeps) by walking it: every required key and some optional ones, values within the
declared types, bounds, lengths and patterns, one branch of each ``anyOf``/``oneOf``. Then
a few mutations are applied at paths of the document, each guided by the schema at that
path: a value of a type the schema does not allow, a number just outside its bounds or
non-finite, a string or list just too long or too short, a required key removed, an unknown
key added, a huge string, deep nesting, or a fresh schema-valid value (which keeps the
document valid as far as the schema goes, so that the cross-checks and the run are reached).
Documents are drawn whole from the schema, or start from a valid shipped file.

:func:`check_cli` runs one command in-process and asserts the property of issue 16: exit 0
(or 1: some runs failed) or a clean exit 2 — no exception, within a time limit — and an
error message of printable characters, a few short lines, each problem naming where it is
(a field path, a line and column, an option) unless it concerns the whole file.

Used by ``tests/test_fuzz_schema.py`` (a small derandomised run) and ``benchmarks/fuzz.py``
(the long run).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import functools
import signal
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

Schema = dict[str, Any]
JSON_TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")
MAX_DEPTH = 12
"""Deeper than this, the generator takes the shortest way out (no optional keys, the
fewest items, a ``null`` branch when there is one)."""
OPTIONAL_DEPTH = 4
"""Optional keys are drawn (one time in three) down to this depth only: documents stay
small enough to draw quickly."""


@functools.cache
def scenario_schema() -> Schema:
    """The scenario format's schema, as ``sim schema`` prints it (without ``record``:
    an episode's record is checked by its own schema, drawn too)."""
    from sim.scenario import Scenario

    return Scenario.model_json_schema()


@functools.cache
def sweep_schema() -> Schema:
    """The sweep format's schema."""
    from sim.sweep.schema import SweepSpec

    return SweepSpec.model_json_schema()


class Walker:
    """Resolve ``$ref`` against one root schema; draw values from its nodes."""

    def __init__(self, root: Schema):
        self.root = root
        self.strategies: dict[tuple[int, int], tuple[Schema, st.SearchStrategy]] = {}

    def resolve(self, node: Schema) -> Schema:
        """``node`` with ``$ref`` followed (``#/$defs/Name`` pointers)."""
        while "$ref" in node:
            target: Any = self.root
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return node

    def branches(self, node: Schema) -> list[Schema]:
        """The alternatives of a node (``anyOf``/``oneOf``), each resolved; else itself."""
        node = self.resolve(node)
        alternatives = node.get("anyOf") or node.get("oneOf")
        if not alternatives:
            return [node]
        return [b for alt in alternatives for b in self.branches(alt)]

    def types(self, node: Schema) -> set[str]:
        """The JSON types a node accepts (all of them for an unconstrained node)."""
        out: set[str] = set()
        for b in self.branches(node):
            if "const" in b or "enum" in b:
                out |= {_json_type(v) for v in b.get("enum", [b.get("const")])}
            elif "type" in b:
                t = b["type"]
                out |= set(t) if isinstance(t, list) else {t}
            else:
                return set(JSON_TYPES)
        return out

    def child(self, node: Schema, value: Any, key: Any) -> Schema:
        """The schema of ``value[key]`` where ``value`` is described by ``node`` (the
        branch matching the value's type; the discriminated branch of an event)."""
        fits = [b for b in self.branches(node) if _fits(b, value)]
        if isinstance(value, dict) and "type" in value:
            fits = [b for b in fits if _const_of(b, "type") in (None, value["type"])] or fits
        for b in fits:
            if isinstance(value, dict):
                if key in b.get("properties", {}):
                    return b["properties"][key]
                for sub in b.get("patternProperties", {}).values():
                    return sub
                extra = b.get("additionalProperties")
                if isinstance(extra, dict):
                    return extra
            elif isinstance(value, list):
                prefix = b.get("prefixItems", [])
                if isinstance(key, int) and key < len(prefix):
                    return prefix[key]
                if isinstance(b.get("items"), dict):
                    return b["items"]
        return {}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _fits(branch: Schema, value: Any) -> bool:
    t = branch.get("type")
    if t is None:
        return True
    allowed = set(t) if isinstance(t, list) else {t}
    kind = _json_type(value)
    return kind in allowed or (kind == "integer" and "number" in allowed)


def _const_of(branch: Schema, key: str) -> Any:
    return branch.get("properties", {}).get(key, {}).get("const")


# ---------------------------------------------------------------- valid values


@functools.cache
def walker_for(kind: str) -> Walker:
    """The walker of the ``scenario`` or ``sweep`` schema (built once)."""
    return Walker(scenario_schema() if kind == "scenario" else sweep_schema())


def valid(walker: Walker, node: Schema, depth: int = 0) -> st.SearchStrategy:
    """Values that satisfy ``node``'s types, bounds, lengths, patterns and required keys
    (one strategy per node and depth, built on first use and kept: building is slow)."""
    depth = min(depth, MAX_DEPTH + 1)  # only "deeper than MAX_DEPTH" changes anything
    key = (id(node), depth)
    if key not in walker.strategies:  # the node is kept with it: its id stays its own
        strategy = st.deferred(lambda: _valid(walker, node, depth))
        walker.strategies[key] = (node, strategy)
    return walker.strategies[key][1]


def _valid(walker: Walker, node: Schema, depth: int) -> st.SearchStrategy:
    branches = walker.branches(node)
    if depth > MAX_DEPTH and any(b.get("type") == "null" for b in branches):
        return st.none()
    return st.one_of([_valid_branch(walker, b, depth) for b in branches])


def _valid_branch(walker: Walker, b: Schema, depth: int) -> st.SearchStrategy:
    if "const" in b:
        return st.just(b["const"])
    if "enum" in b:
        return st.sampled_from(b["enum"])
    t = b.get("type", ["number", "string", "boolean"])
    kinds = t if isinstance(t, list) else [t]
    return st.one_of([_VALID[kind](walker, b, depth) for kind in kinds])


IDENTIFIER = "^[a-z][a-z0-9_]*$"
"""The schema's one pattern (ids); drawn without ``from_regex``, which is slow, and
mostly from the few ids the shipped files use, so that references between ids match."""
COMMON_IDS = ["russia", "ukraine", "us", "territory", "ceasefire", "a", "b"]


@functools.cache
def _regex(pattern: str, low: int = 0, high: int = 40) -> st.SearchStrategy:
    if pattern == IDENTIFIER:
        tail = st.text(string.ascii_lowercase + string.digits + "_", max_size=max(high - 1, 0))
        fresh = st.tuples(st.sampled_from(string.ascii_lowercase), tail).map("".join)
        return st.one_of(st.sampled_from(COMMON_IDS), fresh).filter(lambda s: low <= len(s) <= high)
    return st.from_regex(pattern, fullmatch=True).filter(lambda s: low <= len(s) <= high)


def _valid_null(walker: Walker, b: Schema, depth: int) -> st.SearchStrategy:
    return st.none()


def _valid_boolean(walker: Walker, b: Schema, depth: int) -> st.SearchStrategy:
    return st.booleans()


def _valid_integer(walker: Walker, b: Schema, depth: int) -> st.SearchStrategy:
    low = b.get("minimum", -(10**6))
    high = b.get("maximum", max(low, 0) + 10**6)
    return st.one_of(st.sampled_from([low, min(low + 1, high), high]), st.integers(low, high))


def _valid_number(walker: Walker, b: Schema, depth: int) -> st.SearchStrategy:
    low, high = b.get("minimum"), b.get("maximum")
    edges = [x for x in (low, high) if x is not None] or [0.0]
    numbers = st.floats(
        min_value=low,
        max_value=high,
        exclude_min="exclusiveMinimum" in b,
        exclude_max="exclusiveMaximum" in b,
        allow_nan=False,
        allow_infinity=False,
    )
    return st.one_of(st.sampled_from(edges), numbers)


def _valid_string(walker: Walker, b: Schema, depth: int) -> st.SearchStrategy:
    if b.get("format") == "date":
        return st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)).map(dt.date.isoformat)
    low, high = b.get("minLength", 0), min(b.get("maxLength", 30), 30)
    if "pattern" in b:
        return _regex(b["pattern"], low, high)
    return st.text(string.ascii_letters + string.digits + " _-.", min_size=low, max_size=high)


def _valid_array(walker: Walker, b: Schema, depth: int) -> st.SearchStrategy:
    prefix = b.get("prefixItems")
    if prefix:
        return st.tuples(*(valid(walker, p, depth + 1) for p in prefix)).map(list)
    low = b.get("minItems", 0)
    high = low if depth > MAX_DEPTH else min(b.get("maxItems", low + 3), low + 3)
    return st.lists(valid(walker, b.get("items", {}), depth + 1), min_size=low, max_size=high)


@st.composite
def _valid_object(draw: st.DrawFn, walker: Walker, b: Schema, depth: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    required = set(b.get("required", []))
    for key, sub in b.get("properties", {}).items():
        if key in required or (depth <= OPTIONAL_DEPTH and draw(st.integers(0, 2)) == 0):
            out[key] = draw(valid(walker, sub, depth + 1))
    extra = b.get("additionalProperties")
    patterns = b.get("patternProperties", {})
    if (isinstance(extra, dict) or patterns) and depth <= MAX_DEPTH:
        for _ in range(draw(st.integers(0, 2))):
            if patterns:
                pattern, sub = draw(st.sampled_from(sorted(patterns.items())))
                key = draw(_regex(pattern))
            else:
                key, sub = draw(_regex(IDENTIFIER, 1, 9)), extra
            out[key] = draw(valid(walker, sub, depth + 1))
    return out


_VALID = {
    "null": _valid_null,
    "boolean": _valid_boolean,
    "integer": _valid_integer,
    "number": _valid_number,
    "string": _valid_string,
    "array": _valid_array,
    "object": _valid_object,
}


# ---------------------------------------------------------------- invalid values

HOSTILE_KEYS = ["zz", "Value", "\x1b[2Jkey", "a b", "x" * 300, "ключ", "1", "__class__"]
SPECIAL_NUMBERS = [float("nan"), float("inf"), -float("inf"), 10**400, -(10**30), 1e-320, -0.0]


@st.composite
def wrong_type(draw: st.DrawFn, walker: Walker, node: Schema) -> Any:
    """A value of a JSON type that ``node`` does not accept (or a hostile number)."""
    allowed = walker.types(node)
    others = [
        t for t in JSON_TYPES if t not in allowed and not (t == "integer" and "number" in allowed)
    ]
    if not others:
        return draw(st.sampled_from(SPECIAL_NUMBERS))
    return draw(_SAMPLE[draw(st.sampled_from(others))])


_SAMPLE = {
    "null": st.none(),
    "boolean": st.booleans(),
    "integer": st.sampled_from([0, -1, 7, 10**12]),
    "number": st.sampled_from([0.5, -2.5, *SPECIAL_NUMBERS]),
    "string": st.sampled_from(["", "x", "0.5", "2025-02-30", "$\\frac{", "\x00\x1b[31m"]),
    # copies: a later mutation may change the value in place, never the template
    "array": st.sampled_from([[], [1], ["a", None]]).map(copy.deepcopy),
    "object": st.sampled_from([{}, {"value": 0.5}, {"zz": 1}]).map(copy.deepcopy),
}


@st.composite
def out_of_bounds(draw: st.DrawFn, walker: Walker, node: Schema) -> Any:
    """A value of an allowed type just outside one of the node's bounds (a number below
    ``minimum`` or above ``maximum``, a string or list just too short or too long, a
    string off its pattern), or a non-finite number; a wrong type when there is none."""
    options: list[Any] = []
    for b in walker.branches(node):
        t = b.get("type")
        if t in ("number", "integer"):
            if "minimum" in b:
                options += [b["minimum"] - 1, b["minimum"] - 1e-9 if t == "number" else -(10**6)]
            if "maximum" in b:
                options += [b["maximum"] + 1, b["maximum"] * 10 + 1]
            options += SPECIAL_NUMBERS
        elif t == "string":
            if b.get("minLength", 0) > 0:
                options.append("")
            if "maxLength" in b:
                options.append("y" * (b["maxLength"] + 1))
            if "pattern" in b:
                options += ["Not An Id", "9x", "a-b"]
            if b.get("format") == "date":
                options += ["2025-02-30", "yesterday", "2025-13-01"]
        elif t == "array":
            item = b.get("items") or (b.get("prefixItems") or [{}])[0]
            sample = draw(valid(walker, item, MAX_DEPTH))
            if b.get("minItems", 0) > 0:
                options.append([])
            if "maxItems" in b:
                options.append([sample] * (b["maxItems"] + 1))
    if not options:
        return draw(wrong_type(walker, node))
    return copy.deepcopy(draw(st.sampled_from(options)))


def deep(depth: int, kind: str) -> Any:
    """A list or mapping nested ``depth`` levels deep."""
    value: Any = 1
    for _ in range(depth):
        value = [value] if kind == "list" else {"a": value}
    return value


MUTATIONS = ("regenerate", "wrong_type", "out_of_bounds", "delete", "extra", "huge", "deep")


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = []
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for k, v in items:
        out.append((*prefix, k))
        out += _paths(v, (*prefix, k))
    return out


def _at(node: Any, path: tuple) -> Any:
    for k in path:
        node = node[k]
    return node


@st.composite
def mutate(
    draw: st.DrawFn, walker: Walker, doc: Any, actions: tuple[str, ...] = MUTATIONS
) -> tuple[Any, list[str]]:
    """``doc`` with 1–3 schema-guided mutations; returns it and what was done (for reports)."""
    doc = copy.deepcopy(doc)
    done = []
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(doc)
        action = draw(st.sampled_from(actions))
        if action == "regenerate":  # a leaf: the document then often stays valid
            paths = [p for p in paths if not isinstance(_at(doc, p), dict | list)]
        path: tuple = ()
        if not paths or (action == "extra" and draw(st.booleans())):
            parent, key, node = doc, None, walker.root
        else:
            path = draw(st.sampled_from(paths))
            parent, node = doc, walker.root
            for k in path[:-1]:
                node = walker.child(node, parent, k)
                parent = parent[k]
            key = path[-1]
            node = walker.child(node, parent, key)
        target = parent[key] if key is not None else parent
        if action == "delete" and key is not None:
            del parent[key]
        elif action == "extra" and isinstance(target, dict):
            target[draw(st.sampled_from(HOSTILE_KEYS))] = draw(_SAMPLE["number"])
        elif key is None:
            continue
        elif action == "regenerate":
            parent[key] = draw(valid(walker, node, MAX_DEPTH - 2))
        elif action == "wrong_type":
            parent[key] = draw(wrong_type(walker, node))
        elif action == "out_of_bounds":
            parent[key] = draw(out_of_bounds(walker, node))
        elif action == "huge":
            parent[key] = draw(st.sampled_from(["h" * 20_001, "é" * 100_000, "\x07" * 5000]))
        elif action == "deep":
            parent[key] = deep(
                draw(st.sampled_from([63, 65, 300])), draw(st.sampled_from(["list", "map"]))
            )
        done.append(f"{action} at {'.'.join(map(str, path)) or '(top)'}")
    return doc, done


# ---------------------------------------------------------------- the property


class HangError(Exception):
    """A command ran past its time limit."""


@contextlib.contextmanager
def time_limit(seconds: float, wall_factor: float = 10.0) -> Iterator[None]:
    """Raise :class:`HangError` in the main thread after ``seconds`` of CPU time
    (``SIGPROF``: a busy machine does not make a command look hung), or after
    ``wall_factor`` times as long by the clock (``SIGALRM``: a command blocked without
    computing)."""

    def _raise(signum, frame):
        clock = "CPU" if signum == signal.SIGPROF else "wall-clock"
        raise HangError(f"still running after {seconds} s of {clock} time")

    previous = {sig: signal.signal(sig, _raise) for sig in (signal.SIGPROF, signal.SIGALRM)}
    signal.setitimer(signal.ITIMER_PROF, seconds)
    signal.setitimer(signal.ITIMER_REAL, seconds * wall_factor)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


WHOLE_FILE = (
    "file not found",
    "a folder, not a file",
    "larger than",
    "not a UTF-8 text file",
    "cannot be read",
    "expected a YAML mapping",
    "this is a sweep file",
    "this is a scenario",
)
"""Messages about a whole file, which name no field (every other problem does)."""
MAX_LINES, MAX_LINE = 45, 400


@dataclass
class Outcome:
    """What one command did: its exit code and error message."""

    code: int
    message: str


def check_cli(args: list[str], seconds: float = 20.0) -> Outcome:
    """Run ``sim ARGS`` in-process and assert issue 16's property (module docstring).

    Mirrors :func:`sim.cli.main` (an input error is exit 2 and its message) but keeps the
    :class:`~sim.scenario.InputError` to check that every problem names where it is."""
    import io
    from contextlib import redirect_stdout

    from sim.cli import USER_ERROR, build_parser
    from sim.scenario import InputError

    ns = build_parser().parse_args(args)
    try:
        with time_limit(seconds), redirect_stdout(io.StringIO()):
            code = ns.func(ns)
    except InputError as exc:
        message = str(exc)
        lines = message.splitlines()
        assert len(lines) <= MAX_LINES and all(len(line) <= MAX_LINE for line in lines), message
        assert all(c.isprintable() for line in lines for c in line), message
        for problem in exc.problems:
            assert problem.path or problem.message.startswith(WHOLE_FILE), problem
        return Outcome(USER_ERROR, message)
    assert code in (0, 1), code
    return Outcome(code, "")


def write_case(folder: Path, name: str, doc: Any) -> Path:
    """Write a drawn document as YAML (``doc`` may hold any JSON value, NaN included)."""
    path = folder / name
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text = yaml.dump(doc, Dumper=dumper, sort_keys=False, allow_unicode=True, width=10**9)
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- the cases

ROOT = Path(__file__).resolve().parent.parent
SCENARIO_SEEDS = [
    ROOT / "tests" / "data" / "two_party_one_issue.yaml",
    ROOT / "tests" / "data" / "rubinstein_split.yaml",
    ROOT / "scenarios" / "textbook_job_offer.yaml",
    ROOT / "scenarios" / "history" / "istanbul_2025_05_16_round1.yaml",
]
"""Valid scenario files to start from (small, without ``extends``: a case is written
elsewhere)."""
SWEEP_SEEDS = sorted((ROOT / "tests" / "data" / "sweeps").glob("*.yaml"))


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if "base" in data:  # the case is written elsewhere: keep its base scenario reachable
        data["base"] = str((path.parent / data["base"]).resolve())
    return data


@st.composite
def case(draw: st.DrawFn, kind: str) -> tuple[dict[str, Any], list[str]]:
    """A ``kind`` ("scenario" or "sweep") document: drawn from the schema or a valid
    shipped file, then (always for a file, mostly for a drawn one) mutated."""
    walker = walker_for(kind)
    seeds = SCENARIO_SEEDS if kind == "scenario" else SWEEP_SEEDS
    if draw(st.booleans()):
        doc, how = draw(valid(walker, walker.root)), ["drawn from the schema"]
        if kind == "sweep" and draw(st.booleans()):
            doc["base"] = str(draw(st.sampled_from(SCENARIO_SEEDS)))
        if draw(st.integers(0, 3)) == 0:
            return doc, how
    else:
        seed = draw(st.sampled_from(seeds))
        doc, how = _load(seed), [f"from {seed.relative_to(ROOT)}"]
        if draw(st.booleans()):  # schema-valid changes only: the cross-checks and the run
            doc, done = draw(mutate(walker, doc, ("regenerate",)))
            return doc, how + done
    doc, done = draw(mutate(walker, doc))
    return doc, how + done

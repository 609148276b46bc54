"""Reading YAML input files safely: bounded, and every failure a clear input error.

PyYAML's safe loader is the base (no object construction from tags), with libyaml's C
parser where PyYAML was built with it (about ten times faster; the pure-Python parser
otherwise). On top of it:

* a key repeated in one mapping is an error, and so is a key that is not a scalar
  (``? [a, b]``);
* nesting deeper than :data:`MAX_DEPTH` levels is an error (instead of Python's
  recursion limit);
* anchors and aliases are allowed, but the document they expand to may hold at most
  :data:`MAX_NODES` nodes (a "billion laughs" document is refused before it is built);
* a value the safe constructor cannot build — an impossible date (``2025-02-30``), an
  integer of more than 4,300 digits, ``!!float 0x10``, an out-of-range number — is an
  error naming its line and column;
* a file larger than :data:`MAX_BYTES` is refused unread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sim.scenario.errors import InputError, Problem, printable

MAX_DEPTH = 64
MAX_NODES = 200_000
MAX_BYTES = 5_000_000


class _LimitError(yaml.YAMLError):
    """A document beyond the loader's limits."""

    def __init__(self, message: str, mark: Any = None) -> None:
        super().__init__(message)
        self.problem, self.problem_mark = message, mark


class _Bounded:
    """The checks both loaders share: the alias-expansion bound and readable value errors."""

    def construct_document(self, node: Any) -> Any:
        size = expanded_size(node)
        if size > MAX_NODES:
            raise _LimitError(
                f"the document's aliases expand to more than {MAX_NODES:,} values", node.start_mark
            )
        return super().construct_document(node)  # type: ignore[misc]

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)  # type: ignore[misc]
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read the value {_shown(node)}: {exc}", node.start_mark
            ) from None


class SafeLoader(_Bounded, yaml.SafeLoader):
    """The bounded safe loader of the module docstring, in pure Python."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            mark = self.peek_event().start_mark
            raise _LimitError(f"nesting deeper than {MAX_DEPTH} levels", mark)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


if getattr(yaml, "__with_libyaml__", False):

    class CSafeLoader(_Bounded, yaml.CSafeLoader):  # type: ignore[name-defined]
        """The same loader on libyaml's parser. Its composer is C code that cannot be
        hooked, so :func:`check_depth` reads the event stream first."""

else:  # pragma: no cover - PyYAML built without libyaml
    CSafeLoader = None  # type: ignore[assignment,misc]


class _ReadInPythonError(Exception):
    """A document the C path leaves to the pure-Python loader."""


def check_events(text: str) -> None:
    """Read ``text``'s event stream with libyaml before it is composed there.

    Raise the loader's nesting error if any node lies deeper than :data:`MAX_DEPTH` levels
    (a collection's level counts its parents; a scalar or alias is one level below its
    collection, as :meth:`SafeLoader.compose_node` counts). Raise :class:`_ReadInPythonError`
    at an explicit tag (``!``, ``!!str``): libyaml resolves a few of them differently
    (``key: !`` is ``''`` there and ``None`` in PyYAML), and scenario files need none."""
    depth = 0
    opening = yaml.SequenceStartEvent | yaml.MappingStartEvent
    closing = yaml.SequenceEndEvent | yaml.MappingEndEvent
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, closing):
            depth -= 1
            continue
        if getattr(event, "tag", None) is not None:
            raise _ReadInPythonError
        level = depth + 1
        if isinstance(event, opening):
            depth = level
        elif not isinstance(event, yaml.ScalarEvent | yaml.AliasEvent):
            continue
        if level > MAX_DEPTH:
            raise _LimitError(f"nesting deeper than {MAX_DEPTH} levels", event.start_mark)


def load_yaml_text(text: str) -> Any:
    """``text`` parsed by the bounded safe loader, on libyaml when PyYAML has it.

    A document libyaml cannot read, or one with explicit tags or tab characters, is read
    by the pure-Python loader, so that a syntax error is worded, and placed, the same way with
    or without libyaml (libyaml's own limits, such as its nesting depth of 1,000, never
    show) and every document means what PyYAML reads."""
    if CSafeLoader is not None and "\t" not in text:  # PyYAML refuses tabs libyaml takes
        try:
            check_events(text)
            return yaml.load(text, Loader=CSafeLoader)
        except _LimitError:
            raise
        except (yaml.YAMLError, _ReadInPythonError):
            pass
    return yaml.load(text, Loader=SafeLoader)


def dump_yaml(data: Any, **options: Any) -> str:
    """``yaml.safe_dump(data, **options)``, by libyaml's emitter where PyYAML has it
    (the same text, about six times faster)."""
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, **options)


def _shown(node: Any) -> str:
    text = repr(node.value) if isinstance(node, yaml.ScalarNode) else f"({node.id})"
    return text if len(text) <= 40 else text[:37] + "..."


def expanded_size(root: Any) -> int:
    """Number of values the node graph expands to, aliases counted at every use
    (memoised per node, so a bomb is measured without being built)."""
    sizes: dict[int, int] = {}
    order: list[Any] = []
    stack, seen = [root], set()
    while stack:  # children before parents, without recursion
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        stack.extend(_children(node))
    for node in reversed(order):
        total = 1 + sum(sizes.get(id(child), 1) for child in _children(node))
        sizes[id(node)] = min(total, MAX_NODES + 1)
    return sizes[id(root)]


def _children(node: Any) -> list[Any]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _construct_mapping(loader: SafeLoader, node: yaml.MappingNode, deep: bool = False):
    seen = set()
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                "a mapping key must be a plain value, not a list or mapping",
                key_node.start_mark,
            )
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"key {printable(repr(key))} appears twice in one mapping",
                key_node.start_mark,
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


for _loader in (SafeLoader, CSafeLoader):
    if _loader is not None:
        _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def is_file(path: Path) -> bool:
    """``path.is_file()``, False for names the system cannot even look up (too long, NUL)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Parse a YAML file into a mapping, or raise :class:`InputError` naming the line."""
    path = Path(path)
    name = printable(str(path))
    try:
        if not path.is_file():
            what = "a folder, not a file" if path.is_dir() else "file not found"
            raise InputError(name, [Problem("", what)])
        if path.stat().st_size > MAX_BYTES:
            raise InputError(name, [Problem("", f"larger than {MAX_BYTES:,} bytes")])
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            name, [Problem("", f"not a UTF-8 text file (byte {exc.start} cannot be read)")]
        ) from None
    except (OSError, ValueError) as exc:  # permissions, loops, NUL bytes, long names
        reason = printable(exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc))
        raise InputError(name, [Problem("", f"cannot be read: {reason}")]) from None
    try:
        data = load_yaml_text(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        kind = (
            "syntax error"
            if isinstance(exc, yaml.MarkedYAMLError)
            and not isinstance(exc, yaml.constructor.ConstructorError | _LimitError)
            else "error"
        )
        raise InputError(name, [Problem(where, printable(f"YAML {kind}: {problem}"))]) from None
    if not isinstance(data, dict):
        raise InputError(
            name, [Problem("", "expected a YAML mapping (key: value) at the top level")]
        )
    return data

"""The row condition of ``sim discover --where``: a small, safe expression language over the
columns of a sweep's rows, parsed with :mod:`ast` and evaluated column-wise with numpy.

Allowed: names (columns and the short names below), numbers, ``True``/``False``, strings
(only as an operand of ``==``/``!=``), comparisons (chains like ``0.2 < x <= 0.5`` too),
``and``/``or``/``not``, ``+ - * /`` and unary minus, parentheses. Anything else — calls,
attribute access on values, subscripts, lambdas, comprehensions — is refused before
anything is evaluated, so ``__import__('os')`` is an error, never a call.

Names are column names with dots and digits (``param.war.support.0.level``,
``term.ceasefire``, ``utility.russia``). A name that is not a column resolves, in order, to

* a short name of :data:`SHORT_NAMES` (``agreement``, ``partial``, ``none``: the run's
  outcome; ``general_ceasefire``: a general ceasefire agreed at some round;
  ``exchange``: at least one exchange),
* ``term.<name>`` (an issue's agreed value: ``ceasefire <= 0.3``),
* ``param.<name>`` (a swept parameter by its path: ``parties.russia.fighting_cost``).

An unknown name is an error naming it and the nearest name that exists
(:func:`difflib.get_close_matches`). Missing values (a term never agreed) are NaN, and
every comparison with NaN is false. The result must be true/false per row.
"""

from __future__ import annotations

import ast
import difflib
import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from sim.discover.defaults import SHORT_NAMES
from sim.scenario import InputError, Problem

_NAME = re.compile(r"(?<![\w.])[A-Za-z_]\w*(?:\.\w+)*")
_STRING = re.compile(r"'[^'\\]*'|\"[^\"\\]*\"")
_KEYWORDS = frozenset({"and", "or", "not", "True", "False"})
_COMPARE: dict[type, Callable] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_ARITHMETIC: dict[type, Callable] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
MAX_LENGTH = 2000


def _error(message: str) -> InputError:
    return InputError("sim discover", [Problem("--where", message)])


@dataclass(frozen=True)
class Condition:
    """A parsed condition: its text, its syntax tree (names replaced by placeholders
    ``_n0``, ``_n1``, ...) and, per placeholder, the column or short name it stands for."""

    text: str
    tree: ast.Expression
    names: dict[str, str]

    @property
    def columns(self) -> list[str]:
        """The columns (and short names) the condition reads."""
        return sorted(set(self.names.values()))


def _resolve(name: str, columns: set[str]) -> str:
    """The column or short name that ``name`` stands for (module docstring)."""
    if name in columns or name in SHORT_NAMES:
        return name
    for prefix in ("term.", "param."):
        if prefix + name in columns:
            return prefix + name
    known = sorted(columns | set(SHORT_NAMES))
    near = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if not near:
        near = difflib.get_close_matches(name, [k.split(".", 1)[-1] for k in known], n=1)
        near = [next(k for k in known if k.split(".", 1)[-1] == near[0])] if near else []
    hint = f"; did you mean '{near[0]}'?" if near else ""
    return _raise(f"unknown column '{name}'{hint} (sim discover --help lists the names)")


def _raise(message: str) -> str:
    raise _error(message)


def _substitute(text: str) -> tuple[str, dict[str, str]]:
    """The text with every name outside string literals replaced by a placeholder, and
    the name of each placeholder."""
    names: dict[str, str] = {}
    seen: dict[str, str] = {}

    def replace(match: re.Match) -> str:
        word = match.group(0)
        if word in _KEYWORDS:
            return word
        if word not in seen:
            seen[word] = f"_n{len(seen)}"
            names[seen[word]] = word
        return seen[word]

    pieces, last = [], 0
    for literal in _STRING.finditer(text):
        pieces.append(_NAME.sub(replace, text[last : literal.start()]))
        pieces.append(literal.group(0))
        last = literal.end()
    pieces.append(_NAME.sub(replace, text[last:]))
    return "".join(pieces), names


def _check(node: ast.AST) -> None:
    """Refuse every node outside the allowed subset (module docstring)."""
    allowed = (
        ast.Expression,
        ast.BoolOp,
        ast.And,
        ast.Or,
        ast.UnaryOp,
        ast.Not,
        ast.USub,
        ast.UAdd,
        ast.BinOp,
        ast.Compare,
        ast.Name,
        ast.Load,
        ast.Constant,
        *_COMPARE,
        *_ARITHMETIC,
    )
    for child in ast.walk(node):
        if not isinstance(child, allowed):
            what = type(child).__name__
            if isinstance(child, ast.Call):
                what = "a function call"
            elif isinstance(child, ast.Attribute):
                what = "attribute access"
            elif isinstance(child, ast.Subscript):
                what = "indexing"
            raise _error(
                f"{what} is not allowed; use column names, numbers, comparisons, "
                "and/or/not, + - * / and parentheses"
            )
        if isinstance(child, ast.Constant) and not isinstance(child.value, int | float | str):
            raise _error(f"the constant {child.value!r} is not allowed")


def parse_condition(text: str, columns: Iterable[str]) -> Condition:
    """Parse ``text`` against the available ``columns``; InputError (exit 2) for an empty,
    too long or malformed condition, a forbidden construct or an unknown name."""
    if not text.strip():
        raise _error('empty condition; e.g. --where "agreement and ceasefire <= 0.3"')
    if len(text) > MAX_LENGTH:
        raise _error(f"longer than {MAX_LENGTH} characters")
    code, words = _substitute(text)
    try:
        tree = ast.parse(code.strip(), mode="eval")
    except SyntaxError as exc:
        raise _error(f"not a valid condition ({exc.msg}): {text}") from None
    _check(tree)  # forbidden constructs first, then unknown names
    known = set(columns)
    return Condition(text, tree, {p: _resolve(w, known) for p, w in words.items()})


# ------------------------------------------------------------------------- evaluation


def short_name_values(name: str, data: dict[str, np.ndarray]) -> np.ndarray:
    """Per row, the true/false value of a short name of :data:`SHORT_NAMES`."""
    if name in ("agreement", "partial", "none"):
        return np.asarray(data["outcome"] == name, dtype=bool)
    if name == "general_ceasefire":
        return np.isfinite(np.asarray(data["ceasefire_round"], dtype=float))
    return np.nan_to_num(np.asarray(data["exchanges"], dtype=float)) > 0


def _value(name: str, data: dict[str, np.ndarray]) -> np.ndarray:
    """A column as a float, bool or object (text) array; nulls of booleans are false."""
    if name in SHORT_NAMES and name not in data:
        return short_name_values(name, data)
    values = np.asarray(data[name])
    if values.dtype == object and all(v is None or isinstance(v, bool) for v in values):
        return np.array([v is True for v in values], dtype=bool)
    return values


def _kind(value: np.ndarray | object) -> str:
    if isinstance(value, np.ndarray):
        return {"b": "bool", "O": "text", "U": "text"}.get(value.dtype.kind, "number")
    if isinstance(value, bool):
        return "bool"
    return "text" if isinstance(value, str) else "number"


class _Evaluator:
    """Evaluates a checked tree over the columns in ``data``."""

    def __init__(self, condition: Condition, data: dict[str, np.ndarray]) -> None:
        self.condition, self.data = condition, data

    def label(self, node: ast.AST) -> str:
        text = ast.unparse(node)
        for placeholder, name in sorted(self.condition.names.items(), key=lambda kv: -len(kv[0])):
            text = re.sub(rf"\b{placeholder}\b", name, text)
        return text

    def truth(self, node: ast.AST) -> np.ndarray:
        value = self.eval(node)
        if _kind(value) != "bool":
            raise _error(
                f"'{self.label(node)}' is a {_kind(value)}, not true/false; "
                f"compare it, e.g. {self.label(node)} > 0.5"
            )
        return np.asarray(value, dtype=bool)

    def number(self, node: ast.AST) -> np.ndarray | float:
        value = self.eval(node)
        if _kind(value) == "text":
            raise _error(f"'{self.label(node)}' is text: only == and != apply to it")
        return value.astype(float) if isinstance(value, np.ndarray) else float(value)

    def eval(self, node: ast.AST):
        if isinstance(node, ast.Expression):
            return self.eval(node.body)
        if isinstance(node, ast.Name):
            return _value(self.condition.names[node.id], self.data)
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.BoolOp):
            parts = [self.truth(v) for v in node.values]
            combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
            return combine.reduce(np.broadcast_arrays(*parts))
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not):
                return ~self.truth(node.operand)
            sign = -1.0 if isinstance(node.op, ast.USub) else 1.0
            return sign * self.number(node.operand)
        if isinstance(node, ast.BinOp):
            with np.errstate(divide="ignore", invalid="ignore"):
                return _ARITHMETIC[type(node.op)](self.number(node.left), self.number(node.right))
        return self.compare(node)

    def compare(self, node: ast.Compare) -> np.ndarray:
        result = None
        left = node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            a, b = self.eval(left), self.eval(right)
            if "text" in (_kind(a), _kind(b)):
                if not isinstance(op, ast.Eq | ast.NotEq) or _kind(a) != _kind(b):
                    raise _error(f"'{self.label(node)}': text compares only with text, by == or !=")
            else:
                a, b = self.number(left), self.number(right)
            with np.errstate(invalid="ignore"):
                part = np.asarray(_COMPARE[type(op)](a, b), dtype=bool)
            result = part if result is None else result & part
            left = right
        return result


def evaluate(condition: Condition, data: dict[str, np.ndarray], rows: int) -> np.ndarray:
    """Per row, whether the condition holds (a bool array of length ``rows``)."""
    value = _Evaluator(condition, data).truth(condition.tree)
    return np.broadcast_to(value, (rows,)).copy()


def columns_needed(condition: Condition) -> list[str]:
    """The stored columns that evaluating the condition reads."""
    needed: set[str] = set()
    for name in condition.names.values():
        if name in SHORT_NAMES:
            needed |= {
                "general_ceasefire": {"ceasefire_round"},
                "exchange": {"exchanges"},
            }.get(name, {"outcome"})
        else:
            needed.add(name)
    return sorted(needed)

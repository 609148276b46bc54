"""The intermediate form of an imported or exported domain: issues and linear additive
profiles.

A profile's utility of an outcome ``x`` is the GENIUS/GeniusWeb linear additive sum

    u(x) = Σ_j w_j · e_j(x_j),

where ``e_j`` is a table (one utility in [0, 1] per value of a discrete issue) or a line
through ``(low, low_utility)`` and ``(high, high_utility)`` on a numeric issue
``[low, high]`` (GENIUS ``EvaluatorInteger``/``EvaluatorReal`` with ftype ``linear``;
GeniusWeb ``NumberValueSetUtilities``). A line is kept only when both end utilities lie
in [0, 1], so that GENIUS's clamping to [0, 1] never acts inside the range.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

IssueKind = Literal["discrete", "integer", "real"]
EXACT = 1e-12
"""Two utilities closer than this are the same number (floating-point round-off)."""


@dataclass(frozen=True)
class IssueDef:
    """One issue: a list of labels (``discrete``) or a numeric range [low, high]
    (``integer``: the whole numbers in it; ``real``: the interval)."""

    name: str
    kind: IssueKind
    values: tuple[str, ...] = ()
    low: float = 0.0
    high: float = 1.0
    from_range: bool = False
    """A discrete issue read from a numeric range (GeniusWeb ``step`` ≠ 1): its labels are
    the range's numbers and ``low``/``high`` the range's ends."""

    def labels(self) -> tuple[str, ...]:
        """The values of a finite issue as text (integers written without a decimal point)."""
        if self.kind == "discrete":
            return self.values
        if self.kind == "integer":
            return tuple(str(k) for k in range(int(self.low), int(self.high) + 1))
        raise ValueError(f"a real issue ({self.name}) has no finite list of values")


@dataclass(frozen=True)
class Domain:
    """A named list of issues (GENIUS domain file, GeniusWeb domain JSON)."""

    name: str
    issues: tuple[IssueDef, ...]

    def index(self, name: str) -> int:
        return next(j for j, issue in enumerate(self.issues) if issue.name == name)


@dataclass(frozen=True)
class Table:
    """Utilities of the values of a discrete issue, in the issue's value order."""

    utilities: tuple[float, ...]


@dataclass(frozen=True)
class Line:
    """A linear evaluator: ``low_utility`` at the range's low end, ``high_utility`` at its
    high end, linear in between (both in [0, 1])."""

    low_utility: float
    high_utility: float

    def at(self, x: float, low: float, high: float) -> float:
        """The utility at ``x`` of a range [low, high] (exactly the end utilities at the
        ends, so that a line read back from a table is the same line)."""
        if x == low:
            return self.low_utility
        if x == high:
            return self.high_utility
        return self.low_utility + (self.high_utility - self.low_utility) * (x - low) / (high - low)

    def full_range(self) -> Literal["up", "down"] | None:
        """``up`` for the line from 0 to 1, ``down`` for 1 to 0, ``None`` otherwise."""
        if abs(self.low_utility) <= EXACT and abs(self.high_utility - 1) <= EXACT:
            return "up"
        if abs(self.low_utility - 1) <= EXACT and abs(self.high_utility) <= EXACT:
            return "down"
        return None


Evaluator = Table | Line


@dataclass(frozen=True)
class Profile:
    """One party's linear additive utility space, its issues in the domain's order."""

    name: str
    weights: tuple[float, ...]
    evaluators: tuple[Evaluator, ...]
    reservation: float | None = None
    discount: float | None = None

    def utility(self, domain: Domain, outcome: tuple[str | float, ...]) -> float:
        """u(x) of the module docstring; a discrete value is given by its label."""
        total = 0.0
        for issue, w, ev, x in zip(
            domain.issues, self.weights, self.evaluators, outcome, strict=True
        ):
            if isinstance(ev, Table):
                total += w * ev.utilities[issue.labels().index(str(x))]
            else:
                total += w * ev.at(float(x), issue.low, issue.high)
        return total


def table_of_line(line: Line, issue: IssueDef) -> Table:
    """The table of a line over the whole numbers of an integer issue."""
    return Table(
        tuple(line.at(k, issue.low, issue.high) for k in range(int(issue.low), int(issue.high) + 1))
    )


def line_of_table(table: Table, xs: list[float]) -> Line | None:
    """The line through a table whose values sit at the numbers ``xs`` (increasing), or
    ``None`` when the table is not affine in ``xs`` (to :data:`EXACT`)."""
    u = table.utilities
    line = Line(u[0], u[-1])
    if all(abs(line.at(x, xs[0], xs[-1]) - v) <= EXACT for x, v in zip(xs, u, strict=True)):
        return line
    return None

"""Sweep files: the pydantic v2 schema of a parameter sweep.

A sweep names a base scenario, a design (``grid``, ``random``, ``lhs``, ``sobol``), the
number of replications per parameter point, a master seed and the swept parameters. Each
parameter addresses one number of the base scenario by dotted path (see
:mod:`sim.scenario.paths`) and gives exactly one of

``values``
    an explicit list (grid: every value; random: drawn uniformly from the list).
``linear: {start, stop, num}``
    grid: ``num`` evenly spaced values including both ends (``numpy.linspace``); random,
    lhs, sobol: the continuous interval [start, stop] (``num`` is then not allowed).
``log: {start, stop, num}``
    as ``linear`` on a log scale (``numpy.geomspace``; start, stop > 0).
``distribution: {kind, ...}``
    ``uniform`` (low, high), ``normal`` (mean, sd, optional low/high clip),
    ``triangular`` (low, mode, high); random, lhs and sobol designs only.

Every parameter maps a uniform number u in [0, 1] to a value by its inverse CDF
(:meth:`Parameter.from_unit`): the random, LHS and Sobol designs draw u and map it, so
stratification (McKay, Beckman & Conover 1979) and Saltelli's scheme (Saltelli 2002)
carry over to non-uniform parameters.

Design-dependent rules (checked by :func:`design_problems`, each naming its field):
grid needs a finite value set per parameter (``values``, or ``linear``/``log`` with
``num``) and takes no ``samples``; random, lhs and sobol need ``samples``; lhs and sobol
take ranges or distributions, not value lists; sobol's ``samples`` is Saltelli's base
sample N and must be a power of 2 (Sobol' sequences balance only at powers of 2: Owen
2020; SALib warns otherwise). Paths must be unique.
"""

from __future__ import annotations

import re
from pathlib import Path
from statistics import NormalDist
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from sim.scenario.schema import Text

Finite = Annotated[float, Field(allow_inf_nan=False)]
Design = Literal["grid", "random", "lhs", "sobol"]
PATH_PATTERN = r"[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*"
NORMAL_TAIL_SD = 6.0
"""Normal draws are cut at mean ± 6 sd (u clipped to [Φ(−6), Φ(6)], tail mass 2e-9)."""
_TAIL_U = NormalDist().cdf(-NORMAL_TAIL_SD)


class Strict(BaseModel):
    """Base: unknown keys are errors, objects are frozen after validation."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Range(Strict):
    """An interval [start, stop]; ``num`` values of it for a grid design."""

    start: Finite
    stop: Finite
    num: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _check(self) -> Range:
        problem = self._problem()
        if problem:
            raise ValueError(problem)
        return self

    def _problem(self) -> str | None:
        if self.start > self.stop:
            return f"start ({self.start:g}) is greater than stop ({self.stop:g})"
        if self.start == self.stop and self.num not in (None, 1):
            return f"start equals stop ({self.start:g}): use 'values: [{self.start:g}]'"
        if self.start < self.stop and self.num == 1:
            return "num: 1 would keep only start; give num >= 2 or use 'values: [x]'"
        return None


class Linear(Range):
    """Evenly spaced values / a uniform interval."""

    def grid(self) -> np.ndarray:
        """``numpy.linspace(start, stop, num)``: both ends included."""
        return np.linspace(self.start, self.stop, self.num or 1)

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Inverse CDF of U(start, stop): start + u·(stop − start)."""
        return self.start + u * (self.stop - self.start)


class Log(Range):
    """Geometrically spaced values / a log-uniform interval (start, stop > 0)."""

    def _problem(self) -> str | None:
        if self.start <= 0 or self.stop <= 0:
            return (
                "a log range needs start > 0 and stop > 0 (numpy.geomspace); "
                f"got start {self.start:g}, stop {self.stop:g}"
            )
        return super()._problem()

    def grid(self) -> np.ndarray:
        """``numpy.geomspace(start, stop, num)``: both ends included."""
        return np.geomspace(self.start, self.stop, self.num or 1)

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Inverse CDF of the log-uniform law: exp(ln start + u·(ln stop − ln start))."""
        lo, hi = np.log(self.start), np.log(self.stop)
        return np.exp(lo + u * (hi - lo))


_DIST_FIELDS = {
    "uniform": ({"low", "high"}, set()),
    "normal": ({"mean", "sd"}, {"low", "high"}),
    "triangular": ({"low", "mode", "high"}, set()),
}


class Distribution(Strict):
    """A probability law: uniform(low, high), normal(mean, sd[, low, high]) or
    triangular(low, mode, high). A normal's optional low/high *clip* its draws
    (values beyond are set to the bound, which then carries the tail's mass)."""

    kind: Literal["uniform", "normal", "triangular"]
    low: Finite | None = None
    high: Finite | None = None
    mean: Finite | None = None
    sd: Finite | None = None
    mode: Finite | None = None

    @model_validator(mode="after")
    def _fields(self) -> Distribution:
        required, optional = _DIST_FIELDS[self.kind]
        given = {f for f in ("low", "high", "mean", "sd", "mode") if getattr(self, f) is not None}
        if required - given:
            raise ValueError(f"a {self.kind} distribution needs {_names(required - given)}")
        if given - required - optional:
            extra = _names(given - required - optional)
            raise ValueError(f"a {self.kind} distribution takes no {extra}")
        problem = _order_problem(self)
        if problem:
            raise ValueError(problem)
        return self

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Inverse CDF (quantile function) of the distribution at u in [0, 1]."""
        u = np.asarray(u, dtype=float)
        if self.kind == "uniform":
            return self.low + u * (self.high - self.low)
        if self.kind == "normal":
            return _normal_ppf(self, u)
        return _triangular_ppf(self.low, self.mode, self.high, u)


def _names(fields: set[str]) -> str:
    return ", ".join(f"'{f}'" for f in sorted(fields))


def _order_problem(d: Distribution) -> str | None:
    """low < high, sd > 0, low <= mode <= high: the laws are then well defined."""
    if d.low is not None and d.high is not None and not d.low < d.high:
        return f"low ({d.low:g}) must be less than high ({d.high:g})"
    if d.sd is not None and d.sd <= 0:
        return f"sd must be > 0 (got {d.sd:g})"
    if d.mode is not None and not d.low <= d.mode <= d.high:
        return f"mode ({d.mode:g}) must lie in [low, high] = [{d.low:g}, {d.high:g}]"
    return None


def _normal_ppf(d: Distribution, u: np.ndarray) -> np.ndarray:
    """mean + sd·Φ⁻¹(u), u clipped to [Φ(−6), Φ(6)], then clipped to [low, high]."""
    inv = np.vectorize(NormalDist(d.mean, d.sd).inv_cdf, otypes=[float])
    x = inv(np.clip(u, _TAIL_U, 1.0 - _TAIL_U)) if u.size else u.copy()
    lo = -np.inf if d.low is None else d.low
    hi = np.inf if d.high is None else d.high
    return np.clip(x, lo, hi)


def _triangular_ppf(a: float, c: float, b: float, u: np.ndarray) -> np.ndarray:
    """Triangular(a, c, b) quantile: a + √(u(b−a)(c−a)) for u < F(c) = (c−a)/(b−a),
    else b − √((1−u)(b−a)(b−c)) (e.g. Evans, Hastings & Peacock, *Statistical
    Distributions*, ch. 40)."""
    fc = (c - a) / (b - a)
    left = a + np.sqrt(u * (b - a) * (c - a))
    right = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
    return np.where(u < fc, left, right)


_SOURCES = ("values", "linear", "log", "distribution")


class Parameter(Strict):
    """One swept number: its dotted path and exactly one value source."""

    path: str
    values: list[Finite] | None = None
    linear: Linear | None = None
    log: Log | None = None
    distribution: Distribution | None = None

    @field_validator("path")
    @classmethod
    def _path_syntax(cls, path: str) -> str:
        if not re.fullmatch(PATH_PATTERN, path):
            raise ValueError(
                f"'{path}' is not a dotted path such as "
                "parties.russia.positions.territory.salience (letters, digits, _ and dots)"
            )
        return path

    @field_validator("values")
    @classmethod
    def _non_empty(cls, values: list[float] | None) -> list[float] | None:
        if values is not None and not values:
            raise ValueError("empty list: give at least one value")
        return values

    @model_validator(mode="after")
    def _one_source(self) -> Parameter:
        given = [s for s in _SOURCES if getattr(self, s) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of 'values', 'linear', 'log' or 'distribution'"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self

    @property
    def source(self) -> str:
        """Which of ``values``, ``linear``, ``log``, ``distribution`` is given."""
        return next(s for s in _SOURCES if getattr(self, s) is not None)

    def grid_values(self) -> np.ndarray:
        """The finite value set of a grid: the list, linspace or geomspace."""
        if self.values is not None:
            return np.asarray(self.values, dtype=float)
        rng = self.linear or self.log
        if rng is None:
            raise ValueError(f"{self.path}: a distribution has no finite value set")
        return rng.grid()

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Map uniform u in [0, 1] to values: a list by equal-probability cells
        (index ⌊u·n⌋), a range or distribution by its inverse CDF."""
        u = np.asarray(u, dtype=float)
        if self.values is not None:
            vals = np.asarray(self.values, dtype=float)
            idx = np.minimum((u * len(vals)).astype(int), len(vals) - 1)
            return vals[idx]
        dist = self.linear or self.log or self.distribution
        assert dist is not None
        return dist.from_unit(u)

    def bounds(self) -> tuple[float, float]:
        """The smallest and largest value the parameter can take in any design."""
        if self.values is not None:
            return min(self.values), max(self.values)
        lo, hi = self.from_unit(np.array([0.0, 1.0]))
        return float(lo), float(hi)


class SweepSpec(Strict):
    """A whole sweep file (see the module docstring)."""

    title: Text
    base: Path
    design: Design
    samples: int | None = Field(default=None, ge=1)
    replications: int = Field(default=1, ge=1)
    seed: int = Field(default=0, ge=0)
    parameters: list[Parameter] = Field(default_factory=list)

    @field_validator("base", mode="before")
    @classmethod
    def _base_text(cls, base: Any) -> Any:
        if not isinstance(base, str | Path) or not str(base).strip():
            raise ValueError("give the base scenario's path (relative to the sweep file)")
        return base

    @model_validator(mode="after")
    def _design_rules(self) -> SweepSpec:
        problems = design_problems(self)
        if problems:
            raise ValidationError.from_exception_data(
                "SweepSpec",
                [
                    InitErrorDetails(
                        type=PydanticCustomError("value_error", "{m}", {"m": msg}),
                        loc=loc,
                        input=None,
                    )
                    for loc, msg in problems
                ],
            )
        return self

    @property
    def paths(self) -> list[str]:
        """The parameter paths in file order."""
        return [p.path for p in self.parameters]


Loc = tuple[str | int, ...]


def design_problems(spec: SweepSpec) -> list[tuple[Loc, str]]:
    """Rules that tie the parameters to the design (module docstring), with locations."""
    problems = _samples_problems(spec) + _duplicate_problems(spec)
    for k, param in enumerate(spec.parameters):
        problems += [(("parameters", k, *loc), m) for loc, m in _param_problems(spec, param)]
    return problems


def _samples_problems(spec: SweepSpec) -> list[tuple[Loc, str]]:
    n = spec.samples
    if not spec.parameters and spec.design != "grid":
        return [
            (
                ("parameters",),
                f"a {spec.design} design needs at least one parameter; "
                "with none, use design: grid (one point, replications only)",
            )
        ]
    if spec.design == "grid" and n is not None:
        return [(("samples",), "a grid design takes no 'samples': it runs every combination")]
    if spec.design != "grid" and n is None:
        return [(("samples",), f"required for a {spec.design} design: the number of points")]
    if spec.design == "sobol" and n is not None and n & (n - 1):
        return [
            (
                ("samples",),
                f"must be a power of 2 for a sobol design (Saltelli's base sample N, "
                f"giving N·(D+2) points), e.g. {1 << (n.bit_length() - 1)} or "
                f"{1 << n.bit_length()}; got {n}",
            )
        ]
    return []


def _duplicate_problems(spec: SweepSpec) -> list[tuple[Loc, str]]:
    first: dict[str, int] = {}
    problems: list[tuple[Loc, str]] = []
    for k, param in enumerate(spec.parameters):
        if param.path in first:
            msg = f"duplicate path '{param.path}' (also parameters[{first[param.path]}])"
            problems.append((("parameters", k, "path"), msg))
        first.setdefault(param.path, k)
    return problems


def _param_problems(spec: SweepSpec, param: Parameter) -> list[tuple[Loc, str]]:
    design, source = spec.design, param.source
    rng = param.linear or param.log
    if design == "grid":
        if source == "distribution":
            return [
                (
                    ("distribution",),
                    "a grid design needs a finite set of values: use 'values', 'linear' or "
                    "'log' (distributions are for random, lhs and sobol designs)",
                )
            ]
        if rng is not None and rng.num is None:
            return [((source, "num"), "required for a grid design: how many values")]
        return _repeat_problems(param)
    return _sampled_problems(design, param)


def _repeat_problems(param: Parameter) -> list[tuple[Loc, str]]:
    """A grid's value list must not repeat a value (it would run the same points twice)."""
    values = param.values or []
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated:
        shown = ", ".join(f"{v:g}" for v in repeated)
        return [(("values",), f"repeated value(s) {shown}: a grid would run them twice")]
    return []


def _sampled_problems(design: str, param: Parameter) -> list[tuple[Loc, str]]:
    """random, lhs, sobol: no 'num'; lhs and sobol: no value lists."""
    source, rng = param.source, param.linear or param.log
    if rng is not None and rng.num is not None:
        return [
            (
                (source, "num"),
                f"a {design} design samples the whole interval [{rng.start:g}, {rng.stop:g}]; "
                "'num' is for grid designs only: remove it",
            )
        ]
    if design in ("lhs", "sobol") and source == "values":
        return [
            (
                ("values",),
                f"a {design} design samples continuous ranges: use 'linear' or 'log' "
                "{start, stop} or a 'distribution', not a list of values",
            )
        ]
    return []

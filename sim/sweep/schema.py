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
(:meth:`Parameter.from_unit`; ranges and distributions are in :mod:`sim.sweep.values`):
the random, LHS and Sobol designs draw u and map it, so stratification (McKay, Beckman &
Conover 1979) and Saltelli's scheme (Saltelli 2002) carry over to non-uniform parameters.

Design-dependent rules (checked by :func:`design_problems`, each naming its field):
grid needs a finite value set per parameter (``values``, or ``linear``/``log`` with
``num``) and takes no ``samples``; random, lhs and sobol need ``samples``; lhs and sobol
take ranges or distributions, not value lists; sobol's ``samples`` is Saltelli's base
sample N and must be a power of 2 (Sobol' sequences balance only at powers of 2: Owen
2020; SALib warns otherwise). Paths must be unique. A sweep has at most 10⁷ design
points, 10⁶ replications per point and 10⁸ runs.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field, PrivateAttr, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from sim.scenario.schema import Text
from sim.sweep.values import Distribution, Finite, Linear, Log, Strict

Design = Literal["grid", "random", "lhs", "sobol"]
MAX_POINTS = 10_000_000
MAX_REPLICATIONS = 1_000_000
MAX_RUNS = 100_000_000
MAX_VALUES = 5_000_000
"""Most parameter values (points × swept parameters) a design holds in memory: with the
arrays a design builds on the way, this keeps a sweep's design below about 300 MB."""
"""Limits of one sweep (points are held in memory, rows are streamed to disk)."""
PATH_PATTERN = r"[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*"


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

    def whole_bounds(self) -> tuple[int, int] | None:
        """The smallest and largest whole number the parameter can take on an integer
        field: a list's values rounded half to even; a range's or distribution's
        ⌈lowest⌉ and ⌊highest⌋ (within 1e-9, so that 7.9999999999 is 8). ``None`` when
        the range holds no whole number (e.g. [4.2, 4.8])."""
        lo, hi = self.bounds()
        if self.values is not None:
            return round(lo), round(hi)
        low, high = math.ceil(lo - 1e-9), math.floor(hi + 1e-9)
        return (low, high) if low <= high else None

    def whole_grid(self) -> np.ndarray:
        """The grid of an integer field: :meth:`grid_values` rounded half to even."""
        return np.round(self.grid_values())

    def whole_from_unit(self, u: np.ndarray) -> np.ndarray:
        """Map u in [0, 1] to whole numbers (an integer field). A ``linear`` range or a
        uniform distribution becomes the discrete uniform law on its whole numbers
        k = a, ..., b (a = ⌈start⌉, b = ⌊stop⌋; value a + ⌊u·(b − a + 1)⌋, equal cells of
        u, as for a value list), so each whole number is equally likely and LHS strata and
        Saltelli's scheme carry over; a list's values are rounded half to even; a log range
        or a normal or triangular law is rounded half to even after its inverse CDF and
        kept within [a, b]. Requires :meth:`whole_bounds` not ``None``."""
        u = np.asarray(u, dtype=float)
        if self.values is not None:
            return np.round(self.from_unit(u))
        bounds = self.whole_bounds()
        if bounds is None:
            raise ValueError(f"{self.path}: the range holds no whole number")
        lo, hi = bounds
        uniform = self.distribution is not None and self.distribution.kind == "uniform"
        if self.linear is not None or uniform:
            n = hi - lo + 1
            return lo + np.minimum(np.floor(u * n), n - 1)
        return np.clip(np.round(self.from_unit(u)), lo, hi)


class SweepSpec(Strict):
    """A whole sweep file (see the module docstring)."""

    title: Text
    base: Path
    design: Design
    samples: int | None = Field(default=None, ge=1, le=MAX_POINTS)
    replications: int = Field(default=1, ge=1, le=MAX_REPLICATIONS)
    seed: int = Field(default=0, ge=0)
    parameters: list[Parameter] = Field(default_factory=list)
    _integer_paths: frozenset[str] = PrivateAttr(default_factory=frozenset)

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

    @property
    def integer_paths(self) -> frozenset[str]:
        """Paths of swept integer fields (set by :func:`sim.sweep.design.load_sweep` from
        the base scenario): their values are whole numbers in points, rows and plots."""
        return self._integer_paths

    def with_integer_paths(self, paths: frozenset[str]) -> SweepSpec:
        """A copy of this spec whose :attr:`integer_paths` are ``paths``."""
        out = self.model_copy()
        out._integer_paths = frozenset(paths)
        return out


Loc = tuple[str | int, ...]


def design_problems(spec: SweepSpec) -> list[tuple[Loc, str]]:
    """Rules that tie the parameters to the design (module docstring), with locations."""
    problems = _samples_problems(spec) + _duplicate_problems(spec)
    for k, param in enumerate(spec.parameters):
        problems += [(("parameters", k, *loc), m) for loc, m in _param_problems(spec, param)]
    return problems or _size_problems(spec)


def _size_problems(spec: SweepSpec) -> list[tuple[Loc, str]]:
    """A sweep of at most ``MAX_POINTS`` points and ``MAX_RUNS`` runs (its points are held
    in memory; its rows are streamed)."""
    if spec.design == "grid":
        points = 1
        for p in spec.parameters:
            points *= len(p.grid_values())
    elif spec.design == "sobol":
        points = (spec.samples or 0) * (len(spec.parameters) + 2)
    else:
        points = spec.samples or 0
    where = "parameters" if spec.design == "grid" else "samples"
    if points > MAX_POINTS:
        return [((where,), f"{points:,} design points: at most {MAX_POINTS:,} are allowed")]
    values = points * max(1, len(spec.parameters))
    if values > MAX_VALUES:
        msg = (
            f"{points:,} design points x {len(spec.parameters)} parameters = {values:,} "
            f"values: at most {MAX_VALUES:,} are held in memory; split the sweep"
        )
        return [((where,), msg)]
    if points * spec.replications > MAX_RUNS:
        runs = points * spec.replications
        msg = (
            f"{points:,} points x {spec.replications:,} replications = {runs:,} runs: "
            f"at most {MAX_RUNS:,} are allowed in one sweep"
        )
        return [(("replications",), msg)]
    return []


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

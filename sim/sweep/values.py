"""How a swept parameter's values are given: linear and log ranges, and distributions.

Each maps a uniform number u in [0, 1] to a value by its inverse CDF, so that the random,
LHS and Sobol designs can draw u and map it (see :mod:`sim.sweep.schema`).
"""

from __future__ import annotations

from statistics import NormalDist
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

Finite = Annotated[float, Field(allow_inf_nan=False)]
NORMAL_TAIL_SD = 6.0
"""Normal draws are cut at mean ± 6 sd (u clipped to [Φ(−6), Φ(6)], tail mass 2e-9)."""
_TAIL_U = NormalDist().cdf(-NORMAL_TAIL_SD)


class Strict(BaseModel):
    """Base: unknown keys are errors, objects are frozen after validation."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


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

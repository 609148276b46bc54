"""Axiomatic bargaining solutions (Nash, Kalai–Smorodinsky, utilitarian, egalitarian).

Two settings are covered, both with pure numpy:

* a FINITE set of outcomes, given as a utility matrix ``U`` of shape ``(m, n)`` (rows are
  outcomes, columns are parties, everyone maximises) and a disagreement point ``d`` of shape
  ``(n,)``; the functions return a row index;
* a CONTINUOUS two-party frontier ``u2 = f(u1)`` on ``[lo, hi]`` with ``f`` decreasing and
  concave; the functions return the point ``(u1, u2)``.

Tie-breaking on finite sets. Scores are compared with a relative tolerance of ``1e-12``
(``_RTOL``) so that the answer does not depend on floating-point summation order (e.g. on the
order in which the parties are listed). Among the rows whose score is within that tolerance of
the best, the Pareto-dominated ones are dropped (``pareto_mask``; a dominating row always scores
at least as well, so the result is Pareto-efficient) and the lowest remaining index is returned.
For exact ties between efficient rows this is simply "lowest index".

References: Nash (1950) Econometrica 18:155–162; Kalai & Smorodinsky (1975) Econometrica
43:513–518; Kalai (1977) Econometrica 45:1623–1630; Harsanyi (1955) JPE 63:309–321; Roth (1979)
*Axiomatic Models of Bargaining*; Osborne & Rubinstein (1990) *Bargaining and Markets*, ch. 2.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from sim.theory.pareto import pareto_mask

_RTOL = 1e-12

Frontier = Callable[[float], float]


# --------------------------------------------------------------------------- finite sets


def _as_matrix(U: np.ndarray) -> np.ndarray:
    """Validate and convert ``U`` to a finite float array of shape ``(m, n)``, ``m, n >= 1``."""
    u = np.asarray(U, dtype=float)
    if u.ndim != 2 or 0 in u.shape:
        raise ValueError(f"U must be a non-empty 2-D array (outcomes x parties), got {u.shape}")
    if not np.all(np.isfinite(u)):
        raise ValueError("U must be finite")
    return u


def _as_problem(U: np.ndarray, d: np.ndarray | Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Validate and convert ``(U, d)`` to float arrays of shapes ``(m, n)`` and ``(n,)``."""
    u = _as_matrix(U)
    dd = np.asarray(d, dtype=float)
    if dd.shape != (u.shape[1],) or not np.all(np.isfinite(dd)):
        raise ValueError(f"d must be {u.shape[1]} finite numbers, got {d!r}")
    return u, dd


def _positive_weights(weights: Sequence[float] | np.ndarray | None, n: int) -> np.ndarray:
    """Weights of shape ``(n,)``, all > 0, normalised to sum to 1 (equal when ``None``)."""
    if weights is None:
        return np.full(n, 1.0 / n)
    w = np.asarray(weights, dtype=float)
    if w.shape != (n,) or not np.all(np.isfinite(w)) or np.any(w <= 0):
        raise ValueError(f"weights must be {n} finite numbers > 0, got {weights!r}")
    return w / w.sum()


def _near_max(rows: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The ``rows`` whose ``values`` are within the relative tolerance ``_RTOL`` of the max."""
    top = values.max()
    return rows[values >= top - _RTOL * max(1.0, abs(top))]


def rational_rows(u: np.ndarray, d: np.ndarray, strict: bool = False) -> np.ndarray:
    """Indices of the rows of ``u`` with ``u_i >= d_i`` (``strict``: ``u_i > d_i``) for every
    party. Compared column by column: numpy reduces a tall array along its short party axis
    several times slower than it combines whole columns."""
    compare = np.greater if strict else np.greater_equal
    ok = compare(u[:, 0], d[0])
    for j in range(1, u.shape[1]):
        ok &= compare(u[:, j], d[j])
    return np.flatnonzero(ok)


def _row_min(a: np.ndarray) -> np.ndarray:
    """The smallest entry of each row of ``a``, column by column (see :func:`rational_rows`)."""
    out = a[:, 0].copy()
    for j in range(1, a.shape[1]):
        np.minimum(out, a[:, j], out=out)
    return out


def _efficient_lowest(u: np.ndarray, rows: np.ndarray) -> int:
    """Lowest index among the Pareto-efficient rows of ``u[rows]`` (duplicates: the first)."""
    if len(rows) == 1:  # a single row is efficient among itself
        return int(rows[0])
    return int(rows[pareto_mask(u[rows])][0])


def nash_index(
    U: np.ndarray, d: np.ndarray | Sequence[float], powers: Sequence[float] | None = None
) -> int | None:
    """Row maximising the (weighted, asymmetric) Nash product over the strictly rational rows.

    Formula: ``argmax_{u in U, u > d} prod_i (u_i - d_i)^{w_i}``, evaluated as
    ``sum_i w_i log(u_i - d_i)``. ``powers`` (bargaining powers) default to equal; they must
    be > 0 and are normalised to sum to 1 (the argmax does not depend on their scale).
    Only rows with ``u_i > d_i`` for every party take part; returns ``None`` when there is none.
    Ties (within relative ``1e-12``): Pareto-dominated rows are dropped, then lowest index.

    References: Nash (1950) "The bargaining problem", Econometrica 18:155–162; asymmetric form:
    Kalai (1977) "Nonsymmetric Nash solutions...", Int. J. Game Theory 6:129–133;
    Roth (1979) *Axiomatic Models of Bargaining*, ch. I.
    """
    u, dd = _as_problem(U, d)
    w = _positive_weights(powers, u.shape[1])
    rows = rational_rows(u, dd, strict=True)
    if rows.size == 0:
        return None
    return _nash_among(u, rows, u[rows] - dd, w)


def _nash_among(u: np.ndarray, rows: np.ndarray, gains: np.ndarray, w: np.ndarray) -> int:
    """:func:`nash_index` given the strictly rational ``rows``, their ``gains`` and the
    normalised powers ``w``."""
    return _efficient_lowest(u, _near_max(rows, np.log(gains) @ w))


def kalai_smorodinsky_index(U: np.ndarray, d: np.ndarray | Sequence[float]) -> int | None:
    """Row maximising the smallest normalised gain (discrete Kalai–Smorodinsky solution).

    Among the individually rational rows ``I = {u : u >= d}`` let the ideal (utopia) point be
    ``a_i = max_{u in I} u_i``. The chosen row maximises
    ``min_{i : a_i > d_i} (u_i - d_i) / (a_i - d_i)`` (parties with ``a_i == d_i`` cannot gain
    and are ignored; if no party can gain every rational row scores 0). Ties (within ``1e-12``)
    go to the larger sum of utilities, then dropping Pareto-dominated rows, then lowest index.
    Returns ``None`` when no row is individually rational.

    On a finite set this is the max–min of normalised gains. When the rows trace the frontier
    of a comprehensive convex set, the continuous KS point (the frontier point on the segment
    from ``d`` to ``a``) equalises the normalised gains and therefore is exactly this max–min;
    on a general finite set it is the row closest to that segment in the max–min sense.

    Reference: Kalai & Smorodinsky (1975) "Other solutions to Nash's bargaining problem",
    Econometrica 43:513–518.
    """
    u, dd = _as_problem(U, d)
    rows = rational_rows(u, dd)
    if rows.size == 0:
        return None
    return _kalai_smorodinsky_among(u, rows, u[rows] - dd)


def _kalai_smorodinsky_among(u: np.ndarray, rows: np.ndarray, gains: np.ndarray) -> int:
    """:func:`kalai_smorodinsky_index` given the rational ``rows`` and their ``gains``."""
    span = gains.max(axis=0)
    ratios = np.divide(gains, span, out=np.full_like(gains, np.inf), where=span > 0)
    scores = _row_min(ratios)
    scores[np.isinf(scores)] = 0.0
    best = _near_max(rows, scores)
    best = _near_max(best, u[best].sum(axis=1))
    return _efficient_lowest(u, best)


def utilitarian_index(U: np.ndarray, weights: Sequence[float] | None = None) -> int:
    """Row maximising the (weighted) sum of utilities ``sum_i w_i u_i``.

    ``weights`` default to 1 for every party and must be >= 0 and not all zero. Ties (within
    relative ``1e-12``): Pareto-dominated rows are dropped, then lowest index.

    Reference: Harsanyi (1955) "Cardinal welfare, individualistic ethics, and interpersonal
    comparisons of utility", JPE 63:309–321.
    """
    u = _as_matrix(U)
    w = np.ones(u.shape[1]) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (u.shape[1],) or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise ValueError(f"weights must be {u.shape[1]} finite numbers >= 0, not all 0")
    return _efficient_lowest(u, _near_max(np.arange(len(u)), u @ w))


def egalitarian_index(U: np.ndarray, d: np.ndarray | Sequence[float]) -> int | None:
    """Row maximising the smallest absolute gain ``min_i (u_i - d_i)`` over rows with ``u >= d``.

    Returns ``None`` when no row is individually rational. Ties (within ``1e-12``):
    Pareto-dominated rows are dropped, then lowest index.

    Reference: Kalai (1977) "Proportional solutions to bargaining situations: interpersonal
    utility comparisons", Econometrica 45:1623–1630.
    """
    u, dd = _as_problem(U, d)
    rows = rational_rows(u, dd)
    if rows.size == 0:
        return None
    return _efficient_lowest(u, _near_max(rows, _row_min(u[rows] - dd)))


def bargaining_indices(U: np.ndarray, d: np.ndarray | Sequence[float]) -> dict[str, int | None]:
    """The rows of :func:`nash_index` (equal powers), :func:`kalai_smorodinsky_index` and
    :func:`egalitarian_index` at once, by name (``nash``, ``kalai_smorodinsky``,
    ``egalitarian``): the same rows as the three calls, with one validation and the
    rational rows and their gains found once (the strictly rational rows of the Nash
    product are those whose smallest gain is positive)."""
    u, dd = _as_problem(U, d)
    rows = rational_rows(u, dd)
    if rows.size == 0:
        return dict.fromkeys(("nash", "kalai_smorodinsky", "egalitarian"))
    gains = u[rows] - dd
    least = _row_min(gains)
    strict = least > 0
    equal = _positive_weights(None, u.shape[1])
    return {
        "nash": _nash_among(u, rows[strict], gains[strict], equal) if strict.any() else None,
        "kalai_smorodinsky": _kalai_smorodinsky_among(u, rows, gains),
        "egalitarian": _efficient_lowest(u, _near_max(rows, least)),
    }


# ------------------------------------------------------------------- continuous frontier


def _bisect(pred: Callable[[float], bool], lo: float, hi: float) -> float:
    """Point where a monotone predicate switches from True (left) to False (right).

    Plain bisection on ``[lo, hi]`` until the bracket cannot be split in floating point
    (about 1 ulp, well below 1e-12 on unit-scale problems). ``pred`` is never evaluated at the
    end points. Returns ``hi`` (resp. ``lo``) if ``pred`` holds (fails) on the whole interior.
    """
    for _ in range(2100):
        mid = 0.5 * (lo + hi)
        if not lo < mid < hi:
            break
        if pred(mid):
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _frontier_args(
    f: Frontier, lo: float, hi: float, d: Sequence[float]
) -> tuple[float, float, float, float]:
    """Validate a frontier problem; return floats ``(lo, hi, d1, d2)``."""
    if not callable(f):
        raise TypeError("f must be callable: u2 = f(u1)")
    lo, hi = float(lo), float(hi)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"need finite lo < hi, got [{lo}, {hi}]")
    if len(d) != 2 or not np.all(np.isfinite(d)):
        raise ValueError(f"d must be two finite numbers, got {d!r}")
    return lo, hi, float(d[0]), float(d[1])


def _rational_span(
    f: Frontier, lo: float, hi: float, d1: float, d2: float, strict: bool
) -> tuple[float, float]:
    """``(a, b)``: the frontier's individually rational part is ``u1 in [a, b]``.

    ``a = max(lo, d1)``; ``b`` is ``hi`` or the root of ``f(u1) = d2`` (bisection). With
    ``strict`` the interior of the span must be strictly rational (``u > d``).
    """
    a = max(lo, d1)

    def ok(x: float) -> bool:
        return f(x) > d2 if strict else f(x) >= d2

    if a > hi or (strict and a == hi) or not ok(a):
        raise ValueError("the frontier has no individually rational point")
    b = hi if ok(hi) else _bisect(ok, a, hi)
    return a, b


def _richardson(step: Callable[[float], float], h: float, order: int) -> float:
    """Ridders' extrapolation of a finite-difference ``step(h)`` to ``h -> 0``.

    ``order`` is 2 for central differences (error series in h^2, h^4, ...) and 1 for one-sided
    ones (h, h^2, ...). The step shrinks by 1.4 for up to 10 levels; the estimate with the
    smallest internal error estimate is returned (Press et al., *Numerical Recipes*, §5.7).
    """
    con, best, err = 1.4, step(h), np.inf
    prev = [best]
    for i in range(1, 10):
        h /= con
        row = [step(h)]
        for j in range(1, i + 1):
            fac = con ** (order * j)
            row.append((row[j - 1] * fac - prev[j - 1]) / (fac - 1.0))
            e = max(abs(row[j] - row[j - 1]), abs(row[j] - prev[j - 1]))
            if e <= err:
                err, best = e, row[j]
        if abs(row[i] - prev[i - 1]) >= 2.0 * err:
            break
        prev = row
    return best


def _derivative(f: Frontier, x: float, lo: float, hi: float) -> float:
    """``f'(x)`` by extrapolated differences that only evaluate ``f`` inside ``[lo, hi]``.

    Central differences whose widest stencil reaches half-way to the nearer end point (so that
    a singular slope at an end, e.g. ``sqrt(1 - u^2)`` at 1, stays far away); one-sided ones
    pointing inwards when ``x`` is within ``1e-3 (hi - lo)`` of an end.
    """
    span = hi - lo
    h = min(0.1 * span, 0.5 * min(x - lo, hi - x))
    if h >= 5e-4 * span:
        return _richardson(lambda s: (f(x + s) - f(x - s)) / (2.0 * s), h, 2)
    if x - lo < hi - x:
        return _richardson(lambda s: (f(x + s) - f(x)) / s, 0.1 * span, 1)
    return _richardson(lambda s: (f(x) - f(x - s)) / s, 0.1 * span, 1)


def nash_on_frontier(
    f: Frontier,
    lo: float,
    hi: float,
    d: Sequence[float],
    powers: Sequence[float] = (1.0, 1.0),
    *,
    df: Frontier | None = None,
) -> tuple[float, float]:
    """Weighted Nash solution on the frontier ``u2 = f(u1)``, ``u1 in [lo, hi]``.

    Maximises ``w1 log(u1 - d1) + w2 log(f(u1) - d2)`` (weights normalised, > 0), which is
    strictly concave when ``f`` is decreasing and concave. Method: bisection on the sign of
    the derivative ``w1/(u1 - d1) + w2 f'(u1)/(f(u1) - d2)`` over the strictly rational span
    (a corner solution is returned when the sign never changes). Comparing function values
    (golden section) cannot locate a smooth maximum better than ~sqrt(machine eps) ~ 1e-8, so
    the slope is used instead: ``df`` (f' or any selection of its superdifferential, e.g. at
    kinks) if given, otherwise a Ridders-extrapolated finite difference evaluated inside
    ``[lo, hi]`` only. Accuracy: ~1e-15 with ``df``; ~1e-12 or better for smooth ``f`` without
    it. At a kink, where a finite difference is wrong, the point is checked against its
    neighbours and, if one is better, found by golden-section search on the objective
    (:func:`_kink_checked`; exact to rounding at a kink, since the maximum is sharp).

    Raises ``ValueError`` if no frontier point is strictly individually rational.
    Closed forms: linear ``f(u) = 1 - u`` gives ``u1 - d1 = w1 (1 - d1 - d2)``;
    ``f(u) = 1 - u^2``, ``d = 0`` gives ``u1 = 1/sqrt(3)``.

    Reference: Nash (1950) Econometrica 18:155–162; Osborne & Rubinstein (1990) §2.3.
    """
    lo, hi, d1, d2 = _frontier_args(f, lo, hi, d)
    w1, w2 = _positive_weights(powers, 2)
    a, b = _rational_span(f, lo, hi, d1, d2, strict=True)

    def rising(x: float) -> bool:
        gap = f(x) - d2
        if gap <= 0:
            return False
        slope = df(x) if df is not None else _derivative(f, x, lo, hi)
        return w1 / (x - d1) + w2 * slope / gap > 0

    x = _bisect(rising, a, b)
    if df is None:
        x = _kink_checked(lambda t: w1 * np.log(t - d1) + w2 * np.log(f(t) - d2), x, a, b)
    return float(x), float(f(x))


def _kink_checked(objective: Callable[[float], float], x: float, a: float, b: float) -> float:
    """``x``, unless a neighbour ``η = 1e-7 (b − a)`` away scores higher: then a finite
    difference straddled a kink of the frontier, and the maximum of the concave
    ``objective`` is located by golden-section search instead, which at a kink (a sharp
    maximum) is exact to rounding (Kiefer 1953)."""
    eta = 1e-7 * (b - a)

    def value(t: float) -> float:
        with np.errstate(divide="ignore", invalid="ignore"):
            v = objective(t)
        return v if np.isfinite(v) else -np.inf

    here = value(x)
    if value(max(a, x - eta)) <= here and value(min(b, x + eta)) <= here:
        return x
    ratio = (np.sqrt(5.0) - 1.0) / 2.0
    lo, hi = a, b
    for _ in range(200):
        c, e = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
        if not lo < c < e < hi:
            break
        if value(c) >= value(e):
            hi = e
        else:
            lo = c
    return 0.5 * (lo + hi)


def kalai_smorodinsky_on_frontier(
    f: Frontier, lo: float, hi: float, d: Sequence[float]
) -> tuple[float, float]:
    """Kalai–Smorodinsky point on the frontier ``u2 = f(u1)``, ``u1 in [lo, hi]``.

    Ideal point over the individually rational part ``{u1 in [a, b]}``, ``a = max(lo, d1)``:
    ``A = (b, f(a))``. The KS point is the frontier point on the segment from ``d`` to ``A``,
    i.e. the root of ``(f(u1) - d2)/(A2 - d2) = (u1 - d1)/(A1 - d1)``, whose left-hand side
    minus right-hand side is strictly decreasing; found by bisection to ~1 ulp. If one party
    cannot gain (``A_i == d_i``) the other party's best rational point is returned.

    Raises ``ValueError`` if no frontier point is individually rational (``u >= d``).
    Closed form: ``f(u) = 1 - u^2``, ``d = 0`` gives ``u1 = u2 = (sqrt(5) - 1)/2``.

    Reference: Kalai & Smorodinsky (1975) Econometrica 43:513–518.
    """
    lo, hi, d1, d2 = _frontier_args(f, lo, hi, d)
    a, b = _rational_span(f, lo, hi, d1, d2, strict=False)
    top = f(a)
    if b <= d1:
        return float(a), float(top)
    if top <= d2:
        return float(b), float(f(b))
    x = _bisect(lambda t: (f(t) - d2) / (top - d2) > (t - d1) / (b - d1), a, b)
    return float(x), float(f(x))

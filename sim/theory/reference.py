"""Bargaining reference points on a continuous agreement space, by optimisation.

For a domain whose issues are all continuous, party i's utility
``u_i(x) = 1 − Σ_j w_ij ℓ_ij(x_j)`` is concave (``ℓ`` is ``|x − ideal| / span`` or its
square, :mod:`sim.theory.preferences`), and the region where every red line holds is a union
of boxes (:func:`acceptable_intervals`). On each box the reference points solve concave
programs, written with an epigraph variable ``t_ij ≥ ±(x_j − ideal_ij)/span_j`` for every
linear loss so that every function is smooth:

* Nash (1950), weighted by ``a`` (Kalai 1977): max Σ_i a_i log s_i  s.t.  u_i(x) − d_i ≥ s_i;
* egalitarian (Kalai 1977): max τ  s.t.  u_i(x) − d_i ≥ τ;
* Kalai–Smorodinsky (1975): max τ  s.t.  u_i(x) − d_i ≥ τ (A_i − d_i), where A_i, the ideal
  point, is max u_i(x) s.t. u(x) ≥ d (parties with A_i = d_i are left out);
* utilitarian (Harsanyi 1955): max Σ_i u_i(x), in closed form issue by issue
  (:func:`weighted_sum_point`).

With quadratic losses only, the Nash, egalitarian and Kalai–Smorodinsky points and the
ideal point are found by Lagrangian duality over party weights λ (:mod:`sim.theory.duality`:
the maximiser of Σ λ_i u_i is a clipped weighted mean), each verified by its KKT conditions.
Otherwise, or when not verified, the programs are solved by sequential quadratic programming
(SciPy's SLSQP, Kraft 1988) with analytic gradients, started from the best point of the
sampled frontier. The best box wins. Tolerance ``FTOL`` = 1e-15 on the objective; on problems with
closed forms the points agree to better than 1e-9
(``tests/theory/test_reference_points.py``). Where the utilitarian maximiser is not unique
(flat faces: linear losses) each issue takes the midpoint of its interval of maximisers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.theory import duality as dual
from sim.theory.bargaining import rational_rows
from sim.theory.preferences import Preferences

FTOL = 1e-15
Frontier = tuple[np.ndarray, np.ndarray]
"""Outcomes (k, m) and their utilities (k, n): starting points for the programs."""
MAX_ITER = 500


@dataclass(frozen=True)
class Solution:
    """A reference point: the outcome ``x`` and every party's utility ``u``."""

    x: np.ndarray
    u: np.ndarray


def all_continuous(prefs: Preferences) -> bool:
    """Whether every issue is continuous (no labels, no integers)."""
    return bool(np.all(prefs.spatial & ~prefs.integer))


def acceptable_intervals(prefs: Preferences) -> tuple[np.ndarray, ...]:
    """The boxes whose union is the region where every red line holds
    (:attr:`~sim.theory.preferences.Preferences.acceptable_boxes`)."""
    return prefs.acceptable_boxes


class _Program:
    """Utilities of z = (x, t) with epigraph variables t for the linear losses, and their
    gradients (the smooth reformulation of the module docstring)."""

    def __init__(self, prefs: Preferences, box: np.ndarray) -> None:
        self.prefs = prefs
        self.n, self.m = prefs.n_parties, prefs.n_issues
        self.span = prefs.hi - prefs.lo
        self.ideal, self.weights = prefs.ideal, prefs.weights
        self.box = box

    @functools.cached_property
    def lin(self) -> np.ndarray:
        """(L, 2): party and issue of every weighted linear loss (built when SLSQP needs it:
        the dual methods read only the box)."""
        p = self.prefs
        return np.argwhere((p.exponent == 1) & (p.weights > 0))

    @functools.cached_property
    def quad_weights(self) -> np.ndarray:
        quad = (self.prefs.exponent == 2) & (self.weights > 0)
        return np.where(quad, self.weights, 0.0)

    @functools.cached_property
    def lin_weights(self) -> np.ndarray:
        return self.weights[self.lin[:, 0], self.lin[:, 1]]

    @property
    def size(self) -> int:
        return self.m + len(self.lin)

    def bounds(self) -> list[tuple[float, float]]:
        return [tuple(b) for b in self.box] + [(0.0, np.inf)] * len(self.lin)

    def start(self, x: np.ndarray) -> np.ndarray:
        x = np.clip(x, self.box[:, 0], self.box[:, 1])
        i, j = self.lin.T
        return np.concatenate([x, np.abs(x[j] - self.ideal[i, j]) / self.span[j]])

    def utilities(self, z: np.ndarray) -> np.ndarray:
        x, t = z[: self.m], z[self.m : self.size]
        dev = (x[None, :] - self.ideal) / self.span
        u = 1.0 - (self.quad_weights * (dev * dev)).sum(axis=1)
        if len(self.lin):
            np.subtract.at(u, self.lin[:, 0], self.lin_weights * t)
        return u

    def jacobian(self, z: np.ndarray) -> np.ndarray:
        x = z[: self.m]
        jac = np.zeros((self.n, self.size))
        dev = (x[None, :] - self.ideal) / self.span
        jac[:, : self.m] = -2.0 * self.quad_weights * dev / self.span
        i, j = self.lin.T
        jac[i, self.m + np.arange(len(self.lin))] = -self.weights[i, j]
        return jac

    def epigraph(self, extra: int) -> dict:
        """t_ij − (x_j − ideal_ij)/span_j ≥ 0 and t_ij + (x_j − ideal_ij)/span_j ≥ 0
        (``extra`` more variables follow z)."""
        i, j = self.lin.T
        rows = np.arange(len(self.lin))
        jac = np.zeros((2 * len(self.lin), self.size + extra))
        jac[rows, self.m + rows] = jac[len(rows) + rows, self.m + rows] = 1.0
        jac[rows, j] = -1.0 / self.span[j]
        jac[len(rows) + rows, j] = 1.0 / self.span[j]

        def fun(z: np.ndarray) -> np.ndarray:
            dev = (z[j] - self.ideal[i, j]) / self.span[j]
            t = z[self.m : self.size]
            return np.concatenate([t - dev, t + dev])

        return {"type": "ineq", "fun": fun, "jac": lambda z: jac}


def _solve(
    program: _Program,
    start: np.ndarray,
    extra: int,
    objective: Callable[[np.ndarray], tuple[float, np.ndarray]],
    constraints: list[dict],
    extra_bounds: list[tuple[float, float]],
    extra_start: np.ndarray,
) -> np.ndarray | None:
    """Minimise ``objective`` over (z, extra variables); None when SLSQP fails. SLSQP runs
    with one BLAS thread (:func:`blas_controller`)."""
    from scipy.optimize import minimize

    cons = [program.epigraph(extra), *constraints] if len(program.lin) else constraints
    with blas_controller().limit(limits=1, user_api="blas"):
        result = minimize(
            lambda v: objective(v)[0],
            np.concatenate([program.start(start), extra_start]),
            jac=lambda v: objective(v)[1],
            bounds=program.bounds() + extra_bounds,
            constraints=cons,
            method="SLSQP",
            options={"ftol": FTOL, "maxiter": MAX_ITER},
        )
    return result.x if result.success or result.status == 8 else None


@functools.cache
def blas_controller():
    """The process's BLAS libraries (a ``threadpoolctl.ThreadpoolController``), found once
    (finding them reads the process's memory map, about 1 ms). With one BLAS thread SLSQP's
    linear algebra gives the same bits in every process: a sweep's workers run with one
    thread, a single run with all, and the points would otherwise differ in the 10th
    digit. The limit applies to the libraries loaded when the controller is made, so SciPy
    is imported first (without it the first game of a process was solved with all threads:
    tests/test_game_cache.py). Only SLSQP is limited: the closed forms and the dual
    methods use no BLAS call whose result depends on the thread count, and a run that
    needs no SLSQP never imports SciPy's optimiser (about 0.4 s)."""
    import scipy.optimize  # noqa: F401  (loads SciPy's BLAS)
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def nash_point(
    prefs: Preferences,
    d: np.ndarray,
    start: np.ndarray,
    powers: np.ndarray | None = None,
    duality: bool = True,
) -> Solution | None:
    """Weighted Nash point over the acceptable region; None without a rational point. On
    each box by Lagrangian duality where it applies and is verified
    (:func:`dual.nash_by_duality`), else (or with ``duality=False``) by SLSQP."""
    a = np.full(prefs.n_parties, 1.0) if powers is None else np.asarray(powers, dtype=float)
    a = a / a.sum()

    def build(program: _Program) -> np.ndarray | None:
        exact = dual.nash_by_duality(prefs, program.box, d, a, start) if duality else None
        if exact is not None:
            return exact
        size, n = program.size, program.n

        def objective(v: np.ndarray) -> tuple[float, np.ndarray]:
            s = v[size:]
            grad = np.zeros(len(v))
            grad[size:] = -a / s
            return -float(a @ np.log(s)), grad

        def fun(v: np.ndarray) -> np.ndarray:
            return program.utilities(v[:size]) - d - v[size:]

        def jac(v: np.ndarray) -> np.ndarray:
            out = np.zeros((n, len(v)))
            out[:, :size] = program.jacobian(v[:size])
            out[:, size:] = -np.eye(n)
            return out

        gains = np.maximum(program.utilities(program.start(start)) - d, 1e-6)
        cons = [{"type": "ineq", "fun": fun, "jac": jac}]
        return _solve(program, start, n, objective, cons, [(1e-300, np.inf)] * n, gains)

    return _best(prefs, build, lambda u: float(a @ np.log(np.maximum(u - d, 1e-300))), d)


def egalitarian_point(
    prefs: Preferences, d: np.ndarray, start: np.ndarray, duality: bool = True
) -> Solution | None:
    """Max min (u_i − d_i) over the acceptable region (u ≥ d); None if none is rational.
    ``duality`` as in :func:`ray_point`."""
    return ray_point(prefs, d, np.ones(prefs.n_parties), start, duality)


def kalai_smorodinsky_point(
    prefs: Preferences,
    d: np.ndarray,
    start: np.ndarray,
    frontier: Frontier | None = None,
    duality: bool = True,
) -> Solution | None:
    """The largest τ with u ≥ d + τ (A − d) over the acceptable region (module docstring);
    ``frontier`` gives the ideal point's starts (:func:`ideal_point`). ``duality`` as in
    :func:`ray_point` (for the ray problem; the ideal point always tries
    :func:`dual.ideal_by_duality`)."""
    ideal = ideal_point(prefs, d, start, frontier)
    if ideal is None:
        return None
    scale = np.where(ideal - d > 1e-12, ideal - d, 0.0)
    return ray_point(prefs, d, scale, start, duality)


def ideal_point(
    prefs: Preferences, d: np.ndarray, start: np.ndarray, frontier: Frontier | None = None
) -> np.ndarray | None:
    """A_i = max u_i(x) over the acceptable region subject to u(x) ≥ d, for every party
    (:func:`party_ideal`); None when no outcome is rational."""
    best = []
    for i in range(prefs.n_parties):
        found = party_ideal(prefs, d, i, start, frontier)
        if found is None:
            return None
        best.append(found)
    return np.array(best)


def party_ideal(
    prefs: Preferences,
    d: np.ndarray,
    i: int,
    start: np.ndarray,
    frontier: Frontier | None = None,
) -> float | None:
    """A_i = max u_i(x) over the acceptable region subject to u(x) ≥ d; None when no
    outcome is rational. Party i's ideal when it is rational (:func:`_own_best`), else by
    Lagrangian duality or SLSQP, started from the outcome of ``frontier`` (outcomes,
    utilities) best for it among the rational ones (:func:`_best_start`), else from
    ``start``."""
    own = _own_best(prefs, i, d)
    if own is not None:
        return own
    start_i = _best_start(frontier, d, i, start)

    def build(program: _Program) -> np.ndarray | None:
        exact = dual.ideal_by_duality(prefs, program.box, d, i, start_i)
        if exact is not None:
            return exact
        size = program.size

        def objective(v: np.ndarray) -> tuple[float, np.ndarray]:
            return -float(program.utilities(v)[i]), -program.jacobian(v)[i]

        cons = [
            {
                "type": "ineq",
                "fun": lambda v: program.utilities(v[:size]) - d,
                "jac": lambda v: program.jacobian(v[:size]),
            }
        ]
        return _solve(program, start_i, 0, objective, cons, [], np.empty(0))

    found = _best(prefs, build, lambda u: float(u[i]), d)
    return None if found is None else float(found.u[i])


def _best_start(frontier: Frontier | None, d: np.ndarray, i: int, start: np.ndarray) -> np.ndarray:
    """The outcome of ``frontier`` with the highest u_i among those with u ≥ d (the first
    on ties), else ``start``."""
    if frontier is None:
        return start
    outcomes, utilities = frontier
    rational = rational_rows(utilities, d)
    if rational.size == 0:
        return start
    return outcomes[rational[np.argmax(utilities[rational, i])]]


def _own_best(prefs: Preferences, i: int, d: np.ndarray) -> float | None:
    """max u_i when party i's ideal, clipped to some acceptable box, is rational for all
    (then it is A_i without solving: u_i is maximised issue by issue); else None."""
    found = [table[i] for table in prefs.clipped_ideal_utilities]
    own = [u[i] for u in found]
    if own and np.all(found[int(np.argmax(own))] >= d):
        return float(max(own))
    return None


def ray_point(
    prefs: Preferences, d: np.ndarray, scale: np.ndarray, start: np.ndarray, duality: bool = True
) -> Solution | None:
    """max τ s.t. u(x) − d ≥ τ · scale on the acceptable region, the best box winning; on
    each box by Lagrangian duality where it applies and is verified
    (:func:`dual.ray_by_duality`), else (or with ``duality=False``) by SLSQP."""

    def build(program: _Program) -> np.ndarray | None:
        exact = dual.ray_by_duality(prefs, program.box, d, scale, start) if duality else None
        if exact is not None:
            return exact
        size = program.size

        def objective(v: np.ndarray) -> tuple[float, np.ndarray]:
            grad = np.zeros(len(v))
            grad[size] = -1.0
            return -float(v[size]), grad

        def fun(v: np.ndarray) -> np.ndarray:
            return program.utilities(v[:size]) - d - scale * v[size]

        def jac(v: np.ndarray) -> np.ndarray:
            out = np.zeros((program.n, len(v)))
            out[:, :size] = program.jacobian(v[:size])
            out[:, size] = -scale
            return out

        cons = [{"type": "ineq", "fun": fun, "jac": jac}]
        return _solve(program, start, 1, objective, cons, [(0.0, np.inf)], np.zeros(1))

    def score(u: np.ndarray) -> float:
        gains = (u - d)[scale > 0] / scale[scale > 0]
        return float(gains.min()) if gains.size else 0.0

    return _best(prefs, build, score, d)


def utilitarian_point(prefs: Preferences) -> Solution | None:
    """Max Σ_i u_i over the acceptable region, exactly: on each box the program separates by
    issue (:func:`weighted_sum_point` with unit weights), and the best box wins (the first
    on ties). It does not depend on d."""
    best: Solution | None = None
    for box in acceptable_intervals(prefs):
        x = weighted_sum_point(prefs, box, np.ones(prefs.n_parties))
        u = prefs.utilities(x)[0]
        if best is None or u.sum() > best.u.sum() + 1e-15:
            best = Solution(x, u)
    return best


def weighted_sum_point(prefs: Preferences, box: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """argmax_x Σ_i λ_i u_i(x) over ``box`` (λ ≥ 0), issue by issue.

    The objective is separable: on issue j it is minus the convex function
    ``f(x) = Σ_i c_i |x − a_i| + Σ_i q_i (x − a_i)²`` with ``c_i = λ_i w_ij / span_j`` (linear
    losses) and ``q_i = λ_i w_ij / span_j²`` (quadratic ones). A one-dimensional convex
    function is minimised over an interval by clipping its unconstrained minimiser
    (:func:`issue_minimisers`): for quadratic losses only the weighted mean of the ideals,
    for linear ones only a weighted median (Enelow & Hinich 1984, ch. 2), else the zero of
    the piecewise-linear derivative. Where the minimisers form an interval (a flat face:
    linear losses only, or no weight at all on the issue) its midpoint is returned.
    """
    span = prefs.hi - prefs.lo
    scaled = lam[:, None] * prefs.weights
    linear = np.where(prefs.exponent == 1, scaled, 0.0) / span
    quad = np.where(prefs.exponent == 2, scaled, 0.0) / span**2
    x = np.empty(prefs.n_issues)
    for j in range(prefs.n_issues):
        left, right = issue_minimisers(prefs.ideal[:, j], linear[:, j], quad[:, j])
        lo, hi = box[j]
        left, right = min(max(left, lo), hi), min(max(right, lo), hi)
        x[j] = 0.5 * (left + right)
    return x


def issue_minimisers(
    ideal: np.ndarray, linear: np.ndarray, quad: np.ndarray
) -> tuple[float, float]:
    """The interval [left, right] of minimisers of ``Σ c_i |x − a_i| + Σ q_i (x − a_i)²``
    on the real line (``a`` = ``ideal``, ``c`` = ``linear``, ``q`` = ``quad``, all ≥ 0).

    The derivative is non-decreasing and linear between the sorted ideals of positive c
    (the breakpoints b_k); with C_≤ / C_> the weights of linear ideals at most / above x,
    Q = Σ q_i and M = Σ q_i a_i, its right and left limits at b_k are
    ``R_k = C_≤ − C_> + 2 (Q b_k − M)`` and ``L_k = R_k − 2 c(b_k)``. The minimiser is the
    first b_k with L_k ≤ 0 ≤ R_k, or the zero ``(M − (C_≤ − C_>)/2) / Q`` of the segment
    where the derivative changes sign; with Q = 0 it is the interval of weighted medians
    [first b_k with R_k ≥ 0, last b_k with L_k ≤ 0], the whole line without any weight.
    """
    total_q = float(quad.sum())
    mean_q = float(quad @ ideal)
    has_linear = linear > 0
    if not has_linear.any():
        if total_q > 0:
            x = mean_q / total_q
            return x, x
        return -np.inf, np.inf
    points, where = np.unique(ideal[has_linear], return_inverse=True)
    weight = np.bincount(where, weights=linear[has_linear], minlength=points.size)
    at_most = np.cumsum(weight)
    right = 2 * at_most - at_most[-1] + 2 * (total_q * points - mean_q)
    left = right - 2 * weight
    if total_q == 0:
        return float(points[np.argmax(right >= 0)]), float(points[np.flatnonzero(left <= 0)[-1]])
    k = int(np.searchsorted(right, 0.0))  # first breakpoint with R_k ≥ 0
    if k < points.size and left[k] <= 0:
        return float(points[k]), float(points[k])
    slope_part = 2 * at_most[k - 1] - at_most[-1] if k > 0 else -at_most[-1]
    x = (mean_q - slope_part / 2) / total_q
    return x, x


def _best(
    prefs: Preferences,
    build: Callable[[_Program], np.ndarray | None],
    score: Callable[[np.ndarray], float],
    d: np.ndarray | None,
) -> Solution | None:
    """Solve on every acceptable box; keep the best rational solution by ``score``."""
    best: Solution | None = None
    for box in acceptable_intervals(prefs):
        program = _Program(prefs, box)
        v = build(program)
        if v is None:
            continue
        x = np.minimum(np.maximum(v[: prefs.n_issues], box[:, 0]), box[:, 1])  # np.clip's bits
        u = prefs.utilities(x)[0]
        if d is not None and (u < d - 1e-12).any():
            continue
        if best is None or score(u) > score(best.u) + 1e-15:
            best = Solution(x, u)
    return best

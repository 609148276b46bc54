"""The active-set Newton machinery of the dual methods (:mod:`sim.theory.duality`): small
dense systems, the ridge that keeps them solvable, the ratio test that stops a step at the
boundary, the Armijo line search on a dual function, and the best verified iterate. The
per-party vectors are Python lists: with a handful of parties, list arithmetic costs a
fraction of numpy's per-call overhead.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from functools import partial

import numpy as np

DUAL_TOLERANCE = 1e-13
"""KKT residual (``|λ_i (u_i − d_i) − a_i|`` for Nash, ``μ_i (u_i − d_i − τ s_i)`` for the
ray problems) below which a dual solution is accepted."""
DUAL_EXACT = 1e-15
"""Residual at which Newton's method stops; between it and DUAL_TOLERANCE it goes on while
the residual decreases (the best verified iterate is returned)."""
DUAL_ITERATIONS = 60
RIDGE = 1e-12


def ridged_rows(v: np.ndarray, rows: list[int]) -> list[list[float]]:
    """H + RIDGE (1 + max diag H) I over the parties ``rows`` (H = V Vᵀ = ∂u/∂λ, as lists):
    H is singular when more parties are active than issues are free; along its null space
    the dual is linear and the ridged Newton step runs to the boundary μ_k = 0, where the
    active-set method drops party k."""
    va = v[rows]
    h = (va @ va.T).tolist()
    ridge = RIDGE * (1.0 + max([row[i] for i, row in enumerate(h)] + [0.0]))
    for i, row in enumerate(h):
        row[i] += ridge
    return h


def solve(matrix: list[list[float]], rhs: list[float]) -> list[float]:
    """The solution of a small dense system (LU with partial pivoting, ``np.linalg.solve``;
    one equation by division, the same number); raises ``np.linalg.LinAlgError`` when
    singular."""
    if len(rhs) == 1:
        if matrix[0][0] == 0.0:
            raise np.linalg.LinAlgError("Singular matrix")
        return [rhs[0] / matrix[0][0]]
    return np.linalg.solve(matrix, rhs).tolist()


def dot(a: list[float], b: list[float]) -> float:
    """Σ a_k b_k of two short lists of the same length (in order)."""
    return sum(map(operator.mul, a, b))


class BestIterate:
    """The best verified iterate of a Newton method: an iterate whose KKT residual is at
    most :data:`DUAL_TOLERANCE` is kept when it is smaller than the last one kept; the
    method stops when it is not (no progress left in floating point) or once the residual
    reaches :data:`DUAL_EXACT`."""

    def __init__(self) -> None:
        self.x: np.ndarray | None = None
        self.residual = np.inf

    def stop_after(self, x: np.ndarray, residual: float) -> bool:
        """Keep ``x`` if it is verified and better; whether the method should stop."""
        if residual > DUAL_TOLERANCE:
            return False
        if residual >= self.residual:
            return True
        self.x, self.residual = x, residual
        return residual <= DUAL_EXACT


def active_set_step(
    dual: Callable[[np.ndarray], tuple[float, tuple] | None],
    lam: np.ndarray,
    rows: list[int],
    newton: list[float],
    gradient: list[float],
    value: float,
    active: list[bool],
    make: Callable[..., np.ndarray],
) -> tuple[np.ndarray, tuple] | None:
    """The line search of the active-set methods: from the weights ``lam`` along the Newton
    step (``newton`` on the active parties ``rows``, 0 elsewhere; its slope is the dual's
    ``gradient`` times it), stopped where a weight reaches 0 (:func:`_step_to_boundary`),
    backtracking on the dual
    (:func:`armijo`; ``make(lam, step, blocking, t, attempt)`` makes each trial point,
    :func:`non_negative` or :func:`on_face`).
    When the first attempt is taken the blocking party leaves ``active`` (updated in
    place). Returns the new weights and their dual, or None when no step is accepted."""
    step = [0.0] * len(lam)
    for k, value_k in zip(rows, newton, strict=True):
        step[k] = value_k
    weights = lam.tolist()
    blocking, t = _step_to_boundary(weights, step)
    at = partial(make, weights, step, blocking)
    found = armijo(at, dual, value, dot(gradient, step), t)
    if found is None:
        return None
    new, current, attempt = found
    if attempt == 0 and blocking >= 0:
        active[blocking] = False
    return new, current


def _step_to_boundary(lam: list[float], step: list[float]) -> tuple[int, float]:
    """(blocking party, step length): the first weight the full step would drive below 0
    and the length at which it reaches 0, or (−1, 1) when the full step keeps every weight
    non-negative (the ratio test of active-set methods, Nocedal & Wright 2006, §16.5)."""
    blocking, shortest = -1, np.inf
    for k, (lk, sk) in enumerate(zip(lam, step, strict=True)):
        if sk < 0 and -lk / sk < shortest:
            blocking, shortest = k, -lk / sk
    return (blocking, shortest) if shortest <= 1.0 else (-1, 1.0)


def along(lam: np.ndarray, step: np.ndarray, t: float, attempt: int) -> np.ndarray:
    """λ + t·step (``attempt`` unused: the signature :func:`armijo` calls)."""
    return lam + t * step


def non_negative(
    lam: list[float], step: list[float], blocking: int, t: float, attempt: int
) -> np.ndarray:
    """λ + t·step kept non-negative; on the first attempt the blocking party's weight is
    set to 0 exactly (the step stops where it reaches 0)."""
    return np.array(_kept_non_negative(lam, step, blocking, t, attempt))


def _kept_non_negative(
    lam: list[float], step: list[float], blocking: int, t: float, attempt: int
) -> list[float]:
    point = [max(lk + t * sk, 0.0) for lk, sk in zip(lam, step, strict=True)]
    if attempt == 0 and blocking >= 0:
        point[blocking] = 0.0
    return point


def on_face(
    s: list[float], mu: list[float], step: list[float], blocking: int, t: float, attempt: int
) -> np.ndarray:
    """:func:`non_negative` scaled back onto the face s·μ = 1."""
    point = _kept_non_negative(mu, step, blocking, t, attempt)
    total = dot(point, s)
    return np.array([pk / total for pk in point])


def armijo(
    trial_at: Callable[[float, int], np.ndarray],
    dual: Callable[[np.ndarray], tuple[float, tuple] | None],
    value: float,
    slope: float,
    t: float,
) -> tuple[np.ndarray, tuple, int] | None:
    """Backtracking line search (Armijo; Nocedal & Wright 2006, §3.1) on a dual function:
    halve the step length t until the dual at ``trial_at(t, attempt)`` is defined and at
    most ``value + 1e-4·t·slope`` (plus 1e-15 of |value| for rounding); at most 40 halvings.
    Returns (point, its dual, attempt), or None when no step is accepted."""
    for attempt in range(40):
        point = trial_at(t, attempt)
        found = dual(point)
        if found is not None and found[0] <= value + 1e-4 * t * slope + 1e-15 * abs(value):
            return point, found, attempt
        t *= 0.5
    return None

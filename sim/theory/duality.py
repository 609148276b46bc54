"""Bargaining reference points by Lagrangian duality, when every weighted loss is quadratic.

With quadratic losses u_i(x) = 1 − Σ_j q_ij (x_j − a_ij)², q_ij = w_ij / span_j², the
maximiser of any positively weighted sum of utilities over a box is, issue by issue, the
weighted mean of the ideals clipped to the box (:class:`QuadraticBox`). Each reference
program of :mod:`sim.theory.reference` (Nash, the Kalai–Smorodinsky ideal point and ray,
egalitarian) is then solved over the parties' weights, a problem in n variables, by
Newton's method on its dual (Boyd & Vandenberghe 2004, §5), and its answer is accepted only
when the KKT conditions hold to :data:`~sim.theory.newton.DUAL_TOLERANCE`; every function
returns ``None`` otherwise, and the caller solves the program by SLSQP instead. Each method
starts from multipliers estimated at a frontier point (:func:`_ideal_start`,
:func:`_ray_start`) and takes its steps with :mod:`sim.theory.newton`; the per-issue work
(:meth:`QuadraticBox.point`) stays in numpy. The results depend on the inputs only (no
state between calls).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from sim.identity_cache import IdentityCache
from sim.theory.newton import (
    DUAL_ITERATIONS,
    DUAL_TOLERANCE,
    BestIterate,
    active_set_step,
    along,
    armijo,
    dot,
    non_negative,
    on_face,
    ridged_rows,
    solve,
)
from sim.theory.preferences import Preferences


def ideal_by_duality(
    prefs: Preferences, box: np.ndarray, d: np.ndarray, i: int, start: np.ndarray | None = None
) -> np.ndarray | None:
    """max u_i s.t. u ≥ d on ``box`` by Lagrangian duality, when every loss is quadratic:
    :func:`_ideal_by_active_set` (any number of binding parties; started at ``start``, an
    approximate optimum, when given), else :func:`_ideal_by_roots` (one); None when
    neither applies or verifies (then SLSQP)."""
    found = _ideal_by_active_set(prefs, box, d, i, start)
    return found if found is not None else _ideal_by_roots(prefs, box, d, i)


def _ideal_by_roots(
    prefs: Preferences, box: np.ndarray, d: np.ndarray, i: int
) -> np.ndarray | None:
    """max u_i s.t. u ≥ d on ``box`` by Lagrangian duality, when every loss is quadratic
    and party i weighs every issue, with one binding party; None when not applicable or
    not verified.

    The program is strictly concave, so x is optimal iff the KKT conditions hold (Boyd &
    Vandenberghe 2004, §5.5.3): x maximises u_i + Σ_k μ_k u_k over the box for some μ ≥ 0,
    u(x) ≥ d, and μ_k (u_k − d_k) = 0. That maximiser is, issue by issue, the weighted mean
    of the ideals clipped to the box
    (:func:`sim.theory.reference.weighted_sum_point`). With one binding party k,
    u_k of the maximiser is continuous and non-decreasing in μ_k (it maximises u_k + u_i/μ_k),
    so μ_k is the root of u_k = d_k (Brent 1973); the first k whose root leaves every other
    party rational is the optimum. Several binding parties are left to
    :func:`_ideal_by_active_set`."""
    from scipy.optimize import brentq

    positive = prefs.weights > 0
    if np.any(prefs.exponent[positive] != 2) or not np.all(positive[i]):
        return None
    wa = prefs.weights * prefs.ideal

    def x_of(lam: np.ndarray) -> np.ndarray:
        return np.clip((lam @ wa) / (lam @ prefs.weights), box[:, 0], box[:, 1])

    own = np.eye(prefs.n_parties)[i]
    gap = prefs.utilities(x_of(own))[0] - d
    for k in np.argsort(gap):  # the most violated first
        if gap[k] >= 0 or k == i:
            continue

        def excess(mu: float, k: int = k) -> float:
            lam = own.copy()
            lam[k] = mu
            return float(prefs.utilities(x_of(lam))[0][k] - d[k])

        top = 1.0
        while excess(top) < 0 and top < 1e12:
            top *= 10.0
        if excess(top) < 0:
            return None
        lam = own.copy()
        lam[k] = brentq(excess, 0.0, top, xtol=1e-15, rtol=4 * np.finfo(float).eps)
        x = x_of(lam)
        if np.all(prefs.utilities(x)[0] >= d - 1e-13):
            return x
    return None


def _ideal_by_active_set(
    prefs: Preferences, box: np.ndarray, d: np.ndarray, i: int, start: np.ndarray | None = None
) -> np.ndarray | None:
    """max u_i s.t. u ≥ d on ``box`` by Lagrangian duality with any number of binding
    parties, when every loss is quadratic; None when not applicable, not converged or not
    verified (then SLSQP).

    With λ_i = 1 and multipliers μ_k ≥ 0 (k ≠ i) the dual is min ψ(μ) = max_x u_i(x) +
    Σ_k μ_k (u_k(x) − d_k) over μ ≥ 0 (Boyd & Vandenberghe 2004, §5.2), convex with
    gradient u_k − d_k and Hessian H (:class:`QuadraticBox`). Solved by an active-set
    Newton method (Nocedal & Wright 2006, §16.5) from the multipliers estimated at
    ``start`` (:func:`_ideal_start`), or from μ = 0 (party i's own ideal): a party enters
    when u_k < d_k, leaves when its μ_k reaches 0; backtracking (Armijo) on ψ.
    Accepted when the KKT conditions hold to DUAL_TOLERANCE: x = x(λ), μ ≥ 0,
    u_k ≥ d_k and μ_k |u_k − d_k| small for every k ≠ i."""
    quad = QuadraticBox.of(prefs, box)
    if quad is None:
        return None
    n = prefs.n_parties
    lam, active = (np.eye(n)[i], [False] * n) if start is None else _ideal_start(quad, d, i, start)

    best = BestIterate()
    current = quad.dual(lam, d)
    for _ in range(DUAL_ITERATIONS):
        if current is None:
            break
        value, (x, u, v) = current
        g = (u - d).tolist()
        g[i] = 0.0
        if best.stop_after(
            x, max(max(-gk, mk * abs(gk)) for gk, mk in zip(g, lam.tolist(), strict=True))
        ):
            break
        rows = [k for k in range(n) if active[k]]
        wrong = [(gk, k) for k, gk in enumerate(g) if k != i and not active[k]]
        if (not rows or max(abs(g[k]) for k in rows) <= DUAL_TOLERANCE) and wrong:
            lowest, k = min(wrong)
            if lowest < 0:  # stationary on the face: the most violated party enters
                active[k] = True
                rows.append(k)
                rows.sort()
        if not rows:
            break
        try:
            solved = solve(ridged_rows(v, rows), [-g[k] for k in rows])
        except np.linalg.LinAlgError:
            break
        found = active_set_step(
            partial(quad.dual, d=d), lam, rows, solved, g, value, active, non_negative
        )
        if found is None:
            break
        lam, current = found
    return best.x


def _ideal_start(
    quad: QuadraticBox, d: np.ndarray, i: int, start: np.ndarray
) -> tuple[np.ndarray, list[bool]]:
    """Weights (λ_i = 1, μ_k) and active set for max u_i s.t. u ≥ d, estimated at ``start``
    (an approximate optimum: the frontier's best rational outcome for party i). The
    parties within :data:`IDEAL_START_SLACK` of their d_k there bind, with the multipliers
    that best meet stationarity ∇u_i + Σ_k μ_k ∇u_k = 0 on the issues inside the box
    (least squares); a party whose multiplier is not positive is dropped and the rest
    estimated again. Nobody binds (μ = 0) when none is left."""
    x = quad.clip(start)
    gap = (quad.utilities(x) - d).tolist()
    lam = np.eye(len(d))[i]
    active = [False] * len(d)
    grad = quad.gradients(x)
    rows = [k for k, gk in enumerate(gap) if k != i and gk <= IDEAL_START_SLACK]
    while rows:
        try:
            mu = solve(ridged_rows(grad, rows), (-(grad[rows] @ grad[i])).tolist())
        except np.linalg.LinAlgError:
            return np.eye(len(d))[i], [False] * len(d)
        if min(mu) > 0:
            for k, mk in zip(rows, mu, strict=True):
                lam[k], active[k] = mk, True
            break
        rows = [k for k, mk in zip(rows, mu, strict=True) if mk > 0]
    return lam, active


def _ray_start(
    quad: QuadraticBox, d: np.ndarray, s: np.ndarray, start: np.ndarray
) -> tuple[np.ndarray, list[bool]]:
    """Weights μ (s·μ = 1) and active set for the ray problem, estimated at ``start`` (its
    frontier point). The parties whose ratio (u_k − d_k)/s_k lies within
    :data:`RAY_START_SLACK` of the ratios' spread (at least 1e-9) of the smallest bind
    (the others enter if the KKT conditions call for them). Their μ best meets
    stationarity Σ_k μ_k ∇u_k = 0 on the issues inside the box, on the face s·μ = 1:
    min ‖Gᵀμ‖² there is μ ∝ (G Gᵀ)⁻¹ s, G their gradients (G Gᵀ ridged as in
    :func:`~sim.theory.newton.ridged_rows`; at the optimum it is singular and μ its null
    vector). Where that μ is not positive, or one party binds, μ_k ∝ 1/(u_k − d_k)."""
    x = quad.clip(start)
    gain = quad.utilities(x) - d
    ratio = gain / s
    on = ratio <= ratio.min() + max(RAY_START_SLACK * (ratio.max() - ratio.min()), 1e-9)
    mu = np.where(on, 1.0 / np.maximum(gain, 1e-3), 0.0)
    rows = np.flatnonzero(on).tolist()
    if len(rows) > 1:
        try:
            direction = solve(ridged_rows(quad.gradients(x), rows), s[rows].tolist())
        except np.linalg.LinAlgError:
            direction = [0.0]
        if min(direction) > 0:
            mu = np.zeros(len(s))
            mu[rows] = direction
    return mu / (mu @ s), on.tolist()


IDEAL_START_SLACK = 0.02
"""The ideal-point method starts with the parties whose utility at the start exceeds
their disagreement value by at most this much (the likely binding ones) active."""
RAY_START_SLACK = 0.1
"""The ray methods start with the parties whose ratio (u_i − d_i)/s_i at the start lies
within this share of the ratios' spread of the smallest (the likely binding ones) active;
the others enter if the KKT conditions call for them."""


@dataclass(frozen=True)
class QuadraticBox:
    """u_i(x) = 1 − Σ_j q_ij (x_j − a_ij)² on a box, q_ij = w_ij / span_j² (every weighted
    loss quadratic and every issue weighed by some party), and the maximiser of a weighted
    sum of utilities in closed form (Boyd & Vandenberghe 2004, §5.2: the dual function).

    For weights λ ≥ 0 with ``D_j = Σ_i λ_i q_ij > 0`` the maximiser of Σ_i λ_i u_i(x) over
    the box is, issue by issue, ``x_j(λ) = clip(Σ_i λ_i q_ij a_ij / D_j, lo_j, hi_j)``, and
    on unclipped issues ``∂x_j/∂λ_k = q_kj (a_kj − x_j) / D_j`` (zero on clipped ones). So
    ``∂u_i/∂λ_k = Σ_j 2 q_ij q_kj (x_j − a_ij)(x_j − a_kj) / D_j`` over the unclipped
    issues: ``H = V Vᵀ`` with ``V_ij = q_ij (x_j − a_ij) √(2 / D_j)`` (0 on clipped issues),
    symmetric positive semi-definite, the Hessian of the convex dual function
    φ(λ) = max_x Σ_i λ_i u_i(x)."""

    q: np.ndarray
    ideal: np.ndarray
    box: np.ndarray
    q_both: np.ndarray = field(init=False, repr=False)
    bounds: tuple[np.ndarray, np.ndarray] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Precompute [q | q_ij a_ij] (D_j and the numerators of x(λ) in one product) and the
        box's bounds (x(λ) is evaluated every iteration)."""
        object.__setattr__(self, "q_both", np.hstack([self.q, self.q * self.ideal]))
        object.__setattr__(self, "bounds", (self.box[:, 0].copy(), self.box[:, 1].copy()))

    @classmethod
    def of(cls, prefs: Preferences, box: np.ndarray) -> QuadraticBox | None:
        """The quadratic model of ``prefs`` on ``box``; None when a weighted loss is linear
        or an issue has no weight (then x(λ) is not unique). Remembered per preferences
        and box (:data:`QUADRATIC_BOXES`: the reference points solve several programs on
        each box, and the points of a sweep share their preferences)."""
        if box.flags.writeable:  # a box that may change: not remembered
            return cls._build(prefs, box)
        return QUADRATIC_BOXES.get((prefs, box), None, lambda: cls._build(prefs, box))

    @classmethod
    def _build(cls, prefs: Preferences, box: np.ndarray) -> QuadraticBox | None:
        positive = prefs.weights > 0
        if np.any(prefs.exponent[positive] != 2) or not np.all(positive.any(axis=0)):
            return None
        q = np.where(positive, prefs.weights, 0.0) / (prefs.hi - prefs.lo) ** 2
        return cls(q, prefs.ideal, box)

    def clip(self, x: np.ndarray) -> np.ndarray:
        """``x`` clipped to the box (np.clip's bits)."""
        return np.minimum(np.maximum(x, self.bounds[0]), self.bounds[1])

    def gradients(self, x: np.ndarray) -> np.ndarray:
        """−½ ∂u_i/∂x_j = q_ij (x_j − a_ij) on the issues where x is inside the box, (n, free):
        the directions the starts' least-squares multiplier estimates balance."""
        lo, hi = self.bounds
        return (self.q * (x - self.ideal))[:, (x > lo) & (x < hi)]

    def utilities(self, x: np.ndarray) -> np.ndarray:
        """u(x) = 1 − Σ_j q_ij (x_j − a_ij)²."""
        dev = x[None, :] - self.ideal
        return 1.0 - (self.q * dev * dev).sum(axis=1)

    def point(self, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(x(λ), u(x(λ)), V) with ``H = V Vᵀ = ∂u/∂λ`` (class docstring); None when some
        D_j = 0 (x(λ) ill-defined)."""
        both = lam @ self.q_both
        m = len(both) // 2
        den = both[:m]
        if not np.minimum.reduce(den) > 0:  # also None on NaN
            return None
        lo, hi = self.bounds
        x = both[m:] / den
        np.minimum(np.maximum(x, lo, out=x), hi, out=x)  # np.clip's bits
        dev = x - self.ideal
        v = self.q * dev
        u = 1.0 - np.add.reduce(v * dev, axis=1)
        scale = np.sqrt(2.0 / den)
        scale *= (x > lo) & (x < hi)  # clipped issues: zero columns
        v *= scale
        return x, u, v

    def dual(self, lam: np.ndarray, d: np.ndarray) -> tuple[float, tuple] | None:
        """(Σ_i λ_i (u_i(x(λ)) − d_i), :meth:`point`): the dual function of the programs
        whose constraints are u ≥ d (None where x(λ) is ill-defined)."""
        found = self.point(lam)
        return None if found is None else (float(lam @ (found[1] - d)), found)


QUADRATIC_BOXES = IdentityCache(64)
""":meth:`QuadraticBox.of` by the identity of the preferences and the box."""


def nash_by_duality(
    prefs: Preferences, box: np.ndarray, d: np.ndarray, a: np.ndarray, start: np.ndarray
) -> np.ndarray | None:
    """The (weighted) Nash point max Σ_i a_i log(u_i − d_i) on ``box`` by Lagrangian
    duality, when every loss is quadratic and every a_i > 0; None when not applicable, not
    converged or not verified (then SLSQP).

    The program is concave with x(λ) unique (:class:`QuadraticBox`), so x is optimal iff
    x = x(λ) with λ_i = a_i / (u_i(x) − d_i) (KKT; Boyd & Vandenberghe 2004, §5.5.3; Nash
    1950, Kalai 1977). These λ minimise the convex dual
    ``ψ(λ) = Σ_i λ_i (u_i(x(λ)) − d_i) − Σ_i a_i log λ_i`` (gradient u − d − a/λ, Hessian
    H + diag(a/λ²), positive definite): Newton's method with backtracking (Armijo) from
    λ_i = a_i / (u_i(start) − d_i), kept positive. Accepted when u > d and
    |λ_i (u_i − d_i) − a_i| ≤ DUAL_TOLERANCE for every i (Σ a = 1)."""
    quad = QuadraticBox.of(prefs, box)
    if quad is None or not a.min() > 0:
        return None
    lam = a / np.maximum(quad.utilities(quad.clip(start)) - d, 1e-3)
    powers = a.tolist()

    def dual(lam: np.ndarray) -> tuple[float, tuple] | None:
        found = quad.dual(lam, d)
        if found is None:
            return None
        barrier = sum(ak * math.log(lk) for ak, lk in zip(powers, lam.tolist(), strict=True))
        return found[0] - barrier, found[1]

    n = len(a)
    best = BestIterate()
    current = dual(lam)
    for _ in range(DUAL_ITERATIONS):
        if current is None:
            break
        value, (x, u, v) = current
        g, weights = (u - d).tolist(), lam.tolist()
        residual = (
            max(abs(lk * gk - ak) for lk, gk, ak in zip(weights, g, powers, strict=True))
            if min(g) > 0
            else np.inf
        )
        if best.stop_after(x, residual):
            break
        squares = [lk * lk for lk in weights]
        if min(squares) == 0.0:  # λ → 0: the curvature a/λ² overflows
            break
        grad = [gk - ak / lk for gk, ak, lk in zip(g, powers, weights, strict=True)]
        hessian = v @ v.T
        hessian.flat[:: n + 1] += [ak / sk for ak, sk in zip(powers, squares, strict=True)]
        try:
            step = (-np.linalg.solve(hessian, grad)).tolist()
        except np.linalg.LinAlgError:
            break
        t = min([1.0] + [0.99 * (-lk / sk) for lk, sk in zip(weights, step, strict=True) if sk < 0])
        slope = dot(grad, step)
        found = armijo(partial(along, lam, np.array(step)), dual, value, slope, t)
        if found is None:
            break
        lam, current, _ = found
    return best.x


def ray_by_duality(
    prefs: Preferences, box: np.ndarray, d: np.ndarray, s: np.ndarray, start: np.ndarray
) -> np.ndarray | None:
    """The ray point max τ s.t. u_i(x) − d_i ≥ τ s_i on ``box`` (egalitarian: s = 1, Kalai
    1977; Kalai–Smorodinsky: s = A − d, Kalai & Smorodinsky 1975) by Lagrangian duality,
    when every loss is quadratic and every s_i > 0; None when not applicable, not converged
    or not verified (then SLSQP).

    The Lagrangian τ + Σ_i μ_i (u_i − d_i − τ s_i) is bounded in τ iff Σ_i μ_i s_i = 1, so
    the dual is min φ(μ) = Σ_i μ_i (u_i(x(μ)) − d_i) over the face μ ≥ 0, s·μ = 1 of a
    simplex (Boyd & Vandenberghe 2004, §5.2), φ convex with gradient u − d and Hessian H
    (:class:`QuadraticBox`). Solved by an active-set Newton method (Nocedal & Wright 2006,
    §16.5): Newton steps on the parties with μ_i > 0 (equality-constrained, multiplier τ),
    backtracking on φ, a party leaving when its μ_i reaches 0 and entering when
    u_i − d_i < τ s_i, started at ``start`` (:func:`_ray_start`).
    Accepted when the KKT conditions hold: x = x(μ) (stationarity),
    μ ≥ 0, s·μ = 1, τ̂ = min_i (u_i − d_i)/s_i (primal feasibility) and
    μ_i (u_i − d_i − τ̂ s_i) ≤ DUAL_TOLERANCE (complementary slackness; their sum is the
    duality gap φ(μ) − τ̂)."""
    quad = QuadraticBox.of(prefs, box)
    if quad is None or not s.min() > 0:
        return None
    n = len(s)
    mu, active = _ray_start(quad, d, s, start)
    scale = s.tolist()

    best = BestIterate()
    current = quad.dual(mu, d)
    for _ in range(DUAL_ITERATIONS):
        if current is None:
            break
        value, (x, u, v) = current
        g, weights = (u - d).tolist(), mu.tolist()
        lowest = min(gk / sk for gk, sk in zip(g, scale, strict=True))
        residual = max(
            mk * (gk - lowest * sk) for mk, gk, sk in zip(weights, g, scale, strict=True)
        )
        feasible = abs(dot(weights, scale) - 1) < 1e-12  # s·μ = 1
        if best.stop_after(x, residual if feasible else np.inf):
            break
        rows = [k for k in range(n) if active[k]]
        k = len(rows)
        h = ridged_rows(v, rows)
        border = [scale[r] for r in rows]
        system = [[*row, b] for row, b in zip(h, border, strict=True)] + [[*border, 0.0]]
        try:
            solved = solve(system, [-g[r] for r in rows] + [0.0])
        except np.linalg.LinAlgError:
            break
        newton = solved[:k]
        stationary = max(abs(dot(row, newton)) for row in h) <= DUAL_TOLERANCE
        tau = -solved[k]
        wrong = [
            (gj - tau * sj, j)
            for j, (gj, sj) in enumerate(zip(g, scale, strict=True))
            if not active[j]
        ]
        if stationary and wrong and min(wrong)[0] < 0:
            # stationary on the face: the most violated inactive party enters
            active[min(wrong)[1]] = True
            continue
        found = active_set_step(
            partial(quad.dual, d=d), mu, rows, newton, g, value, active, partial(on_face, scale)
        )
        if found is None:
            break
        mu, current = found
    return best.x

"""Bargaining reference points by Lagrangian duality, when every weighted loss is quadratic.

With quadratic losses u_i(x) = 1 − Σ_j q_ij (x_j − a_ij)², q_ij = w_ij / span_j², the
maximiser of any positively weighted sum of utilities over a box is, issue by issue, the
weighted mean of the ideals clipped to the box (:class:`QuadraticBox`). Each reference
program of :mod:`sim.theory.reference` (Nash, the Kalai–Smorodinsky ideal point and ray,
egalitarian) is then solved over the parties' weights, a problem in n variables, by
Newton's method on its dual (Boyd & Vandenberghe 2004, §5), and its answer is accepted only
when the KKT conditions hold to :data:`DUAL_TOLERANCE`; every function returns ``None``
otherwise, and the caller solves the program by SLSQP instead. The results depend on the
inputs only (no state between calls).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.theory.preferences import Preferences


def ideal_by_duality(
    prefs: Preferences, box: np.ndarray, d: np.ndarray, i: int
) -> np.ndarray | None:
    """max u_i s.t. u ≥ d on ``box`` by Lagrangian duality, when every loss is quadratic:
    :func:`_ideal_by_active_set` (any number of binding parties), else
    :func:`_ideal_by_roots` (one); None when neither applies or verifies (then SLSQP)."""
    found = _ideal_by_active_set(prefs, box, d, i)
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
    prefs: Preferences, box: np.ndarray, d: np.ndarray, i: int
) -> np.ndarray | None:
    """max u_i s.t. u ≥ d on ``box`` by Lagrangian duality with any number of binding
    parties, when every loss is quadratic; None when not applicable, not converged or not
    verified (then SLSQP).

    With λ_i = 1 and multipliers μ_k ≥ 0 (k ≠ i) the dual is min ψ(μ) = max_x u_i(x) +
    Σ_k μ_k (u_k(x) − d_k) over μ ≥ 0 (Boyd & Vandenberghe 2004, §5.2), convex with
    gradient u_k − d_k and Hessian H (:class:`QuadraticBox`). Solved by an active-set
    Newton method (Nocedal & Wright 2006, §16.5) from μ = 0 (party i's own ideal): a party
    enters when u_k < d_k, leaves when its μ_k reaches 0; backtracking (Armijo) on ψ.
    Accepted when the KKT conditions hold to DUAL_TOLERANCE: x = x(λ), μ ≥ 0,
    u_k ≥ d_k and μ_k |u_k − d_k| small for every k ≠ i."""
    quad = QuadraticBox.of(prefs, box)
    if quad is None:
        return None
    n = prefs.n_parties
    others = np.arange(n) != i
    lam = np.eye(n)[i]
    active = np.zeros(n, dtype=bool)

    def dual(lam: np.ndarray) -> tuple[float, tuple] | None:
        found = quad.point(lam)
        return None if found is None else (float(lam @ (found[1] - d)), found)

    best, best_residual = None, np.inf
    current = dual(lam)
    for _ in range(DUAL_ITERATIONS):
        if current is None:
            break
        value, (x, u, v) = current
        g = np.where(others, u - d, 0.0)
        residual = float(np.max(np.maximum(-g, lam * np.abs(g) * others)))
        if residual <= DUAL_TOLERANCE:
            if residual >= best_residual:
                break  # no progress left in floating point
            best, best_residual = x, residual
            if residual <= DUAL_EXACT:
                break
        wrong = np.where(active | ~others, np.inf, g)
        if (not active.any() or np.max(np.abs(g[active])) <= DUAL_TOLERANCE) and wrong.min() < 0:
            active[int(np.argmin(wrong))] = True  # stationary on the face: one enters
        if not active.any():
            break
        va = v[active]
        try:
            solved = np.linalg.solve(_ridged(va @ va.T), -g[active])
        except np.linalg.LinAlgError:
            break
        step = np.zeros(n)
        step[active] = solved
        blocking, t = -1, 1.0
        shrinking = np.flatnonzero(step < 0)
        if shrinking.size:
            ratios = -lam[shrinking] / step[shrinking]
            if ratios.min() <= 1.0:
                blocking, t = int(shrinking[np.argmin(ratios)]), float(ratios.min())
        slope = float(g @ step)
        for attempt in range(40):
            trial_lam = np.maximum(lam + t * step, 0.0)
            if attempt == 0 and blocking >= 0:
                trial_lam[blocking] = 0.0  # the step stops where μ_blocking reaches 0
            trial = dual(trial_lam)
            if trial is not None and trial[0] <= value + 1e-4 * t * slope + 1e-15 * abs(value):
                break
            t *= 0.5
        else:
            break
        if attempt == 0 and blocking >= 0:
            active[blocking] = False
        lam, current = trial_lam, trial
    return best


DUAL_TOLERANCE = 1e-13
"""KKT residual (``|λ_i (u_i − d_i) − a_i|`` for Nash, ``μ_i (u_i − d_i − τ s_i)`` for the
ray problems) below which a dual solution is accepted."""
DUAL_EXACT = 1e-15
"""Residual at which Newton's method stops; between it and DUAL_TOLERANCE it goes on while
the residual decreases (the best verified iterate is returned)."""
DUAL_ITERATIONS = 60
RIDGE = 1e-12


def _ridged(h: np.ndarray) -> np.ndarray:
    """H + RIDGE (1 + max diag H) I: H = ∂u/∂λ is singular when more parties are active
    than issues are free; along its null space the dual is linear and the ridged Newton
    step runs to the boundary μ_k = 0, where the active-set method drops party k."""
    return h + RIDGE * (1.0 + float(np.max(np.diag(h), initial=0.0))) * np.eye(len(h))


@dataclass(frozen=True)
class QuadraticBox:
    """u_i(x) = 1 − Σ_j q_ij (x_j − a_ij)² on a box, q_ij = w_ij / span_j² (every weighted
    loss quadratic and every issue weighed by some party), and the maximiser of a weighted
    sum of utilities in closed form (Boyd & Vandenberghe 2004, §5.2: the dual function).

    For weights λ ≥ 0 with ``D_j = Σ_i λ_i q_ij > 0`` the maximiser of Σ_i λ_i u_i(x) over
    the box is, issue by issue, ``x_j(λ) = clip(Σ_i λ_i q_ij a_ij / D_j, lo_j, hi_j)``, and
    on unclipped issues ``∂x_j/∂λ_k = q_kj (a_kj − x_j) / D_j`` (zero on clipped ones). So
    ``∂u_i/∂λ_k = Σ_j 2 q_ij q_kj (x_j − a_ij)(x_j − a_kj) / D_j`` over the unclipped
    issues: ``H = V Vᵀ`` with ``V_ij = q_ij (x_j − a_ij) √(2 / D_j)``, symmetric positive
    semi-definite, the Hessian of the convex dual function φ(λ) = max_x Σ_i λ_i u_i(x)."""

    q: np.ndarray
    ideal: np.ndarray
    box: np.ndarray

    @classmethod
    def of(cls, prefs: Preferences, box: np.ndarray) -> QuadraticBox | None:
        """The quadratic model of ``prefs`` on ``box``; None when a weighted loss is linear
        or an issue has no weight (then x(λ) is not unique)."""
        positive = prefs.weights > 0
        if np.any(prefs.exponent[positive] != 2) or not np.all(positive.any(axis=0)):
            return None
        q = np.where(positive, prefs.weights, 0.0) / (prefs.hi - prefs.lo) ** 2
        return cls(q, prefs.ideal, box)

    def utilities(self, x: np.ndarray) -> np.ndarray:
        """u(x) = 1 − Σ_j q_ij (x_j − a_ij)²."""
        dev = x[None, :] - self.ideal
        return 1.0 - (self.q * dev * dev).sum(axis=1)

    def point(self, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(x(λ), u(x(λ)), V) with ``H = V Vᵀ = ∂u/∂λ`` (class docstring); None when some
        D_j = 0 (x(λ) ill-defined)."""
        den = lam @ self.q
        if not np.all(den > 0):
            return None
        x = np.clip((lam @ (self.q * self.ideal)) / den, self.box[:, 0], self.box[:, 1])
        qdev = self.q * (x[None, :] - self.ideal)
        u = 1.0 - (qdev * (x[None, :] - self.ideal)).sum(axis=1)
        free = (x > self.box[:, 0]) & (x < self.box[:, 1])
        return x, u, qdev[:, free] * np.sqrt(2.0 / den[free])


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
    if quad is None or not np.all(a > 0):
        return None
    u0 = quad.utilities(np.clip(start, box[:, 0], box[:, 1]))
    lam = a / np.maximum(u0 - d, 1e-3)

    def dual(lam: np.ndarray) -> tuple[float, tuple] | None:
        found = quad.point(lam)
        if found is None:
            return None
        return float(lam @ (found[1] - d) - a @ np.log(lam)), found

    best, best_residual = None, np.inf
    current = dual(lam)
    for _ in range(DUAL_ITERATIONS):
        if current is None:
            break
        value, (x, u, v) = current
        residual = float(np.max(np.abs(lam * (u - d) - a))) if np.all(u > d) else np.inf
        if residual <= DUAL_TOLERANCE:
            if residual >= best_residual:
                break  # no progress left in floating point
            best, best_residual = x, residual
            if residual <= DUAL_EXACT:
                break
        grad = u - d - a / lam
        try:
            step = -np.linalg.solve(v @ v.T + np.diag(a / lam**2), grad)
        except np.linalg.LinAlgError:
            break
        t = 1.0
        if np.any(step < 0):
            t = min(1.0, 0.99 * float(np.min(-lam[step < 0] / step[step < 0])))
        slope = float(grad @ step)
        for _ in range(40):
            trial = dual(lam + t * step)
            if trial is not None and trial[0] <= value + 1e-4 * t * slope + 1e-15 * abs(value):
                break
            t *= 0.5
        else:
            break
        lam, current = lam + t * step, trial
    return best


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
    u_i − d_i < τ s_i. Accepted when the KKT conditions hold: x = x(μ) (stationarity),
    μ ≥ 0, s·μ = 1, τ̂ = min_i (u_i − d_i)/s_i (primal feasibility) and
    μ_i (u_i − d_i − τ̂ s_i) ≤ DUAL_TOLERANCE (complementary slackness; their sum is the
    duality gap φ(μ) − τ̂)."""
    quad = QuadraticBox.of(prefs, box)
    if quad is None or not np.all(s > 0):
        return None
    n = len(s)
    u0 = quad.utilities(np.clip(start, box[:, 0], box[:, 1]))
    mu = 1.0 / np.maximum(u0 - d, 1e-3)
    mu /= mu @ s
    active = np.ones(n, dtype=bool)

    def dual(mu: np.ndarray) -> tuple[float, tuple] | None:
        found = quad.point(mu)
        return None if found is None else (float(mu @ (found[1] - d)), found)

    best, best_residual = None, np.inf
    current = dual(mu)
    for _ in range(DUAL_ITERATIONS):
        if current is None:
            break
        value, (x, u, v) = current
        g = u - d
        residual = float(np.max(mu * (g - np.min(g / s) * s)))
        if residual <= DUAL_TOLERANCE and abs(mu @ s - 1) < 1e-12:
            if residual >= best_residual:
                break  # no progress left in floating point
            best, best_residual = x, residual
            if residual <= DUAL_EXACT:
                break
        k = int(active.sum())
        va, sa = v[active], s[active]
        system = np.zeros((k + 1, k + 1))
        system[:k, :k] = _ridged(va @ va.T)
        system[:k, k] = system[k, :k] = sa
        try:
            solved = np.linalg.solve(system, np.concatenate([-g[active], [0.0]]))
        except np.linalg.LinAlgError:
            break
        step = np.zeros(n)
        step[active], tau = solved[:k], -solved[k]
        wrong = np.where(active, np.inf, g - tau * s)
        if np.max(np.abs(system[:k, :k] @ solved[:k])) <= DUAL_TOLERANCE and wrong.min() < 0:
            # stationary on the face: the most violated inactive party enters
            active[int(np.argmin(wrong))] = True
            continue
        blocking, t = -1, 1.0
        shrinking = np.flatnonzero(step < 0)
        if shrinking.size:
            ratios = -mu[shrinking] / step[shrinking]
            if ratios.min() <= 1.0:
                blocking, t = int(shrinking[np.argmin(ratios)]), float(ratios.min())
        slope = float(g @ step)
        for attempt in range(40):
            trial_mu = np.maximum(mu + t * step, 0.0)
            if attempt == 0 and blocking >= 0:
                trial_mu[blocking] = 0.0  # the step stops where μ_blocking reaches 0
            trial_mu /= trial_mu @ s
            trial = dual(trial_mu)
            if trial is not None and trial[0] <= value + 1e-4 * t * slope + 1e-15 * abs(value):
                break
            t *= 0.5
        else:
            break
        if attempt == 0 and blocking >= 0:
            active[blocking] = False
        mu, current = trial_mu, trial
    return best

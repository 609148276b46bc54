"""The war process: pure functions that move the battlefield and set each side's fallback.

Two principals A (the first listed, Russia in the ceasefire scenarios) and B fight over
the territory issue's status quo T (the line of control; larger T is toward Moscow's end).

* **Capability** (Tullock 1980; Hirshleifer 1989): C_i = resources_i + Σ_s level_s·weight_s
  over the supporters s of i; A's win share p = C_A / (C_A + C_B) (ratio contest success
  function; 1/2 when both are 0).
* **Battlefield**: ΔT = κ(2p − 1) + θ + σ·z, z ~ N(0, 1) from the model's seeded generator;
  T is kept inside the issue's span. κ (``drift_scale``) turns a capability edge into
  ground; θ (``trend``) is a trend that capabilities do not explain (momentum).
* **Beliefs** (Bayesian normal–normal updating, Gelman et al. 2013, BDA §2.5): each
  principal holds θ ~ N(m, s²) and observes y = ΔT − κ(2p − 1) = θ + σz each round:

      1/s'² = 1/s² + 1/σ²,      m' = s'² (m/s² + y/σ²).

  Differing priors (mutual optimism) erode as observations accumulate (Fearon 1995;
  Slantchev 2003, "The principle of convergence in wartime negotiations").
* **Costs and losses**: a principal's per-round cost of fighting is its ``fighting_cost``
  scaled by the opponent's capability share, c_i = fighting_cost_i · 2·p_opponent (equal to
  ``fighting_cost`` at parity); realised losses are c_i·max(0, 1 + σ_L z_i).
* **Reservation utility** (value of fighting on): the discounted average over a horizon H
  of the utility of the expected status quo minus the cost,

      r_i = Σ_{h=1..H} δ^{h−1} [u_i(sq with T_h) − c_i] / Σ_{h=1..H} δ^{h−1},
      T_h = clip(T + h·(κ(2p − 1) + m_i)),

  with m_i the party's believed trend (0 for third parties, who hold no private belief).
* **Bargaining range** (Fearon 1995): A accepts shares x ≥ p − c_A, B accepts x ≤ p + c_B.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.theory.preferences import Preferences


def contest_share(c_a: float, c_b: float) -> float:
    """p = C_A / (C_A + C_B), the ratio contest success function (1/2 if both are 0)."""
    total = c_a + c_b
    return 0.5 if total <= 0 else c_a / total


def capabilities(
    resources: np.ndarray, levels: np.ndarray, weights: np.ndarray, recipients: np.ndarray
) -> np.ndarray:
    """C_i = resources_i + Σ over supports s with recipient i of level_s · weight_s."""
    out = np.asarray(resources, dtype=float).copy()
    np.add.at(out, recipients, np.asarray(levels) * np.asarray(weights))
    return out


def explained_drift(p: float, drift_scale: float) -> float:
    """κ(2p − 1): the territory change per round that capabilities explain."""
    return drift_scale * (2.0 * p - 1.0)


def move_territory(
    territory: float, drift: float, volatility: float, z: float, lo: float, hi: float
) -> float:
    """T' = clip(T + drift + σ·z, lo, hi), with drift = κ(2p − 1) + θ."""
    return min(max(territory + drift + volatility * z, lo), hi)


def update_belief(mean: float, sd: float, y: float, sigma: float) -> tuple[float, float]:
    """Normal–normal update of θ ~ N(mean, sd²) after y ~ N(θ, σ²) (see module docstring).

    A zero prior sd means certainty (no update); zero noise reveals θ = y exactly.
    """
    if sd == 0.0:
        return mean, 0.0
    if sigma == 0.0:
        return y, 0.0
    precision = 1.0 / sd**2 + 1.0 / sigma**2
    return (mean / sd**2 + y / sigma**2) / precision, math.sqrt(1.0 / precision)


def posterior(mean: float, sd: float, ys: np.ndarray, sigma: float) -> tuple[float, float]:
    """Closed form after n observations: precision 1/s² + n/σ², mean weighted by precisions."""
    ys = np.asarray(ys, dtype=float)
    precision = 1.0 / sd**2 + len(ys) / sigma**2
    return (mean / sd**2 + ys.sum() / sigma**2) / precision, float(np.sqrt(1.0 / precision))


def fighting_costs(base: np.ndarray, p: float, a: int, b: int) -> np.ndarray:
    """Per-round costs: principals c_i = base_i · 2·p_opponent; third parties c_i = base_i."""
    costs = np.asarray(base, dtype=float).copy()
    costs[a] = base[a] * 2.0 * (1.0 - p)
    costs[b] = base[b] * 2.0 * p
    return costs


@dataclass(frozen=True)
class TerritoryValue:
    """The territory term of the reservation for every party i at once,

        w_ij · Σ_{h=1..H} ω_h v_ij(T_h),   ω_h = δ^{h−1} / Σ_{h=1..H} δ^{h−1},
        T_h = clip(T + h·drift_i, lo, hi),

    with v_ij(x) = 1 − |z|^e, z = (x − ideal_ij) / (hi − lo), e ∈ {1, 2}, and the
    per-game constants computed once. It runs every round of every run, so a party whose
    path stays inside [lo, hi] is valued in closed form, with M_k = Σ_h ω_h h^k and
    a = (T − ideal)/span, b = drift/span:

    * quadratic loss: Σ_h ω_h (a + h·b)² = a² + 2ab·M_1 + b²·M_2;
    * linear loss, when a + h·b keeps one sign over h = 1..H: |a + b·M_1|.

    Otherwise (a clipped path, or a linear loss crossing the ideal) the sum is taken
    step by step.
    """

    lo: float
    hi: float
    span: float
    steps: tuple[float, ...]  # h = 1..H
    discount_weights: tuple[float, ...]  # ω_h
    moments: tuple[float, float]  # (M_1, M_2)
    ideal: tuple[float, ...]  # per party
    linear: tuple[bool, ...]  # per party: exponent 1 (else 2)
    weight: tuple[float, ...]  # per party: w_ij

    def __call__(self, territory: float, drift: list[float]) -> list[float]:
        """The term for the current territory T and each party's expected drift (the path
        T + h·drift is linear in h, so it stays inside [lo, hi] iff its ends at h = 1 and
        h = H do)."""
        lo, hi, span, horizon = self.lo, self.hi, self.span, self.steps[-1]
        m1, m2 = self.moments
        out = []
        for d, ideal, linear, weight in zip(
            drift, self.ideal, self.linear, self.weight, strict=True
        ):
            a, b = (territory - ideal) / span, d / span
            inside = lo <= territory + d <= hi and lo <= territory + horizon * d <= hi
            if inside and not linear:
                loss = a * a + 2.0 * a * b * m1 + b * b * m2
            elif inside and (a + b) * (a + horizon * b) >= 0.0:
                loss = abs(a + b * m1)
            else:
                loss = self._stepwise_loss(territory, d, ideal, linear)
            out.append(weight * (1.0 - loss))
        return out

    def _stepwise_loss(self, territory: float, drift: float, ideal: float, linear: bool) -> float:
        """Σ_h ω_h |z_h|^e term by term, with the path clipped to [lo, hi]."""
        total = 0.0
        for h, omega in zip(self.steps, self.discount_weights, strict=True):
            z = (min(max(territory + h * drift, self.lo), self.hi) - ideal) / self.span
            total += omega * (abs(z) if linear else z * z)
        return total


def territory_value(
    prefs: Preferences, issue: int, horizon: int, discount: float
) -> TerritoryValue:
    """The :class:`TerritoryValue` of spatial issue ``issue`` under ``prefs``."""
    weights = discount ** np.arange(horizon)
    weights /= weights.sum()
    steps = np.arange(1, horizon + 1, dtype=float)
    return TerritoryValue(
        lo=float(prefs.lo[issue]),
        hi=float(prefs.hi[issue]),
        span=float(prefs.hi[issue] - prefs.lo[issue]),
        steps=tuple(steps.tolist()),
        discount_weights=tuple(weights.tolist()),
        moments=(float(weights @ steps), float(weights @ steps**2)),
        ideal=tuple(prefs.ideal[:, issue].tolist()),
        linear=tuple((prefs.exponent[:, issue] == 1).tolist()),
        weight=tuple(prefs.weights[:, issue].tolist()),
    )

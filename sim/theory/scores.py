"""Scoring probability forecasts of binary events (pure numpy).

* **Brier score** (Brier 1950): B = (1/n) Σ_k (p_k − o_k)², o_k ∈ {0, 1}; 0 is perfect,
  a constant forecast of 1/2 scores 0.25.
* **Log score** (Good 1952), as a loss: L = −(1/n) Σ_k log(o_k p_k + (1 − o_k)(1 − p_k)),
  with p clipped to [ε, 1 − ε] (ε = :data:`EPSILON`) so that a forecast of certainty that
  turns out wrong costs log(1/ε) ≈ 4.6 instead of infinity.
* **Skill** against a reference forecast: S = 1 − score / score_ref (Murphy 1973): 1 is
  perfect, 0 no better than the reference, negative worse.
* **Bootstrap intervals** (Efron & Tibshirani 1993): events resampled with replacement,
  the statistic recomputed, the 2.5 and 97.5 percentiles; paired (the same resampled
  events for both forecasts) for skill.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

EPSILON = 0.01
BOOTSTRAP = 2000


def brier(p: np.ndarray, o: np.ndarray) -> float:
    """Mean squared difference between forecasts ``p`` and outcomes ``o`` (0/1)."""
    p, o = np.asarray(p, dtype=float), np.asarray(o, dtype=float)
    return float(np.mean((p - o) ** 2))


def log_loss(p: np.ndarray, o: np.ndarray, eps: float = EPSILON) -> float:
    """−mean log of the probability given to what happened, p clipped to [ε, 1 − ε]."""
    p = np.clip(np.asarray(p, dtype=float), eps, 1.0 - eps)
    o = np.asarray(o, dtype=float)
    return float(-np.mean(np.log(o * p + (1.0 - o) * (1.0 - p))))


SCORES: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "brier": brier,
    "log": log_loss,
}


def skill(score: float, reference: float) -> float:
    """1 − score / reference (NaN when the reference scores 0)."""
    return float(1.0 - score / reference) if reference > 0 else float("nan")


def bootstrap_interval(
    stat: Callable[[np.ndarray], float], n: int, rng: np.random.Generator, draws: int = BOOTSTRAP
) -> tuple[float, float]:
    """95% percentile interval of ``stat(index)`` over ``draws`` resamples of n events."""
    if n == 0:
        return float("nan"), float("nan")
    values = np.array([stat(rng.integers(0, n, n)) for _ in range(draws)])
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan"), float("nan")
    lo, hi = np.percentile(values, [2.5, 97.5])
    return float(lo), float(hi)


def reliability(p: np.ndarray, o: np.ndarray, bins: int = 5) -> list[dict[str, float]]:
    """Per forecast-probability bin [k/bins, (k+1)/bins): events, mean forecast and
    observed frequency (the points of a reliability diagram; empty bins left out)."""
    p, o = np.asarray(p, dtype=float), np.asarray(o, dtype=float)
    index = np.minimum((p * bins).astype(int), bins - 1)
    out = []
    for k in range(bins):
        sel = index == k
        if sel.any():
            out.append(
                {
                    "bin": k,
                    "events": int(sel.sum()),
                    "forecast": float(p[sel].mean()),
                    "observed": float(o[sel].mean()),
                }
            )
    return out

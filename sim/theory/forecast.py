"""Static forecast in the spirit of Bueno de Mesquita's expected-utility model.

Each party ``i`` has an ideal position ``x_ij`` on issue ``j``, a salience ``s_ij`` (how much
the issue matters to it) and a capability ``c_i`` (power it can bring to bear). The first-round
forecast of the model is the position of the weighted median voter with weights
``w_ij = s_ij c_i`` ("effective power"); the weighted mean is reported as a compromise
benchmark. No dynamics (challenges, coercion, updating) are modelled here.

References: Bueno de Mesquita (1994) "Political forecasting: an expected utility method", in
Stokman et al. (eds) *European Community Decision Making*, Yale UP, pp. 71–104;
Bueno de Mesquita (2011) "A new model for predicting policy choices", Conflict Management and
Peace Science 28(1):65–87; Scholz, Calbert & Smith (2011) "Unravelling Bueno de Mesquita's
group decision model", Journal of Theoretical Politics 23(4):510–531 (the median-voter
forecast; also the KTAB implementation of the model).
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence

import numpy as np

_RTOL = 1e-12


def _positions_weights(
    positions: Sequence[float] | np.ndarray, weights: Sequence[float] | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Validate 1-D finite positions and weights >= 0 of equal length with a positive total."""
    x = np.asarray(positions, dtype=float)
    w = np.asarray(weights, dtype=float)
    if x.ndim != 1 or w.shape != x.shape or x.size == 0:
        raise ValueError(f"need 1-D positions and weights of one length, got {x.shape}, {w.shape}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(w))) or np.any(w < 0):
        raise ValueError("positions must be finite and weights finite and >= 0")
    if w.sum() <= 0:
        raise ValueError("the total weight must be positive")
    return x, w


def weighted_median(
    positions: Sequence[float] | np.ndarray, weights: Sequence[float] | np.ndarray
) -> float:
    """Weighted median: the point minimising ``sum_i w_i |x - x_i|``.

    Convention (the "median voter" of BDM / KTAB): sort the positions with positive weight and
    let ``W_k`` be the cumulative weight up to the k-th, ``T`` the total. The answer is the
    smallest position with ``W_k >= T/2``. If ``W_k`` equals ``T/2`` exactly (relative
    tolerance ``1e-12``, so that e.g. ``0.1 + 0.2`` counts as ``0.3``) every point between that
    position and the next one minimises the sum, and the midpoint of this interval is
    returned. Zero-weight positions are ignored; equal positions pool their weight.
    Examples: ``([1, 2, 3], [1, 1, 1]) -> 2``; ``([1, 2, 3, 4], [1, 1, 1, 1]) -> 2.5``;
    ``([0, 10], [3, 1]) -> 0``.

    Reference: Black (1948) JPE 56:23–34 (median voter); Bueno de Mesquita (1994); Scholz,
    Calbert & Smith (2011) J. Theor. Politics 23:510–531.
    """
    return _median(*_positions_weights(positions, weights))


def _median(x: np.ndarray, w: np.ndarray) -> float:
    """:func:`weighted_median` of checked positions and weights, in plain Python (a
    handful of parties: the numbers of ``np.unique``, ``np.bincount`` and ``np.cumsum``,
    which add in the same order, without their calls' cost). Positions −0.0 and 0.0 are
    one position; which of the two is returned is left to ``np.unique``."""
    pooled: dict[float, float] = {}  # weight at each distinct position, in order of appearance
    for xi, wi in zip(x.tolist(), w.tolist(), strict=True):
        if wi > 0:
            if xi == 0.0 and math.copysign(1.0, xi) < 0:
                return _median_numpy(x, w)
            pooled[xi] = pooled.get(xi, 0.0) + wi
    xs = sorted(pooled)
    cum = list(itertools.accumulate(pooled[p] for p in xs))
    half = 0.5 * cum[-1]
    k = bisect.bisect_left(cum, half * (1.0 - _RTOL))
    if abs(cum[k] - half) > _RTOL * cum[-1] or k + 1 == len(xs):
        return xs[k]
    return 0.5 * (xs[k] + xs[k + 1])


def _median_numpy(x: np.ndarray, w: np.ndarray) -> float:
    """:func:`_median` by ``np.unique`` (which pools −0.0 with 0.0)."""
    xs, slot = np.unique(x[w > 0], return_inverse=True)  # sorted distinct positions
    ws = np.bincount(slot, weights=w[w > 0])  # pooled weight at each distinct position
    cum = np.cumsum(ws)
    half = 0.5 * cum[-1]
    k = int(np.searchsorted(cum, half * (1.0 - _RTOL)))
    if abs(cum[k] - half) > _RTOL * cum[-1] or k + 1 == xs.size:
        return float(xs[k])
    return float(0.5 * (xs[k] + xs[k + 1]))


def weighted_mean(
    positions: Sequence[float] | np.ndarray, weights: Sequence[float] | np.ndarray
) -> float:
    """Weighted mean ``sum_i w_i x_i / sum_i w_i`` (weights >= 0 with a positive total).

    The mean is the minimiser of ``sum_i w_i (x - x_i)^2``; it is the compromise forecast of
    the "weighted mean" variant discussed by Bueno de Mesquita (2011) and Scholz et al. (2011).
    """
    return _mean(*_positions_weights(positions, weights))


def _mean(x: np.ndarray, w: np.ndarray) -> float:
    """:func:`weighted_mean` of checked positions and weights."""
    return float(np.dot(w, x) / w.sum())


def forecast(
    ideals: np.ndarray, salience: np.ndarray, capability: Sequence[float] | np.ndarray
) -> dict[str, np.ndarray]:
    """Per-issue median-voter and mean forecasts with weights ``salience x capability``.

    ``ideals`` and ``salience`` have shape ``(n_parties, n_issues)`` and ``capability`` shape
    ``(n_parties,)``; on issue ``j`` the weights are ``w_ij = s_ij c_i`` (BDM's effective power).
    Returns ``{"median": ndarray(n_issues), "mean": ndarray(n_issues)}`` using
    ``weighted_median`` and ``weighted_mean``. Raises ``ValueError`` on bad shapes, negative
    values, or an issue on which every weight is zero.

    References: Bueno de Mesquita (1994, 2011); Scholz, Calbert & Smith (2011).
    """
    x = np.asarray(ideals, dtype=float)
    s = np.asarray(salience, dtype=float)
    c = np.asarray(capability, dtype=float)
    if x.ndim != 2 or s.shape != x.shape or c.shape != (x.shape[0],):
        raise ValueError(
            f"need ideals, salience (n_parties, n_issues) and capability (n_parties,), "
            f"got {x.shape}, {s.shape}, {c.shape}"
        )
    if np.any(s < 0) or np.any(c < 0):
        raise ValueError("salience and capability must be >= 0")
    w = s * c[:, None]
    if x.shape[0] == 0 or not (np.isfinite(x).all() and np.isfinite(w).all()):
        raise ValueError("need at least one party, finite ideals and finite weights")
    if np.any(w.sum(axis=0) <= 0):
        raise ValueError("the total weight must be positive on every issue")
    columns = [(x[:, j], w[:, j]) for j in range(x.shape[1])]  # checked once, above
    median = [_median(*column) for column in columns]
    mean = [_mean(*column) for column in columns]
    return {"median": np.array(median), "mean": np.array(mean)}

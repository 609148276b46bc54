"""Exact Pareto sets of finite outcome spaces (products of per-issue value sets).

With additive utilities ``u_i(x) = Σ_j c_ij(x_j)`` (``c_ij = w_ij v_ij``, see
:mod:`sim.theory.preferences`) the efficient set of a product space ``X = X_1 × … × X_m``
satisfies

    E(X_A × X_B) ⊆ E(X_A) × E(X_B)

for any split of the issues into A and B: if ``x_A`` were dominated within ``X_A`` by
``y_A``, then ``(y_A, x_B)`` would dominate ``(x_A, x_B)``. So the efficient set is built
issue by issue: start from the efficient values of issue 1, pair them with the efficient
values of issue 2, keep the efficient pairs, and so on (the "Pareto sum" of Kung, Luccio &
Preparata 1975's maxima, applied to Minkowski sums). Each step filters only
``|E_prefix| · |E_j|`` points, never the whole product, and the result is exactly the set of
outcomes that no other outcome of the product dominates.

Dominance here is the usual weak–strict one: ``y`` dominates ``x`` when ``u(y) ≥ u(x)`` for
every party and ``>`` for one. Outcomes with equal utility vectors do not dominate each
other, so all of them are kept. Utilities are compared after rounding to ``DECIMALS``
places, so that sums taken in different orders (equal up to ~1e-16) count as equal.
"""

from __future__ import annotations

from math import prod

import numpy as np

from sim.theory.pareto import pareto_mask, unique_rows

EXACT_LIMIT = 10_000_000
"""Largest outcome space (product of the issues' value counts) enumerated exactly."""

DECIMALS = 12
"""Utilities are rounded to this many decimals before they are compared."""


def space_size(value_counts: list[int]) -> int:
    """Number of outcomes of a product space: ``Π_j |X_j|``."""
    return prod(int(k) for k in value_counts)


def nondominated(utilities: np.ndarray) -> np.ndarray:
    """Mask of the rows that no other row dominates (equal rows are all kept).

    Two parties: one sort and a running maximum, O(k log k) (Kung et al. 1975). More
    parties: :func:`sim.theory.pareto.pareto_mask` on the distinct rows, after discarding
    the rows strictly dominated by the best row of a few weighted sums (a cheap pre-filter
    that removes most dominated rows of a large set).
    """
    u = np.round(np.asarray(utilities, dtype=float), DECIMALS)
    if len(u) == 0:
        return np.zeros(0, dtype=bool)
    distinct, _, inverse = unique_rows(u)
    if distinct.shape[1] == 1:
        keep = distinct[:, 0] == distinct[:, 0].max()
    elif distinct.shape[1] == 2:
        keep = _two_party_maxima(distinct)
    else:
        keep = np.zeros(len(distinct), dtype=bool)
        alive = np.flatnonzero(~_dominated_by_probes(distinct))
        keep[alive[pareto_mask(distinct[alive])]] = True
    return keep[inverse]


def _two_party_maxima(points: np.ndarray) -> np.ndarray:
    """Maxima of distinct 2-D points: by u1 descending (ties u2 descending), a point is
    efficient iff its u2 exceeds every u2 seen before it."""
    order = np.lexsort((-points[:, 1], -points[:, 0]))
    u2 = points[order, 1]
    best_before = np.concatenate([[-np.inf], np.maximum.accumulate(u2)[:-1]])
    keep = np.zeros(len(points), dtype=bool)
    keep[order] = u2 > best_before
    return keep


def _dominated_by_probes(points: np.ndarray, n_probes: int = 16) -> np.ndarray:
    """Rows strictly dominated by one of the maximisers of ``n_probes`` fixed weighted sums
    (the unit vectors, equal weights and a deterministic spread); maximisers of a sum with
    positive weights are efficient, so nothing efficient is removed."""
    n = points.shape[1]
    rng = np.random.default_rng(0)
    weights = np.vstack([np.eye(n) + 1e-6, np.ones(n), rng.dirichlet(np.ones(n), n_probes)])
    probes = points[np.unique(np.argmax(points @ weights.T, axis=0))]
    dominated = np.zeros(len(points), dtype=bool)
    for p in probes:
        dominated |= np.all(p >= points, axis=1) & np.any(p > points, axis=1)
    return dominated


def efficient_product(contributions: list[np.ndarray]) -> np.ndarray:
    """Index tuples of the efficient outcomes of a product space (module docstring).

    Args:
        contributions: per issue j, a ``(k_j, n)`` array: row a is every party's utility
            contribution ``c_ij`` of the issue's a-th value.

    Returns:
        ``(e, m)`` integer array: each row gives, per issue, the index of its value.
    """
    first = contributions[0]
    rows = np.flatnonzero(nondominated(first))[:, None]
    totals = first[rows[:, 0]]
    for c in contributions[1:]:
        values = np.flatnonzero(nondominated(c))
        pairs = (totals[:, None, :] + c[values][None, :, :]).reshape(-1, c.shape[1])
        keep = np.flatnonzero(nondominated(pairs))
        left, right = np.divmod(keep, len(values))
        rows = np.column_stack([rows[left], values[right]])
        totals = pairs[keep]
    return rows

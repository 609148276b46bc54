"""Pareto efficiency of finite outcome sets (all parties maximise)."""

from __future__ import annotations

import numpy as np


def pareto_mask(utilities: np.ndarray, block: int = 128) -> np.ndarray:
    """Boolean mask of the Pareto-efficient rows of ``utilities`` (shape ``(m, n)``).

    Row ``a`` is dominated when some row ``b`` has ``u_b >= u_a`` in every column and
    ``u_b > u_a`` in at least one. Rows with identical utilities are reduced to the first
    of them. Method: rows are visited in order of decreasing utility sum (a dominating row
    always has a larger sum, an identical one an equal sum and an earlier index), in
    blocks; a row is kept unless an earlier row weakly dominates it. By transitivity it
    suffices to compare with the kept rows of earlier blocks. Cost O(m·k·n) for k kept rows.
    """
    u = np.asarray(utilities, dtype=float)
    if u.ndim != 2:
        raise ValueError(f"utilities must be a 2-D array (outcomes x parties), got {u.shape}")
    order = np.argsort(-u.sum(axis=1), kind="stable")
    ranked = u[order]
    keep = np.zeros(len(u), dtype=bool)
    front = np.empty((0, u.shape[1]))
    for start in range(0, len(u), block):
        blk = ranked[start : start + block]
        beaten = _weakly_dominated_by(blk, front).any(axis=1)
        inside = np.tril(_weakly_dominated_by(blk, blk), k=-1)
        survivors = ~(beaten | inside.any(axis=1))
        keep[order[start : start + block][survivors]] = True
        front = np.concatenate([front, blk[survivors]])
    return keep


def _weakly_dominated_by(rows: np.ndarray, others: np.ndarray) -> np.ndarray:
    """out[i, j] = others[j] >= rows[i] in every column (column loop: n is small)."""
    out = np.ones((len(rows), len(others)), dtype=bool)
    for c in range(rows.shape[1]):
        out &= others[None, :, c] >= rows[:, None, c]
    return out


def dominating_row(utilities: np.ndarray, point: np.ndarray, tol: float = 1e-12) -> int | None:
    """Index of a row that Pareto-dominates ``point`` by more than ``tol``, or ``None``.

    Among dominating rows the one with the largest total gain is returned (ties: lowest
    index), so that a reader sees the clearest improvement.
    """
    u = np.asarray(utilities, dtype=float)
    p = np.asarray(point, dtype=float)
    dominates = np.all(u >= p - tol, axis=1) & np.any(u > p + tol, axis=1)
    if not dominates.any():
        return None
    gains = np.where(dominates, (u - p).sum(axis=1), -np.inf)
    return int(np.argmax(gains))

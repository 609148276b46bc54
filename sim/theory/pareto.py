"""Pareto efficiency of finite outcome sets (all parties maximise)."""

from __future__ import annotations

import numpy as np

BITSET_ROWS = 20_000
"""Up to this many rows :func:`pareto_mask` compares all pairs with bitsets (time
O(m²·n / 64) word operations); more rows go through the kept-front blocks (O(m·k·n) for k
kept rows), which are faster when few rows are efficient."""


def pareto_mask(utilities: np.ndarray, block: int = 128) -> np.ndarray:
    """Boolean mask of the Pareto-efficient rows of ``utilities`` (shape ``(m, n)``).

    Row ``a`` is dominated when some row ``b`` has ``u_b >= u_a`` in every column and
    ``u_b > u_a`` in at least one. Rows with identical utilities are reduced to the first
    of them. Up to :data:`BITSET_ROWS` rows, by bitsets (:func:`_dominated_distinct`);
    beyond, by blocks (:func:`_front_blocks`).
    """
    u = np.asarray(utilities, dtype=float)
    if u.ndim != 2:
        raise ValueError(f"utilities must be a 2-D array (outcomes x parties), got {u.shape}")
    if len(u) > BITSET_ROWS:
        return _front_blocks(u, block)
    keep = np.zeros(len(u), dtype=bool)
    if len(u):
        first = first_of_each(u)
        keep[first[~_dominated_distinct(u[first])]] = True
    return keep


_MIX = np.uint64(0x9E3779B97F4A7C15)  # 2⁶⁴ / golden ratio, odd: a multiplicative hash


def first_of_each(u: np.ndarray) -> np.ndarray:
    """The index of the first row of each group of equal rows of the float array ``u``
    (in no particular order; see :func:`_equal_runs`)."""
    order, starts = _equal_runs(u)
    return order[starts]


def _equal_runs(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An order of the rows of the float array ``u`` in which equal rows are neighbours,
    in their original order, and the positions in it where each group of equal rows
    starts. Rows are sorted by a hash of their bits (``+ 0.0`` makes −0.0 and 0.0 one
    value); about three times as fast as :func:`unique_rows`, which sorts
    lexicographically. Should two different rows share a hash (or a row hold NaN, equal
    to nothing), that lexicographic sort decides."""
    if u.shape[1] == 0:
        return np.arange(len(u)), np.zeros(min(len(u), 1), dtype=np.intp)
    bits = np.ascontiguousarray(u + 0.0).view(np.uint64)
    code = bits[:, 0].copy()
    for c in range(1, bits.shape[1]):
        code *= _MIX
        code ^= bits[:, c]
    order = np.argsort(code, kind="stable")  # equal rows: in their original order
    code, ranked = code[order], u[order]
    same_code, same_row = code[1:] == code[:-1], (ranked[1:] == ranked[:-1]).all(axis=1)
    if not np.array_equal(same_code, same_row):
        order = np.lexsort(u.T[::-1])  # stable: equal rows in their original order
        ranked = u[order]
        same_row = (ranked[1:] == ranked[:-1]).all(axis=1)
    new = np.ones(len(u), dtype=bool)
    new[1:] = ~same_row
    return order, np.flatnonzero(new)


def pareto_masks(utilities: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(pareto_mask(utilities), within)``, where ``within`` marks the rows of the
    boolean mask ``members`` that are Pareto-efficient among the rows of ``members``
    (what ``pareto_mask`` of those rows alone gives, placed back), in one pass: a group
    of equal rows with a member is represented there by its first member, and the weak
    dominators of each group (:func:`_dominated_distinct`) are read twice, all of them
    and those of groups with a member."""
    u = np.asarray(utilities, dtype=float)
    keep, within = np.zeros(len(u), dtype=bool), np.zeros(len(u), dtype=bool)
    if len(u) > BITSET_ROWS:
        keep = pareto_mask(u)
        within[np.flatnonzero(members)[pareto_mask(u[members])]] = True
        return keep, within
    if not len(u):
        return keep, within
    order, starts = _equal_runs(u)
    first = order[starts]
    positions = np.where(members[order], np.arange(len(u)), len(u))
    first_member = np.minimum.reduceat(positions, starts)  # len(u): the group has none
    has_member = first_member < len(u)
    by_any, by_member = _dominated_distinct(u[first], has_member)
    keep[first[~by_any]] = True
    within[order[first_member[has_member & ~by_member]]] = True
    return keep, within


def unique_rows(u: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct rows of ``u`` (in lexicographic order), the index of the first row
    equal to each, and for each row the index of its distinct row (a stable lexicographic
    sort: ``np.unique(axis=0)`` is about twice as slow)."""
    if u.shape[1] == 0:  # no columns: every row equals the first
        return u[:1], np.zeros(min(len(u), 1), dtype=np.intp), np.zeros(len(u), dtype=np.intp)
    order = np.lexsort(u.T[::-1])
    ranked = u[order]
    new = np.ones(len(u), dtype=bool)
    new[1:] = np.any(ranked[1:] != ranked[:-1], axis=1)
    inverse = np.empty(len(u), dtype=np.intp)
    inverse[order] = np.cumsum(new) - 1
    return ranked[new], order[new], inverse


def _dominated_distinct(
    u: np.ndarray, dominators: np.ndarray | None = None, chunk: int = 4096
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Which of the distinct rows ``u`` another row weakly dominates (then strictly: the
    rows differ). For each column c, the rows sorted by decreasing ``u[:, c]``; the rows
    with ``u_bc >= u_ac`` are a prefix of that order, kept as a bitset (a running OR of
    each row's bit, set at its rank in the order); a row's weak dominators are the AND
    over the columns of its prefixes, less itself. Potential dominators are taken
    ``chunk`` at a time (memory m·chunk/8 bytes). With a boolean mask ``dominators``,
    also which rows a row of that mask dominates: ``(by any row, by a row of the mask)``."""
    m, n = u.shape
    order = np.argsort(-u, axis=0)  # the order within ties does not matter: ends cover them
    flat = (order * n + np.arange(n)).ravel()  # order's places in a raveled (m, n) array
    ends = np.empty(m * n, dtype=np.intp)  # last position of each row's prefix (ties included)
    ends[flat] = _tie_ends(u.ravel()[flat].reshape(m, n)).ravel()
    rank = np.empty(m * n, dtype=np.intp)  # each row's position in each column's order
    rank[flat] = np.repeat(np.arange(m), n)
    ends, rank = ends.reshape(m, n), rank.reshape(m, n)
    dominated = np.zeros(m, dtype=bool)
    by_mask = None if dominators is None else np.zeros(m, dtype=bool)
    one = np.uint64(1)
    for start in range(0, m, chunk):
        rows = np.arange(start, min(start + chunk, m))
        word, bit = (rows - start) // 64, one << ((rows - start) % 64).astype(np.uint64)
        common = None
        bits = np.empty((m, (len(rows) + 63) // 64), dtype=np.uint64)
        for c in range(n):
            bits.fill(0)
            bits[rank[start : start + chunk, c], word] = bit
            np.bitwise_or.accumulate(bits, axis=0, out=bits)
            prefix = np.take(bits, ends[:, c], axis=0)
            common = prefix if common is None else np.bitwise_and(common, prefix, out=common)
        common[rows, word] &= ~bit  # a row does not dominate itself
        dominated |= common.any(axis=1)
        if by_mask is not None:
            mask = np.zeros(common.shape[1], dtype=np.uint64)
            np.bitwise_or.at(mask, word[dominators[rows]], bit[dominators[rows]])
            by_mask |= np.bitwise_and(common, mask, out=common).any(axis=1)
    return dominated if by_mask is None else (dominated, by_mask)


def _tie_ends(ranked: np.ndarray) -> np.ndarray:
    """For each position of the columns of ``ranked`` (each sorted, decreasing), the last
    position holding the same value: the smallest q ≥ p where the next value differs."""
    m = len(ranked)
    last = np.ones(ranked.shape, dtype=bool)
    last[:-1] = ranked[1:] != ranked[:-1]
    positions = np.where(last, np.arange(m)[:, None], m)
    return np.minimum.accumulate(positions[::-1], axis=0)[::-1]


def _front_blocks(u: np.ndarray, block: int) -> np.ndarray:
    """:func:`pareto_mask` by blocks: rows are visited in order of decreasing utility sum
    (a dominating row always has a larger sum, an identical one an equal sum and an
    earlier index), in blocks; a row is kept unless an earlier row weakly dominates it.
    By transitivity it suffices to compare with the kept rows of earlier blocks."""
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

"""A finite approximation of the Pareto frontier of the continuous agreement space.

Utilities are additive across issues and each ``v_ij`` is concave on spatial issues, so the
utility possibility set is convex and every Pareto-optimal outcome maximises a weighted
sum Σ_i λ_i u_i(x) for some λ in the simplex (Geoffrion 1968). Because the sum separates
by issue, its maximiser is found issue by issue:

    x_j(λ) = argmax_{x ∈ grid_j} Σ_i λ_i w_ij v_ij(x)

(for quadratic losses this is the λ·w-weighted mean of the ideals, for linear ones a
weighted median). The discretisation:

* each continuous issue is a grid of ``resolution + 1`` evenly spaced values in [0, 1],
  with every party's ideal point, red line and the status quo added so they are exact;
  integer issues use every integer (or ``resolution + 1`` rounded points when wider);
  discrete issues use every label;
* λ runs over the simplex lattice with step 1/k (k chosen so that the lattice has at
  most ``max_weights`` points), which includes every party's own optimum;
* for each λ the maximiser is taken both unrestricted and restricted to values inside
  every party's red lines (where such values exist on that issue); with linked red lines
  the region where everyone accepts is a union of boxes (for each condition: outside its
  zone, or inside one option's clauses), and the maximiser is taken in each box;
* linear losses make the frontier piecewise linear, and the weighted sum then jumps
  between vertices; the edges are filled in by adding, for each issue, every grid value
  between the candidates that agree on all other issues (the frontier's 1-skeleton);
* finally the candidates kept are those Pareto-efficient among all candidates, and those
  Pareto-efficient among the candidates that respect every red line (the frontier of the
  region where an agreement is possible at all).

The result is deterministic: no random sampling.

Exact sets. A domain with a discrete or integer issue is not convex, and weighted sums miss
its unsupported efficient outcomes. When such a domain's grid product (the outcome space
above) has at most ``EXACT_LIMIT`` = 10⁷ outcomes and either every issue is finite or
there are two parties, the frontier is instead the exact efficient set of that space
(:mod:`sim.theory.outcome_space`): every outcome no other outcome dominates, plus every
outcome no other acceptable outcome dominates. (With three or more parties a continuous
issue makes the efficient set a discretised surface of size ~resolution^(n−1), too large
for offers; those domains keep the weighted-sum set.) ``Frontier.exact`` says which was used.

Error of the weighted-sum set. The grid itself costs each party at most ``Δ = 1/resolution``
of utility (``Δ/2`` per unit of salience with linear losses, ``Δ`` with quadratic ones, since
every outcome lies within ``Δ/2`` of a grid point on each issue). On a convex problem every
frontier point maximises some Σ λ_i u_i; the set holds the maximisers of the λ-lattice,
the edges between them, but not the interior of faces spanned by three or more of them.
The reference points of a scenario therefore do not come from this set: they are computed
by optimisation on the continuous space (:mod:`sim.theory.reference`).
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, replace
from math import comb

import numpy as np

from sim.identity_cache import IdentityCache
from sim.theory.outcome_space import EXACT_LIMIT, efficient_product, nondominated, space_size
from sim.theory.pareto import first_of_each, pareto_mask, pareto_masks, unique_rows
from sim.theory.preferences import LINK_TOLERANCE, Preferences


@dataclass(frozen=True)
class Frontier:
    """Pareto-efficient candidate outcomes and their utilities.

    Attributes:
        outcomes: (k, m) outcome vectors.
        utilities: (k, n) utilities of every party.
        acceptable: (k, n) whether each outcome respects each party's red lines.
        exact: True when the set is the exact efficient set of the grid product (see the
            module docstring), False for the weighted-sum approximation.
    """

    outcomes: np.ndarray
    utilities: np.ndarray
    acceptable: np.ndarray
    exact: bool = False

    def __len__(self) -> int:
        return len(self.outcomes)


@functools.lru_cache(maxsize=16)
def simplex_lattice(n: int, max_points: int) -> np.ndarray:
    """All weight vectors of n parties with entries in {0, 1/k, ..., 1} summing to 1.

    k is the largest step count whose lattice has at most ``max_points`` points
    (C(k + n − 1, n − 1) of them); at least k = 1 (the n unit vectors). Built once per
    (n, max_points) and returned read-only.
    """
    k = 1
    while comb(k + 1 + n - 1, n - 1) <= max_points:
        k += 1
    if n == 1:
        return np.ones((1, 1))
    cuts = np.array(list(itertools.combinations(range(1, k + n), n - 1)))
    bars = np.column_stack([np.zeros(len(cuts), dtype=int), cuts, np.full(len(cuts), k + n)])
    lattice = (np.diff(bars, axis=1) - 1) / k  # stars and bars: n − 1 bars among k + n − 1
    lattice.flags.writeable = False
    return lattice


def issue_grid(prefs: Preferences, j: int, resolution: int, extra: np.ndarray) -> np.ndarray:
    """The finite set of values used for issue j (sorted, unique), see the module docstring."""
    lo, hi = prefs.lo[j], prefs.hi[j]
    if prefs.tables[j] is not None:
        return np.arange(prefs.tables[j].shape[1], dtype=float)
    if prefs.integer[j]:
        if hi - lo <= resolution:
            return np.arange(lo, hi + 1, dtype=float)
        return np.unique(np.round(np.linspace(lo, hi, resolution + 1)))
    finite = extra[np.isfinite(extra) & (extra >= lo) & (extra <= hi)]
    return _sorted_distinct(np.concatenate([_even_grid(lo, hi, resolution), finite]))


@functools.lru_cache(maxsize=64)
def _even_grid(lo: float, hi: float, resolution: int) -> np.ndarray:
    """``np.linspace(lo, hi, resolution + 1)``, built once per interval (read-only)."""
    grid = np.linspace(lo, hi, resolution + 1)
    grid.flags.writeable = False
    return grid


def _sorted_distinct(values: np.ndarray) -> np.ndarray:
    """``np.unique`` of a fresh 1-D array without NaN, by its own steps (sort in place,
    keep each value that differs from the one before) without its wrapper's cost."""
    values.sort()
    keep = np.empty(len(values), dtype=bool)
    keep[:1] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


DOMAINS = IdentityCache(512)
"""Issue domains of :func:`issue_domain`, by what they read (no object's identity)."""
BOXES = IdentityCache(64)
"""The acceptable boxes of :func:`pareto_frontier`, by the identity of the grids and
masks of :func:`issue_domain` they are cut from (and the linked red lines)."""


def issue_domain(
    prefs: Preferences, j: int, resolution: int, extra: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Issue j's grid (:func:`issue_grid`), its mask of ones, and its mask of the values
    within every party's red line (the ones where none is), read-only. Remembered by
    everything they read (bounds, kind, anchors ``extra``, red lines; :data:`DOMAINS`):
    the games of a sweep whose points move saliences share them, and with them their
    acceptable boxes (:data:`BOXES`)."""
    table, allowed = prefs.tables[j], prefs.allowed[j]
    key = (
        resolution,
        np.array([prefs.lo[j], prefs.hi[j]]).tobytes(),
        bool(prefs.integer[j]),
        None if table is None else table.shape[1],
        extra.tobytes(),
        prefs.accept_lo[:, j].tobytes(),
        prefs.accept_hi[:, j].tobytes(),
        None if allowed is None else allowed.tobytes(),
    )

    def build() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        grid = issue_grid(prefs, j, resolution, extra)
        free = np.ones(len(grid), dtype=bool)
        within = prefs.issue_acceptable(j, grid).all(axis=0)
        within = within if within.any() else free
        for a in (grid, free, within):
            a.flags.writeable = False
        return grid, free, within

    return DOMAINS.get((), key, build)


def weighted_sum_maximisers(
    prefs: Preferences,
    grids: list[np.ndarray],
    lambdas: np.ndarray,
    boxes: list[list[np.ndarray]],
) -> list[np.ndarray]:
    """For each box (per-issue masks of the grids), x_j(λ) for every λ row and issue j,
    searched over ``grids[j][box[j]]`` and given as its index in ``grids[j]``: a
    (len(λ), m) integer array per box. Ties are broken toward the lowest grid value
    (deterministic). An issue's column depends only on its mask, so boxes that share a
    mask (where red lines leave an issue's whole grid open, say) share the column,
    computed once; so is each issue's w_ij v_ij on its whole grid, of which a mask takes
    its values (the same numbers: v_ij is computed value by value). Columns are also
    remembered across calls by everything they read (:func:`_column_key`, and the λ
    lattice's identity; :data:`COLUMNS`): games that differ on some issues only (a sweep
    of an ideal, a consultation that leaves an issue alone) share the other issues'
    columns."""
    contributions: dict[int, np.ndarray] = {}

    def column(j: int, mask: np.ndarray) -> np.ndarray:
        def build() -> np.ndarray:
            if j not in contributions:
                contributions[j] = prefs.weights[:, j, None] * prefs.issue_values(j, grids[j])
            where = np.flatnonzero(mask)
            contrib = contributions[j] if len(where) == len(mask) else contributions[j][:, where]
            found = where[np.argmax(lambdas @ contrib, axis=1)]
            found.flags.writeable = False
            return found

        return COLUMNS.get((lambdas,), _column_key(prefs, j, grids[j], mask), build)

    return [np.column_stack([column(j, m) for j, m in enumerate(box)]) for box in boxes]


COLUMNS = IdentityCache(256)
"""Weighted-sum columns (about 6 kB each with their key): a sweep's last few points'."""


def _column_key(prefs: Preferences, j: int, grid: np.ndarray, mask: np.ndarray) -> tuple:
    """What issue j's weighted-sum column reads besides the λ lattice: the grid, the
    mask, the parties' weights on the issue and its values (the value table of a
    discrete issue; else the ideals, losses and span)."""
    table = prefs.tables[j]
    values = (
        (table.shape, table.tobytes())
        if table is not None
        else (
            prefs.ideal[:, j].tobytes(),
            prefs.exponent[:, j].tobytes(),
            np.array([prefs.lo[j], prefs.hi[j]]).tobytes(),
        )
    )
    return (grid.tobytes(), mask.tobytes(), prefs.weights[:, j].tobytes(), values)


def distinct_index_rows(rows: np.ndarray, sizes: list[int]) -> np.ndarray:
    """The distinct rows of ``rows`` in lexicographic order, for rows of indices (column j
    holds integers in [0, ``sizes[j]``)): the columns are packed, in order, into as few
    64-bit keys as hold them (mixed radix, below 2⁶² each), and the keys sorted with
    ``np.lexsort`` (by the first key alone when its values are distinct); about ten
    times as fast as sorting ten float columns. Rows of sorted grids' indices sort as the
    grid values do."""
    if not len(rows):
        return rows
    keys, key, room = [], np.zeros(len(rows), dtype=np.int64), 1
    for j, size in enumerate(sizes):
        if room * size >= 2**62:
            keys.append(key)
            key, room = np.zeros(len(rows), dtype=np.int64), 1
        key = key * size + rows[:, j]
        room *= size
    keys.append(key)
    order = np.argsort(keys[0], kind="stable")
    first = keys[0][order]
    if not (first[1:] == first[:-1]).any():  # the first key alone orders and separates
        return rows[order]
    order = np.lexsort(keys[::-1])
    repeat = np.logical_and.reduce([k[order][1:] == k[order][:-1] for k in keys])
    return rows[order[np.concatenate([[True], ~repeat])]]


def fill_edges(prefs: Preferences, candidates: np.ndarray, grids: list[np.ndarray]) -> np.ndarray:
    """Add the grid values between candidates that differ on a single linear-loss issue."""
    added = [candidates]
    for j in _linear_issues(prefs):
        others = np.delete(candidates, j, axis=1)
        group = unique_rows(others)[2]
        lo = np.full(group.max() + 1, np.inf)
        hi = np.full(group.max() + 1, -np.inf)
        np.minimum.at(lo, group, candidates[:, j])
        np.maximum.at(hi, group, candidates[:, j])
        for g in np.flatnonzero(hi > lo):
            between = grids[j][(grids[j] > lo[g]) & (grids[j] < hi[g])]
            block = np.repeat(candidates[group == g][:1], len(between), axis=0)
            block[:, j] = between
            added.append(block)
    return unique_rows(np.concatenate(added))[0] if len(added) > 1 else candidates


def _linear_issues(prefs: Preferences) -> np.ndarray:
    """The spatial issues where some party's loss is linear (where edges are filled in)."""
    return np.flatnonzero(prefs.spatial & (prefs.exponent == 1).any(axis=0))


def pareto_frontier(
    prefs: Preferences,
    anchors: np.ndarray,
    resolution: int = 100,
    max_weights: int = 600,
    feasible_only: bool = False,
) -> Frontier:
    """Approximate Pareto frontier of the agreement space (see the module docstring).

    Args:
        prefs: the parties' preferences.
        anchors: (r, m) outcome values to add to the grids exactly (ideals, red lines,
            status quo); NaN entries are ignored.
        resolution: grid intervals on each continuous issue.
        max_weights: upper bound on the number of λ lattice points.
        feasible_only: keep only the frontier's rows within every red line (its feasible
            part, the same rows in the same order), without sifting the others.
    """
    domains = [issue_domain(prefs, j, resolution, anchors[:, j]) for j in range(prefs.n_issues)]
    grids, free, within = ([d[k] for d in domains] for k in range(3))
    boxes = BOXES.get(
        (*grids, *within), prefs.conditions, lambda: acceptable_boxes(prefs, grids, within)
    )
    if exact_applies(prefs, grids):
        frontier = exact_frontier(prefs, grids, [free, *boxes])
        return feasible_part(frontier) if feasible_only else frontier
    lambdas = simplex_lattice(prefs.n_parties, max_weights)
    rows = np.concatenate(weighted_sum_maximisers(prefs, grids, lambdas, [free, *boxes]))
    if feasible_only and not _linear_issues(prefs).size:
        # only rows within every red line count, and no edge is filled in between: a row
        # with a value outside some plain red line goes now (before sorting and utilities)
        rows = rows[np.logical_and.reduce([w[rows[:, j]] for j, w in enumerate(within)])]
    index = distinct_index_rows(rows, [len(g) for g in grids])
    candidates = np.column_stack([g[index[:, j]] for j, g in enumerate(grids)])
    candidates = fill_edges(prefs, candidates, grids)
    utilities = prefs.utilities(candidates)
    ok = prefs.acceptable(candidates)
    keep = efficient_feasible(utilities, ok) if feasible_only else efficient(utilities, ok)
    return Frontier(candidates[keep], utilities[keep], ok[keep])


def feasible_part(frontier: Frontier) -> Frontier:
    """The rows of ``frontier`` within every red line."""
    ok = frontier.acceptable.all(axis=1)
    return replace(
        frontier,
        outcomes=frontier.outcomes[ok],
        utilities=frontier.utilities[ok],
        acceptable=frontier.acceptable[ok],
    )


def exact_applies(prefs: Preferences, grids: list[np.ndarray]) -> bool:
    """Whether the frontier is the exact efficient set (see the module docstring)."""
    finite = ~prefs.spatial | prefs.integer
    return (
        bool(finite.any())
        and (bool(finite.all()) or prefs.n_parties == 2)
        and space_size([len(g) for g in grids]) <= EXACT_LIMIT
    )


def exact_frontier(
    prefs: Preferences, grids: list[np.ndarray], boxes: list[list[np.ndarray]]
) -> Frontier:
    """The outcomes of the grid product that no outcome dominates (``boxes[0]`` is the whole
    product) or that no acceptable outcome dominates (the union of the other boxes)."""
    found = []
    for box in boxes:
        values = [g[mask] for g, mask in zip(grids, box, strict=True)]
        parts = [
            (prefs.weights[:, j, None] * prefs.issue_values(j, v)).T for j, v in enumerate(values)
        ]
        index = efficient_product(parts)
        found.append(np.column_stack([v[index[:, j]] for j, v in enumerate(values)]))
    candidates = np.unique(np.concatenate(found), axis=0)
    utilities = prefs.utilities(candidates)
    ok = prefs.acceptable(candidates)
    everyone = np.flatnonzero(ok.all(axis=1))
    keep = nondominated(utilities)
    keep[everyone[nondominated(utilities[everyone])]] = True
    return Frontier(candidates[keep], utilities[keep], ok[keep], exact=True)


MAX_BOXES = 4096
"""Most boxes :func:`acceptable_boxes` builds (the product of the conditions' choices)."""


def acceptable_boxes(
    prefs: Preferences, grids: list[np.ndarray], within: list[np.ndarray]
) -> list[list[np.ndarray]]:
    """Per-issue masks of the grid boxes whose union is where every linked red line holds
    (inside the plain red lines ``within``): for each condition, its zone's complement or
    one of its options; empty boxes are dropped (``[within]`` without conditions)."""
    boxes = [within]
    for line in prefs.conditions:
        choices = [_outside_zone(grids, line)] + [_option_box(grids, o) for o in line.options]
        merged: dict[bytes, list[np.ndarray]] = {}
        for box in boxes:
            for choice in choices:
                masks = [m & c for m, c in zip(box, choice, strict=True)]
                if all(m.any() for m in masks):
                    merged.setdefault(b"".join(m.tobytes() for m in masks), masks)
        boxes = list(merged.values())[:MAX_BOXES]
    return boxes


def _outside_zone(grids: list[np.ndarray], line) -> list[np.ndarray]:
    masks = [np.ones(len(g), dtype=bool) for g in grids]
    masks[line.issue] = ~line.applies_to(grids[line.issue])
    return masks


def _option_box(grids: list[np.ndarray], option) -> list[np.ndarray]:
    masks = [np.ones(len(g), dtype=bool) for g in grids]
    for k, lo, hi in option:
        masks[k] &= (grids[k] >= lo - LINK_TOLERANCE) & (grids[k] <= hi + LINK_TOLERANCE)
    return masks


def efficient(utilities: np.ndarray, acceptable: np.ndarray) -> np.ndarray:
    """Rows Pareto-efficient among all rows, or among the rows within every red line
    (both sifts in one pass, :func:`~sim.theory.pareto.pareto_masks`)."""
    keep, feasible = pareto_masks(utilities, acceptable.all(axis=1))
    return keep | feasible


def efficient_feasible(utilities: np.ndarray, acceptable: np.ndarray) -> np.ndarray:
    """The rows of :func:`efficient` within every red line: those Pareto-efficient among
    the rows within every red line (a row within them that is efficient among all rows,
    the first of its equals there, is so among them too)."""
    keep = np.zeros(len(utilities), dtype=bool)
    everyone = np.flatnonzero(acceptable.all(axis=1))
    keep[everyone[pareto_mask(utilities[everyone])]] = True
    return keep


@dataclass(frozen=True)
class Options:
    """Outcomes open for agreement once some issues are settled (independent of the war)."""

    outcomes: np.ndarray
    utilities: np.ndarray
    acceptable: np.ndarray


def distinct_rows(outcomes: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    """Indices of the rows of ``outcomes`` that stay distinct once the columns ``fixed``
    are held at constants: the first row of each group agreeing on the free columns, in
    their original order (the groups depend on which columns are fixed, not on the
    values they are fixed at)."""
    return np.sort(first_of_each(outcomes[:, ~fixed]))


def restrict_options(
    prefs: Preferences,
    frontier_outcomes: np.ndarray,
    settled: np.ndarray,
    scope: np.ndarray | None = None,
    rows: np.ndarray | None = None,
) -> Options:
    """Frontier outcomes with the issues in ``settled`` (non-NaN) held at their values.

    Holding issues fixed can make some outcomes equal or dominated, so the set is reduced
    to its Pareto-efficient rows again: those efficient among all, and those efficient
    among the outcomes that respect every red line (as in :mod:`sim.theory.frontier`);
    red lines bind within ``scope``, the issues an agreement would settle (see
    :meth:`Preferences.acceptable`). Rows that became equal are kept once
    (:func:`distinct_rows`; pass ``rows`` if already known).
    """
    fixed = ~np.isnan(settled)
    if fixed.any() and rows is None:
        rows = distinct_rows(frontier_outcomes, fixed)
    outcomes = frontier_outcomes[rows] if rows is not None else frontier_outcomes.copy()
    outcomes[:, fixed] = settled[fixed]
    utilities = prefs.utilities(outcomes)
    acceptable = prefs.acceptable(outcomes, scope)
    keep = efficient(utilities, acceptable)
    return Options(outcomes[keep], utilities[keep], acceptable[keep])


def pair_preferences(prefs: Preferences, a: int, b: int) -> Preferences:
    """Parties ``a`` and ``b`` alone, each holding every party's red lines: the plain
    red lines intersected, the discrete masks ANDed, every linked red line (so an outcome
    is acceptable to both exactly when it is acceptable to every party)."""
    rows = [a, b]

    def both(values: np.ndarray) -> np.ndarray:
        return np.repeat(values[None, :], 2, axis=0)

    return Preferences(
        weights=prefs.weights[rows],
        spatial=prefs.spatial,
        integer=prefs.integer,
        lo=prefs.lo,
        hi=prefs.hi,
        ideal=prefs.ideal[rows],
        exponent=prefs.exponent[rows],
        accept_lo=both(prefs.accept_lo.max(axis=0)),
        accept_hi=both(prefs.accept_hi.min(axis=0)),
        tables=tuple(None if t is None else t[rows] for t in prefs.tables),
        allowed=tuple(None if m is None else both(m.all(axis=0)) for m in prefs.allowed),
        conditions=tuple(replace(line, party=0) for line in prefs.conditions),
    )


def pair_frontier(
    prefs: Preferences, anchors: np.ndarray, a: int, b: int
) -> tuple[np.ndarray, np.ndarray]:
    """The Pareto frontier of two parties in their utility plane, as (k, 2) arrays of
    (u_a, u_b) sorted by u_a: over the whole agreement space, and over the outcomes within
    every party's red lines. It is :func:`pareto_frontier` of the two parties alone
    (:func:`pair_preferences`): the exact set on finite domains, else the maximisers of
    about 600 weighted sums λ u_a + (1 − λ) u_b with the edges filled in, within the
    grid's error; not the projection of the n-party frontier, whose line between its
    sampled points is only an approximation of the two parties' frontier."""
    frontier = pareto_frontier(pair_preferences(prefs, a, b), anchors)
    u, ok = frontier.utilities, frontier.acceptable.all(axis=1)
    return _sorted_front(u), _sorted_front(u[ok])


def _sorted_front(plane: np.ndarray) -> np.ndarray:
    front = plane[pareto_mask(plane)] if len(plane) else plane.reshape(0, 2)
    return front[np.argsort(front[:, 0], kind="stable")]

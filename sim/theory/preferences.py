"""Additive spatial and tabular utilities over a multi-issue agreement space.

An outcome is a vector ``x`` with one value per issue. Party ``i``'s utility is

    u_i(x) = Σ_j w_ij · v_ij(x_j),        Σ_j w_ij = 1,

with, for a *spatial* issue (continuous in [0, 1] or integer in [lo, hi]),

    v_ij(x_j) = 1 − (|x_j − ideal_ij| / (hi_j − lo_j)) ** p_ij,   p_ij ∈ {1, 2},

(p = 1 linear loss, p = 2 quadratic loss),

so that ``u_i = 1 − Σ_j w_ij |x_j − ideal_ij|^p_ij`` on [0, 1] issues (Enelow & Hinich 1984,
the weighted Euclidean/city-block spatial model), and for a *discrete* issue (labels indexed
0..k−1) ``v_ij`` is the party's score table (the linear additive profiles of GENIUS/ANAC,
Lin et al. 2014). Utilities lie in [0, 1]; 1 is the party's ideal outcome.

Red lines: on a spatial issue a party accepts only values between ``accept_lo`` and
``accept_hi``; on a discrete issue only labels its mask allows. An outcome outside any red
line of a party is unacceptable to that party whatever its utility.

Linked red lines (:class:`LinkedLine`): party i accepts a value of issue j inside a zone
[a, b] only if at least one option holds, an option being a box of clauses
``x_k ∈ [lo_k, hi_k]``:

    acceptable_i(x) ⇐ (x_j ∉ [a, b]) or ∃ option o: ∀ (k, lo, hi) ∈ o: lo ≤ x_k ≤ hi.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

import numpy as np

Clause = tuple[int, float, float]
"""(issue, lo, hi): the issue's value must lie in [lo, hi]."""

LINK_TOLERANCE = 1e-9
"""Clause and zone bounds are compared with this slack (grid values are floats)."""
SMALL = 8
"""Up to this many outcomes a plain sum beats ``einsum``'s set-up (one-row evaluations)."""


@dataclass(frozen=True)
class LinkedLine:
    """A compiled condition of party ``party`` (see the module docstring)."""

    party: int
    id: str
    issue: int
    zone: tuple[float, float]
    options: tuple[tuple[Clause, ...], ...]

    def applies_to(self, values: np.ndarray) -> np.ndarray:
        """Whether each value of the governed issue lies in the condition's zone."""
        a, b = self.zone
        return (values >= a - LINK_TOLERANCE) & (values <= b + LINK_TOLERANCE)

    def applies(self, x: np.ndarray) -> np.ndarray:
        """Whether each outcome row of ``x`` lies in the condition's zone."""
        return self.applies_to(x[:, self.issue])

    def met(self, x: np.ndarray) -> np.ndarray:
        """Whether some option holds for each outcome row of ``x``."""
        out = np.zeros(len(x), dtype=bool)
        for option in self.options:
            holds = np.ones(len(x), dtype=bool)
            for k, lo, hi in option:
                holds &= (x[:, k] >= lo - LINK_TOLERANCE) & (x[:, k] <= hi + LINK_TOLERANCE)
            out |= holds
        return out

    def broken(self, x: np.ndarray) -> np.ndarray:
        """Whether each outcome row breaks the condition (in the zone, no option holds)."""
        return self.applies(x) & ~self.met(x)


@dataclass(frozen=True)
class Preferences:
    """The numeric preference profile of n parties over m issues (all arrays read-only).

    Attributes:
        weights: (n, m) saliences, each row summing to 1.
        spatial: (m,) True for spatial issues, False for discrete ones.
        integer: (m,) True for spatial issues that take whole numbers only.
        lo, hi: (m,) numeric span of each issue (label indices for discrete issues).
        ideal: (n, m) ideal points on spatial issues (ignored on discrete ones).
        exponent: (n, m) loss exponent p (1 or 2) on spatial issues.
        accept_lo, accept_hi: (n, m) red-line bounds on spatial issues (±inf when none).
        tables: per issue, an (n, k) score table for discrete issues, else ``None``.
        allowed: per issue, an (n, k) bool red-line mask for discrete issues, else ``None``.
        conditions: linked red lines (:class:`LinkedLine`), none by default.
    """

    weights: np.ndarray
    spatial: np.ndarray
    integer: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    ideal: np.ndarray
    exponent: np.ndarray
    accept_lo: np.ndarray
    accept_hi: np.ndarray
    tables: tuple[np.ndarray | None, ...]
    allowed: tuple[np.ndarray | None, ...]
    conditions: tuple[LinkedLine, ...] = ()

    @cached_property
    def _spatial_parts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
        """(ideal, span, linear, weights) of the spatial issues: the first three as
        contiguous (issues, parties) arrays, so that :meth:`utilities` works on outcomes ×
        issues × parties in long runs; ``linear`` is None when every loss is quadratic
        (computed once: utilities are evaluated every round)."""
        s = self.spatial
        ideal = np.ascontiguousarray(self.ideal[:, s].T)
        span = np.repeat((self.hi - self.lo)[s, None], ideal.shape[1], axis=1)
        linear = np.ascontiguousarray((self.exponent[:, s] == 1).T)
        return ideal, span, linear if linear.any() else None, self.weights[:, s]

    @cached_property
    def _red_line_columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The spatial issues where some party has a finite red line, with their bounds
        shaped (1, n, issues), and the spatial issues where none has: only the first are
        compared in :meth:`acceptable` (a comparison with ±inf holds for every number)."""
        finite = (np.isfinite(self.accept_lo) | np.isfinite(self.accept_hi)).any(axis=0)
        bounded = np.flatnonzero(self.spatial & finite)
        lo, hi = self.accept_lo[None][:, :, bounded], self.accept_hi[None][:, :, bounded]
        return bounded, lo, hi, np.flatnonzero(self.spatial & ~finite)

    @cached_property
    def _columns(self) -> tuple[slice | np.ndarray, tuple[int, ...]]:
        """The spatial issues' columns (a slice, i.e. a view, when every issue is spatial)
        and the discrete issues' indices."""
        every = bool(self.spatial.all())
        return (slice(None) if every else self.spatial), tuple(np.flatnonzero(~self.spatial))

    @cached_property
    def acceptable_boxes(self) -> tuple[np.ndarray, ...]:
        """Boxes (read-only ``(m, 2)`` arrays of [lo, hi] per issue) whose union is the
        region where every plain and linked red line holds; empty when no outcome respects
        them all. The open side of a zone's complement is closed ``2 · LINK_TOLERANCE``
        away from the zone. Computed once (the reference points solve on every box)."""
        lo = np.maximum(self.lo, self.accept_lo.max(axis=0))
        hi = np.minimum(self.hi, self.accept_hi.min(axis=0))
        boxes = [np.column_stack([lo, hi])] if np.all(lo <= hi) else []
        gap = 2 * LINK_TOLERANCE
        for line in self.conditions:
            a, b = line.zone
            choices = [[(line.issue, -np.inf, a - gap)], [(line.issue, b + gap, np.inf)]]
            choices += [list(option) for option in line.options]
            boxes = [_clip(box, clauses) for box in boxes for clauses in choices]
            boxes = [box for box in boxes if np.all(box[:, 0] <= box[:, 1])]
        for box in boxes:
            box.flags.writeable = False
        return tuple(boxes)

    @cached_property
    def clipped_ideal_utilities(self) -> tuple[np.ndarray, ...]:
        """Per acceptable box, the (n, n) utilities of every party (columns) at each
        party's ideal clipped to the box (rows): on row i, party i's best utility on the
        box (u_i is maximised issue by issue)."""
        return tuple(
            self.utilities(np.clip(self.ideal, box[:, 0], box[:, 1]))
            for box in self.acceptable_boxes
        )

    @cached_property
    def digest(self) -> bytes:
        """SHA-256 of the arrays (and linked lines, as text) that define these preferences
        (:func:`array_digest`): equal preferences, equal digests (a key of the shared
        caches of :mod:`sim.game`)."""
        return array_digest(
            [
                self.weights,
                self.ideal,
                self.exponent,
                self.accept_lo,
                self.accept_hi,
                self.lo,
                self.hi,
                self.spatial,
                self.integer,
                np.array([t is None for t in self.tables]),
                *(t for t in self.tables if t is not None),
                *(a for a in self.allowed if a is not None),
                np.array([repr(c) for c in self.conditions]),
            ]
        )

    @property
    def n_parties(self) -> int:
        return self.weights.shape[0]

    @property
    def n_issues(self) -> int:
        return self.weights.shape[1]

    def issue_values(self, j: int, x: np.ndarray) -> np.ndarray:
        """v_ij(x) for every party i at the values ``x`` of issue j: shape (n, len(x))."""
        x = np.asarray(x, dtype=float)
        if self.tables[j] is not None:
            return self.tables[j][:, x.astype(int)]
        dist = (x[None, :] - self.ideal[:, j, None]) / (self.hi[j] - self.lo[j])
        if not self._linear_issue[j]:  # a square needs no abs (same bits)
            return 1.0 - dist * dist
        dist = np.abs(dist)
        return 1.0 - np.where(self.exponent[:, j, None] == 1, dist, dist * dist)

    @cached_property
    def _linear_issue(self) -> list[bool]:
        """Whether some party's loss on each issue is linear."""
        return (self.exponent == 1).any(axis=0).tolist()

    def issue_acceptable(self, j: int, x: np.ndarray) -> np.ndarray:
        """Whether each value in ``x`` of issue j is within each party's red line: (n, len(x))."""
        x = np.asarray(x, dtype=float)
        if self.allowed[j] is not None:
            return self.allowed[j][:, x.astype(int)]
        lo, hi = self.accept_lo[:, j, None], self.accept_hi[:, j, None]
        return (x[None, :] >= lo) & (x[None, :] <= hi)

    def utilities(self, outcomes: np.ndarray) -> np.ndarray:
        """u_i(x) for each outcome row: ``outcomes`` (k, m) -> utilities (k, n).

        Spatial issues are evaluated together (one broadcast over outcomes × parties ×
        issues); discrete issues by table lookup.
        """
        x = np.atleast_2d(np.asarray(outcomes, dtype=float))
        (s, discrete), (ideal, span, linear, weights) = self._columns, self._spatial_parts
        issues, parties = ideal.shape
        dist = np.repeat(x[:, s], parties, axis=1).reshape(len(x), issues, parties)
        dist -= ideal
        if linear is not None:
            np.abs(dist, out=dist)
            dist /= span
            values = 1.0 - np.where(linear, dist, dist * dist)
        else:  # in place, one large array instead of five; a square needs no abs (same bits)
            dist /= span
            values = np.subtract(1.0, np.multiply(dist, dist, out=dist), out=dist)
        values = values.transpose(0, 2, 1)  # outcomes × parties × issues: the sums' layout
        if len(x) <= SMALL:
            total = (values * weights).sum(axis=2)
        else:
            total = np.einsum("kni,ni->kn", values, weights)
        for j in discrete:
            total += (self.weights[:, j, None] * self.tables[j][:, x[:, j].astype(int)]).T
        return total

    def acceptable(self, outcomes: np.ndarray, scope: np.ndarray | None = None) -> np.ndarray:
        """Whether each outcome respects every red line of each party: (k, m) -> (k, n).

        With a ``scope`` (the issues an agreement settles; ``None`` = all) only the red
        lines of those issues bind, and the linked red lines that govern one of them
        (their options are checked on the whole outcome): an agreement answers for what
        it settles, not for the status quo of the rest.
        """
        x = np.atleast_2d(np.asarray(outcomes, dtype=float))
        bounded, lo, hi, unbounded = self._red_line_columns
        if scope is not None:
            inside = scope[bounded]
            bounded, lo, hi = bounded[inside], lo[:, :, inside], hi[:, :, inside]
            unbounded = unbounded[scope[unbounded]]
        xs = x[:, None, bounded]
        ok = ((xs >= lo) & (xs <= hi)).all(axis=2)
        if unbounded.size and np.isnan(x[:, unbounded]).any():  # NaN meets no bound at all
            ok &= ~np.isnan(x[:, unbounded]).any(axis=1)[:, None]
        for j in np.flatnonzero(~self.spatial if scope is None else ~self.spatial & scope):
            ok &= self.allowed[j][:, x[:, j].astype(int)].T
        for line in self.conditions:
            if scope is None or scope[line.issue]:
                ok[:, line.party] &= ~line.broken(x)
        return ok

    def crossed(
        self, outcome: np.ndarray, party: int, scope: np.ndarray | None = None
    ) -> tuple[list[int], list[str]]:
        """What makes ``outcome`` unacceptable to ``party`` (within ``scope``, see
        :meth:`acceptable`): the issues whose plain red line it crosses, and the ids of
        the linked red lines it breaks."""
        x = np.atleast_2d(np.asarray(outcome, dtype=float))
        issues = [
            j
            for j in range(self.n_issues)
            if (scope is None or scope[j]) and not self.issue_acceptable(j, x[:, j])[party, 0]
        ]
        links = [
            c.id
            for c in self.conditions
            if c.party == party and (scope is None or scope[c.issue]) and c.broken(x)[0]
        ]
        return issues, links


def array_digest(parts: list) -> bytes:
    """SHA-256 of the arrays' shapes, types and bytes, in order."""
    h = hashlib.sha256()
    for x in parts:
        a = np.ascontiguousarray(x)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
    return h.digest()


def _clip(box: np.ndarray, clauses: list[Clause]) -> np.ndarray:
    """A copy of ``box`` narrowed to every clause's interval."""
    out = box.copy()
    for k, lo, hi in clauses:
        out[k, 0] = max(out[k, 0], lo)
        out[k, 1] = min(out[k, 1], hi)
    return out


def red_line_bounds(ideal: float, red_line: float | None) -> tuple[float, float]:
    """Acceptable interval implied by a red line: values beyond it, away from the ideal, fail.

    A red line above the ideal caps the value (accept x <= red_line); one below it floors
    the value (accept x >= red_line); no red line accepts everything.
    """
    if red_line is None:
        return -np.inf, np.inf
    if red_line >= ideal:
        return -np.inf, red_line
    return red_line, np.inf

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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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
        dist = np.abs(x[None, :] - self.ideal[:, j, None]) / (self.hi[j] - self.lo[j])
        return 1.0 - np.where(self.exponent[:, j, None] == 1, dist, dist * dist)

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
        s = self.spatial
        dist = np.abs(x[:, None, s] - self.ideal[None, :, s]) / (self.hi - self.lo)[s]
        values = 1.0 - np.where(self.exponent[None, :, s] == 1, dist, dist * dist)
        total = np.einsum("kni,ni->kn", values, self.weights[:, s])
        for j in np.flatnonzero(~s):
            total += (self.weights[:, j, None] * self.tables[j][:, x[:, j].astype(int)]).T
        return total

    def acceptable(self, outcomes: np.ndarray) -> np.ndarray:
        """Whether each outcome respects every red line of each party: (k, m) -> (k, n)."""
        x = np.atleast_2d(np.asarray(outcomes, dtype=float))
        s = self.spatial
        xs = x[:, None, s]
        ok = ((xs >= self.accept_lo[None, :, s]) & (xs <= self.accept_hi[None, :, s])).all(axis=2)
        for j in np.flatnonzero(~s):
            ok &= self.allowed[j][:, x[:, j].astype(int)].T
        return ok


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

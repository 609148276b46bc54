"""Bargaining reference points of a mixed domain, by optimisation: continuous issues
alongside discrete or integer ones.

Fix the finite (discrete and integer) issues F at one combination c of their values. With
saliences summing to 1, party i's utility is then

    u_i(c, y) = u_i^C(y) + K_i(c),   u_i^C(y) = 1 − Σ_{j∈C} w_ij ℓ_ij(y_j),
    K_i(c) = Σ_{j∈F} w_ij (v_ij(c_j) − 1),

on the continuous issues C (the saliences kept as they are, not renormalised), so
``u_i − d_i = u_i^C − (d_i − K_i(c))``: each program of :mod:`sim.theory.reference` on the
continuous issues, with the disagreement point shifted to ``d − K(c)``, is the program of
the whole domain restricted to c. The continuous program carries one more issue, a slack
issue weighted Σ_{j∈F} w_ij for party i and held by every red line at every party's ideal
(loss 0): its saliences then sum to 1, and its utilities are exactly u_i^C in the form
``1 − Σ w ℓ`` the solvers of :mod:`sim.theory.reference` use. The reference point is the
best of the combinations (the first on ties within 1e-15):

* Nash, weighted Nash: the largest Σ a_i log(u_i − d_i);
* egalitarian: the largest min_i (u_i − d_i);
* utilitarian: the largest Σ u_i;
* Kalai–Smorodinsky: the ideal point A_i = max_c A_i(c) + K_i(c) over the combinations
  with a rational outcome (A_i(c) the ideal point of the continuous program), then the
  largest τ with u ≥ d + τ (A − d) over the combinations.

Red lines: a combination uses only labels every party accepts and integers within every
party's plain red line on that issue; a linked red line is reduced per combination to the
clauses on continuous issues (:func:`reduced_conditions`) or, when a finite value breaks
it, excludes the combination. Up to :data:`MIXED_LIMIT` combinations are enumerated; a
larger domain keeps the best outcome of its frontier set (``applies`` is False). Only the
combinations that can win are solved: branch and bound on upper bounds from each party's
best utility and, by weak duality, from weighted sums of utilities (:class:`Bounds`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from sim.identity_cache import IdentityCache
from sim.theory import reference as ref
from sim.theory.frontier import simplex_lattice
from sim.theory.preferences import LINK_TOLERANCE, LinkedLine, Preferences

MIXED_LIMIT = 50_000
"""Most combinations of the finite issues' values that are enumerated."""
TIE = 1e-15


def continuous_issues(prefs: Preferences) -> np.ndarray:
    """Mask of the continuous issues (spatial and not integer)."""
    return prefs.spatial & ~prefs.integer


def applies(prefs: Preferences) -> bool:
    """Whether the domain is mixed (a continuous issue and a finite one) with at most
    :data:`MIXED_LIMIT` combinations of acceptable finite values."""
    cont = continuous_issues(prefs)
    if cont.all() or not cont.any():
        return False
    return math.prod(len(v) for v in finite_values(prefs)) <= MIXED_LIMIT


def finite_values(prefs: Preferences) -> list[np.ndarray]:
    """Per finite issue (in issue order), the values every party's plain red line allows:
    the accepted label indices of a discrete issue, the whole numbers of an integer one."""
    out = []
    for j in np.flatnonzero(~continuous_issues(prefs)):
        if prefs.allowed[j] is not None:
            out.append(np.flatnonzero(prefs.allowed[j].all(axis=0)).astype(float))
            continue
        lo = max(prefs.lo[j], prefs.accept_lo[:, j].max())
        hi = min(prefs.hi[j], prefs.accept_hi[:, j].min())
        out.append(np.arange(math.ceil(lo - 1e-9), math.floor(hi + 1e-9) + 1, dtype=float))
    return out


def continuous_program(prefs: Preferences, conditions: tuple[LinkedLine, ...]) -> Preferences:
    """The continuous program of the finite issues fixed at some values (module
    docstring): the continuous issues, the slack issue, and ``conditions``, the linked red
    lines those values leave (:func:`reduced_conditions`). Only the conditions depend on
    the values, so combinations that leave the same ones share the program."""
    cont = continuous_issues(prefs)
    # the slack issue: every party's ideal, held there by every red line, weighted by the
    # finite issues' saliences (module docstring)
    slack = prefs.weights[:, ~cont].sum(axis=1)
    n = prefs.n_parties

    def column(values: np.ndarray, extra: float | np.ndarray) -> np.ndarray:
        return np.column_stack([values[:, cont], np.broadcast_to(extra, (n,))])

    c = int(cont.sum()) + 1
    return Preferences(
        weights=column(prefs.weights, slack),
        spatial=np.ones(c, dtype=bool),
        integer=np.zeros(c, dtype=bool),
        lo=np.append(prefs.lo[cont], 0.0),
        hi=np.append(prefs.hi[cont], 1.0),
        ideal=column(prefs.ideal, 0.5),
        exponent=column(prefs.exponent, 2),
        accept_lo=column(prefs.accept_lo, 0.5),
        accept_hi=column(prefs.accept_hi, 0.5),
        tables=(None,) * c,
        allowed=(None,) * c,
        conditions=conditions,
    )


def offsets_of(prefs: Preferences, combos: np.ndarray) -> np.ndarray:
    """K(c) = Σ_{j∈F} w_ij (v_ij(c_j) − 1) for every combination row of ``combos``
    (columns: the finite issues in issue order): shape (len(combos), n)."""
    out = np.zeros((len(combos), prefs.n_parties))
    for col, j in enumerate(np.flatnonzero(~continuous_issues(prefs))):
        values, where = np.unique(combos[:, col], return_inverse=True)
        table = prefs.weights[:, j, None] * (prefs.issue_values(j, values) - 1.0)
        out += table[:, where].T
    return out


def reduced_conditions(
    prefs: Preferences, fixed: dict[int, float], continuous: np.ndarray
) -> tuple[LinkedLine, ...] | None:
    """The linked red lines with the finite issues at ``fixed``, over the continuous
    issues (renumbered in ``continuous`` order); ``None`` when one cannot hold.

    A condition whose zone is on a finite issue is dropped when the value lies outside the
    zone; otherwise one of its options must hold. An option with a clause on a finite
    issue that the value breaks is impossible; one whose clauses are all on finite issues
    and hold satisfies the condition (it is dropped). The options left keep their
    continuous clauses; a condition that must hold and has none left excludes the
    combination, and one whose zone is on a continuous issue then keeps only "outside
    the zone" (no options)."""
    where = {int(j): k for k, j in enumerate(continuous)}
    out = []
    for line in prefs.conditions:
        in_zone = True
        if line.issue in fixed:
            in_zone = bool(line.applies_to(np.array([fixed[line.issue]]))[0])
            if not in_zone:
                continue
        options, satisfied = [], False
        for option in line.options:
            if not all(_holds(fixed[k], lo, hi) for k, lo, hi in option if k in fixed):
                continue
            rest = tuple((where[k], lo, hi) for k, lo, hi in option if k not in fixed)
            if not rest:
                satisfied = True
                break
            options.append(rest)
        if satisfied:
            continue
        if line.issue in fixed:  # inside the zone: an option must hold
            if not options:
                return None
            anchor = options[0][0][0]
            out.append(LinkedLine(line.party, line.id, anchor, (-np.inf, np.inf), tuple(options)))
        else:
            issue = where[line.issue]
            out.append(LinkedLine(line.party, line.id, issue, line.zone, tuple(options)))
    return tuple(out)


def _holds(value: float, lo: float, hi: float) -> bool:
    return lo - LINK_TOLERANCE <= value <= hi + LINK_TOLERANCE


class Part(NamedTuple):
    """One combination of acceptable finite values: the values, the continuous program,
    the offsets K, a start (the middle of its first acceptable box) and ``upper``, each
    party's best utility in the whole domain with these values (K plus its best on the
    continuous issues: its ideal clipped to the best acceptable box)."""

    combo: np.ndarray
    sub: Preferences
    offsets: np.ndarray
    start: np.ndarray
    upper: np.ndarray


PARTS = IdentityCache(4)
"""The combinations of :func:`parts_of`, by the identity of the preferences (the points
of a sweep that change no preference share them)."""


def parts_of(prefs: Preferences) -> list[Part]:
    """Every combination of acceptable finite values whose linked red lines can hold, in
    enumeration order (the last finite issue changing fastest), with its offsets
    (:func:`offsets_of`) and its continuous program (:func:`continuous_program`, shared by
    the combinations that leave the same linked red lines)."""
    return PARTS.get((prefs,), None, lambda: _parts(prefs))


def _parts(prefs: Preferences) -> list[Part]:
    cont = continuous_issues(prefs)
    finite, continuous = np.flatnonzero(~cont), np.flatnonzero(cont)
    values = finite_values(prefs)
    grids = np.meshgrid(*values, indexing="ij")  # last issue fastest: enumeration order
    combos = np.column_stack([g.ravel() for g in grids])
    offsets = offsets_of(prefs, combos)
    programs: dict[tuple, tuple[Preferences, np.ndarray, np.ndarray] | None] = {}
    out = []
    for combo, offset in zip(combos, offsets, strict=True):
        conditions: tuple | None = ()
        if prefs.conditions:
            fixed = dict(zip(finite.tolist(), combo.tolist(), strict=True))
            conditions = reduced_conditions(prefs, fixed, continuous)
        if conditions is None:
            continue
        if conditions not in programs:
            programs[conditions] = _program(prefs, conditions)
        if programs[conditions] is None:
            continue
        sub, start, best = programs[conditions]
        out.append(Part(combo, sub, offset, start, offset + best))
    return out


def _program(
    prefs: Preferences, conditions: tuple[LinkedLine, ...]
) -> tuple[Preferences, np.ndarray, np.ndarray] | None:
    """A continuous program, a start (the middle of its first acceptable box) and each
    party's best utility on it (its ideal clipped to the best box); None without an
    acceptable box."""
    sub = continuous_program(prefs, conditions)
    boxes = sub.acceptable_boxes
    if not boxes:
        return None
    best = np.max([np.diag(t) for t in sub.clipped_ideal_utilities], axis=0)
    return sub, boxes[0].mean(axis=1), best


def mixed_points(
    prefs: Preferences, d: np.ndarray, powers: np.ndarray | None = None
) -> dict[str, ref.Solution | None]:
    """The Nash (weighted Nash with ``powers``), Kalai–Smorodinsky, egalitarian and
    utilitarian points of a mixed domain over the region where every red line holds, as
    solutions in the whole domain (module docstring); ``None`` where undefined."""
    parts = parts_of(prefs)
    if not parts:
        return dict.fromkeys(_NAMES + (("weighted_nash",) if powers is not None else ()))
    cont = continuous_issues(prefs)
    n = prefs.n_parties
    bounds = Bounds(parts, d)

    def best(solve: Callable, score: Score, tight: np.ndarray, dd: np.ndarray | None = d):
        return _best_of(prefs, parts, cont, dd, solve, score, tight)

    out = {
        "nash": best(
            lambda s, dd, x: ref.nash_point(s, dd, x), _nash, bounds.nash(np.full(n, 1 / n))
        ),
        "egalitarian": best(
            lambda s, dd, x: ref.egalitarian_point(s, dd, x), _least_gain, bounds.ray(np.ones(n))
        ),
        "utilitarian": best(
            lambda s, dd, x: ref.utilitarian_point(s), _sum, bounds.maxima[:, -1], None
        ),
        "kalai_smorodinsky": _kalai_smorodinsky(prefs, parts, cont, d, bounds),
    }
    if powers is not None:
        a = np.asarray(powers, dtype=float) / np.sum(powers)
        out["weighted_nash"] = best(
            lambda s, dd, x: ref.nash_point(s, dd, x, a), _nash_by(a), bounds.nash(a)
        )
    return out


_NAMES = ("nash", "egalitarian", "utilitarian", "kalai_smorodinsky")
LATTICE_POINTS = 200
"""At most this many weight vectors λ (a simplex lattice, plus the unit weights) give the
bounds of :class:`Bounds`."""
CONTINUOUS_MAXIMA = IdentityCache(64)
"""The continuous maxima of :class:`Bounds`, by the identity of the program."""


class Bounds:
    """Upper bounds of each program's value on every combination, from weighted sums of
    utilities (weak duality). For the weight vectors λ ≥ 0 of Λ (rows: a simplex lattice,
    then all ones), ``maxima[c, λ]`` = max Σ_i λ_i u_i over combination c's acceptable
    region: λ·K(c) plus the maximum on its continuous program, in closed form
    (:func:`~sim.theory.reference.weighted_sum_point` on each box; remembered per program,
    :data:`CONTINUOUS_MAXIMA`). With g = u − d:

    * Σ λ_i g_i ≤ maxima − λ·d, so no outcome is rational where that is negative;
    * ray programs: min_{s_i>0} g_i/s_i ≤ Σ λ_i g_i / Σ λ_i s_i (λ_i = 0 where s_i = 0);
    * Nash (Σ a = 1): Σ a_i log g_i ≤ log Σ λ_i g_i − Σ a_i log(λ_i/a_i), λ > 0 (Jensen);
    * ideal point: max u_i s.t. u ≥ d ≤ (maxima − Σ_{k≠i} λ_k d_k)/λ_i, λ_i > 0;

    each the least over Λ (−inf where no outcome is rational)."""

    def __init__(self, parts: list[Part], d: np.ndarray) -> None:
        n = parts[0].sub.n_parties
        self.weights = np.vstack([simplex_lattice(n, LATTICE_POINTS), np.ones(n)])
        programs: dict[int, int] = {}
        rows = []
        for part in parts:
            if id(part.sub) not in programs:
                programs[id(part.sub)] = len(rows)
                rows.append(self._continuous(part.sub))
        which = np.array([programs[id(p.sub)] for p in parts])
        offsets = np.array([p.offsets for p in parts])
        self.maxima = np.array(rows)[which] + offsets @ self.weights.T
        self.gain = self.maxima - self.weights @ d  # bound of Σ λ_i (u_i − d_i)
        self.rational = (self.gain >= -1e-12).all(axis=1)
        self.d = d

    def _continuous(self, sub: Preferences) -> np.ndarray:
        def build() -> np.ndarray:
            return np.array(
                [
                    max(
                        float(lam @ sub.utilities(ref.weighted_sum_point(sub, box, lam))[0])
                        for box in sub.acceptable_boxes
                    )
                    for lam in self.weights
                ]
            )

        return CONTINUOUS_MAXIMA.get((sub,), self.weights.tobytes(), build)

    def ray(self, scale: np.ndarray) -> np.ndarray:
        """Bounds of min_{i: s_i > 0} (u_i − d_i)/s_i."""
        usable = (self.weights[:, scale <= 0] == 0).all(axis=1) & (self.weights @ scale > 0)
        ratio = self.gain[:, usable] / (self.weights[usable] @ scale)
        return np.where(self.rational, ratio.min(axis=1), -np.inf)

    def nash(self, a: np.ndarray) -> np.ndarray:
        """Bounds of Σ a_i log(u_i − d_i) (Σ a = 1)."""
        inside = (self.weights > 0).all(axis=1)
        gain = self.gain[:, inside]
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.log(np.where(gain > 0, gain, 0.0)) - np.log(self.weights[inside] / a) @ a
        return np.where(self.rational & (gain > 0).all(axis=1), value.min(axis=1), -np.inf)

    def ideal(self, i: int) -> np.ndarray:
        """Bounds of max u_i s.t. u ≥ d."""
        w = self.weights[self.weights[:, i] > 0]
        others = w @ self.d - w[:, i] * self.d[i]
        value = (self.maxima[:, self.weights[:, i] > 0] - others) / w[:, i]
        return np.where(self.rational, value.min(axis=1), -np.inf)


Solver = Callable[[Preferences, np.ndarray, np.ndarray], ref.Solution | None]
Score = Callable[[np.ndarray, np.ndarray | None], np.ndarray]


def _best_of(
    prefs: Preferences,
    parts: list[Part],
    cont: np.ndarray,
    d: np.ndarray | None,
    solve: Solver,
    score: Score,
    tight: np.ndarray | None = None,
) -> ref.Solution | None:
    """The best whole-domain solution by ``score`` (rational ones only when ``d`` is
    given) of the combinations' continuous programs (disagreement point d − K), by branch
    and bound: every score is non-decreasing in each utility, so ``score(upper)`` bounds a
    combination's, and so does ``tight`` (:class:`Bounds`); combinations are solved in
    decreasing order of the smaller bound until it falls below the best found. Ties
    within :data:`TIE` go to the first combination in enumeration order."""
    if not parts:
        return None
    best: ref.Solution | None = None
    best_score, best_index = -np.inf, len(parts)
    bounds = score(np.array([p.upper for p in parts]), d)
    if tight is not None:
        bounds = np.minimum(bounds, tight)
    for k in np.argsort(-bounds, kind="stable").tolist():
        if bounds[k] < best_score - TIE or bounds[k] == -np.inf:
            break
        part = parts[k]
        found = solve(part.sub, None if d is None else d - part.offsets, part.start)
        if found is None:
            continue
        x = np.empty(prefs.n_issues)
        x[~cont], x[cont] = part.combo, found.x[:-1]  # the slack issue left out
        u = prefs.utilities(x)[0]
        if d is not None and np.any(u < d - 1e-12):
            continue
        value = float(score(u, d))
        if value > best_score + TIE or (value >= best_score - TIE and k < best_index):
            best, best_score, best_index = ref.Solution(x, u), value, k
    return best


def _nash(u: np.ndarray, d: np.ndarray | None) -> np.ndarray:
    return _nash_by(np.full(u.shape[-1], 1.0 / u.shape[-1]))(u, d)


def _nash_by(a: np.ndarray) -> Score:
    """Σ a_i log(u_i − d_i) of each utility row (the scores take rows or one row)."""

    def score(u: np.ndarray, d: np.ndarray | None) -> np.ndarray:
        return np.log(np.maximum(u - d, 1e-300)) @ a

    return score


def _least_gain(u: np.ndarray, d: np.ndarray | None) -> np.ndarray:
    return np.min(u - d, axis=-1)


def _sum(u: np.ndarray, d: np.ndarray | None) -> np.ndarray:
    return np.sum(u, axis=-1)


def _kalai_smorodinsky(
    prefs: Preferences, parts: list[Part], cont: np.ndarray, d: np.ndarray, bounds: Bounds
) -> ref.Solution | None:
    """The ideal point over every combination, then the best ray point (module
    docstring). A_i by branch and bound too: combinations in decreasing order of their
    bound (the smaller of party i's best utility and :meth:`Bounds.ideal`), until it falls
    below the A_i found."""
    ideal = np.full(prefs.n_parties, -np.inf)
    uppers = np.array([p.upper for p in parts])
    for i in range(prefs.n_parties):
        bound = np.minimum(uppers[:, i], bounds.ideal(i))
        for k in np.argsort(-bound, kind="stable").tolist():
            if bound[k] <= ideal[i]:
                break
            part = parts[k]
            found = ref.party_ideal(part.sub, d - part.offsets, i, part.start)
            if found is not None:
                ideal[i] = max(ideal[i], found + part.offsets[i])
    if not np.all(np.isfinite(ideal)):
        return None
    scale = np.where(ideal - d > 1e-12, ideal - d, 0.0)
    gaining = scale > 0

    def score(u: np.ndarray, dd: np.ndarray | None) -> np.ndarray:
        gains = (u - d)[..., gaining] / scale[gaining]
        return gains.min(axis=-1) if gaining.any() else np.zeros(u.shape[:-1])

    def solve(sub: Preferences, dd: np.ndarray, x: np.ndarray) -> ref.Solution | None:
        return ref.ray_point(sub, dd, scale, x)

    tight = bounds.ray(scale) if gaining.any() else None
    return _best_of(prefs, parts, cont, d, solve, score, tight)

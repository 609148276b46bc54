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
larger domain keeps the best outcome of its frontier set (``applies`` is False).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from sim.identity_cache import IdentityCache
from sim.theory import reference as ref
from sim.theory.preferences import LINK_TOLERANCE, LinkedLine, Preferences

MIXED_LIMIT = 4096
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


def sub_problem(prefs: Preferences, combo: np.ndarray) -> tuple[Preferences, np.ndarray] | None:
    """The continuous program of the finite issues fixed at ``combo`` (module docstring):
    its preferences and the utility offsets K(c); ``None`` when a linked red line cannot
    hold with these values."""
    cont = continuous_issues(prefs)
    finite = np.flatnonzero(~cont)
    fixed = dict(zip(finite.tolist(), combo.tolist(), strict=True))
    conditions = reduced_conditions(prefs, fixed, np.flatnonzero(cont))
    if conditions is None:
        return None
    offsets = np.zeros(prefs.n_parties)
    for j, value in fixed.items():
        offsets += prefs.weights[:, j] * (prefs.issue_values(j, np.array([value]))[:, 0] - 1.0)
    # the slack issue: every party's ideal, held there by every red line, weighted by the
    # finite issues' saliences (module docstring)
    slack = prefs.weights[:, finite].sum(axis=1)
    n = prefs.n_parties

    def column(values: np.ndarray, extra: float | np.ndarray) -> np.ndarray:
        return np.column_stack([values[:, cont], np.broadcast_to(extra, (n,))])

    c = int(cont.sum()) + 1
    sub = Preferences(
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
    return sub, offsets


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


PARTS = IdentityCache(16)
"""The combinations of :func:`parts_of`, by the identity of the preferences (the points
of a sweep that change no preference share them)."""


def parts_of(prefs: Preferences) -> list[Part]:
    """Every combination of acceptable finite values whose linked red lines can hold
    (:func:`sub_problem`), in enumeration order."""
    return PARTS.get((prefs,), None, lambda: _parts(prefs))


def _parts(prefs: Preferences) -> list[Part]:
    out = []
    for combo in itertools.product(*finite_values(prefs)):
        found = sub_problem(prefs, np.array(combo))
        if found is None:
            continue
        sub, offsets = found
        boxes = sub.acceptable_boxes
        if not boxes:
            continue
        best = np.max([np.diag(sub.utilities(np.clip(sub.ideal, *box.T))) for box in boxes], 0)
        out.append(Part(np.array(combo), sub, offsets, boxes[0].mean(axis=1), offsets + best))
    return out


def mixed_points(
    prefs: Preferences, d: np.ndarray, powers: np.ndarray | None = None
) -> dict[str, ref.Solution | None]:
    """The Nash (weighted Nash with ``powers``), Kalai–Smorodinsky, egalitarian and
    utilitarian points of a mixed domain over the region where every red line holds, as
    solutions in the whole domain (module docstring); ``None`` where undefined."""
    parts = parts_of(prefs)
    cont = continuous_issues(prefs)
    n = prefs.n_parties
    equal, ones = np.full(n, 1.0 / n), np.ones(n)
    out = {
        "nash": _best_of(
            prefs,
            parts,
            cont,
            d,
            lambda s, dd, x: ref.nash_point(s, dd, x),
            _nash,
            lambda p: _log_gain(weighted_best(p, equal) - equal @ d),
        ),
        "egalitarian": _best_of(
            prefs,
            parts,
            cont,
            d,
            lambda s, dd, x: ref.egalitarian_point(s, dd, x),
            _least_gain,
            lambda p: (weighted_best(p, ones) - d.sum()) / n,
        ),
        "utilitarian": _best_of(
            prefs,
            parts,
            cont,
            None,
            lambda s, dd, x: ref.utilitarian_point(s),
            _sum,
            lambda p: weighted_best(p, ones),  # the combination's own value
        ),
        "kalai_smorodinsky": _kalai_smorodinsky(prefs, parts, cont, d),
    }
    if powers is not None:
        a = np.asarray(powers, dtype=float) / np.sum(powers)
        out["weighted_nash"] = _best_of(
            prefs,
            parts,
            cont,
            d,
            lambda s, dd, x: ref.nash_point(s, dd, x, a),
            _nash_by(a),
            lambda p: _log_gain(weighted_best(p, a) - a @ d),
        )
    return out


def weighted_best(part: Part, lam: np.ndarray) -> float:
    """max Σ_i λ_i u_i over the combination's acceptable region (λ ≥ 0), in closed form
    (:func:`~sim.theory.reference.weighted_sum_point` on each box)."""
    best = max(
        float(lam @ part.sub.utilities(ref.weighted_sum_point(part.sub, box, lam))[0])
        for box in part.sub.acceptable_boxes
    )
    return best + float(lam @ part.offsets)


def _log_gain(gain: float) -> float:
    return float(np.log(gain)) if gain > 0 else -np.inf


Solver = Callable[[Preferences, np.ndarray, np.ndarray], ref.Solution | None]
Score = Callable[[np.ndarray, np.ndarray | None], float]


def _best_of(
    prefs: Preferences,
    parts: list[Part],
    cont: np.ndarray,
    d: np.ndarray | None,
    solve: Solver,
    score: Score,
    tight: Callable[[Part], float] | None = None,
) -> ref.Solution | None:
    """The best whole-domain solution by ``score`` (rational ones only when ``d`` is
    given) of the combinations' continuous programs (disagreement point d − K), by branch
    and bound: every score is non-decreasing in each utility, so ``score(upper)`` bounds a
    combination's; combinations are taken in decreasing order of that bound until it
    falls below the best found, and one is solved only if ``tight`` (a second bound, from
    a weighted sum of utilities: Σ a log g ≤ log Σ a g and min g ≤ the mean of g) does
    not fall below it either. Ties within :data:`TIE` go to the first combination in
    enumeration order."""
    best: ref.Solution | None = None
    best_score, best_index = -np.inf, len(parts)
    bounds = [score(p.upper, d) for p in parts]
    for k in sorted(range(len(parts)), key=lambda k: -bounds[k]):
        if bounds[k] < best_score - TIE:
            break
        part = parts[k]
        if d is not None and np.any(part.upper < d - 1e-12):
            continue  # no rational outcome with these values
        if tight is not None and tight(part) < best_score - TIE:
            continue
        found = solve(part.sub, None if d is None else d - part.offsets, part.start)
        if found is None:
            continue
        x = np.empty(prefs.n_issues)
        x[~cont], x[cont] = part.combo, found.x[:-1]  # the slack issue left out
        u = prefs.utilities(x)[0]
        if d is not None and np.any(u < d - 1e-12):
            continue
        value = score(u, d)
        if value > best_score + TIE or (value >= best_score - TIE and k < best_index):
            best, best_score, best_index = ref.Solution(x, u), value, k
    return best


def _nash(u: np.ndarray, d: np.ndarray | None) -> float:
    return _nash_by(np.full(len(u), 1.0 / len(u)))(u, d)


def _nash_by(a: np.ndarray) -> Score:
    def score(u: np.ndarray, d: np.ndarray | None) -> float:
        return float(a @ np.log(np.maximum(u - d, 1e-300)))

    return score


def _least_gain(u: np.ndarray, d: np.ndarray | None) -> float:
    return float(np.min(u - d))


def _sum(u: np.ndarray, d: np.ndarray | None) -> float:
    return float(u.sum())


def _kalai_smorodinsky(
    prefs: Preferences, parts: list[Part], cont: np.ndarray, d: np.ndarray
) -> ref.Solution | None:
    """The ideal point over every combination, then the best ray point (module
    docstring). A combination enters the ideal point only if it can raise some party's
    entry (``upper`` above it) and may have a rational outcome (``upper`` ≥ d)."""
    ideal = np.full(prefs.n_parties, -np.inf)
    for part in sorted(parts, key=lambda p: -float(p.upper.sum())):
        if np.any(part.upper < d - 1e-12) or np.all(part.upper <= ideal):
            continue
        found = ref.ideal_point(part.sub, d - part.offsets, part.start)
        if found is not None:
            ideal = np.maximum(ideal, found + part.offsets)
    if not np.all(np.isfinite(ideal)):
        return None
    scale = np.where(ideal - d > 1e-12, ideal - d, 0.0)

    def score(u: np.ndarray, dd: np.ndarray | None) -> float:
        gains = (u - d)[scale > 0] / scale[scale > 0]
        return float(gains.min()) if gains.size else 0.0

    gaining = (scale > 0).astype(float)

    def tight(part: Part) -> float:  # min_S g_i/s_i ≤ Σ_S g_i / Σ_S s_i
        return (weighted_best(part, gaining) - gaining @ d) / scale.sum()

    def solve(sub: Preferences, dd: np.ndarray, x: np.ndarray) -> ref.Solution | None:
        return ref.ray_point(sub, dd, scale, x)

    return _best_of(prefs, parts, cont, d, solve, score, tight if scale.sum() > 0 else None)

"""Rubinstein (1982) alternating-offers bargaining: stationary subgame-perfect equilibrium.

Two players alternate proposals; a rejected offer costs a period and payoffs are discounted
by ``delta_i`` per period. With a pie of size 1 the SPE is unique and immediate.

References: Rubinstein (1982) "Perfect equilibrium in a bargaining model", Econometrica
50:97–109; Shaked & Sutton (1984) Econometrica 52:1351–1364; Binmore, Rubinstein & Wolinsky
(1986) "The Nash bargaining solution in economic modelling", RAND J. Econ. 17:176–188;
Osborne & Rubinstein (1990) *Bargaining and Markets*, ch. 3–4.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.theory.bargaining import Frontier, _bisect, _frontier_args
from sim.theory.pareto import pareto_mask


def _check_deltas(delta1: float, delta2: float, first: int) -> tuple[float, float]:
    """Validate discount factors in [0, 1] with ``delta1 * delta2 < 1`` and ``first`` in {0, 1}."""
    d1, d2 = float(delta1), float(delta2)
    if not (0.0 <= d1 <= 1.0 and 0.0 <= d2 <= 1.0) or d1 * d2 >= 1.0:
        raise ValueError(f"discount factors must lie in [0, 1], not both 1; got {d1}, {d2}")
    if first not in (0, 1):
        raise ValueError(f"first must be 0 (player 1) or 1 (player 2), got {first!r}")
    return d1, d2


def spe_shares(delta1: float, delta2: float, first: int = 0) -> tuple[float, float]:
    """SPE division ``(share of player 1, share of player 2)`` of a pie of size 1.

    The first proposer ``i`` gets ``(1 - delta_j) / (1 - delta_i delta_j)`` and the responder
    ``j`` the rest, ``delta_j (1 - delta_i) / (1 - delta_i delta_j)``; agreement is immediate.
    ``first`` is 0 when player 1 proposes first, 1 when player 2 does. Discount factors lie in
    ``[0, 1]`` and may not both be 1 (a player with ``delta = 1`` facing an impatient opponent
    gets everything as proposer). With ``delta1 = delta2 -> 1`` the split tends to 1/2.

    Reference: Rubinstein (1982) Econometrica 50:97–109, Theorem; Osborne & Rubinstein (1990)
    Proposition 3.5.
    """
    d1, d2 = _check_deltas(delta1, delta2, first)
    di, dj = (d1, d2) if first == 0 else (d2, d1)
    proposer = (1.0 - dj) / (1.0 - di * dj)
    return (proposer, 1.0 - proposer) if first == 0 else (1.0 - proposer, proposer)


def spe_on_frontier(
    f: Frontier,
    lo: float,
    hi: float,
    delta1: float,
    delta2: float,
    first: int = 0,
    d: Sequence[float] = (0.0, 0.0),
) -> tuple[float, float]:
    """Stationary SPE agreement ``(u1, u2)`` on a decreasing concave frontier ``u2 = f(u1)``.

    The offer ``x*`` made by player 1 and ``y*`` made by player 2 lie on the frontier and make
    the responder indifferent between accepting and waiting one period:
    ``y*_1 - d1 = delta1 (x*_1 - d1)`` and ``x*_2 - d2 = delta2 (y*_2 - d2)``. Substituting the
    first equation into the second leaves one equation in ``x*_1``,
    ``r(x) = f(x) - d2 - delta2 (f(d1 + delta1 (x - d1)) - d2) = 0``, with ``r`` non-increasing
    (concavity) and ``r(d1) >= 0``; it is solved by bisection on ``[d1, b]`` (``b``: largest
    rational ``u1``) to ~1 ulp. If ``r(b) > 0`` the proposer takes the corner ``b``. Returns the
    first proposer's offer: ``x*`` when ``first == 0``, ``y*`` when ``first == 1``.

    Requires ``lo <= d1 <= hi`` and ``f(d1) >= d2``. On ``f(u) = 1 - u`` with ``d = 0`` this is
    ``spe_shares``; as both discount factors tend to 1 it tends to the Nash solution.

    References: Rubinstein (1982); Binmore, Rubinstein & Wolinsky (1986) RAND J. Econ.
    17:176–188; Osborne & Rubinstein (1990) §4.2 (stationary SPE on a general frontier).
    """
    lo, hi, d1, d2 = _frontier_args(f, lo, hi, d)
    dl1, dl2 = _check_deltas(delta1, delta2, first)
    if not lo <= d1 <= hi or f(d1) < d2:
        raise ValueError("need lo <= d1 <= hi and f(d1) >= d2 (a rational frontier point)")
    b = hi if f(hi) >= d2 else _bisect(lambda x: f(x) >= d2, d1, hi)

    def residual(x: float) -> float:
        return f(x) - d2 - dl2 * (f(d1 + dl1 * (x - d1)) - d2)

    x1 = b if residual(b) >= 0 else _bisect(lambda x: residual(x) > 0, d1, b)
    u1 = x1 if first == 0 else d1 + dl1 * (x1 - d1)
    return float(u1), float(f(u1))


def rubinstein_offer(
    utilities: np.ndarray,
    outcomes: np.ndarray,
    discount: Sequence[float],
    d: Sequence[float],
    first: int,
) -> tuple[np.ndarray, np.ndarray]:
    """SPE offer of player ``first`` on a finite two-party frontier: (utilities, outcome).

    The Pareto-efficient rows of ``utilities`` (m, 2) are sorted by u_1 and interpolated
    linearly to give ``f``; :func:`spe_on_frontier` finds the offer, and its outcome
    interpolates the two neighbouring rows of ``outcomes`` (exact where utilities are
    linear along the segment, e.g. one issue with linear losses). A frontier of one point
    (the parties want the same outcome: nothing to bargain over) is the offer of both.
    A disagreement payoff ``d1`` below every frontier point extends the frontier to
    ``d1`` by free disposal (``f(v) = f(lo)`` for ``v < lo``: player 1 can be given less,
    player 2 no more), and an offer in that extension is made at ``lo``, which gives
    player 2 the same and player 1 more (the bargaining set made comprehensive: the
    stationarity equations above then hold on ``[d1, hi]``). When no frontier point gives
    both at least their disagreement payoff there is no agreement to reach: the proposer
    asks for its own best point, which the other refuses.
    """
    keep = pareto_mask(utilities)
    u, x = utilities[keep], outcomes[keep]
    order = np.argsort(u[:, 0], kind="stable")
    u, x = u[order], x[order]
    if u[0, 0] == u[-1, 0]:
        return u[-1].copy(), x[-1].copy()
    lo, hi = float(u[0, 0]), float(u[-1, 0])

    def f(v: float) -> float:
        return float(np.interp(v, u[:, 0], u[:, 1]))

    if d[0] > hi or f(max(float(d[0]), lo)) < d[1]:  # no point beats disagreement for both
        own = hi if first == 0 else lo  # the proposer asks for its best (it is refused)
        return np.array([own, f(own)]), _interpolate(u, x, own)

    point = spe_on_frontier(
        f,
        min(lo, float(d[0])),
        hi,
        discount[0],
        discount[1],
        first=first,
        d=(float(d[0]), float(d[1])),
    )
    u1 = min(max(point[0], lo), hi)
    return np.array([u1, f(u1)]), _interpolate(u, x, u1)


def _interpolate(u: np.ndarray, x: np.ndarray, u1: float) -> np.ndarray:
    """The outcome at u_1 on the piecewise-linear path through the sorted rows."""
    if len(u) == 1:
        return x[0].copy()
    k = int(np.clip(np.searchsorted(u[:, 0], u1) - 1, 0, len(u) - 2))
    if u[k + 1, 0] == u[k, 0]:
        return x[k].copy()
    w = (u1 - u[k, 0]) / (u[k + 1, 0] - u[k, 0])
    return (1 - w) * x[k] + w * x[k + 1]

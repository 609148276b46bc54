"""Fearon (1995) bargaining range between two states that can fight over a unit pie.

Side A wins a war with probability ``p`` and takes the whole pie; war costs ``c_A`` and
``c_B`` (in pie units). A's expected war payoff is ``p - c_A`` and B's is ``1 - p - c_B``, so
any peaceful split giving A a share ``x`` with ``p - c_A <= x <= p + c_B`` is preferred to war
by both: a bargaining range of width ``c_A + c_B`` that is non-empty whenever costs are >= 0.

Reference: Fearon (1995) "Rationalist explanations for war", International Organization
49(3):379–414, §"War as a bargaining problem" (Figure 1).
"""

from __future__ import annotations


def _check_probability(p: float) -> float:
    """Validate a win probability in ``[0, 1]``."""
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p must lie in [0, 1], got {p}")
    return p


def _check_cost(cost: float, name: str) -> float:
    """Validate a finite war cost >= 0."""
    c = float(cost)
    if not 0.0 <= c < float("inf"):
        raise ValueError(f"{name} must be a finite number >= 0, got {cost!r}")
    return c


def expected_war_value(p: float, cost: float) -> float:
    """Expected value of war for a side that wins the unit pie with probability ``p``.

    Formula: ``p - cost`` (risk neutrality; the loser gets 0). For side B of
    ``bargaining_range`` use ``expected_war_value(1 - p, cost_b)``. Reference: Fearon (1995).
    """
    return _check_probability(p) - _check_cost(cost, "cost")


def bargaining_range(p: float, cost_a: float, cost_b: float) -> tuple[float, float]:
    """Shares ``x`` for side A that both sides prefer to war: ``(lo, hi)``.

    Formula: ``lo = max(0, p - c_A)`` (A's reservation share) and ``hi = min(1, p + c_B)`` (the
    most B concedes, since B accepts ``1 - x >= 1 - p - c_B``), both clipped to the pie
    ``[0, 1]``; the width is ``c_A + c_B`` when nothing is clipped. ``p`` is the probability
    that A wins; costs are >= 0. Reference: Fearon (1995) International Organization 49:379–414.
    """
    p = _check_probability(p)
    ca, cb = _check_cost(cost_a, "cost_a"), _check_cost(cost_b, "cost_b")
    return max(0.0, p - ca), min(1.0, p + cb)

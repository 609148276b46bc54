"""Whether a ceasefire holds: Fearon's (1995) commitment problem, round by round.

While a general ceasefire is in force (``war.ceasefire``), each principal i compares

* the value of keeping it, V_keep_i = u_i(x), x the state under the ceasefire (agreed
  terms where settled, the frozen status quo elsewhere); with
* the value of breaking it, V_break_i: the value of fighting on (the reservation formula of
  :mod:`sim.behaviour.war`) from the world the deal leaves behind. The terms the deal
  settled fall away (their status quo before the ceasefire returns); the breaker gains
  ``first_strike`` of territory at once; the supported principal's support is cut by
  ``arms_effect · a`` (a = the arms-limits issue's agreed position on its span, 0 … 1);
  and if the other side breaks, guarantors add ``guarantee_effect · (1 − g)`` to the
  attacked side's capability (g = the guarantees issue's position, 0 = robust).

Principal i breaks the ceasefire in a round when V_break_i − V_keep_i > σ·z_i, z_i a
standard normal draw of the run's seeded noise, i.e. with probability
Φ((V_break_i − V_keep_i)/σ) (σ = ``noise``; with σ = 0 exactly when breaking pays).
A deal that shifts power (arms halted, no guarantees) is one a side will not keep.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ComplianceSpec:
    """The compliance block over issue and party indices (see the module docstring)."""

    first_strike: float
    noise: float
    arms_issue: int | None
    arms_effect: float
    guarantee_issue: int | None
    guarantee_effect: float


def position(value: float, lo: float, hi: float) -> float:
    """Where ``value`` lies on the span [lo, hi], from 0 to 1."""
    return (value - lo) / (hi - lo)


def breaks(gain: float, noise: float, z: float) -> bool:
    """Whether a side whose gain from breaking is ``gain`` breaks this round: gain > σ·z."""
    return gain > noise * z


def struck_territory(
    territory: float, breaker_is_first: bool, strike: float, lo: float, hi: float
) -> float:
    """The line after a first strike: ``strike`` toward the breaker's end (the first
    principal's end is the top of the span), kept inside [lo, hi]."""
    moved = territory + strike if breaker_is_first else territory - strike
    return min(max(moved, lo), hi)


def support_after_terms(levels: np.ndarray, arms_position: float, arms_effect: float) -> np.ndarray:
    """Support levels once the war resumes under arms limits at ``arms_position``."""
    return np.asarray(levels) * (1.0 - arms_effect * arms_position)

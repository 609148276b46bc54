"""PRIM boxes: which ranges of the swept parameters hold the runs of interest.

The Patient Rule Induction Method (Friedman & Fisher 1999, "Bump hunting in
high-dimensional data", Statistics and Computing 9:123-143) starts from the box holding
every run and *peels*: it cuts the ``peel_alpha`` share of the runs off one side of one
parameter, choosing the cut that raises the share of runs of interest most per run removed
(Friedman & Fisher's "lenient" criterion, eq. 14.5), until the box holds less than
``mass_min`` of the runs or no cut helps; then it *pastes* back slices while that raises
the share. Every box on the way is a point on the **peeling trajectory**, which trades
**coverage** (the share of all runs of interest that fall in the box) against **density**
(the share of the box's runs that are of interest); **mass** is the share of all runs in
the box. Scenario discovery (Bryant & Lempert 2010, "Thinking inside the box",
Technological Forecasting & Social Change 77:34-49) picks a box on that trade-off and
tests each restriction with a **quasi-p-value** (:func:`quasi_p_values`).

Peeling and pasting are done by the ``prim`` package (Project Platypus's stand-alone
version of the EMA Workbench's PRIM, GPL-3.0; ``pip install prim``). This module picks the
box (:func:`choose`) and computes the quasi-p-values from exact counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.discover.defaults import MASS_MIN, MIN_DENSITY, PASTE_ALPHA, PEEL_ALPHA
from sim.scenario import InputError, Problem


@dataclass(frozen=True)
class Step:
    """One box of the peeling (and pasting) trajectory."""

    index: int
    coverage: float
    density: float
    mass: float
    restricted: int  # number of restricted parameters
    lows: np.ndarray  # per parameter, the box's lower limit
    highs: np.ndarray  # per parameter, the box's upper limit


@dataclass(frozen=True)
class BoxResult:
    """PRIM's trajectory over the parameters ``names``, and the chosen box."""

    names: list[str]
    trajectory: list[Step]
    chosen: int
    rule: str  # how the box was chosen, in words
    range_lows: np.ndarray  # per parameter, the smallest sampled value
    range_highs: np.ndarray
    quasi_p: dict[str, float]  # per restricted parameter of the chosen box
    runs: int
    of_interest: int

    @property
    def box(self) -> Step:
        return self.trajectory[self.chosen]

    def restricted(self) -> list[int]:
        """Indices of the chosen box's restricted parameters, by quasi-p-value (smallest
        first), then by how much of the range is cut."""
        box = self.box
        span = np.where(self.range_highs > self.range_lows, self.range_highs - self.range_lows, 1)
        kept = (box.highs - box.lows) / span
        idx = [k for k in range(len(self.names)) if self.names[k] in self.quasi_p]
        return sorted(idx, key=lambda k: (self.quasi_p[self.names[k]], kept[k]))


def in_box(x: np.ndarray, lows: np.ndarray, highs: np.ndarray) -> np.ndarray:
    """Rows of ``x`` (runs x parameters) inside the closed box [lows, highs]."""
    return np.all((x >= lows) & (x <= highs), axis=1)


def quasi_p_values(
    x: np.ndarray, y: np.ndarray, lows: np.ndarray, highs: np.ndarray, restricted: list[int]
) -> list[float]:
    """Quasi-p-value of each restricted parameter j (Bryant & Lempert 2010, as in the EMA
    Workbench): with H runs of interest among T runs in the box, and the density p of the
    box with j's restriction removed, ``P(X >= H)`` for X ~ Binomial(T, p). A small value
    says the restriction on j raises the density by more than chance."""
    from scipy.stats import binom

    inside = in_box(x, lows, highs)
    hits, total = int(y[inside].sum()), int(inside.sum())
    out = []
    for j in restricted:
        lo, hi = lows.copy(), highs.copy()
        lo[j], hi[j] = -np.inf, np.inf
        wider = in_box(x, lo, hi)
        p = y[wider].sum() / wider.sum()
        out.append(float(binom.sf(hits - 1, total, p)))
    return out


def choose(trajectory: list[Step], min_density: float) -> tuple[int, str]:
    """The box with the highest coverage among those with density >= ``min_density``
    (ties: fewer restricted parameters, then higher density); if none is dense enough,
    the densest box. Returns (index, the rule in words)."""
    dense = [s for s in trajectory if s.density >= min_density - 1e-12]
    if dense:
        best = max(dense, key=lambda s: (s.coverage, -s.restricted, s.density))
        return best.index, f"highest coverage with density >= {min_density:g}"
    best = max(trajectory, key=lambda s: (s.density, s.coverage))
    return best.index, f"no box reaches density {min_density:g}: the densest box"


def _steps(box, names: list[str], x: np.ndarray) -> list[Step]:
    """The ``prim`` box's trajectory as :class:`Step` records (limits from its public
    ``select``/``limits``; unrestricted parameters span the sampled range)."""
    steps = []
    table = box.peeling_trajectory
    for i in range(len(table)):
        box.select(i)
        lows, highs = x.min(axis=0).copy(), x.max(axis=0).copy()
        limits = box.limits
        for name in limits.index:
            k = names.index(name)
            lows[k], highs[k] = float(limits.loc[name, "min"]), float(limits.loc[name, "max"])
        row = table.iloc[i]
        steps.append(
            Step(
                i,
                float(row["coverage"]),
                float(row["density"]),
                float(row["mass"]),
                int(row["res dim"]),
                lows,
                highs,
            )
        )
    return steps


def find_box(
    x: np.ndarray,
    y: np.ndarray,
    names: list[str],
    min_density: float = MIN_DENSITY,
    pick: int | None = None,
    peel_alpha: float = PEEL_ALPHA,
    paste_alpha: float = PASTE_ALPHA,
    mass_min: float = MASS_MIN,
) -> BoxResult:
    """Peel and paste one PRIM box over ``x`` (runs x parameters ``names``) for the runs
    with ``y`` true, and choose a box on its trajectory (:func:`choose`, or step ``pick``)."""
    import pandas as pd
    from prim import Prim

    frame = pd.DataFrame(np.asarray(x, dtype=float), columns=[f"x{k}" for k in range(len(names))])
    keys = list(frame.columns)
    prim = Prim(
        frame,
        np.asarray(y, dtype=bool),
        peel_alpha=peel_alpha,
        paste_alpha=paste_alpha,
        mass_min=mass_min,
    )
    box = prim.find_box()
    trajectory = _steps(box, keys, frame.to_numpy())
    if pick is None:
        chosen, rule = choose(trajectory, min_density)
    elif not 0 <= pick < len(trajectory):
        message = f"the trajectory has steps 0..{len(trajectory) - 1}, got {pick}"
        raise InputError("sim discover", [Problem("--box", message)])
    else:
        chosen, rule = pick, f"step {pick} of the trajectory (--box)"
    step = trajectory[chosen]
    lows, highs = x.min(axis=0), x.max(axis=0)
    restricted = [
        k for k in range(len(names)) if step.lows[k] > lows[k] or step.highs[k] < highs[k]
    ]
    qp = quasi_p_values(x, y, step.lows, step.highs, restricted)
    return BoxResult(
        names=list(names),
        trajectory=trajectory,
        chosen=chosen,
        rule=rule,
        range_lows=lows,
        range_highs=highs,
        quasi_p={names[k]: q for k, q in zip(restricted, qp, strict=True)},
        runs=len(y),
        of_interest=int(np.sum(y)),
    )

"""Every outcome of a finite agreement space, enumerated at once (numpy, no Python loop over
outcomes).

A space is finite when every issue is discrete (labels 0..k−1) or integer (lo..hi). Its
outcomes are the cartesian product of the issues' values, in the order of
``itertools.product`` (the first issue varies slowest, each issue's values ascending); the
outcome *index* used for tie-breaking is the position in that order, which is also the
order in which GENIUS and NegMAS enumerate a discrete outcome space. Utilities come from
:meth:`sim.theory.preferences.Preferences.utilities` (the additive formula).
"""

from __future__ import annotations

import math

import numpy as np

from sim.theory.frontier import Options
from sim.theory.preferences import Preferences

MAX_OUTCOMES = 2_000_000
"""The largest outcome space offered over in full (a few hundred MB of arrays at most)."""


def issue_values(prefs: Preferences, j: int) -> np.ndarray | None:
    """The values of issue ``j`` in ascending order, or ``None`` for a continuous issue."""
    if prefs.tables[j] is not None:
        return np.arange(prefs.tables[j].shape[1], dtype=float)
    if prefs.integer[j]:
        return np.arange(prefs.lo[j], prefs.hi[j] + 1, dtype=float)
    return None


def continuous_issues(prefs: Preferences) -> list[int]:
    """The issues whose values are not finite (continuous ones)."""
    return [j for j in range(prefs.n_issues) if issue_values(prefs, j) is None]


def space_size(prefs: Preferences) -> int:
    """The number of outcomes of a finite space (every issue discrete or integer)."""
    return math.prod(len(issue_values(prefs, j)) for j in range(prefs.n_issues))


def cartesian(columns: list[np.ndarray]) -> np.ndarray:
    """All rows of the cartesian product of ``columns``, first column varying slowest:
    shape (Π len(c), len(columns))."""
    grids = np.meshgrid(*columns, indexing="ij")
    return np.stack([g.reshape(-1) for g in grids], axis=1)


def all_options(
    prefs: Preferences, settled: np.ndarray, scope: np.ndarray | None = None
) -> Options:
    """Every outcome with the settled issues (non-NaN in ``settled``) held at their values,
    in enumeration order, with every party's utility and red-line check (red lines bind
    within ``scope``, see :meth:`Preferences.acceptable`). Raises ``ValueError`` for a
    space that is not finite or has more than :data:`MAX_OUTCOMES` outcomes."""
    columns = []
    for j in range(prefs.n_issues):
        if not math.isnan(settled[j]):
            columns.append(np.array([settled[j]]))
            continue
        values = issue_values(prefs, j)
        if values is None:
            raise ValueError(f"issue {j} is continuous: its outcomes cannot be enumerated")
        columns.append(values)
    size = math.prod(len(c) for c in columns)
    if size > MAX_OUTCOMES:
        raise ValueError(f"{size:,} outcomes exceed the limit of {MAX_OUTCOMES:,}")
    outcomes = cartesian(columns)
    return Options(outcomes, prefs.utilities(outcomes), prefs.acceptable(outcomes, scope))

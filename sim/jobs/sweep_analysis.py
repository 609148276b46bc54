"""What a sweep found: outcome shares with intervals, by parameter, and Sobol' indices.

Intervals: shares use the Wilson score interval at 95% (Wilson 1927; Agresti & Coull
1998); means use mean ± 1.96·sd/√n. Parameters with more than ``MAX_LEVELS`` distinct
values (random, LHS and Sobol' designs) are grouped into ``BINS`` quantile bins, each
shown at the mean parameter value of its runs (rounded, for whole-number parameters).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from sim.output.sweep_store import RunStore
from sim.sweep import SweepSpec, sobol_indices

OUTCOMES = ("agreement", "partial", "none")
DEALS = (
    "comprehensive with ceasefire",
    "comprehensive without ceasefire",
    "comprehensive agreement",
    "interim ceasefire",
    "ceasefire broken",
    "partial",
    "none",
)
EVENTS = {
    "ceasefire": "a general ceasefire agreed (at any round)",
    "ceasefire_kept": "a general ceasefire in force at the horizon",
    "ceasefire_broken": "a ceasefire agreed and broken",
    "exchange": "at least one exchange (a separable issue agreed alone) agreed",
}
"""Binary run outcomes reported with their shares (and analysed by Sobol')."""
Z95 = 1.959963984540054
MAX_LEVELS, BINS = 12, 10


def wilson(successes: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """95% Wilson score interval (low, high) for k successes in n trials (NaN if n = 0)."""
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.asarray(successes) / n
        centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
        half = Z95 * np.sqrt(p * (1 - p) / n + Z95**2 / (4 * n**2)) / (1 + Z95**2 / n)
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def mean_interval(values: np.ndarray) -> tuple[float, float, float]:
    """(mean, low, high) with ± 1.96·sd/√n over the finite values (NaN if none)."""
    v = values[np.isfinite(values)]
    if v.size == 0:
        return np.nan, np.nan, np.nan
    half = Z95 * v.std(ddof=1) / np.sqrt(v.size) if v.size > 1 else 0.0
    return float(v.mean()), float(v.mean() - half), float(v.mean() + half)


@dataclass(frozen=True)
class Groups:
    """Runs grouped by the levels (or bins) of one parameter."""

    centres: np.ndarray
    index: np.ndarray  # group of each run


def group(values: np.ndarray) -> Groups:
    """Exact levels when there are few, quantile bins otherwise (module docstring).

    Whole-number values (an integer field such as ``protocol.max_rounds``) are binned at
    whole-number edges (the quantiles rounded up) and each bin is shown at its mean
    rounded to a whole number (which lies within the bin, so bins stay distinct)."""
    levels = np.unique(values)
    if levels.size <= MAX_LEVELS:
        return Groups(levels, np.searchsorted(levels, values))
    edges = np.quantile(values, np.linspace(0, 1, BINS + 1))
    whole = bool(np.all(levels == np.round(levels)))
    edges = np.unique(np.ceil(edges) if whole else edges)
    index = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(edges) - 2)
    used, index = np.unique(index, return_inverse=True)  # whole edges may leave bins empty
    centres = np.array([values[index == k].mean() for k in range(used.size)])
    return Groups(np.round(centres) if whole else centres, index.reshape(values.shape))


def columns(table: pa.Table) -> dict[str, np.ndarray]:
    """A table's columns as numpy arrays (nulls become NaN / None)."""
    out = {}
    for name in table.column_names:
        col = table.column(name)
        if pa.types.is_floating(col.type) or pa.types.is_integer(col.type):
            out[name] = col.to_numpy(zero_copy_only=False).astype(float)
        else:
            out[name] = np.array(col.to_pylist(), dtype=object)
    return out


def summarise(store: RunStore, issues: list[str], parties: list[str]) -> dict[str, Any]:
    """Counts, outcome shares (with intervals), the share of runs settling each issue (at
    all, and on its own in a partial agreement), mean terms, round and utilities."""
    wanted = [
        "outcome",
        "deal",
        "round",
        "ceasefire_round",
        "ceasefire_broken",
        "ceasefire_in_force",
        "exchanges",
        *(f"settled.{i}" for i in issues),
        *(f"partial.{i}" for i in issues),
        *(f"term.{i}" for i in issues),
        *(f"utility.{p}" for p in parties),
    ]
    data = columns(store.read(wanted))
    outcome = data["outcome"]
    ok = outcome != "error"
    n = int(ok.sum())
    shares = {}
    for kind in OUTCOMES:
        k = int((outcome == kind).sum())
        lo, hi = wilson(np.array(k), np.array(n))
        shares[kind] = {"share": k / n if n else None, "ci95": [float(lo), float(hi)]}
    full = outcome == "agreement"
    deal = data["deal"]
    events = {name: indicator(data, name)[ok] for name in EVENTS}
    return {
        "runs": int(outcome.size),
        "failed": int((~ok).sum()),
        "outcomes": shares,
        "deals": {kind: _share(int((deal[ok] == kind).sum()), n) for kind in DEALS},
        "events": {name: _share(int(v.sum()), n) for name, v in events.items()},
        "settled_share": {
            i: float(np.mean(data[f"settled.{i}"][ok].astype(bool))) if n else None for i in issues
        },
        "partial_share": {
            i: float(np.mean(data[f"partial.{i}"][ok].astype(bool))) if n else None for i in issues
        },
        "mean_terms": {i: _mean(data[f"term.{i}"][ok]) for i in issues},
        "mean_agreement_round": _mean(data["round"][full]),
        "mean_utilities": {p: _mean(data[f"utility.{p}"][ok]) for p in parties},
    }


def indicator(data: dict[str, np.ndarray], name: str) -> np.ndarray:
    """Per run, whether the event ``name`` of :data:`EVENTS` happened (0/1 floats)."""
    if name == "ceasefire":
        return np.isfinite(data["ceasefire_round"].astype(float)).astype(float)
    if name == "ceasefire_kept":
        return (data["ceasefire_in_force"] == True).astype(float)  # noqa: E712 (object array)
    if name == "ceasefire_broken":
        return (data["ceasefire_broken"] == True).astype(float)  # noqa: E712
    return (np.nan_to_num(data["exchanges"].astype(float)) > 0).astype(float)


def _share(k: int, n: int) -> dict[str, Any]:
    """A share with its 95% Wilson interval."""
    lo, hi = wilson(np.array(k), np.array(n))
    return {"share": k / n if n else None, "ci95": [float(lo), float(hi)], "runs": k}


def _mean(values: np.ndarray) -> float | None:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    return float(v.mean()) if v.size else None


def point_means(store: RunStore, spec: SweepSpec, outputs: list[str]) -> dict[str, np.ndarray]:
    """Per design point (in point order), the mean of each output over replications:
    ``agreement`` is the share of full agreements, an :data:`EVENTS` name the share of runs
    with that event; ``term.<issue>`` the mean agreed term."""
    needed = {"ceasefire_round", "ceasefire_in_force", "ceasefire_broken", "exchanges"}
    cols = ["point", "outcome", *needed, *[o for o in outputs if o.startswith("term.")]]
    data = columns(store.read(cols))
    points = data["point"].astype(int)
    n_points = int(points.max()) + 1 if points.size else 0
    out = {}
    for name in outputs:
        if name == "agreement":
            values = (data["outcome"] == "agreement").astype(float)
        elif name in EVENTS:
            values = indicator(data, name)
        else:
            values = data[name]
        sums = np.bincount(points, weights=np.nan_to_num(values), minlength=n_points)
        counts = np.bincount(points, weights=np.isfinite(values), minlength=n_points)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[name] = sums / counts
    return out


def sensitivity(store: RunStore, spec: SweepSpec, issues: list[str]) -> dict[str, Any]:
    """Sobol' first-order and total indices of the agreement rate and each agreed term
    (outputs undefined at some point — a term never agreed there — are left out)."""
    outputs = ["agreement", *EVENTS, *(f"term.{i}" for i in issues)]
    means = point_means(store, spec, outputs)
    result: dict[str, Any] = {"indices": {}, "left_out": []}
    for name, y in means.items():
        if not np.all(np.isfinite(y)):
            result["left_out"].append(name)
            continue
        result["indices"][name] = sobol_indices(spec, y)
    return result

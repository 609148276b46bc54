"""Statistics of run outcomes, and their differences with bootstrap confidence intervals.

The input is a list of *outcome rows*, one per run, each a mapping with

* ``outcome`` — ``"agreement"``, ``"partial"`` or ``"none"``; a run that failed has
  ``"error"``: it is excluded from every statistic and counted in ``n_failed``;
* ``round`` — the round of the agreement (int), or None;
* ``terms`` — issue → agreed value (float); None, or a missing key, where the issue was not
  agreed. List every issue of the scenario (None where not agreed, e.g. the keys of
  ``final_state``) so that an input whose runs never agreed on an issue still *has* it;
* ``utilities`` — party → utility of the final state (float).

Conventions
-----------
* Shares of full / partial / no agreement are over the valid (non-failed) runs.
* The mean agreed term of an issue is over the runs where that issue was agreed (a full
  agreement, or a partial agreement that settled it); None when it never was. Values that
  are not numbers (labels of discrete issues) are not averaged.
* The mean agreement round is over the runs with a full agreement (the ``round`` of a
  partial run is the round of its last partial agreement and is not counted).
* Missing values are None in the returned dicts and rows (JSON-ready), never NaN.
* :func:`bootstrap_difference` is a percentile bootstrap (Efron & Tibshirani 1993, ch. 13)
  with ``n_resamples`` (default 2000) independent resamples of each sample; the
  comparison table uses 2000 resamples and a 95 % level unless told otherwise.
* Seeds: each (input label, metric) pair of :func:`difference_table` draws from its own
  ``SeedSequence(seed, spawn_key=(key(label), key(metric)))`` with ``key`` a SHA-256 of the
  text (:func:`metric_seed`): the table is reproducible and a row does not depend on which
  other inputs or metrics are in the table, nor on their order.
* Inputs with different issues or parties are compared on the fields they all have
  (:func:`common_fields`), and what was left out is reported.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from numbers import Real
from typing import Any

import numpy as np

OUTCOMES = ("agreement", "partial", "none")
FAILED = "error"
DEFAULT_RESAMPLES = 2000
DEFAULT_LEVEL = 0.95

#: The keys of a :func:`difference_table` row, in display order.
COLUMNS = (
    "label",
    "reference",
    "metric",
    "reference_value",
    "value",
    "difference",
    "ci_low",
    "ci_high",
    "level",
    "n_reference",
    "n",
)

#: Bound on the number of resampled values held in memory at once by the bootstrap.
_CHUNK_VALUES = 1 << 22

Row = Mapping[str, Any]
Group = tuple[str, Sequence[Row]]


# ----------------------------------------------------------------------------- rows


def _number(value: Any) -> float:
    """A finite float, or NaN for None, non-numbers (labels, booleans) and NaN/inf."""
    if value is None or isinstance(value, bool) or not isinstance(value, Real):
        return math.nan
    value = float(value)
    return value if math.isfinite(value) else math.nan


def _outcome(row: Row, k: int) -> str:
    outcome = row.get("outcome")
    if outcome not in (*OUTCOMES, FAILED):
        raise ValueError(
            f"row {k}: outcome must be one of {', '.join((*OUTCOMES, FAILED))}, got {outcome!r}"
        )
    return outcome


def split_failed(rows: Sequence[Row]) -> tuple[list[Row], int]:
    """The valid rows (outcome agreement/partial/none) and the number of failed ones."""
    valid, failed = [], 0
    for k, row in enumerate(rows):
        if _outcome(row, k) == FAILED:
            failed += 1
        else:
            valid.append(row)
    return valid, failed


def _keys(rows: Sequence[Row], field: str) -> list[str]:
    """The keys of ``row[field]`` over the rows, in order of first appearance."""
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row.get(field) or {}))
    return list(seen)


def _mean(values: np.ndarray) -> float | None:
    values = values[~np.isnan(values)]
    return float(np.mean(values)) if values.size else None


def metric_arrays(
    rows: Sequence[Row], issues: Sequence[str], parties: Sequence[str]
) -> dict[str, np.ndarray]:
    """One float array per metric over the valid rows, NaN where the metric has no value:

    * ``share.agreement``, ``share.partial``, ``share.none`` — indicators (1/0) per run;
    * ``term.<issue>`` — the agreed value, NaN where not agreed;
    * ``utility.<party>`` — the utility, NaN where missing;
    * ``round`` — the agreement round of full agreements, NaN for other runs.
    """
    valid, _ = split_failed(rows)
    outcomes = [row["outcome"] for row in valid]
    arrays = {f"share.{kind}": np.array([float(o == kind) for o in outcomes]) for kind in OUTCOMES}
    for issue in issues:
        arrays[f"term.{issue}"] = np.array(
            [_number((row.get("terms") or {}).get(issue)) for row in valid], dtype=float
        )
    for party in parties:
        arrays[f"utility.{party}"] = np.array(
            [_number((row.get("utilities") or {}).get(party)) for row in valid], dtype=float
        )
    arrays["round"] = np.array(
        [_number(row.get("round")) if row["outcome"] == "agreement" else math.nan for row in valid],
        dtype=float,
    )
    return arrays


def summarise(rows: Sequence[Row]) -> dict[str, Any]:
    """Summary of one input's runs.

    Returns ``n_runs`` (rows given), ``n_failed`` (outcome ``error``, excluded from all
    else), ``n_valid``, ``share_agreement`` / ``share_partial`` / ``share_none`` (over the
    valid runs; None if there are none), ``mean_terms`` (issue → mean agreed value over the
    runs that agreed it, None if none did), ``mean_utilities`` (party → mean utility) and
    ``mean_round`` (mean agreement round over full agreements, None if there were none).
    """
    valid, failed = split_failed(rows)
    issues, parties = _keys(valid, "terms"), _keys(valid, "utilities")
    arrays = metric_arrays(valid, issues, parties)
    return {
        "n_runs": len(rows),
        "n_failed": failed,
        "n_valid": len(valid),
        **{f"share_{kind}": _mean(arrays[f"share.{kind}"]) for kind in OUTCOMES},
        "mean_terms": {issue: _mean(arrays[f"term.{issue}"]) for issue in issues},
        "mean_utilities": {party: _mean(arrays[f"utility.{party}"]) for party in parties},
        "mean_round": _mean(arrays["round"]),
    }


# ------------------------------------------------------------------------ bootstrap


def bootstrap_difference(
    a: np.ndarray,
    b: np.ndarray,
    stat: Callable[..., Any] = np.mean,
    n_resamples: int = DEFAULT_RESAMPLES,
    level: float = DEFAULT_LEVEL,
    seed: int | np.random.SeedSequence = 0,
) -> tuple[float, float, float]:
    """``stat(b) − stat(a)`` with a percentile bootstrap interval.

    NaNs are dropped from both samples; if either is then empty the result is
    ``(nan, nan, nan)``. Each of the ``n_resamples`` (default 2000) bootstrap replicates
    resamples ``a`` and ``b`` independently with replacement, at their own sizes, with
    ``numpy.random.default_rng(seed)``; the interval is the ``(1 − level)/2`` and
    ``(1 + level)/2`` quantiles of the replicated differences (percentile method, Efron &
    Tibshirani 1993, ch. 13; numpy's linear interpolation between order statistics).

    ``stat`` must reduce along an ``axis`` keyword like ``np.mean`` or ``np.median``: the
    resampled indices are drawn as matrices (one row per replicate), in chunks of rows so
    that at most about 4 million values are held at once; for each chunk the indices of
    ``a`` are drawn before those of ``b``. Returns floats ``(estimate, low, high)``.
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level}")
    if int(n_resamples) != n_resamples or n_resamples < 1:
        raise ValueError(f"n_resamples must be a positive integer, got {n_resamples}")
    a = np.asarray(a, dtype=float).ravel()
    b = np.asarray(b, dtype=float).ravel()
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if a.size == 0 or b.size == 0:
        return (math.nan, math.nan, math.nan)
    estimate = float(stat(b) - stat(a))
    rng = np.random.default_rng(seed)
    n_resamples = int(n_resamples)
    chunk = max(1, _CHUNK_VALUES // max(a.size, b.size))
    diffs = np.empty(n_resamples)
    for start in range(0, n_resamples, chunk):
        rows = min(chunk, n_resamples - start)
        idx_a = rng.integers(0, a.size, size=(rows, a.size))
        idx_b = rng.integers(0, b.size, size=(rows, b.size))
        diffs[start : start + rows] = stat(b[idx_b], axis=1) - stat(a[idx_a], axis=1)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(diffs, [tail, 1.0 - tail])
    return (estimate, float(low), float(high))


# --------------------------------------------------------------------- comparisons


def _stable_key(text: str) -> int:
    """A 64-bit integer from the SHA-256 of ``text`` (stable across runs and platforms)."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def metric_seed(seed: int, label: str, metric: str) -> np.random.SeedSequence:
    """The seed sequence of one row of :func:`difference_table`."""
    if int(seed) != seed or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    return np.random.SeedSequence(int(seed), spawn_key=(_stable_key(label), _stable_key(metric)))


def _check_labels(groups: Sequence[Group]) -> None:
    labels = [label for label, _ in groups]
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    if duplicates:
        raise ValueError(f"input labels must be unique; repeated: {', '.join(duplicates)}")


def common_fields(
    groups: Sequence[Group],
) -> tuple[list[str], list[str], dict[str, dict[str, list[str]]]]:
    """The issues and parties every input has, and what each input lacks.

    An input *has* an issue if it is a key of ``terms`` (even with value None) in one of
    its valid runs, and a party if it is a key of ``utilities``. Inputs without any valid
    run (all failed, or empty) have no fields and do not restrict the common ones.
    Returns ``(issues, parties, left_out)``: the common issues and parties in order of first
    appearance, and ``left_out[label] = {"issues": [...], "parties": [...]}`` naming the
    fields some other input has but this one lacks (only inputs that lack something).
    """
    _check_labels(groups)
    found = []
    for label, rows in groups:
        valid, _ = split_failed(rows)
        found.append((label, bool(valid), _keys(valid, "terms"), _keys(valid, "utilities")))
    all_issues = list(dict.fromkeys(i for *_, issues, _ in found for i in issues))
    all_parties = list(dict.fromkeys(p for *_, parties in found for p in parties))
    with_data = [f for f in found if f[1]]
    issues = [i for i in all_issues if all(i in f[2] for f in with_data)]
    parties = [p for p in all_parties if all(p in f[3] for f in with_data)]
    left_out: dict[str, dict[str, list[str]]] = {}
    for label, _, own_issues, own_parties in found:
        lacks = {
            "issues": [i for i in all_issues if i not in own_issues],
            "parties": [p for p in all_parties if p not in own_parties],
        }
        if lacks["issues"] or lacks["parties"]:
            left_out[label] = lacks
    return issues, parties, left_out


def _finite_or_none(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def _difference_row(
    a: np.ndarray, b: np.ndarray, n_resamples: int, level: float, seed: np.random.SeedSequence
) -> dict[str, Any]:
    """The numbers of one row of :func:`difference_table`: both means, the bootstrap
    difference with its interval, the level and the run counts."""
    estimate, low, high = bootstrap_difference(
        a, b, n_resamples=n_resamples, level=level, seed=seed
    )
    return {
        "reference_value": _mean(a),
        "value": _mean(b),
        "difference": _finite_or_none(estimate),
        "ci_low": _finite_or_none(low),
        "ci_high": _finite_or_none(high),
        "level": level,
        "n_reference": int(np.count_nonzero(~np.isnan(a))),
        "n": int(np.count_nonzero(~np.isnan(b))),
    }


def difference_table(
    groups: Sequence[Group],
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    level: float = DEFAULT_LEVEL,
) -> list[dict[str, Any]]:
    """Each input after the first compared with the first, metric by metric.

    ``groups`` is a list of ``(label, outcome rows)``; labels must be unique. The metrics
    are ``share.agreement``, ``share.partial``, ``share.none`` (indicator arrays),
    ``term.<issue>``, ``utility.<party>`` (for the common issues and parties only, see
    :func:`common_fields`) and ``round`` (full agreements only). One row per (input,
    metric), inputs in the given order and metrics in that order, with the keys of
    :data:`COLUMNS`: ``label``, ``reference`` (label of the first input), ``metric``,
    ``reference_value`` and ``value`` (the mean over the runs with a value), ``difference``
    (value − reference_value), ``ci_low`` / ``ci_high`` (percentile bootstrap, see
    :func:`bootstrap_difference`, seeded by :func:`metric_seed`), ``level``, and
    ``n_reference`` / ``n`` (the runs with a value). Failed runs are excluded. Values that
    cannot be computed (no runs with a value) are None.
    """
    if len(groups) < 2:
        _check_labels(groups)
        return []
    issues, parties, _ = common_fields(groups)
    (ref_label, ref_rows), others = groups[0], groups[1:]
    ref = metric_arrays(ref_rows, issues, parties)
    table = []
    for label, rows in others:
        arrays = metric_arrays(rows, issues, parties)
        for metric, a in ref.items():
            seed_k = metric_seed(seed, label, metric)
            row = _difference_row(a, arrays[metric], n_resamples, level, seed_k)
            table.append({"label": label, "reference": ref_label, "metric": metric} | row)
    return table

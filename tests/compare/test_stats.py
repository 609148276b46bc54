"""Outcome statistics and bootstrap differences (sim.compare.stats)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest import approx

from sim.compare import stats
from sim.compare.stats import (
    COLUMNS,
    bootstrap_difference,
    common_fields,
    difference_table,
    metric_arrays,
    metric_seed,
    summarise,
)


def run(outcome, round_, terms, utilities):
    return {"outcome": outcome, "round": round_, "terms": terms, "utilities": utilities}


# Input A: 4 valid runs (2 full agreements, 1 partial, 1 none) and 1 failed run.
# Every issue is listed (None where not agreed); A also has a third party US.
A = [
    run(
        "agreement",
        3,
        {"ceasefire": 0.4, "territory": 0.6, "humanitarian": 0.5},
        {"RU": 0.5, "UA": 0.3, "US": 0.9},
    ),
    run(
        "agreement",
        5,
        {"ceasefire": 0.6, "territory": 0.8, "humanitarian": 0.3},
        {"RU": 0.7, "UA": 0.1, "US": 0.8},
    ),
    run(
        "partial",
        2,
        {"ceasefire": None, "territory": None, "humanitarian": 0.2},
        {"RU": 0.2, "UA": 0.2, "US": 0.5},
    ),
    run(
        "none",
        None,
        {"ceasefire": None, "territory": None, "humanitarian": None},
        {"RU": 0.1, "UA": 0.0, "US": 0.4},
    ),
    # a failed run: its (absurd) numbers must not count anywhere
    {
        "outcome": "error",
        "round": 1,
        "terms": {"ceasefire": 100.0, "sanctions": 1.0},
        "utilities": {"RU": -50.0, "EU": 1.0},
    },
]

# Input B: 5 valid runs (3 full agreements, 1 partial, 1 none); B also has an issue
# "elections" and lists only agreed issues (missing keys where not agreed).
B = [
    run(
        "agreement",
        2,
        {"ceasefire": 0.3, "territory": 0.5, "humanitarian": 0.4, "elections": 0.2},
        {"RU": 0.6, "UA": 0.4},
    ),
    run(
        "agreement",
        4,
        {"ceasefire": 0.5, "territory": 0.7, "humanitarian": 0.6, "elections": 0.4},
        {"RU": 0.4, "UA": 0.5},
    ),
    run(
        "agreement",
        6,
        {"ceasefire": 0.7, "territory": 0.9, "humanitarian": 0.5, "elections": 0.6},
        {"RU": 0.8, "UA": 0.3},
    ),
    run("partial", 1, {"humanitarian": 0.1}, {"RU": 0.3, "UA": 0.3}),
    run("none", None, {}, {"RU": 0.2, "UA": 0.1}),
]

# Hand computation: metric -> (value of A, value of B, n of A, n of B)
EXPECTED = {
    "share.agreement": (2 / 4, 3 / 5, 4, 5),
    "share.partial": (1 / 4, 1 / 5, 4, 5),
    "share.none": (1 / 4, 1 / 5, 4, 5),
    "term.ceasefire": ((0.4 + 0.6) / 2, (0.3 + 0.5 + 0.7) / 3, 2, 3),
    "term.territory": ((0.6 + 0.8) / 2, (0.5 + 0.7 + 0.9) / 3, 2, 3),
    "term.humanitarian": ((0.5 + 0.3 + 0.2) / 3, (0.4 + 0.6 + 0.5 + 0.1) / 4, 3, 4),
    "utility.RU": ((0.5 + 0.7 + 0.2 + 0.1) / 4, (0.6 + 0.4 + 0.8 + 0.3 + 0.2) / 5, 4, 5),
    "utility.UA": ((0.3 + 0.1 + 0.2 + 0.0) / 4, (0.4 + 0.5 + 0.3 + 0.3 + 0.1) / 5, 4, 5),
    "round": ((3 + 5) / 2, (2 + 4 + 6) / 3, 2, 3),
}


# ------------------------------------------------------------------------ summarise


def test_summarise_equals_hand_computation_with_failed_run_excluded():
    s = summarise(A)
    assert (s["n_runs"], s["n_failed"], s["n_valid"]) == (5, 1, 4)
    assert s["share_agreement"] == approx(0.5)
    assert s["share_partial"] == approx(0.25)
    assert s["share_none"] == approx(0.25)
    # the failed run's "sanctions" and "EU" do not appear
    assert s["mean_terms"] == approx({"ceasefire": 0.5, "territory": 0.7, "humanitarian": 1 / 3})
    assert s["mean_utilities"] == approx({"RU": 0.375, "UA": 0.15, "US": 0.65})
    assert s["mean_round"] == approx(4.0)


def test_summarise_second_input():
    s = summarise(B)
    assert (s["n_runs"], s["n_failed"], s["n_valid"]) == (5, 0, 5)
    assert (s["share_agreement"], s["share_partial"], s["share_none"]) == approx((0.6, 0.2, 0.2))
    assert s["mean_terms"] == approx(
        {"ceasefire": 0.5, "territory": 0.7, "humanitarian": 0.4, "elections": 0.4}
    )
    assert s["mean_utilities"] == approx({"RU": 0.46, "UA": 0.32})
    assert s["mean_round"] == approx(4.0)


def test_summarise_failed_runs_do_not_change_statistics():
    with_failures = [*B, {"outcome": "error"}, {"outcome": "error", "terms": {"x": 3.0}}]
    s, t = summarise(B), summarise(with_failures)
    assert t["n_failed"] == 2 and t["n_runs"] == 7 and t["n_valid"] == 5
    for key in ("share_agreement", "share_partial", "share_none", "mean_round"):
        assert t[key] == s[key]
    assert t["mean_terms"] == s["mean_terms"]
    assert t["mean_utilities"] == s["mean_utilities"]


def test_summarise_never_agreed_issue_and_no_agreement_are_none():
    rows = [
        run("none", None, {"ceasefire": None}, {"RU": 0.1}),
        run("partial", 4, {"ceasefire": None, "humanitarian": 0.3}, {"RU": 0.3}),
    ]
    s = summarise(rows)
    assert s["mean_terms"] == {"ceasefire": None, "humanitarian": approx(0.3)}
    # the round of a partial agreement is not an agreement round
    assert s["mean_round"] is None
    assert s["share_agreement"] == 0.0


def test_summarise_only_failed_or_empty():
    for rows in ([], [{"outcome": "error"}]):
        s = summarise(rows)
        assert s["n_valid"] == 0 and s["n_failed"] == len(rows)
        assert s["share_agreement"] is None and s["mean_round"] is None
        assert s["mean_terms"] == {} and s["mean_utilities"] == {}


def test_labels_of_discrete_issues_and_nan_are_not_averaged():
    rows = [
        run("agreement", 1, {"elections": "held", "ceasefire": float("nan")}, {"RU": 0.5}),
        run("agreement", 3, {"elections": "postponed", "ceasefire": 0.2}, {"RU": None}),
    ]
    s = summarise(rows)
    assert s["mean_terms"] == {"elections": None, "ceasefire": approx(0.2)}
    assert s["mean_utilities"] == {"RU": approx(0.5)}
    assert s["mean_round"] == approx(2.0)


def test_unknown_outcome_is_an_error():
    with pytest.raises(ValueError, match=r"row 1: outcome"):
        summarise([run("none", None, {}, {}), run("deal", 1, {}, {})])


def test_metric_arrays_are_indicators_and_nan_where_missing():
    arrays = metric_arrays(B, ["ceasefire"], ["RU"])
    assert list(arrays) == [
        "share.agreement",
        "share.partial",
        "share.none",
        "term.ceasefire",
        "utility.RU",
        "round",
    ]
    np.testing.assert_array_equal(arrays["share.agreement"], [1, 1, 1, 0, 0])
    np.testing.assert_array_equal(arrays["share.partial"], [0, 0, 0, 1, 0])
    np.testing.assert_array_equal(arrays["term.ceasefire"], [0.3, 0.5, 0.7, np.nan, np.nan])
    np.testing.assert_array_equal(arrays["round"], [2, 4, 6, np.nan, np.nan])


# ---------------------------------------------------------------------- common fields


def test_common_fields_reports_what_is_left_out():
    failed_only = [{"outcome": "error", "terms": {"ceasefire": 0.1}, "utilities": {"RU": 1.0}}]
    issues, parties, left_out = common_fields([("A", A), ("B", B), ("C", failed_only)])
    assert issues == ["ceasefire", "territory", "humanitarian"]
    assert parties == ["RU", "UA"]
    assert left_out == {
        "A": {"issues": ["elections"], "parties": []},
        "B": {"issues": [], "parties": ["US"]},
        # an input without valid runs lacks everything but does not restrict the others
        "C": {
            "issues": ["ceasefire", "territory", "humanitarian", "elections"],
            "parties": ["RU", "UA", "US"],
        },
    }


def test_common_fields_of_matching_inputs_leaves_nothing_out():
    issues, parties, left_out = common_fields([("A", A[:4]), ("A2", A[:2])])
    assert issues == ["ceasefire", "territory", "humanitarian"]
    assert parties == ["RU", "UA", "US"]
    assert left_out == {}


def test_labels_must_be_unique():
    with pytest.raises(ValueError, match="unique"):
        common_fields([("A", A), ("A", B)])
    with pytest.raises(ValueError, match="unique"):
        difference_table([("A", A), ("A", B)])


# ------------------------------------------------------------------- difference table


def test_difference_table_equals_hand_computation():
    table = difference_table([("A", A), ("B", B)], n_resamples=500, seed=3)
    assert [row["metric"] for row in table] == list(EXPECTED)  # no US, no elections
    for row in table:
        assert tuple(row) == COLUMNS
        ref, value, n_ref, n = EXPECTED[row["metric"]]
        assert row["label"] == "B" and row["reference"] == "A"
        assert row["reference_value"] == approx(ref)
        assert row["value"] == approx(value)
        assert row["difference"] == approx(value - ref, abs=1e-12)
        assert (row["n_reference"], row["n"]) == (n_ref, n)
        assert row["level"] == 0.95
        assert row["ci_low"] <= row["ci_high"]


def test_difference_table_cis_are_the_seeded_bootstraps_of_the_metric_arrays():
    issues, parties = ["ceasefire", "territory", "humanitarian"], ["RU", "UA"]
    a, b = metric_arrays(A, issues, parties), metric_arrays(B, issues, parties)
    table = difference_table([("A", A), ("B", B)], n_resamples=300, seed=11)
    for row in table:
        m = row["metric"]
        expected = bootstrap_difference(a[m], b[m], n_resamples=300, seed=metric_seed(11, "B", m))
        assert (row["difference"], row["ci_low"], row["ci_high"]) == approx(expected)


def test_share_intervals_lie_within_possible_differences():
    table = difference_table([("A", A), ("B", B)])
    for row in table:
        if row["metric"].startswith("share."):
            assert -1.0 <= row["ci_low"] <= row["ci_high"] <= 1.0


def test_difference_table_reproducible_and_seed_dependent():
    groups = [("A", A), ("B", B)]
    first = difference_table(groups, n_resamples=400, seed=0)
    assert difference_table(groups, n_resamples=400, seed=0) == first
    other = difference_table(groups, n_resamples=400, seed=1)
    assert [r["difference"] for r in other] == [r["difference"] for r in first]
    assert [(r["ci_low"], r["ci_high"]) for r in other] != [
        (r["ci_low"], r["ci_high"]) for r in first
    ]


def test_difference_table_rows_do_not_depend_on_other_inputs_or_metrics():
    c = [run("agreement", 7, dict(r["terms"]), dict(r["utilities"])) for r in B[:3]]
    abc = difference_table([("A", A), ("B", B), ("C", c)], n_resamples=300)
    acb = difference_table([("A", A), ("C", c), ("B", B)], n_resamples=300)
    ab = difference_table([("A", A), ("B", B)], n_resamples=300)
    rows_b = [r for r in abc if r["label"] == "B"]
    assert rows_b == [r for r in acb if r["label"] == "B"] == ab
    # one more common party adds rows but leaves the others unchanged
    a2 = [dict(r, utilities={**r.get("utilities", {}), "EU": 0.5}) for r in A]
    b2 = [dict(r, utilities={**r["utilities"], "EU": 0.25}) for r in B]
    more = difference_table([("A", a2), ("B", b2)], n_resamples=300)
    assert [r for r in more if r["metric"] != "utility.EU"] == ab
    eu = next(r for r in more if r["metric"] == "utility.EU")
    assert eu["difference"] == approx(-0.25)


def test_difference_table_with_an_input_whose_runs_all_failed():
    table = difference_table([("A", A), ("X", [{"outcome": "error"}] * 3)], n_resamples=100)
    assert table and all(r["n"] == 0 for r in table)
    assert all(r["value"] is None and r["difference"] is None for r in table)
    assert all(r["ci_low"] is None and r["ci_high"] is None for r in table)
    assert table[0]["reference_value"] == approx(0.5)


def test_difference_table_needs_two_inputs():
    assert difference_table([]) == []
    assert difference_table([("A", A)]) == []


# ------------------------------------------------------------------------ bootstrap


def test_bootstrap_constant_samples_have_a_degenerate_interval():
    assert bootstrap_difference(np.ones(3), np.full(2, 3.0)) == (2.0, 2.0, 2.0)


def test_bootstrap_drops_nans_and_empty_gives_nan():
    est, lo, hi = bootstrap_difference(np.array([1.0, np.nan, 1.0]), np.array([np.nan, 4.0]))
    assert (est, lo, hi) == (3.0, 3.0, 3.0)
    for a, b in ((np.array([]), np.ones(3)), (np.ones(3), np.array([np.nan, np.nan]))):
        assert all(math.isnan(x) for x in bootstrap_difference(a, b))


def test_bootstrap_is_the_documented_vectorised_percentile_bootstrap():
    rng = np.random.default_rng(99)
    a, b = rng.normal(size=17), rng.normal(1.0, size=23)
    est, lo, hi = bootstrap_difference(a, b, n_resamples=700, level=0.9, seed=5)
    # the convention written out: one generator, the indices of a then of b as matrices
    draw = np.random.default_rng(5)
    ia = draw.integers(0, a.size, size=(700, a.size))
    ib = draw.integers(0, b.size, size=(700, b.size))
    diffs = b[ib].mean(axis=1) - a[ia].mean(axis=1)
    assert est == approx(b.mean() - a.mean())
    assert (lo, hi) == approx(tuple(np.quantile(diffs, [0.05, 0.95])))


def test_bootstrap_in_chunks_is_deterministic(monkeypatch):
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=40), rng.normal(0.5, size=30)
    whole = bootstrap_difference(a, b, n_resamples=1000, seed=2)
    monkeypatch.setattr(stats, "_CHUNK_VALUES", 100)  # 2 resamples per chunk
    chunked = bootstrap_difference(a, b, n_resamples=1000, seed=2)
    assert chunked == bootstrap_difference(a, b, n_resamples=1000, seed=2)
    assert chunked[0] == whole[0]
    # a different stream but the same distribution: the bounds agree to Monte Carlo error
    assert chunked[1:] == approx(whole[1:], abs=0.1)


def test_bootstrap_accepts_other_statistics():
    a, b = np.array([0.0, 1.0, 2.0, 100.0]), np.array([1.0, 2.0, 3.0])
    est, lo, hi = bootstrap_difference(a, b, stat=np.median, n_resamples=200)
    assert est == approx(0.5)
    assert lo <= hi


@pytest.mark.parametrize(
    ("kwargs", "match"), [({"level": 1.0}, "level"), ({"n_resamples": 0}, "n_resamples")]
)
def test_bootstrap_rejects_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        bootstrap_difference(np.ones(3), np.ones(3), **kwargs)


def test_metric_seed_is_stable_and_distinct():
    s = metric_seed(0, "B", "share.agreement")
    assert s.spawn_key == metric_seed(0, "B", "share.agreement").spawn_key
    assert (
        s.generate_state(2).tolist()
        == metric_seed(0, "B", "share.agreement").generate_state(2).tolist()
    )
    keys = {metric_seed(0, label, m).spawn_key for label in "BC" for m in EXPECTED}
    assert len(keys) == 2 * len(EXPECTED)
    with pytest.raises(ValueError):
        metric_seed(-1, "B", "round")


def test_bootstrap_interval_coverage_on_normal_data():
    """200 independent experiments with a known difference of means: the 95 % percentile
    interval covers the truth in 90-99 % of them (binomial sd ~1.6 %), and a wrong truth
    three standard errors away far less often."""
    n_a, n_b, sd_a, sd_b, truth = 50, 60, 1.0, 1.2, 0.3
    se = math.sqrt(sd_a**2 / n_a + sd_b**2 / n_b)
    wrong = truth + 3 * se
    data = np.random.default_rng(20250602)
    covered = covered_wrong = 0
    experiments = 200
    for k in range(experiments):
        a = data.normal(1.0, sd_a, n_a)
        b = data.normal(1.0 + truth, sd_b, n_b)
        _, lo, hi = bootstrap_difference(a, b, n_resamples=500, seed=k)
        covered += lo <= truth <= hi
        covered_wrong += lo <= wrong <= hi
    assert 0.90 <= covered / experiments <= 0.99
    assert covered_wrong / experiments < 0.5


samples = st.lists(
    st.one_of(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
        st.just(float("nan")),
    ),
    min_size=1,
    max_size=40,
).filter(lambda xs: any(not math.isnan(x) for x in xs))


@settings(max_examples=60, deadline=None)
@given(samples, st.integers(min_value=0, max_value=2**32))
def test_identical_samples_differ_by_zero(values, seed):
    x = np.array(values)
    est, lo, hi = bootstrap_difference(x, x.copy(), n_resamples=200, seed=seed)
    assert est == 0.0
    assert lo <= 0.0 <= hi

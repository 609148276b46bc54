"""Reference points of mixed domains (continuous issues with discrete and integer ones):
closed forms, and never worse than, and within the grid's error of, a brute force over
every combination of the finite issues and a fine grid of the continuous ones."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys

import numpy as np
import pytest
import yaml
from numpy.testing import assert_allclose

from sim.jobs.load import check_scenario, load_game
from sim.jobs.reference import reference_method, reference_points
from sim.scenario import parse_scenario
from sim.theory import mixed_reference as mixed
from sim.theory import reference as ref
from sim.theory.preferences import LinkedLine, Preferences
from tests.conftest import ROOT


def mixed_prefs(
    weights, tables, ideal, integer_ideal, conditions=(), allowed=None, integer_hi=3.0
) -> Preferences:
    """Issues: 0 discrete (``tables``), 1 integer in [0, integer_hi] (linear loss, ideals
    ``integer_ideal``), then continuous [0, 1] quadratic issues (ideals ``ideal``)."""
    weights = np.asarray(weights, dtype=float)
    n, m = weights.shape
    table = np.asarray(tables, dtype=float)
    ideals = np.zeros((n, m))
    ideals[:, 1] = integer_ideal
    ideals[:, 2:] = ideal
    exponent = np.full((n, m), 2)
    exponent[:, 1] = 1
    return Preferences(
        weights=weights / weights.sum(axis=1, keepdims=True),
        spatial=np.array([False] + [True] * (m - 1)),
        integer=np.array([False, True] + [False] * (m - 2)),
        lo=np.zeros(m),
        hi=np.array([table.shape[1] - 1.0, integer_hi] + [1.0] * (m - 2)),
        ideal=ideals,
        exponent=exponent,
        accept_lo=np.full((n, m), -np.inf),
        accept_hi=np.full((n, m), np.inf),
        tables=(table, *(None,) * (m - 1)),
        allowed=(np.ones_like(table, dtype=bool) if allowed is None else allowed,)
        + (None,) * (m - 1),
        conditions=tuple(conditions),
    )


def test_a_symmetric_mixed_problem_has_the_closed_form_point():
    # both prefer label 0 of the discrete issue and the integer 1; on the continuous issue
    # their ideals are 0 and 1: u_i = 1 − w (x − a_i)² there, every point at x = 1/2
    prefs = mixed_prefs(
        [[1, 1, 2], [1, 1, 2]], [[1.0, 0.0], [1.0, 0.2]], [[0.0], [1.0]], [1.0, 1.0]
    )
    d = np.array([0.2, 0.2])
    points = mixed.mixed_points(prefs, d, np.array([1.0, 1.0]))
    expected = 1 - 0.5 * 0.25  # weight 2/4 on the continuous issue, loss (1/2)²
    for name in ("nash", "weighted_nash", "egalitarian", "kalai_smorodinsky", "utilitarian"):
        assert_allclose(points[name].x, [0.0, 1.0, 0.5], atol=1e-9, err_msg=name)
        assert_allclose(points[name].u, [expected, expected], atol=1e-9, err_msg=name)


def brute_force(prefs: Preferences, d: np.ndarray, size: int = 401) -> dict[str, float]:
    """The best score of every point over all combinations × a grid of the continuous
    issues (every red line holding), and the ideal point over the same set; one
    combination at a time (two passes: the ideal point first)."""
    cont = mixed.continuous_issues(prefs)
    grid = np.linspace(0.0, 1.0, size)
    mesh = np.array(list(itertools.product(grid, repeat=int(cont.sum()))))

    def rows():
        for combo in itertools.product(*mixed.finite_values(prefs)):
            x = np.empty((len(mesh), prefs.n_issues))
            x[:, ~cont], x[:, cont] = combo, mesh
            u = prefs.utilities(x[prefs.acceptable(x).all(axis=1)])
            yield u, u[(u >= d).all(axis=1)]

    ideal = np.max([r.max(axis=0) for _, r in rows() if len(r)], axis=0)
    best = dict.fromkeys(("nash", "egalitarian", "utilitarian", "kalai_smorodinsky"), -np.inf)
    for u, rational in rows():
        gains = rational - d
        with np.errstate(divide="ignore"):
            values = {
                "utilitarian": u.sum(axis=1),
                "nash": np.log(np.maximum(gains, 0)).mean(axis=1),
                "egalitarian": gains.min(axis=1),
                "kalai_smorodinsky": (gains / (ideal - d)).min(axis=1),
            }
        for name, v in values.items():
            if len(v):
                best[name] = max(best[name], float(v.max()))
    return best


def score(name: str, u: np.ndarray, d: np.ndarray, ideal: np.ndarray) -> float:
    return {
        "nash": lambda: float(np.log(u - d).mean()),
        "egalitarian": lambda: float((u - d).min()),
        "utilitarian": lambda: float(u.sum()),
        "kalai_smorodinsky": lambda: float(((u - d) / (ideal - d)).min()),
    }[name]()


def random_problem(seed: int, conditions: bool) -> tuple[Preferences, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = 3
    lines = ()
    if conditions:  # party 0 accepts label 1 only if the continuous issue is at most 0.3
        lines = (LinkedLine(0, "only_cheap", 0, (1.0, 1.0), (((2, 0.0, 0.3),),)),)
    prefs = mixed_prefs(
        rng.uniform(0.2, 1.0, (n, 3)),
        rng.uniform(0.0, 1.0, (n, 3)),
        rng.uniform(0.0, 1.0, (n, 1)),
        rng.integers(0, 4, n),
        lines,
    )
    return prefs, rng.uniform(0.1, 0.35, n)


BELOW = {"utilitarian": 1e-12, "nash": 1e-12, "egalitarian": 1e-12, "kalai_smorodinsky": 1e-4}
ABOVE = {"utilitarian": 1e-8, "nash": 1e-8, "egalitarian": 2e-4, "kalai_smorodinsky": 2e-4}


@pytest.mark.parametrize("conditions", [False, True], ids=["plain", "linked red line"])
@pytest.mark.parametrize("seed", range(4))
def test_three_party_points_beat_every_grid_point_and_are_within_its_error(seed, conditions):
    prefs, d = random_problem(seed, conditions)
    brute = brute_force(prefs, d, size=20001)
    points = mixed.mixed_points(prefs, d)
    ideal = None
    for name in ("utilitarian", "nash", "egalitarian", "kalai_smorodinsky"):
        point = points[name]
        assert point is not None, name
        assert prefs.acceptable(point.x[None]).all(), name
        assert np.all(point.u >= d - 1e-12) or name == "utilitarian", name
        if name == "kalai_smorodinsky":
            ideal = _ideal(prefs, d)
        found = score(name, point.u, d, ideal)
        # an optimum is at least as good as every grid point (KS: up to the brute force's
        # own, gridded, ideal point), and the grid (step 5e-5) comes within its error:
        # about 1e-9 for the smooth objectives, the step times a slope for the max-min ones
        assert found >= brute[name] - BELOW[name], name
        assert found <= brute[name] + ABOVE[name], name


def _ideal(prefs: Preferences, d: np.ndarray) -> np.ndarray:
    """A_i = max u_i over the rational outcomes, every combination solved (no pruning)."""
    out = np.full(prefs.n_parties, -np.inf)
    for part in mixed.parts_of(prefs):
        found = ref.ideal_point(part.sub, d - part.offsets, part.start)
        if found is not None:
            out = np.maximum(out, found + part.offsets)
    return out


def test_a_broken_linked_red_line_excludes_its_combination():
    prefs, _ = random_problem(0, conditions=True)
    # label 1 with the continuous issue above 0.3 breaks party 0's condition: the reduced
    # condition keeps only the continuous clause; label 0 lies outside its zone
    inside = mixed.reduced_conditions(prefs, {0: 1.0, 1: 0.0}, np.array([2]))
    outside = mixed.reduced_conditions(prefs, {0: 0.0, 1: 0.0}, np.array([2]))
    assert outside == ()
    assert len(inside) == 1 and inside[0].options == (((0, 0.0, 0.3),),)
    strict = LinkedLine(0, "never", 0, (1.0, 1.0), (((1, 2.0, 3.0),),))  # integer ≥ 2
    prefs_strict = mixed_prefs(
        [[1, 1, 1]] * 2, [[1, 1], [1, 1]], [[0.5], [0.5]], [0, 0], conditions=[strict]
    )
    assert mixed.reduced_conditions(prefs_strict, {0: 1.0, 1: 0.0}, np.array([2])) is None
    assert mixed.reduced_conditions(prefs_strict, {0: 1.0, 1: 2.0}, np.array([2])) == ()


@pytest.mark.parametrize("name", ["textbook_job_offer.yaml", "domains/lease.yaml"])
def test_the_shipped_mixed_domains_use_the_mixed_optimisation(name):
    game = load_game(ROOT / "scenarios" / name)
    assert mixed.applies(game.prefs)
    assert reference_method(game).startswith("optimised on the mixed space")
    points = reference_points(game)
    d = game.reservation(game.status_quo)
    # never worse than the best outcome of the exact efficient set of the gridded domain
    f = game.frontier
    feasible = f.utilities[f.acceptable.all(axis=1)]
    nash = np.array(list(points["nash"]["utilities"].values()))
    gains = feasible[(feasible > d).all(axis=1)] - d
    assert np.log(nash - d).sum() >= np.log(gains).sum(axis=1).max() - 1e-12


@pytest.mark.parametrize("seed", range(3))
def test_branch_and_bound_finds_the_point_of_an_exhaustive_search(seed):
    prefs, d = random_problem(seed, conditions=seed == 1)
    parts = mixed.parts_of(prefs)
    cont = mixed.continuous_issues(prefs)
    for solve, score in [
        (lambda s, dd, x: ref.nash_point(s, dd, x), mixed._nash),
        (lambda s, dd, x: ref.egalitarian_point(s, dd, x), mixed._least_gain),
    ]:
        pruned = mixed._best_of(prefs, parts, cont, d, solve, score)
        each = [mixed._best_of(prefs, [p], cont, d, solve, score) for p in parts]
        scores = [-np.inf if s is None else score(s.u, d) for s in each]
        assert_allclose(pruned.x, each[int(np.argmax(scores))].x, atol=1e-12)


def three_party_scenario() -> dict:
    """Three parties; a discrete issue, an integer one and two continuous quadratic ones;
    party c accepts z = 2 only if the first continuous issue is at most 0.4."""
    a = {"assumption": "test"}
    rng = np.random.default_rng(7)

    def party(pid: str, k: int) -> dict:
        scores = rng.uniform(0, 1, 3).round(3)
        positions = {
            "x": {
                "salience": {"value": 1.0} | a,
                "values": {v: {"value": float(s)} | a for v, s in zip("abc", scores, strict=True)},
            },
            "z": {
                "salience": {"value": 0.5} | a,
                "ideal": {"value": k} | a,
                "loss": "linear",
            },
        }
        for issue in ("p", "q"):
            positions[issue] = {
                "salience": {"value": float(rng.uniform(0.5, 1.5))} | a,
                "ideal": {"value": round(float(rng.uniform(0, 1)), 3)} | a,
            }
        out = {
            "id": pid,
            "name": pid.upper(),
            "role": "principal",
            "strategy": {"name": "linear"},
            "reservation": {"value": 0.3} | a,
            "positions": positions,
        }
        if pid == "c":
            out["conditions"] = [
                {
                    "id": "high_z_needs_low_p",
                    "label": "z = 2 only with p at most 0.4",
                    "when": {"issue": "z", "at_least": 2},
                    "any_of": [
                        {
                            "id": "low_p",
                            "label": "p at most 0.4",
                            "all_of": [{"issue": "p", "at_most": 0.4}],
                        }
                        | a
                    ],
                }
                | a
            ]
        return out

    return {
        "title": "three-party mixed domain",
        "date": "2025-01-01",
        "issues": [
            {"id": "x", "label": "X", "kind": "discrete", "values": ["a", "b", "c"]}
            | {"status_quo": {"value": "a"} | a},
            {"id": "z", "label": "Z", "kind": "integer", "range": [0, 2]}
            | {"status_quo": {"value": 0} | a},
            {"id": "p", "label": "P", "kind": "continuous", "status_quo": {"value": 0.0} | a},
            {"id": "q", "label": "Q", "kind": "continuous", "status_quo": {"value": 0.0} | a},
        ],
        "parties": [party(pid, k) for k, pid in enumerate("abc")],
        "protocol": {"kind": "alternating", "max_rounds": 6, "proposer_order": ["a", "b", "c"]},
    }


def test_a_three_party_mixed_scenario_gets_optimised_points_end_to_end(tmp_path):
    data = three_party_scenario()
    game = check_scenario(parse_scenario(data, "three"), "three")
    assert game.prefs.conditions and reference_method(game).startswith("optimised on the mixed")
    points = reference_points(game)
    d = game.reservation(game.status_quo)
    brute = brute_force(game.prefs, d, size=401)
    for name in ("nash", "egalitarian", "utilitarian"):
        u = np.array(list(points[name]["utilities"].values()))
        found = score(name, u, d, None)
        assert brute[name] - 1e-12 <= found <= brute[name] + 1e-4, name
    path = tmp_path / "three.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "sim", "solve", str(path), "--out", str(tmp_path / "solved")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "optimised on the mixed space" in out.stdout
    saved = json.loads((tmp_path / "solved" / "reference.json").read_text())
    assert_allclose(
        list(saved["points"]["nash"]["utilities"].values()),
        list(points["nash"]["utilities"].values()),
        atol=1e-9,  # written with 12 digits
    )

"""The reference block of every run and ``sim solve``."""

from __future__ import annotations

import json

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sim.cli import main
from sim.jobs.load import check_scenario, load_game
from sim.jobs.reference import reference_points
from sim.jobs.run import run_game
from sim.scenario import parse_scenario
from tests.conftest import BASELINE, DATA

RUBINSTEIN = DATA / "rubinstein_split.yaml"


def test_two_party_linear_reference_points(two_party_dict):
    # u_R = x, u_U = 1 − x, d = (0, 0): Nash = KS = egalitarian = (0.5, 0.5).
    for party in two_party_dict["parties"]:
        party["capability"] = {
            "value": 1.0 if party["id"] == "russia" else 3.0,
            "assumption": "test",
        }
        party["bargaining_power"] = {
            "value": 3.0 if party["id"] == "russia" else 1.0,
            "assumption": "test",
        }
    game = check_scenario(parse_scenario(two_party_dict, "t"), "t")
    pts = reference_points(game)
    for key in ("nash", "kalai_smorodinsky", "egalitarian"):
        assert_allclose(pts[key]["terms"]["territory"], 0.5, atol=1e-12)
    # weighted Nash with powers 3:1 on u_R = x: x = 3/4 (Kalai 1977)
    assert_allclose(pts["weighted_nash"]["terms"]["territory"], 0.75, atol=1e-12)
    # forecast: weights 1 (Russia at 1) and 3 (Ukraine at 0): median 0, mean 0.25
    assert_allclose(pts["forecast_median"]["terms"]["territory"], 0.0)
    assert_allclose(pts["forecast_mean"]["terms"]["territory"], 0.25)


def test_rubinstein_reference_matches_spe():
    pts = reference_points(load_game(RUBINSTEIN))
    assert_allclose(pts["rubinstein"]["terms"]["pie"], 0.2 / 0.28, atol=1e-9)


def test_summary_reference_block_of_the_baseline():
    game = load_game(BASELINE)
    result = run_game(game)
    ref = result.summary()["reference"]
    for key in ("nash", "kalai_smorodinsky", "utilitarian", "egalitarian", "forecast_median"):
        assert set(ref[key]["utilities"]) == set(game.party_ids)
    for key in ("nash", "kalai_smorodinsky", "egalitarian"):  # individually rational
        for pid, u in ref[key]["utilities"].items():
            assert u > ref["disagreement"][pid] - 1e-9
    out = ref["outcome"]
    u = game.prefs.utilities(result.negotiation.final_outcome())[0]
    nash = np.array(list(ref["nash"]["utilities"].values()))
    assert_allclose(out["distance"]["nash"], np.linalg.norm(u - nash), atol=1e-12)
    if not out["pareto_efficient"]:
        dom = np.array(list(out["dominated_by"]["utilities"].values()))
        assert np.all(dom >= u - 1e-9) and np.any(dom > u + 1e-9)
    assert out["individually_rational"] == all(out["rational_by_party"].values())


@pytest.mark.slow
def test_solve_cli_prints_and_writes(in_tmp, capsys):
    assert main(["solve", str(BASELINE), "--out", "s"]) == 0
    text = capsys.readouterr().out
    assert "nash" in text and "kalai_smorodinsky" in text and "forecast_median" in text
    data = json.loads((in_tmp / "s" / "reference.json").read_text())
    assert set(data["points"]) >= {"nash", "kalai_smorodinsky", "utilitarian", "forecast_mean"}
    assert not (in_tmp / "results").exists()

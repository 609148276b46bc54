"""The backtest: scores by hand, the record kept out of the game, fitting that cannot peek."""

from __future__ import annotations

import copy
import datetime as dt
import json
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sim.cli import main
from sim.jobs.backtest_fit import rolling_fits
from sim.jobs.backtest_forecast import Plan, load_episodes, model_forecast, score_table
from sim.jobs.load import load_game
from sim.jobs.run import run_game
from sim.scenario import InputError, load_scenario
from sim.scenario.record import load_episode
from sim.theory import scores
from tests.conftest import SCENARIOS, TWO_PARTY, load_dict, write_yaml

HISTORY = SCENARIOS / "history"


def test_brier_and_log_scores_by_hand():
    p, o = np.array([0.9, 0.2, 0.5]), np.array([1, 0, 1])
    assert scores.brier(p, o) == pytest.approx((0.01 + 0.04 + 0.25) / 3)
    assert scores.log_loss(p, o) == pytest.approx(
        -(math.log(0.9) + math.log(0.8) + math.log(0.5)) / 3
    )
    # certainty that turns out wrong is clipped to epsilon = 0.01
    assert scores.log_loss(np.array([0.0]), np.array([1])) == pytest.approx(-math.log(0.01))
    assert scores.skill(0.1, 0.4) == pytest.approx(0.75)


def test_score_table_on_synthetic_rows_by_hand():
    rows = [
        {
            "outcome": 1,
            "model": 0.8,
            "persistence": 0.0,
            "weighted_median": 1.0,
            "weighted_mean": 0.0,
        },
        {
            "outcome": 0,
            "model": 0.4,
            "persistence": 0.0,
            "weighted_median": 1.0,
            "weighted_mean": 0.0,
        },
    ]
    s = score_table(rows)["scores"]
    assert s["brier"]["model"]["score"] == pytest.approx((0.04 + 0.16) / 2)
    assert s["brier"]["persistence"]["score"] == pytest.approx(0.5)
    assert s["brier"]["weighted_median"]["score"] == pytest.approx(0.5)
    assert s["brier"]["skill_vs_persistence"]["score"] == pytest.approx(1 - 0.1 / 0.5)
    log_model = -(math.log(0.8) + math.log(0.6)) / 2
    log_persistence = -(math.log(0.01) + math.log(0.99)) / 2
    assert s["log"]["model"]["score"] == pytest.approx(log_model)
    assert s["log"]["persistence"]["score"] == pytest.approx(log_persistence)
    lo, hi = s["brier"]["model"]["ci95"]
    assert 0.0 <= lo <= 0.1 <= hi <= 0.16 + 1e-12


def episode(tmp_path, name, origin, items, extra=None):
    """The two-party test scenario (linear strategies: agreement in round 5, x = 0.5) as an
    episode starting at ``origin`` with a record."""
    data = copy.deepcopy(load_dict(TWO_PARTY))
    data["date"] = origin.isoformat()
    data["title"] = name
    data |= extra or {}
    data["record"] = items
    return write_yaml(tmp_path / f"{name}.yaml", data)


def item(id_, by, agreed, held=None):
    return {
        "id": id_,
        "label": id_,
        "observable": {"kind": "agreement"},
        "by": by.isoformat(),
        "agreed": agreed,
        "held_30_days": held,
        "source": {"quote": "test", "where": "test", "date": by.isoformat()},
    }


def test_a_synthetic_folder_scores_as_computed_by_hand(tmp_path, capsys):
    # Rounds are 14 days; the agreement comes in round 5 (days 56-69). Item a: agreed by
    # day 56 (round 5), held 30 days -> events agreed = 1, held = 1; the model gives 1, 1.
    # Item b: by day 42 (round 4) -> not yet: events 0, 0; the model gives 0, 0.
    # Persistence says 0 everywhere: Brier (1 + 1 + 0 + 0)/4 = 0.5. The weighted median
    # (equal weights: x = 0.5, acceptable to both) forecasts an agreement for both items:
    # Brier (0 + 0 + 1 + 1)/4 = 0.5. The model: Brier 0.
    start = dt.date(2025, 1, 6)
    folder = tmp_path / "episodes"
    folder.mkdir()
    episode(
        folder,
        "e",
        start,
        [
            item("a", start + dt.timedelta(56), True, True),
            item("b", start + dt.timedelta(42), False),
        ],
    )
    out = tmp_path / "bt"
    assert (
        main(
            [
                "backtest",
                str(folder),
                "--out",
                str(out),
                "--workers",
                "1",
                "--samples",
                "2",
                "--replications",
                "1",
            ]
        )
        == 0
    )
    s = json.loads((out / "scores.json").read_text())
    assert s["events"] == 4
    assert s["scores"]["brier"]["model"]["score"] == pytest.approx(0.0)
    assert s["scores"]["brier"]["persistence"]["score"] == pytest.approx(0.5)
    assert s["scores"]["brier"]["weighted_median"]["score"] == pytest.approx(0.5)
    assert s["scores"]["log"]["model"]["score"] == pytest.approx(-math.log(0.99))
    assert {p.name for p in (out / "plots").iterdir()} == {
        "forecasts.png",
        "reliability.png",
        "scores.png",
    }
    assert "model" in capsys.readouterr().out
    assert main(["report", str(out)]) == 0
    page = (out / "report.html").read_text()
    assert "Brier score" in page and "Forecasts against the record" in page


def test_the_record_is_never_an_input(tmp_path):
    # An episode plays exactly as its scenario without the record, and flipping every
    # recorded outcome changes no forecast.
    scenario, record = load_episode(HISTORY / "istanbul_2025_05_16_round1.yaml")
    assert record and not hasattr(scenario, "record")
    data = load_dict(HISTORY / "istanbul_2025_05_16_round1.yaml")
    without = write_yaml(
        tmp_path / "no_record.yaml", {k: v for k, v in data.items() if k != "record"}
    )
    a = run_game(load_game(HISTORY / "istanbul_2025_05_16_round1.yaml"), seed=3)
    b = run_game(load_game(without), seed=3)
    assert repr(a.round_rows()) == repr(b.round_rows())
    flipped = copy.deepcopy(data)
    for it in flipped["record"]:
        it["agreed"] = not it["agreed"]
        it["held_30_days"] = None
    folder = tmp_path / "flipped"
    folder.mkdir()
    write_yaml(folder / "e.yaml", flipped)
    original = load_episodes(HISTORY)
    ep = next(e for e in original if e.id == "istanbul_2025_05_16_round1")
    [ep_flipped] = load_episodes(folder)
    p1, _ = model_forecast(ep, Plan(4, 1, 1))
    p2, _ = model_forecast(ep_flipped, Plan(4, 1, 1))
    assert_allclose(p1, p2)


def test_fitting_never_uses_a_later_episode(tmp_path):
    # Three episodes, Russia's fighting cost fitted (declared range [0, 0.5]); the fit of
    # each episode uses only the earlier ones, so changing the last record changes no fit.
    start = dt.date(2025, 1, 6)
    folder = tmp_path / "eps"
    folder.mkdir()

    def make(last_agreed: bool) -> list:
        for k, agreed in enumerate((True, False, last_agreed)):
            origin = start + dt.timedelta(100 * k)
            data = copy.deepcopy(load_dict(TWO_PARTY))
            data["parties"][0]["fighting_cost"]["range"] = [0.0, 0.5]
            episode(
                folder,
                f"e{k}",
                origin,
                [item("a", origin + dt.timedelta(56), agreed)],
                {"parties": data["parties"]},
            )
        return rolling_fits(load_episodes(folder), ["parties.russia.fighting_cost"], Plan(2, 1, 1))

    fits = make(True)
    assert fits[0] is None
    assert fits[1]["fitted_on"] == ["e0"] and fits[2]["fitted_on"] == ["e0", "e1"]
    changed = make(False)
    assert fits[:3] == changed[:3]  # no episode's fit sees the last record
    assert fits[3]["fitted_on"] == ["e0", "e1", "e2"]  # only the fit for later episodes


def test_a_fact_from_the_future_is_refused_with_its_path(tmp_path):
    data = load_dict(HISTORY / "istanbul_2025_05_16_round1.yaml")
    source = data["parties"][0]["positions"]["ceasefire"]["ideal"]["source"]
    source["date"] = "2025-06-02"
    with pytest.raises(InputError) as err:
        load_scenario(write_yaml(tmp_path / "leak.yaml", data))
    assert "parties.russia.positions.ceasefire.ideal.source.date" in str(err.value)
    assert "a fact from the future" in str(err.value)


def test_every_shipped_episode_loads_with_its_record():
    episodes = load_episodes(HISTORY)
    assert len(episodes) >= 6
    origins = [e.scenario.origin for e in episodes]
    assert origins == sorted(origins)
    for e in episodes:
        assert all(it.by >= e.scenario.origin for it in e.record)


def test_a_frozen_parameters_file_is_applied_and_named(tmp_path):
    frozen = SCENARIOS / "fits" / "fitted_on_history.yaml"
    out = tmp_path / "bt"
    assert (
        main(
            [
                "backtest",
                str(HISTORY),
                "--out",
                str(out),
                "--workers",
                "1",
                "--samples",
                "2",
                "--replications",
                "1",
                "--params",
                str(frozen),
                "--no-plots",
            ]
        )
        == 0
    )
    s = json.loads((out / "scores.json").read_text())
    for ep in s["episodes"]:
        assert ep["parameters_file"] == str(frozen) and len(ep["parameters_sha256"]) == 64
        assert ep["fitted_values"]["parties.russia.strategy.params.aspiration"] == 0.8


def test_a_bad_record_names_the_field(tmp_path):
    data = load_dict(HISTORY / "istanbul_2025_05_16_round1.yaml")
    data["record"][0]["by"] = "2025-13-01"
    data["record"][1]["observable"] = {"kind": "exchange"}
    data["record"][1]["by"] = "2025-05-01"
    with pytest.raises(InputError) as err:
        load_episode(write_yaml(tmp_path / "bad.yaml", data))
    text = str(err.value)
    assert "record[0].by" in text and "record[1].observable" in text
    data["record"][0]["by"] = "2025-05-16"
    data["record"][1]["observable"] = {"kind": "ceasefire"}
    with pytest.raises(InputError) as err:
        load_episode(write_yaml(tmp_path / "bad.yaml", data))
    assert "record[1].by" in str(err.value) and "before the forecast origin" in str(err.value)

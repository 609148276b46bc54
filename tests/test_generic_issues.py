"""Discrete (GENIUS-style) and integer issues: utilities and red lines by hand."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sim.jobs.load import load_game
from sim.jobs.run import run_game
from tests.conftest import SCENARIOS

JOB = SCENARIOS / "textbook_job_offer.yaml"


@pytest.fixture(scope="module")
def job():
    return load_game(JOB)


def test_job_offer_utilities_by_hand(job):
    # outcome: salary 50, role "regular" (index 1), remote 2, start "july" (1), bonus 0.5
    x = np.array([50, 1, 2, 1, 0.5])
    # employer: 0.40 (1 − |50 − 40|/20) + 0.15·0.7 + 0.15 (1 − (1/5)²) + 0.20·0.8
    #           + 0.10 (1 − 0.5) = 0.2 + 0.105 + 0.144 + 0.16 + 0.05 = 0.659
    # candidate: 0.35 (1 − 10/20) + 0.20·0.6 + 0.25 (1 − (1/5)²) + 0.10·0.6 + 0.10·0.5
    #           = 0.175 + 0.12 + 0.24 + 0.06 + 0.05 = 0.645
    assert_allclose(job.prefs.utilities(x)[0], [0.659, 0.645], atol=1e-12)


def test_discrete_and_integer_red_lines(job):
    ok = job.prefs.acceptable(
        np.array([[50, 1, 2, 2, 0.5], [44, 1, 2, 1, 0.5], [45, 1, 2, 1, 0.5]])
    )
    # employer refuses a September start; candidate refuses a salary below 45
    assert ok.tolist() == [[False, True], [True, False], [True, True]]


def test_frontier_values_are_whole_numbers_and_labels(job):
    x = job.frontier.outcomes
    assert np.all(x[:, 0] == np.round(x[:, 0])) and np.all(x[:, 2] == np.round(x[:, 2]))
    assert set(np.unique(x[:, 1])) <= {0.0, 1.0, 2.0}
    assert set(np.unique(x[:, 3])) <= {0.0, 1.0, 2.0}


def test_job_offer_run_reports_labels(job):
    s = run_game(job).summary()
    assert s["outcome"] == "agreement"
    assert s["terms"]["role"] in {"junior", "regular", "senior"}
    assert s["terms"]["start"] in {"june", "july"}  # september is the employer's red line
    assert s["terms"]["salary"] >= 45  # the candidate's red line
    assert float(s["terms"]["salary"]).is_integer()

"""Loading sweep files: the shipped examples load; bad files give InputError with field paths."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from sim.scenario import InputError
from sim.sweep import count_runs, load_sweep, normalisation_notes

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "istanbul_2025_06_02.yaml"
TWO_PARTY = ROOT / "tests" / "data" / "two_party_one_issue.yaml"
EXAMPLES = sorted((ROOT / "tests" / "data" / "sweeps").glob("*.yaml"))


def write_sweep(folder: Path, body: str, base: Path | str = BASELINE) -> Path:
    """A sweep file whose header names ``base``; ``body`` holds design and parameters."""
    text = f"title: test sweep\nbase: {base}\n" + textwrap.dedent(body)
    path = folder / "sweep.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        load_sweep(path)
    assert info.value.file == str(path)
    return info.value


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_shipped_examples_load(example):
    spec = load_sweep(example)
    assert spec.base == BASELINE.resolve()
    assert count_runs(spec) > 0


def test_examples_cover_every_design():
    designs = {yaml.safe_load(p.read_text())["design"] for p in EXAMPLES}
    assert designs == {"grid", "random", "lhs", "sobol"}


def test_base_is_relative_to_the_sweep_file(tmp_path):
    shutil.copy(BASELINE, tmp_path / "base.yaml")
    (tmp_path / "sweeps").mkdir()
    body = """\
        design: grid
        parameters:
          - path: protocol.max_rounds
            values: [6, 12]
    """
    spec = load_sweep(write_sweep(tmp_path / "sweeps", body, base="../base.yaml"))
    assert spec.base == (tmp_path / "base.yaml").resolve()
    assert spec.replications == 1
    assert spec.seed == 0


GRID = "design: grid\nparameters:\n"
LHS = "design: lhs\nsamples: 8\nparameters:\n"

BAD = {
    "unknown path": (
        GRID + "  - path: parties.russia.positions.territory.salince\n    values: [1]\n",
        "parameters[0].path",
        "no key 'salince'; keys: ideal, salience, loss",
    ),
    "unknown party": (
        GRID + "  - path: parties.belarus.fighting_cost\n    values: [0.1]\n",
        "parameters[0].path",
        "no party with id 'belarus'; ids: russia, ukraine",
    ),
    "list index out of range": (
        GRID + "  - path: parties.7.fighting_cost\n    values: [0.1]\n",
        "parameters[0].path",
        "parties.7: list has 4 items",
    ),
    "not a number": (
        GRID + "  - path: issues.territory.label\n    values: [0.1]\n",
        "parameters[0].path",
        "not a number",
    ),
    "empty values": (
        GRID + "  - path: protocol.max_rounds\n    values: []\n",
        "parameters[0].values",
        "empty list",
    ),
    "repeated grid values": (
        GRID + "  - path: protocol.max_rounds\n    values: [6, 12, 6]\n",
        "parameters[0].values",
        "repeated value(s) 6",
    ),
    "negative replications": (
        "replications: -3\n" + GRID + "  - path: protocol.max_rounds\n    values: [6]\n",
        "replications",
        "greater than or equal to 1",
    ),
    "negative seed": (
        "seed: -1\n" + GRID + "  - path: protocol.max_rounds\n    values: [6]\n",
        "seed",
        "greater than or equal to 0",
    ),
    "distribution in a grid": (
        GRID + "  - path: parties.russia.fighting_cost\n"
        "    distribution: {kind: uniform, low: 0, high: 0.2}\n",
        "parameters[0].distribution",
        "grid design needs a finite set of values",
    ),
    "start > stop": (
        GRID + "  - path: parties.russia.fighting_cost\n"
        "    linear: {start: 0.3, stop: 0.1, num: 3}\n",
        "parameters[0].linear",
        "start (0.3) is greater than stop (0.1)",
    ),
    "num < 1": (
        GRID + "  - path: parties.russia.fighting_cost\n    linear: {start: 0, stop: 1, num: 0}\n",
        "parameters[0].linear.num",
        "greater than or equal to 1",
    ),
    "num missing in a grid": (
        GRID + "  - path: parties.russia.fighting_cost\n    linear: {start: 0, stop: 0.3}\n",
        "parameters[0].linear.num",
        "required for a grid design",
    ),
    "num in an lhs": (
        LHS + "  - path: parties.russia.fighting_cost\n    log: {start: 0.01, stop: 0.3, num: 4}\n",
        "parameters[0].log.num",
        "'num' is for grid designs only",
    ),
    "log start <= 0": (
        GRID + "  - path: parties.russia.fighting_cost\n    log: {start: 0, stop: 0.3, num: 3}\n",
        "parameters[0].log",
        "a log range needs start > 0",
    ),
    "values in an lhs": (
        LHS + "  - path: parties.russia.fighting_cost\n    values: [0.1, 0.2]\n",
        "parameters[0].values",
        "lhs design samples continuous ranges",
    ),
    "missing samples": (
        "design: lhs\nparameters:\n"
        "  - path: protocol.max_rounds\n    linear: {start: 6, stop: 9}\n",
        "samples",
        "required for a lhs design",
    ),
    "samples in a grid": (
        "samples: 10\n" + GRID + "  - path: protocol.max_rounds\n    values: [6]\n",
        "samples",
        "a grid design takes no 'samples'",
    ),
    "sobol samples not a power of 2": (
        "design: sobol\nsamples: 100\nparameters:\n"
        "  - path: protocol.max_rounds\n    linear: {start: 6, stop: 9}\n",
        "samples",
        "must be a power of 2 for a sobol design (Saltelli's base sample N, giving N·(D+2) "
        "points), e.g. 64 or 128; got 100",
    ),
    "duplicate paths": (
        GRID + "  - path: protocol.max_rounds\n    values: [6]\n"
        "  - path: protocol.max_rounds\n    values: [9]\n",
        "parameters[1].path",
        "duplicate path 'protocol.max_rounds' (also parameters[0])",
    ),
    "two sources": (
        GRID + "  - path: protocol.max_rounds\n    values: [6]\n"
        "    linear: {start: 1, stop: 2, num: 2}\n",
        "parameters[0]",
        "give exactly one of 'values', 'linear', 'log' or 'distribution' (got values, linear)",
    ),
    "normal without sd": (
        LHS + "  - path: parties.russia.fighting_cost\n    distribution: {kind: normal, mean: 0}\n",
        "parameters[0].distribution",
        "a normal distribution needs 'sd'",
    ),
    "triangular mode outside": (
        LHS + "  - path: parties.russia.fighting_cost\n"
        "    distribution: {kind: triangular, low: 0, mode: 2, high: 1}\n",
        "parameters[0].distribution",
        "mode (2) must lie in [low, high]",
    ),
    "unknown key": (
        GRID + "  - path: protocol.max_rounds\n    values: [6]\n    step: 2\n",
        "parameters[0].step",
        "unknown key (not part of the sweep format)",
    ),
    "negative salience": (
        GRID + "  - path: parties.russia.positions.territory.salience\n    values: [-1, 1]\n",
        "parameters[0]",
        "at its lowest value -1 the base scenario is invalid: "
        "parties[0].positions.territory.salience.value",
    ),
    "zero rounds": (
        GRID + "  - path: protocol.max_rounds\n    linear: {start: 0, stop: 12, num: 3}\n",
        "parameters[0]",
        "at its lowest value 0 the base scenario is invalid: protocol.max_rounds",
    ),
    "unclipped normal beyond [0, 1]": (
        LHS + "  - path: parties.ukraine.positions.territory.ideal\n"
        "    distribution: {kind: normal, mean: 0.5, sd: 0.1}\n",
        "parameters[0]",
        "at its lowest value -0.1 the base scenario is invalid: "
        "parties[1].positions.territory.ideal.value: -0.1 is outside [0, 1] "
        "(a normal reaches mean ± 6 sd unless clipped: give 'low' and 'high')",
    ),
    "invalid strategy parameter": (
        LHS + "  - path: parties.russia.strategy.params.aspiration\n"
        "    linear: {start: 0.5, stop: 4}\n",
        "parameters[0]",
        "at its highest value 4 the base scenario is invalid: "
        "parties[0].strategy.params.aspiration",
    ),
    "rounds to repeated integers": (
        GRID + "  - path: protocol.max_rounds\n    linear: {start: 6, stop: 7, num: 4}\n",
        "parameters[0]",
        "round to repeated integers [6, 6, 7, 7]",
    ),
    "sweeping the scenario seed": (
        GRID + "  - path: seed\n    values: [1, 2]\n",
        "parameters[0].path",
        "set per run from the sweep's 'seed'",
    ),
}


@pytest.mark.parametrize(("body", "where", "message"), BAD.values(), ids=BAD.keys())
def test_bad_sweep_files(tmp_path, body, where, message):
    error = load_error(write_sweep(tmp_path, body))
    found = [p for p in error.problems if p.path == where]
    assert found, f"no problem at {where}: {error}"
    assert any(message in p.message for p in found), str(error)
    assert f"{where}: " in str(error)


def test_all_bad_parameters_are_reported_together(tmp_path):
    body = GRID + (
        "  - path: parties.belarus.fighting_cost\n    values: [0.1]\n"
        "  - path: protocol.max_rounds\n    values: [0, 12]\n"
    )
    error = load_error(write_sweep(tmp_path, body))
    assert [p.path for p in error.problems] == ["parameters[0].path", "parameters[1]"]


def test_missing_title_and_unknown_top_level_key(tmp_path):
    path = tmp_path / "sweep.yaml"
    path.write_text(
        f"base: {BASELINE}\ndesign: grid\nrepetitions: 3\n"
        "parameters:\n  - path: protocol.max_rounds\n    values: [6]\n",
        encoding="utf-8",
    )
    error = load_error(path)
    assert {p.path: p.message for p in error.problems} == {
        "title": "required field is missing",
        "repetitions": "unknown key (not part of the sweep format); did you mean 'replications'?",
    }


def test_missing_base_scenario(tmp_path):
    body = GRID + "  - path: protocol.max_rounds\n    values: [6]\n"
    error = load_error(write_sweep(tmp_path, body, base="nowhere.yaml"))
    assert error.problems[0].path == "base"
    assert "base scenario not found" in error.problems[0].message
    assert str(tmp_path / "nowhere.yaml") in error.problems[0].message


def test_invalid_base_scenario(tmp_path):
    (tmp_path / "bad.yaml").write_text("title: x\n", encoding="utf-8")
    body = GRID + "  - path: protocol.max_rounds\n    values: [6]\n"
    error = load_error(write_sweep(tmp_path, body, base="bad.yaml"))
    assert all(p.path == "base" for p in error.problems)
    assert "is invalid: date: required field is missing" in str(error)


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "sweep.yaml"
    path.write_text("title: x\nparameters: [\n", encoding="utf-8")
    error = load_error(path)
    assert error.problems[0].path.startswith("line ")


def test_strict_salience_normalisation_forbids_salience_sweeps(tmp_path):
    base = yaml.safe_load(TWO_PARTY.read_text(encoding="utf-8"))
    base["salience_normalisation"] = "strict"
    (tmp_path / "strict.yaml").write_text(yaml.safe_dump(base), encoding="utf-8")
    body = GRID + "  - path: parties.russia.positions.territory.salience\n    values: [1.0]\n"
    error = load_error(write_sweep(tmp_path, body, base="strict.yaml"))
    assert error.problems[0].path == "parameters[0].path"
    assert "salience_normalisation: strict" in error.problems[0].message
    # the same sweep of a non-salience number is fine
    ok = GRID + "  - path: parties.russia.fighting_cost\n    values: [0.1, 0.4]\n"
    load_sweep(write_sweep(tmp_path, ok, base="strict.yaml"))


def test_normalisation_notes_name_each_swept_salience(tmp_path):
    body = GRID + (
        "  - path: parties.russia.positions.territory.salience\n    values: [0.5, 1.5]\n"
        "  - path: parties.ukraine.positions.sanctions.salience.value\n    values: [0.5]\n"
        "  - path: parties.ukraine.positions.sanctions.ideal\n    values: [0.1]\n"
    )
    notes = normalisation_notes(load_sweep(write_sweep(tmp_path, body)))
    assert len(notes) == 2
    assert notes[0].startswith("parties.russia.positions.territory.salience:")
    assert "russia's saliences by their sum" in notes[0]
    assert "ukraine's other issues" in notes[1]


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ({"replications": 1_000_000_000}, "less than or equal to 1000000"),
        (
            {
                "parameters": [
                    {"path": "war.trend", "linear": {"start": 0, "stop": 0.01, "num": 100_000}},
                    {
                        "path": "war.volatility",
                        "linear": {"start": 0, "stop": 0.01, "num": 100_000},
                    },
                ]
            },
            "parameters: 10,000,000,000 design points: at most 10,000,000",
        ),
        (
            {
                "design": "random",
                "samples": 1000,
                "replications": 1_000_000,
                "parameters": [
                    {"path": "war.trend", "distribution": {"kind": "uniform", "low": 0, "high": 1}}
                ],
            },
            "replications: 1,000 points x 1,000,000 replications = 1,000,000,000 runs: "
            "at most 100,000,000 are allowed in one sweep",
        ),
        (
            {
                "design": "lhs",
                "samples": 2_000_000,
                "parameters": [
                    {"path": p, "linear": {"start": 0, "stop": 0.01}}
                    for p in ("war.trend", "war.volatility", "parties.russia.fighting_cost")
                ],
            },
            "samples: 2,000,000 design points x 3 parameters = 6,000,000 values: "
            "at most 5,000,000 are held in memory",
        ),
    ],
)
def test_oversized_sweeps_are_refused(tmp_path, extra, fragment):
    from sim.sweep import load_sweep
    from tests.conftest import BASELINE, write_yaml

    data = {
        "title": "t",
        "base": str(BASELINE),
        "design": "grid",
        "seed": 1,
        "parameters": [],
    } | extra
    with pytest.raises(InputError) as err:
        load_sweep(write_yaml(tmp_path / "big.yaml", data))
    assert fragment in str(err.value)

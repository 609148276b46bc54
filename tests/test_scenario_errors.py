"""Bad scenario files: one clear message naming file, field and expectation; exit code 2;
no traceback; nothing written to results/."""

from __future__ import annotations

import pytest

from sim.cli import main
from tests.conftest import BASELINE, write_yaml


def run_cli(args, capsys):
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def _set(data, path, value):
    *head, last = path
    for key in head:
        data = data[key]
    data[last] = value


BROKEN = [
    # (id, path into the YAML data, new value, expected fragments of the message)
    (
        "red_line_that_excludes_nothing",
        ["parties", 1, "positions", "territory", "red_line", "value"],
        1.0,
        ["parties[1].positions.territory.red_line.value", "excludes nothing"],
    ),
    (
        "value_outside_its_declared_range",
        ["parties", 0, "fighting_cost"],
        {"value": 0.3, "assumption": "test", "range": [0.05, 0.15]},
        ["parties[0].fighting_cost", "outside its declared range [0.05, 0.15]"],
    ),
    (
        "range_on_a_reported_number",
        ["war", "trend"],
        {
            "value": 0.004,
            "source": {"quote": "q", "where": "w", "date": "2025-06-01"},
            "range": [0, 0.01],
        },
        ["war.trend", "'range' belongs to an assumption"],
    ),
    (
        "bare_number_in_a_ceasefire_scenario",
        ["war", "horizon"],
        6,
        ["war.horizon", "gives every number its provenance"],
    ),
    (
        "time_dependent_strategy_without_reason",
        ["parties", 0, "strategy"],
        {"name": "boulware", "params": {"exponent": {"value": 3, "assumption": "test"}}},
        ["parties[0].strategy.reason", "nobody at a ceasefire table knows"],
    ),
    (
        "source_without_date",
        ["war", "trend", "source"],
        {"quote": "q", "where": "w"},
        ["war.trend.source.date", "required field is missing"],
    ),
    (
        "condition_on_unknown_issue",
        ["parties", 0, "conditions", 0, "any_of", 0, "all_of", 0, "issue"],
        "crimea",
        ["parties[0].conditions[0].any_of[0].all_of[0].issue", "unknown issue 'crimea'"],
    ),
    (
        "out_of_range_ideal",
        ["parties", 0, "positions", "territory", "ideal", "value"],
        1.5,
        ["parties[0].positions.territory.ideal.value", "1.5 is outside [0, 1]"],
    ),
    (
        "negative_salience",
        ["parties", 1, "positions", "ceasefire", "salience", "value"],
        -0.2,
        ["parties[1].positions.ceasefire.salience.value", "greater than or equal to 0"],
    ),
    ("wrong_type", ["protocol", "max_rounds"], "many", ["protocol.max_rounds", "valid integer"]),
    ("unknown_key", ["protocol", "speed"], 3, ["protocol.speed", "unknown key"]),
    (
        "unknown_strategy",
        ["parties", 0, "strategy", "name"],
        "nuclear_option",
        [
            "parties[0].strategy.name",
            "unknown strategy 'nuclear_option'",
            "boulware",
            "tit_for_tat",
        ],
    ),
    (
        "bad_strategy_param",
        ["parties", 0, "strategy", "params"],
        {"aspiration": {"value": 1.5, "assumption": "test"}},
        ["parties[0].strategy.params.aspiration", "less than or equal to 1"],
    ),
    (
        "unknown_opponent",
        ["parties", 1, "strategy", "params", "opponent"],
        "belarus",
        ["parties[1].strategy.params.opponent", "unknown party 'belarus'"],
    ),
    (
        "bare_number",
        ["parties", 0, "positions", "territory", "salience"],
        0.9,
        ["parties[0].positions.territory.salience", "no provenance"],
    ),
    (
        "two_provenances",
        ["issues", 0, "status_quo", "assumption"],
        "also a guess",
        ["issues[0].status_quo", "exactly one of 'source'"],
    ),
    (
        "status_quo_out_of_range",
        ["issues", 1, "status_quo", "value"],
        2.0,
        ["issues[1]", "status_quo.value must be a number in [0, 1]"],
    ),
    (
        "unknown_consent_party",
        ["issues", 3, "consent"],
        ["china"],
        ["issues[3].consent[0]", "unknown party 'china'"],
    ),
    (
        "unknown_proposer",
        ["protocol", "proposer_order"],
        ["ukraine", "turkey"],
        ["protocol.proposer_order[1]", "unknown party 'turkey'"],
    ),
    (
        "zero_rounds",
        ["protocol", "max_rounds"],
        0,
        ["protocol.max_rounds", "greater than or equal to 1"],
    ),
]


@pytest.mark.parametrize(("case", "path", "value", "fragments"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_scenario_is_reported(in_tmp, baseline_dict, capsys, case, path, value, fragments):
    _set(baseline_dict, path, value)
    bad = write_yaml(in_tmp / f"{case}.yaml", baseline_dict)
    for command in (["validate", str(bad)], ["run", str(bad)]):
        code, _out, err = run_cli(command, capsys)
        assert code == 2
        assert f"{case}.yaml" in err
        for fragment in fragments:
            assert fragment in err, (fragment, err)
        assert "Traceback" not in err
    assert not (in_tmp / "results").exists()


def test_unknown_issue_in_positions(in_tmp, baseline_dict, capsys):
    pos = baseline_dict["parties"][2]["positions"]
    pos["crimea"] = pos["territory"]
    code, _, err = run_cli(["run", str(write_yaml(in_tmp / "s.yaml", baseline_dict))], capsys)
    assert code == 2
    assert "parties[2].positions.crimea: unknown issue 'crimea'" in err
    assert not (in_tmp / "results").exists()


def test_missing_position(in_tmp, baseline_dict, capsys):
    del baseline_dict["parties"][0]["positions"]["language"]
    code, _, err = run_cli(["validate", str(write_yaml(in_tmp / "s.yaml", baseline_dict))], capsys)
    assert code == 2 and "parties[0].positions: no position on issue(s) language" in err


def test_no_principal(in_tmp, baseline_dict, capsys):
    for party in baseline_dict["parties"]:
        party["role"] = "third_party"
    code, _, err = run_cli(["run", str(write_yaml(in_tmp / "s.yaml", baseline_dict))], capsys)
    assert code == 2 and "no party has role 'principal'" in err and "parties" in err


def test_strict_saliences_must_sum_to_one(in_tmp, baseline_dict, capsys):
    baseline_dict["salience_normalisation"] = "strict"
    code, _, err = run_cli(["validate", str(write_yaml(in_tmp / "s.yaml", baseline_dict))], capsys)
    assert code == 2
    assert "parties[0].positions: saliences sum to 6.5, expected 1" in err


def test_normalised_saliences_are_reported(capsys):
    code, out, _ = run_cli(["validate", str(BASELINE)], capsys)
    assert code == 0
    assert "saliences of russia summed to 6.5; normalised to sum to 1" in out


def test_yaml_syntax_error_names_line(in_tmp, capsys):
    bad = in_tmp / "broken.yaml"
    bad.write_text(BASELINE.read_text(encoding="utf-8").replace("seed: 20250602", "seed: [1,"))
    code, _, err = run_cli(["run", str(bad)], capsys)
    assert code == 2 and "broken.yaml" in err and "YAML syntax error" in err and "line " in err
    assert not (in_tmp / "results").exists()


def test_duplicate_key_is_an_error(in_tmp, capsys):
    bad = in_tmp / "dup.yaml"
    bad.write_text(
        BASELINE.read_text(encoding="utf-8").replace("seed: 20250602", "seed: 20250602\nseed: 1")
    )
    code, _, err = run_cli(["validate", str(bad)], capsys)
    assert code == 2 and "appears twice" in err and "line " in err


def test_missing_file(in_tmp, capsys):
    code, _, err = run_cli(["run", "no/such/file.yaml"], capsys)
    assert code == 2 and "no/such/file.yaml: file not found" in err
    assert not (in_tmp / "results").exists()


def test_top_level_must_be_mapping(in_tmp, capsys):
    bad = in_tmp / "list.yaml"
    bad.write_text("- 1\n- 2\n")
    code, _, err = run_cli(["validate", str(bad)], capsys)
    assert code == 2 and "top level" in err


def test_bad_cli_values(in_tmp, capsys):
    code, _, err = run_cli(["run", str(BASELINE), "--rounds", "0"], capsys)
    assert code == 2 and "--rounds" in err and "must be in 1..10,000, got 0" in err
    code, _, err = run_cli(["run", str(BASELINE), "--rounds", "10001"], capsys)
    assert code == 2 and "must be in 1..10,000, got 10001" in err and "Traceback" not in err
    assert not (in_tmp / "results").exists()

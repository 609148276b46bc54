"""Dotted paths into the raw baseline scenario: get, set, provenance, integers, errors."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from sim.scenario import parse_scenario, read_yaml
from sim.scenario.paths import (
    SWEPT,
    get_value,
    is_salience_path,
    readable_name,
    resolve_path,
    set_value,
)

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "istanbul_2025_06_02.yaml"


@pytest.fixture(scope="module")
def raw() -> dict:
    return read_yaml(BASELINE)


def test_resolve_path_selects_parties_and_issues_by_id(raw):
    container, key = resolve_path(raw, "parties.russia.positions.territory.salience")
    russia = next(p for p in raw["parties"] if p["id"] == "russia")
    assert container is russia["positions"]["territory"]
    assert key == "salience"
    container, key = resolve_path(raw, "issues.sanctions.status_quo")
    assert key == "status_quo"
    assert container["id"] == "sanctions"


def test_get_value_unwraps_provenance(raw):
    assert get_value(raw, "parties.russia.positions.territory.salience") == 1.0
    assert get_value(raw, "parties.ukraine.fighting_cost") == 0.15
    assert get_value(raw, "parties.united_states.positions.sanctions.ideal") == 0.75
    assert get_value(raw, "issues.territory.status_quo") == 0.25
    assert get_value(raw, "protocol.max_rounds") == 12
    assert get_value(raw, "parties.russia.strategy.params.aspiration") == 0.6


def test_numeric_segment_indexes_a_list(raw):
    assert get_value(raw, "protocol.proposer_order.1") == "russia"
    by_id = get_value(raw, "parties.ukraine.fighting_cost")
    assert get_value(raw, "parties.1.fighting_cost") == by_id
    assert get_value(raw, "parties.1.id") == "ukraine"


def test_set_value_replaces_provenance_and_never_mutates(raw):
    before = copy.deepcopy(raw)
    out = set_value(raw, "parties.russia.positions.territory.ideal", 0.6)
    assert raw == before
    node = out["parties"][0]["positions"]["territory"]["ideal"]
    assert node == {"value": 0.6, "assumption": SWEPT}  # source and coding dropped
    assert "source" in raw["parties"][0]["positions"]["territory"]["ideal"]
    # nothing else changed
    out["parties"][0]["positions"]["territory"]["ideal"] = before["parties"][0]["positions"][
        "territory"
    ]["ideal"]
    assert out == before


def test_explicit_value_segment_also_marks_the_provenance(raw):
    out = set_value(raw, "parties.ukraine.fighting_cost.value", 0.2)
    assert out["parties"][1]["fighting_cost"] == {"value": 0.2, "assumption": SWEPT}


def test_swept_scenario_validates_and_carries_the_value(raw):
    out = set_value(raw, "parties.united_states.positions.sanctions.ideal", 0.4)
    out = set_value(out, "protocol.max_rounds", 20)
    scenario = parse_scenario(out, "swept")
    assert scenario.party("united_states").positions["sanctions"].ideal.value == 0.4
    assert scenario.party("united_states").positions["sanctions"].ideal.assumption == SWEPT
    assert scenario.protocol.max_rounds == 20


@pytest.mark.parametrize(("value", "expected"), [(12.5, 12), (13.5, 14), (17.2, 17), (6.0, 6)])
def test_integer_fields_receive_ints_rounded_half_to_even(raw, value, expected):
    out = set_value(raw, "protocol.max_rounds", value)
    assert get_value(out, "protocol.max_rounds") == expected
    assert type(get_value(out, "protocol.max_rounds")) is int


def test_float_fields_stay_float_even_when_written_as_integer(raw):
    data = copy.deepcopy(raw)
    data["parties"][0]["fighting_cost"]["value"] = 0  # YAML `value: 0` parses as int
    out = set_value(data, "parties.russia.fighting_cost", 0.3)
    assert out["parties"][0]["fighting_cost"]["value"] == 0.3
    out = set_value(raw, "parties.russia.positions.territory.salience", 2)
    assert type(out["parties"][0]["positions"]["territory"]["salience"]["value"]) is float


def test_status_quo_of_an_integer_issue_is_an_int():
    data = {
        "issues": [
            {
                "id": "troops",
                "kind": "integer",
                "range": [0, 10],
                "status_quo": {"value": 5.0, "assumption": "test"},
            },
            {"id": "territory", "status_quo": {"value": 0, "assumption": "test"}},
        ]
    }
    out = set_value(data, "issues.troops.status_quo", 3.5)
    assert out["issues"][0]["status_quo"] == {"value": 4, "assumption": SWEPT}
    assert type(out["issues"][0]["status_quo"]["value"]) is int
    out = set_value(data, "issues.territory.status_quo", 0.5)
    assert out["issues"][1]["status_quo"]["value"] == 0.5


@pytest.mark.parametrize(
    ("path", "fragments"),
    [
        (
            "parties.belarus.fighting_cost",
            [
                "parties.belarus:",
                "no party with id 'belarus'",
                "ids: russia, ukraine, united_states, european_allies",
            ],
        ),
        ("issues.crimea.status_quo", ["issues.crimea:", "no issue with id 'crimea'", "territory"]),
        (
            "parties.russia.positions.territory.salince",
            [
                "parties.russia.positions.territory.salince:",
                "no key 'salince'",
                "keys: ideal, salience, loss",
            ],
        ),
        ("protocol.proposer_order.5", ["protocol.proposer_order.5:", "list has 2 items"]),
        ("parties.9.fighting_cost", ["parties.9:", "list has 4 items"]),
        ("protocol.kind.x", ["protocol.kind.x:", "is a text ('alternating')"]),
        ("notes.first", ["notes.first:", "items have no ids", "index"]),
        ("evnts.0.round", ["evnts:", "no key 'evnts'", "protocol"]),
    ],
)
def test_resolution_errors_name_the_failing_segment(raw, path, fragments):
    with pytest.raises(ValueError) as info:
        get_value(raw, path)
    for fragment in fragments:
        assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        ("issues.territory.label", "'Territory' (text), not a number"),
        ("parties.russia.strategy", "a mapping, not a number"),
        ("issues.territory.separable", "False (boolean), not a number"),
    ],
)
def test_set_value_refuses_non_numbers(raw, path, fragment):
    with pytest.raises(ValueError, match="not a number") as info:
        set_value(raw, path, 1.0)
    assert fragment in str(info.value)


def test_set_value_refuses_non_finite(raw):
    with pytest.raises(ValueError, match="non-finite"):
        set_value(raw, "parties.russia.fighting_cost", float("nan"))


@pytest.mark.parametrize("path", ["", "a..b", ".a", "a."])
def test_malformed_paths(raw, path):
    with pytest.raises(ValueError, match="not a dotted path"):
        get_value(raw, path)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("parties.russia.positions.territory.salience", "russia · territory · salience"),
        ("parties.russia.positions.territory.salience.value", "russia · territory · salience"),
        ("protocol.max_rounds", "protocol · max rounds"),
        ("parties.ukraine.fighting_cost", "ukraine · fighting cost"),
        ("parties.russia.strategy.params.aspiration", "russia · strategy · aspiration"),
        ("issues.territory.status_quo", "territory · status quo"),
        ("events.0.round", "events[0] · round"),
    ],
)
def test_readable_name(path, name):
    assert readable_name(path) == name


def test_is_salience_path():
    assert is_salience_path("parties.russia.positions.territory.salience")
    assert is_salience_path("parties.0.positions.territory.salience.value")
    assert not is_salience_path("parties.russia.positions.territory.ideal")
    assert not is_salience_path("protocol.max_rounds")

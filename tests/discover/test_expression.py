"""The --where condition of sim discover: what it means, and what it refuses."""

from __future__ import annotations

import numpy as np
import pytest

from sim.discover.expression import columns_needed, evaluate, parse_condition
from sim.scenario import InputError

NAN = float("nan")
DATA = {
    "outcome": np.array(["agreement", "partial", "agreement", "none"], dtype=object),
    "deal": np.array(["comprehensive with ceasefire", "partial", "x", "none"], dtype=object),
    "term.ceasefire": np.array([0.2, NAN, 0.4, NAN]),
    "ceasefire_round": np.array([3.0, NAN, 5.0, NAN]),
    "exchanges": np.array([0.0, 2.0, 1.0, 0.0]),
    "ceasefire_broken": np.array([False, None, True, False], dtype=object),
    "param.war.support.0.level": np.array([0.1, 0.5, 0.9, 1.0]),
    "param.parties.russia.fighting_cost": np.array([0.05, 0.1, 0.15, 0.1]),
}


def holds(text: str) -> list[bool]:
    return evaluate(parse_condition(text, DATA), DATA, 4).tolist()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("agreement and ceasefire <= 0.3", [True, False, False, False]),
        ("agreement and term.ceasefire <= 0.3", [True, False, False, False]),
        ("not agreement", [False, True, False, True]),
        ("partial or none", [False, True, False, True]),
        ("general_ceasefire", [True, False, True, False]),
        ("exchange", [False, True, True, False]),
        ("ceasefire_broken", [False, False, True, False]),  # a null boolean is false
        ("ceasefire > 0.3 or ceasefire <= 0.3", [True, False, True, False]),  # NaN: false
        ("0.2 < war.support.0.level <= 0.9", [False, True, True, False]),
        ("param.war.support.0.level * 2 - 0.5 >= 1", [False, False, True, True]),
        ("-parties.russia.fighting_cost < -0.12", [False, False, True, False]),
        ("fighting_cost_sum := 1", None),
        ("deal == 'partial' or outcome == \"none\"", [False, True, False, True]),
        ("deal != 'x' and (exchanges >= 1)", [False, True, False, False]),
        ("True", [True, True, True, True]),
    ],
)
def test_conditions_mean_what_they_say(text, expected):
    if expected is None:
        with pytest.raises(InputError):
            holds(text)
        return
    assert holds(text) == expected


def test_a_misspelled_column_is_named_with_the_nearest_one():
    with pytest.raises(InputError) as err:
        parse_condition("agreement and ceasfire <= 0.3", DATA)
    message = str(err.value)
    assert "--where" in message and "unknown column 'ceasfire'" in message
    assert "did you mean 'term.ceasefire'" in message
    with pytest.raises(InputError, match=r"did you mean 'param\.war\.support\.0\.level'"):
        parse_condition("war.suport.0.level > 0.5", DATA)


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os')",
        "__import__('os').system('true')",
        "(1).real > 0",
        "outcome[0] == 'agreement'",
        "(lambda: 1)() > 0",
        "[x for x in exchanges] == 1",
        "exchanges if agreement else 0",
        "agreement; import os",
        "exchanges ** 2 > 1",
        "None",
        "",
    ],
)
def test_anything_but_the_small_language_is_refused_before_evaluation(text):
    with pytest.raises(InputError) as err:
        parse_condition(text, DATA)
    assert "--where" in str(err.value)


def test_a_function_call_is_named_as_such():
    with pytest.raises(InputError, match="a function call is not allowed"):
        parse_condition("__import__('os')", {**DATA, "__import__": np.zeros(4)})


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("ceasefire", "is a number, not true/false"),
        ("agreement and exchanges", "is a number, not true/false"),
        ("outcome < 'b'", "text compares only with text"),
        ("outcome == 1", "text compares only with text"),
        ("deal + 1 > 0", "is text"),
    ],
)
def test_type_mistakes_are_errors(text, says):
    with pytest.raises(InputError, match=says):
        holds(text)


def test_only_the_columns_read_are_needed():
    cond = parse_condition("agreement and ceasefire <= 0.3 or general_ceasefire", DATA)
    assert columns_needed(cond) == ["ceasefire_round", "outcome", "term.ceasefire"]

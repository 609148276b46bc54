"""The YAML reader on libyaml reads what the pure-Python reader reads, refuses what it
refuses with the same words, and the libyaml writer writes the same text."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.scenario.loader import load_scenario
from sim.scenario.yaml_io import (
    MAX_DEPTH,
    CSafeLoader,
    SafeLoader,
    dump_yaml,
    load_yaml_text,
)
from tests.conftest import DATA, ROOT, SCENARIOS

pytestmark = pytest.mark.skipif(CSafeLoader is None, reason="PyYAML built without libyaml")

YAML_FILES = sorted(
    p
    for folder in (SCENARIOS, DATA)
    for p in folder.rglob("*.y*ml")
    if p.suffix in {".yaml", ".yml"}
)


def python_reading(text: str):
    try:
        return "read", yaml.load(text, Loader=SafeLoader)
    except yaml.YAMLError as exc:
        return "error", str(exc)


def reading(text: str):
    try:
        return "read", load_yaml_text(text)
    except yaml.YAMLError as exc:
        return "error", str(exc)


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_and_test_file_reads_the_same_on_both_parsers(path):
    text = path.read_text(encoding="utf-8")
    assert reading(text) == python_reading(text)


def nested(style: str, depth: int) -> tuple[str, int]:
    """A document nested ``depth`` collections deep, and the level of its deepest node
    (the root is level 1; a scalar is one level below its collection)."""
    if style == "flow":
        return "[" * depth + "1" + "]" * depth, depth + 1
    if style == "empty_flow_in_block":
        return "a:\n  b: " + "[" * depth + "]" * depth + "\n", depth + 2
    lines = ["  " * level + "k:" for level in range(depth - 1)]  # block mappings
    return "\n".join([*lines, "  " * (depth - 1) + "k: 1"]) + "\n", depth + 1


@pytest.mark.parametrize("depth", [MAX_DEPTH - 2, MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 3000])
@pytest.mark.parametrize("style", ["flow", "empty_flow_in_block", "block"])
def test_the_nesting_bound_is_the_same_on_both_parsers(depth, style):
    text, deepest = nested(style, depth)
    got = reading(text)
    assert got == python_reading(text)
    assert (got[0] == "error") == (deepest > MAX_DEPTH)
    if deepest > MAX_DEPTH:
        assert f"nesting deeper than {MAX_DEPTH} levels" in got[1]


yaml_scalars = st.one_of(
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.text(max_size=30),
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(max_size=8), yaml_values, max_size=5))
def test_the_libyaml_writer_writes_text_both_parsers_read_back_as_the_value(value):
    # mappings, as every file we write; the text reads back as the value (PyYAML's own
    # writer would not always: it writes '\x85' raw, which reads back as a space)
    text = dump_yaml(value, sort_keys=False, allow_unicode=True, width=100)
    assert reading(text) == python_reading(text) == ("read", value)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="[]{}:,-'\"#&*!|>?%@`~.= \n\t\\ab1é", max_size=60))
def test_any_text_reads_or_fails_the_same_on_both_parsers(text):
    got, expected = reading(text), python_reading(text)
    if expected[0] == "read":
        assert got == expected
    # else libyaml may take a few malformed documents PyYAML refuses ("|#" reads as '');
    # nothing a scenario's schema would accept: it needs a mapping of known keys


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_a_resolved_scenario_is_written_the_same_by_both_writers(path):
    scenario = load_scenario(path)
    data = scenario.model_dump(mode="json", exclude_none=True)
    options = {"sort_keys": False, "allow_unicode": True, "width": 100}
    assert dump_yaml(data, **options) == yaml.safe_dump(data, **options)

"""Fuzzing the input files: mutated scenario and sweep files end in a clean exit (0, or 2
with a message) — never a traceback, never a hang.

Each case takes a valid file (the baseline, an episode, the textbook scenario, a sweep
file), applies a few random mutations (delete a key, replace a value by a hostile one —
huge or non-finite numbers, wrong types, long or control-character strings, deep lists —
duplicate a list item, rename a key) and runs ``sim validate`` (scenarios) or ``sim sweep
--dry-run`` (sweeps) in-process. The suite runs ``FUZZ_EXAMPLES`` cases (default 60);
the long run is one command (README, "Bad input"):

    SIM_FUZZ_EXAMPLES=10000 python -m pytest tests/test_fuzz.py -p no:cacheprovider
"""

from __future__ import annotations

import copy
import os
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli import main
from tests.conftest import DATA, SCENARIOS, load_dict
from tests.schema_fuzz import _at, _paths

EXAMPLES = int(os.environ.get("SIM_FUZZ_EXAMPLES", "60"))
RANDOM = "SIM_FUZZ_EXAMPLES" in os.environ
"""The suite's run is derandomised (the same cases every time, so CI is stable); a run
with ``SIM_FUZZ_EXAMPLES`` set draws new cases."""
SEEDS = [
    SCENARIOS / "istanbul_2025_06_02.yaml",
    SCENARIOS / "history" / "istanbul_2025_05_16_round1.yaml",
    SCENARIOS / "textbook_job_offer.yaml",
    DATA / "two_party_one_issue.yaml",
]
SWEEPS = sorted((DATA / "sweeps").glob("*.yaml"))
HOSTILE = [
    None,
    True,
    0,
    -1,
    1e308,
    -1e308,
    float("inf"),
    float("nan"),
    10**40,
    0.5,
    2.5,
    "",
    "x" * 5000,
    "\x1b[2J",
    "$\\frac{",
    "../../etc/passwd",
    "2025-02-30",
    [],
    {},
    [[[[1]]]],
    {"value": 0.5},
    {"value": "a", "assumption": "b"},
    ["a", "b"],
    "russia",
    "territory",
]


@st.composite
def mutated(draw: st.DrawFn, documents: list[Path]) -> tuple[Path, dict]:
    source = draw(st.sampled_from(documents))
    data = copy.deepcopy(load_dict(source))
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _at(data, path[:-1]), path[-1]
        action = draw(st.sampled_from(["delete", "replace", "duplicate", "rename"]))
        if action == "delete":
            del parent[key]
        elif action == "replace":
            parent[key] = copy.deepcopy(draw(st.sampled_from(HOSTILE)))
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["id", "value", "kind", "zz", "__x"]))] = parent.pop(key)
    return source, data


def _write(tmp: Path, source: Path, data: dict) -> Path:
    """Write next to nothing but a copy of the source's folder layout (for relative paths)."""
    path = source.parent / f".fuzz-{os.getpid()}-{time.monotonic_ns()}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=not RANDOM,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


def _clean_exit(args: list[str], capsys) -> None:
    start = time.monotonic()
    code = main(args)  # any exception other than an input error fails the test
    err = capsys.readouterr().err
    assert code in (0, 1, 2), code
    assert time.monotonic() - start < 30
    assert "Traceback" not in err and len(err) < 20_000


@FUZZ
@given(case=mutated(SEEDS))
def test_mutated_scenarios_end_cleanly(case, capsys, tmp_path):
    source, data = case
    path = _write(tmp_path, source, data)
    try:
        _clean_exit(["validate", str(path)], capsys)
    finally:
        path.unlink()


@pytest.mark.skipif(not SWEEPS, reason="no sweep files")
@FUZZ
@given(case=mutated(SWEEPS))
def test_mutated_sweeps_end_cleanly(case, capsys, tmp_path):
    source, data = case
    path = _write(tmp_path, source, data)
    try:
        _clean_exit(["sweep", "--dry-run", str(path)], capsys)
    finally:
        path.unlink()


RUNNABLE = [
    DATA / "two_party_one_issue.yaml",
    SCENARIOS / "textbook_job_offer.yaml",
    SCENARIOS / "history" / "istanbul_2025_05_16_round1.yaml",
]


@settings(
    max_examples=max(10, EXAMPLES // 4),
    derandomize=not RANDOM,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(case=mutated(RUNNABLE))
def test_mutated_scenarios_run_cleanly(case, capsys, tmp_path):
    # what validates also runs: a short run (3 rounds, data only) ends cleanly
    source, data = case
    path = _write(tmp_path, source, data)
    out = tmp_path / f"run-{time.monotonic_ns()}"
    try:
        _clean_exit(["run", str(path), "--rounds", "3", "--no-plots", "--out", str(out)], capsys)
    finally:
        path.unlink()

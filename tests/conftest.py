"""Shared fixtures: paths of shipped scenarios and a helper to build variants of them."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
DATA = Path(__file__).resolve().parent / "data"
BASELINE = SCENARIOS / "istanbul_2025_06_02.yaml"
TWO_PARTY = DATA / "two_party_one_issue.yaml"


def load_dict(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def without_ranges(node: Any) -> Any:
    """``node`` with every declared ``range`` removed (tests then may set any value)."""
    if isinstance(node, dict):
        return {k: without_ranges(v) for k, v in node.items() if k != "range"}
    if isinstance(node, list):
        return [without_ranges(v) for v in node]
    return node


@pytest.fixture
def baseline_dict() -> dict[str, Any]:
    """The baseline as a mapping, its declared ranges removed so that tests may set any
    value (tests of ranges read the file itself)."""
    return without_ranges(copy.deepcopy(load_dict(BASELINE)))


@pytest.fixture
def two_party_dict() -> dict[str, Any]:
    return copy.deepcopy(load_dict(TWO_PARTY))


@pytest.fixture
def in_tmp(tmp_path, monkeypatch) -> Path:
    """Run in an empty folder so that ``results/`` is created there."""
    monkeypatch.chdir(tmp_path)
    return tmp_path

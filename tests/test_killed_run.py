"""``kill -9`` of ``sim run`` at random points: never a folder that looks complete unless it
is, partial folders removed by the next run in the same place, and the rerun succeeds
(issue 16; README, "Bad input and interrupted work").

One uninterrupted run gives the reference folder and the run's duration; then runs of the
same command are killed: after delays drawn (seeded) across the whole duration, one
stratum each, and at two points reached by condition rather than by timing — as soon as
the hidden partial folder appears (the run being computed) and as soon as its first
figure is written (figures being written)."""

from __future__ import annotations

import json
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.cli import main
from sim.output.folders import PARTIAL
from sim.output.run_data import load_run
from tests.conftest import ROOT, TWO_PARTY

pytestmark = pytest.mark.slow

PNG_START, PNG_END = b"\x89PNG\r\n\x1a\n", b"IEND\xaeB`\x82"
PATIENCE = 120.0
"""Seconds a condition may take on a busy machine before the test gives up."""


def _start(scenario: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sim", "run", str(scenario), "--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _partials(parent: Path) -> list[Path]:
    return sorted(parent.glob(f".*{PARTIAL}*"))


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def _wait_for(condition, proc: subprocess.Popen) -> bool:
    """Poll ``condition`` while ``proc`` runs; whether it held before the process ended."""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        if condition():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.002)
    raise AssertionError(f"condition not reached in {PATIENCE} s")


def _assert_complete(folder: Path, reference: Path) -> None:
    """A run folder that exists is the whole run: the reference's files, the same
    summary, every figure a whole PNG."""
    assert _files(folder) == _files(reference)
    assert json.loads((folder / "summary.json").read_text()) == json.loads(
        (reference / "summary.json").read_text()
    )
    assert load_run(folder).summary["seed"] == 1
    for png in (folder / "plots").glob("*.png"):
        data = png.read_bytes()
        assert data.startswith(PNG_START) and data.endswith(PNG_END), png


def test_kill_9_at_random_points_of_a_run(tmp_path):
    scenario = shutil.copy(TWO_PARTY, tmp_path / "s.yaml")
    reference = tmp_path / "reference"
    start = time.monotonic()
    assert _start(scenario, reference).wait(timeout=PATIENCE) == 0
    duration = time.monotonic() - start
    assert len(list((reference / "plots").glob("*.png"))) == 3

    rng = random.Random(16)
    strata = 3
    delays = [duration * (k + rng.random()) / strata for k in range(strata)]
    trials: list[tuple[str, float | str]] = [(f"after {d:.2f} s", d) for d in delays]
    trials += [("computing", "partial"), ("writing figures", "figure")]
    for k, (name, when) in enumerate(trials):
        parent = tmp_path / f"trial{k}"
        parent.mkdir()
        out = parent / "run"
        # a conditioned trial is tried again if the run was renamed into place before the
        # kill (a busy machine may stall this process between the condition and the kill)
        for _attempt in range(1 if isinstance(when, float) else 3):
            landed = _kill_once(scenario, out, when)
            if isinstance(when, float) or landed:
                break
            shutil.rmtree(out, ignore_errors=True)
        else:
            raise AssertionError(f"no kill landed while {name}")
        # the next run in the same place succeeds and removes the dead job's partial folder
        again = out if not out.exists() else parent / "again"
        assert main(["run", str(scenario), "--out", str(again)]) == 0
        _assert_complete(again, reference)
        assert _partials(parent) == [], name


def _kill_once(scenario: Path, out: Path, when: float | str) -> bool:
    """Start a run, ``kill -9`` it after ``when`` seconds or once ``when`` ("partial",
    "figure") is reached, check what it left; whether the kill interrupted it."""
    parent = out.parent
    proc = _start(scenario, out)
    if when == "partial":
        _wait_for(lambda: bool(_partials(parent)), proc)
    elif when == "figure":
        _wait_for(lambda: any(q.glob("plots/*.png") for q in _partials(parent)), proc)
    else:
        time.sleep(float(when))
    proc.kill()  # SIGKILL; nothing if the process has already ended
    code = proc.wait(timeout=PATIENCE)
    partial = _partials(parent)
    # never a folder that looks complete unless it is
    if out.exists():
        _assert_complete(out, reference=parent.parent / "reference")
    assert {p.name for p in parent.iterdir()} <= {"run"} | {p.name for p in partial}
    interrupted = code == -signal.SIGKILL and not out.exists()  # killed before the rename
    if interrupted and when in ("partial", "figure"):
        assert partial, when  # the dead job's partial folder, left for the next run
    return interrupted

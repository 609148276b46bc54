"""Regression corpus of hostile input files (``tests/data/regressions``): each is a clean
input error — exit 2, a message naming the file and the line or field, printable
characters only, no traceback — within a second."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from sim.cli import main
from tests.conftest import DATA

CORPUS = sorted((DATA / "regressions").glob("*.yaml"))
EXPECTED = {
    "alias_bomb": "aliases expand to more than",
    "ansi_escapes": "unknown key",
    "complex_key": "a mapping key must be a plain value",
    "deep_nesting": "nesting deeper than 64 levels",
    "extends_long_name": "extends: base scenario aaaa",
    "extends_lone_surrogate": "extends: base scenario \\udc80.yaml not found",
    "extends_not_a_scenario": "extends: must name a scenario file ending in .yaml or .yml",
    "extends_nul_byte": "extends: cannot be resolved: embedded null byte",
    "hex_float_tag": "cannot read the value '0x10'",
    "huge_integer": "Exceeds the limit",
    "impossible_date": "day is out of range for month",
    "integer_status_quo_inf": "issues[0]: status_quo.value must be a whole number in [40, 60]",
    "provenance_not_a_mapping": "protocol.provenance: Input should be a valid dictionary",
}


def test_the_corpus_is_complete():
    assert {p.stem for p in CORPUS} == set(EXPECTED)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_a_hostile_file_is_a_clean_error(path, capsys):
    start = time.monotonic()
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert time.monotonic() - start < 2.0
    assert path.name in err and EXPECTED[path.stem] in err
    assert "Traceback" not in err and all(c.isprintable() or c == "\n" for c in err)
    assert len(err) < 1000


def test_a_folder_or_an_unreadable_name_is_a_clean_error(tmp_path, capsys):
    assert main(["validate", str(tmp_path)]) == 2
    assert "a folder, not a file" in capsys.readouterr().err
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    assert main(["validate", str(loop)]) == 2
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.slow
def test_the_alias_bomb_stays_small_in_a_fresh_process():
    code = "from sim.cli import main; raise SystemExit(main(['validate', sys.argv[1]]))"
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; " + code, str(DATA / "regressions/alias_bomb.yaml")],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_dollar_signs_in_texts_reach_the_figures_as_text(tmp_path, two_party_dict):
    # mathtext would fail on "$\\frac{a" and typeset "$x$": every figure shows the text.
    from tests.conftest import write_yaml

    two_party_dict["title"] = "Cost $$ and $\\frac{a"
    two_party_dict["issues"][0]["label"] = "Territory $x$"
    file = write_yaml(tmp_path / "dollars.yaml", two_party_dict)
    assert main(["run", str(file), "--out", str(tmp_path / "run")]) == 0
    assert len(list((tmp_path / "run" / "plots").glob("*.png"))) == 3


def test_an_unwritable_target_is_refused_before_the_run(tmp_path, capsys, two_party_dict):
    from tests.conftest import write_yaml

    file = write_yaml(tmp_path / "s.yaml", two_party_dict)
    (tmp_path / "afile").write_text("x")
    assert main(["run", str(file), "--out", str(tmp_path / "afile" / "run")]) == 2
    assert "a part of the path is a file, not a folder" in capsys.readouterr().err


def test_a_failing_write_leaves_nothing_behind(tmp_path, capsys, monkeypatch, two_party_dict):
    import errno

    import sim.jobs.run as run_module
    from tests.conftest import write_yaml

    file = write_yaml(tmp_path / "s.yaml", two_party_dict)

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(run_module, "write_run_files", disk_full)
    out = tmp_path / "out" / "run"
    assert main(["run", str(file), "--out", str(out)]) == 2
    assert "writing failed: No space left on device" in capsys.readouterr().err
    assert list((tmp_path / "out").iterdir()) == []


def test_a_target_created_meanwhile_is_not_overwritten(
    tmp_path, capsys, monkeypatch, two_party_dict
):
    import sim.jobs.run as run_module
    from tests.conftest import write_yaml

    file = write_yaml(tmp_path / "s.yaml", two_party_dict)
    out = tmp_path / "run"
    real = run_module.write_run_files

    def racing(folder, *args):
        real(folder, *args)
        out.mkdir()  # another job finished first

    monkeypatch.setattr(run_module, "write_run_files", racing)
    assert main(["run", str(file), "--out", str(out), "--no-plots"]) == 2
    assert "another job created this folder meanwhile" in capsys.readouterr().err
    assert (
        list(out.iterdir()) == []
        and [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []
    )


def test_partial_folders_of_dead_jobs_are_removed(tmp_path, two_party_dict):
    from tests.conftest import write_yaml

    file = write_yaml(tmp_path / "s.yaml", two_party_dict)
    stale = tmp_path / ".old.partial-999999999"
    stale.mkdir()
    assert main(["run", str(file), "--out", str(tmp_path / "run"), "--no-plots"]) == 0
    assert not stale.exists()


SWEEP_CORPUS = sorted((DATA / "regressions" / "sweeps").glob("*.yaml"))
RUN_CORPUS = sorted((DATA / "regressions" / "runs").glob("*.yaml"))


@pytest.mark.parametrize("path", RUN_CORPUS, ids=lambda p: p.stem)
def test_a_valid_file_that_crashed_now_runs(path, tmp_path, capsys):
    # files found by the fuzz run that validated but crashed the run
    assert main(["validate", str(path)]) == 0
    out = tmp_path / "run"
    assert main(["run", str(path), "--rounds", "2", "--no-plots", "--out", str(out)]) == 0
    assert "outcome: full agreement in round 1" in capsys.readouterr().out


SWEEP_EXPECTED = {
    "base_name_too_long": "base: base scenario not found",
    "runs_over_the_limit": "replications: 320 points x 1,000,000 replications = 320,000,000 runs",
}


def test_the_sweep_corpus_is_complete():
    assert {p.stem for p in SWEEP_CORPUS} == set(SWEEP_EXPECTED) | set(SWEEP_VALID)


SWEEP_VALID = {"million_replications": "1 points x 1000000 replications = 1000000 runs"}
"""Sweep files that are valid but were slow or crashed: ``--dry-run`` exits 0 at once."""


@pytest.mark.parametrize("path", SWEEP_CORPUS, ids=lambda p: p.stem)
def test_a_hostile_sweep_file_is_a_clean_error(path, capsys):
    start = time.process_time()
    code = main(["sweep", "--dry-run", str(path)])
    out, err = capsys.readouterr()
    assert time.process_time() - start < 5.0
    if path.stem in SWEEP_VALID:
        assert code == 0 and SWEEP_VALID[path.stem] in out
        return
    assert code == 2
    assert SWEEP_EXPECTED[path.stem] in err and "Traceback" not in err and len(err) < 1000

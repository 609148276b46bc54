"""Integer fields in sweeps: swept as whole numbers in points, dry runs, rows and plot bins;
a range without a whole number is an error."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from sim.cli import main
from sim.jobs.sweep import run_sweep
from sim.jobs.sweep_analysis import group
from sim.output.text import describe_dry_run
from sim.scenario import InputError
from sim.sweep import load_sweep, planned_runs, points
from sim.sweep.schema import Parameter
from tests.conftest import BASELINE

ROUNDS = "protocol.max_rounds"


def sweep_file(tmp_path, parameters, design="lhs", samples=34, replications=1):
    base = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    base["protocol"]["max_rounds"]["value"] = 4
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(base, sort_keys=False))
    data = {
        "title": "integer sweep",
        "base": "base.yaml",
        "design": design,
        "replications": replications,
        "seed": 5,
        "parameters": parameters,
    }
    if design != "grid":
        data["samples"] = samples
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_lhs_over_an_integer_range_is_the_discrete_uniform_law(tmp_path):
    # 34 LHS strata of u over the 17 whole numbers 4..20: stratum i has u in [i/34,
    # (i+1)/34), so ⌊17u⌋ = ⌊i/2⌋ and every whole number is drawn exactly twice.
    file = sweep_file(tmp_path, [{"path": ROUNDS, "linear": {"start": 4, "stop": 20}}])
    spec = load_sweep(file)
    assert spec.integer_paths == {ROUNDS}
    values = [dict(run.params)[ROUNDS] for run in planned_runs(spec)]
    assert all(type(v) is int for v in values)
    assert Counter(values) == dict.fromkeys(range(4, 21), 2)


def test_a_non_integer_range_keeps_only_its_whole_numbers(tmp_path):
    # [4.2, 7.9] holds 5, 6, 7: a random design of 300 points draws only those, each
    # about a third of the time (the discrete uniform law on them).
    file = sweep_file(
        tmp_path, [{"path": ROUNDS, "linear": {"start": 4.2, "stop": 7.9}}], "random", 300
    )
    counts = Counter(points(load_sweep(file))[:, 0].tolist())
    assert set(counts) == {5.0, 6.0, 7.0}
    assert all(70 < c < 130 for c in counts.values())


def test_float_parameters_stay_real_numbers(tmp_path):
    file = sweep_file(
        tmp_path,
        [
            {"path": ROUNDS, "linear": {"start": 4, "stop": 9}},
            {"path": "parties.russia.fighting_cost", "linear": {"start": 0.01, "stop": 0.2}},
        ],
    )
    spec = load_sweep(file)
    params = [dict(run.params) for run in planned_runs(spec)]
    costs = [p["parties.russia.fighting_cost"] for p in params]
    assert all(type(c) is float for c in costs)
    assert len(set(costs)) == len(costs)  # continuous: all distinct
    assert {p[ROUNDS] for p in params} == set(range(4, 10))


def test_log_and_normal_laws_are_rounded_and_kept_in_range():
    log = Parameter(path="x", log={"start": 2.5, "stop": 40})
    u = np.linspace(0, 1, 101)
    whole = log.whole_from_unit(u)
    assert np.array_equal(whole, np.round(whole))
    assert whole.min() == 3 and whole.max() == 40  # ⌈2.5⌉ and 40
    assert np.array_equal(np.sort(whole), whole)  # still monotone in u
    normal = Parameter(path="x", distribution={"kind": "normal", "mean": 5, "sd": 3, "low": 1.5})
    drawn = normal.whole_from_unit(u)
    assert drawn.min() == 2  # the clip at 1.5 becomes ⌈1.5⌉
    assert np.array_equal(drawn, np.round(drawn))


def test_dry_run_shows_whole_numbers(tmp_path):
    file = sweep_file(tmp_path, [{"path": ROUNDS, "linear": {"start": 4, "stop": 20}}])
    text = describe_dry_run(str(file))
    shown = [line.split(" = ")[1] for line in text.splitlines() if ROUNDS in line]
    assert len(shown) == 5
    assert all(v.isdigit() and 4 <= int(v) <= 20 for v in shown)


def test_a_range_without_a_whole_number_is_an_error(tmp_path, capsys):
    file = sweep_file(tmp_path, [{"path": ROUNDS, "linear": {"start": 4.2, "stop": 4.8}}])
    with pytest.raises(InputError) as caught:
        load_sweep(file)
    message = str(caught.value)
    assert str(file) in message and "parameters[0]" in message and ROUNDS in message
    assert "[4.2, 4.8] holds no whole number" in message
    assert main(["sweep", str(file), "--dry-run"]) == 2
    assert "holds no whole number" in capsys.readouterr().err


@pytest.mark.slow
def test_rows_store_integer_fields_as_integers(tmp_path):
    file = sweep_file(
        tmp_path,
        [
            {"path": ROUNDS, "linear": {"start": 3, "stop": 6}},
            {"path": "parties.russia.fighting_cost", "linear": {"start": 0.01, "stop": 0.2}},
        ],
        "random",
        samples=6,
    )
    run = run_sweep(file, workers=1, out=tmp_path / "out", progress=False)
    table = pq.read_table(run.folder / "runs").sort_by("run_id")
    assert table.schema.field(f"param.{ROUNDS}").type == pa.int64()
    assert table.schema.field("param.parties.russia.fighting_cost").type == pa.float64()
    rows = table.to_pylist()
    assert [r[f"param.{ROUNDS}"] for r in rows] == [
        dict(p.params)[ROUNDS] for p in planned_runs(load_sweep(file))
    ]
    # the engine ran whole rounds: never more than the swept max_rounds
    assert all(r["rounds_played"] <= r[f"param.{ROUNDS}"] for r in rows)


def test_plot_bins_of_whole_numbers_are_whole_numbers():
    rng = np.random.default_rng(0)
    values = rng.integers(4, 27, size=500).astype(float)  # 23 levels: binned
    groups = group(values)
    assert len(groups.centres) <= 10
    assert np.array_equal(groups.centres, np.round(groups.centres))
    assert len(set(groups.centres.tolist())) == len(groups.centres)
    for k, centre in enumerate(groups.centres):  # each bin's label lies within its values
        members = values[groups.index == k]
        assert members.min() <= centre <= members.max()
    real = group(rng.random(500))  # real numbers keep their mean centres
    assert not np.array_equal(real.centres, np.round(real.centres))

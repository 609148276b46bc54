"""Fuzz cases drawn from the JSON Schema (``tests/schema_fuzz.py``): scenario and sweep
documents drawn from their schema or from shipped files, mutated under the schema's
guidance, end cleanly — ``sim validate`` / ``sim sweep --dry-run`` exit 0 or 2 within a
time limit, with a short printable message naming the field path — and a scenario that
validates also runs (``sim run --rounds 2 --no-plots``).

The suite's cases are derandomised (the same every run). The long run is
``python benchmarks/fuzz.py`` (README, "Bad input and interrupted work")."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from tests.schema_fuzz import case, check_cli, write_case

SUITE = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)


@SUITE
@given(drawn=case("scenario"))
def test_schema_drawn_scenarios_validate_or_fail_cleanly_and_run(drawn, tmp_path):
    doc, _ = drawn
    path = write_case(tmp_path, "case.yaml", doc)
    if check_cli(["validate", str(path)]).code == 0:
        out = tmp_path / f"run-{id(doc)}"
        assert check_cli(
            ["run", str(path), "--rounds", "2", "--no-plots", "--out", str(out)]
        ).code in (0, 2)


@SUITE
@given(drawn=case("sweep"))
def test_schema_drawn_sweeps_dry_run_or_fail_cleanly(drawn, tmp_path):
    doc, _ = drawn
    path = write_case(tmp_path, "case.yaml", doc)
    check_cli(["sweep", "--dry-run", str(path)])

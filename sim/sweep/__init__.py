"""Parameter sweeps: the sweep file format, designs, run seeds and sensitivity indices.

The specification half of sweeps (the runner, streaming and plots build on it):
:mod:`sim.sweep.schema` (the file format), :mod:`sim.scenario.paths` (dotted paths into
raw scenarios), :mod:`sim.sweep.design` (points, runs, seeds, loading) and
:mod:`sim.sweep.sensitivity` (Sobol' indices; imports SALib when called).
"""

from sim.scenario.paths import get_value, readable_name, resolve_path, set_value
from sim.sweep.design import (
    PlannedRun,
    RunSpec,
    count_runs,
    load_base,
    load_sweep,
    n_points,
    normalisation_notes,
    planned_runs,
    points,
    run_seed,
    run_specs,
    scenario_for,
    unit_points,
)
from sim.sweep.schema import Parameter, SweepSpec
from sim.sweep.sensitivity import problem_for, sobol_indices

__all__ = [
    "Parameter",
    "PlannedRun",
    "RunSpec",
    "SweepSpec",
    "count_runs",
    "get_value",
    "load_base",
    "load_sweep",
    "n_points",
    "normalisation_notes",
    "planned_runs",
    "points",
    "problem_for",
    "readable_name",
    "resolve_path",
    "run_seed",
    "run_specs",
    "scenario_for",
    "set_value",
    "sobol_indices",
    "unit_points",
]

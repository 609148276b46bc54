"""Sweep designs: parameter points, runs with their seeds, and loading sweep files.

Seeds (all from ``numpy.random.SeedSequence``; a child with ``spawn_key=(k,)`` is what
``SeedSequence(seed).spawn(...)[k]`` returns, so the streams never overlap):

* ``SeedSequence(seed, spawn_key=(0,))`` — the *design* stream: a
  ``numpy.random.default_rng`` of it draws the random and LHS designs and scrambles
  SALib's Sobol' sequence.
* ``SeedSequence(seed, spawn_key=(1, run_id))`` — the seed of run ``run_id``: the
  ``run_id``-th grandchild of the run-seed child ``(1,)``, i.e.
  ``SeedSequence(seed).spawn(2)[1].spawn(run_id + 1)[run_id]``. Its
  ``generate_state(1, dtype=uint64)[0] >> 1`` is the run's integer seed: 63 bits, so it
  fits a signed 64-bit column, and it depends only on (master seed, run_id) — not on the
  number of workers or the order of execution. Collisions among 10⁶ runs have
  probability ≈ n²/2⁶⁴ ≈ 5·10⁻⁸.
* ``SeedSequence(seed, spawn_key=(2,))`` — the *analysis* stream (bootstrap of the
  Sobol' confidence intervals, :mod:`sim.sweep.sensitivity`).

Runs enumerate points × replications: ``run_id = point · replications + replication``.
"""

from __future__ import annotations

import importlib.util
import itertools
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from pydantic import ValidationError

from sim.scenario.errors import InputError, Problem, printable
from sim.scenario.loader import (
    is_scenario_file,
    parse_scenario,
    problems_from_validation,
    read_yaml,
)
from sim.scenario.paths import (
    assign,
    check_target,
    copy_path,
    is_integer_target,
    is_salience_path,
    set_value,
    split_path,
)
from sim.scenario.yaml_io import is_file
from sim.sweep.schema import Parameter, SweepSpec

DESIGN_STREAM = 0
RUN_STREAM = 1
ANALYSIS_STREAM = 2


@dataclass(frozen=True)
class RunSpec:
    """One simulation run: a parameter point, a replication and its seed."""

    run_id: int
    point: int
    replication: int
    seed: int
    params: tuple[tuple[str, float], ...]


def design_rng(seed: int) -> np.random.Generator:
    """The generator of the design stream ``SeedSequence(seed, spawn_key=(0,))``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(DESIGN_STREAM,)))


def analysis_rng(seed: int) -> np.random.Generator:
    """The generator of the analysis stream ``SeedSequence(seed, spawn_key=(2,))``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(ANALYSIS_STREAM,)))


def run_seed(seed: int, run_id: int) -> int:
    """The seed of run ``run_id``: the first uint64 word of ``SeedSequence(seed,
    spawn_key=(1, run_id))``'s state shifted right by one bit (63 bits). NumPy forms that
    word from the first two uint32 words, low word first; they are read as plain ints
    here, which is cheaper (workers derive a seed for every run)."""
    seq = np.random.SeedSequence(seed, spawn_key=(RUN_STREAM, run_id))
    low, high = seq.generate_state(2).tolist()
    return (high << 31) | (low >> 1)


def n_points(spec: SweepSpec) -> int:
    """Number of parameter points: grid Πₖ nₖ; random and lhs N; sobol N·(D+2)
    (Saltelli 2002 without second-order indices)."""
    if spec.design == "grid":
        return math.prod(len(p.grid_values()) for p in spec.parameters)
    assert spec.samples is not None
    if spec.design == "sobol":
        return spec.samples * (len(spec.parameters) + 2)
    return spec.samples


def count_runs(spec: SweepSpec) -> int:
    """Number of runs, ``n_points · replications``, without enumerating them."""
    return n_points(spec) * spec.replications


def grid_points(spec: SweepSpec) -> np.ndarray:
    """Full factorial: ``itertools.product`` of the value sets in file order (the last
    parameter varies fastest); an integer field's values are rounded half to even."""
    ints = spec.integer_paths
    sets = [p.whole_grid() if p.path in ints else p.grid_values() for p in spec.parameters]
    if not sets:
        return np.zeros((1, 0))  # no parameters: one point (replications only)
    rows = itertools.product(*sets)
    flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=float)
    return flat.reshape(-1, len(sets))


def latin_hypercube(n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """Latin hypercube in [0, 1)^d (McKay, Beckman & Conover 1979): for each column j in
    turn, a random permutation π_j of the n strata, then n uniforms U; x = (π_j + U)/n.
    Each column has exactly one point in each stratum [i/n, (i+1)/n)."""
    out = np.empty((n, d))
    for j in range(d):
        strata = rng.permutation(n)
        out[:, j] = (strata + rng.random(n)) / n
    return out


def unit_points(spec: SweepSpec) -> np.ndarray:
    """The design on the uniform [0, 1] scale, before each parameter's inverse CDF:
    random = ``rng.random((N, D))``, lhs = :func:`latin_hypercube`, sobol = SALib's
    Saltelli sample of the unit cube (``calc_second_order=False``), all from the design
    stream. Grids have no unit scale (``ValueError``)."""
    d, rng = len(spec.parameters), design_rng(spec.seed)
    if spec.design == "random":
        return rng.random((n_points(spec), d))
    if spec.design == "lhs":
        return latin_hypercube(n_points(spec), d, rng)
    if spec.design == "sobol":
        from SALib.sample import sobol as saltelli

        from sim.sweep.sensitivity import problem_for

        return saltelli.sample(problem_for(spec), spec.samples, calc_second_order=False, seed=rng)
    raise ValueError("a grid design has no unit-scale sample; use grid_points")


def points(spec: SweepSpec) -> np.ndarray:
    """The parameter points, shape (n_points, n_params), columns in file order: the grid,
    or :func:`unit_points` mapped column by column by ``Parameter.from_unit`` (by
    ``Parameter.whole_from_unit`` on an integer field: whole numbers)."""
    if spec.design == "grid":
        return grid_points(spec)
    unit = unit_points(spec)
    ints = spec.integer_paths
    cols = [
        (p.whole_from_unit if p.path in ints else p.from_unit)(unit[:, j])
        for j, p in enumerate(spec.parameters)
    ]
    return np.column_stack(cols).astype(float)


class PlannedRun(NamedTuple):
    """A run before its seed is derived: what the sweep process sends to its workers,
    which derive the seed themselves (:meth:`with_seed`), so that the sweep process
    stays light."""

    run_id: int
    point: int
    replication: int
    params: tuple[tuple[str, float], ...]

    def with_seed(self, master_seed: int) -> RunSpec:
        """The :class:`RunSpec`, with the seed :func:`run_seed` gives this run."""
        seed = run_seed(master_seed, self.run_id)
        return RunSpec(self.run_id, self.point, self.replication, seed, self.params)


def planned_runs(spec: SweepSpec) -> Iterator[PlannedRun]:
    """Every point × replication, lazily, in run_id order, without seeds.

    Only the point array (n_points × n_params floats) is held in memory, never the runs.
    The values of integer fields (:attr:`SweepSpec.integer_paths`) are ``int``.
    """
    paths = spec.paths
    kinds = [int if path in spec.integer_paths else float for path in paths]
    for point, row in enumerate(points(spec).tolist()):
        params = tuple((p, kind(v)) for p, kind, v in zip(paths, kinds, row, strict=True))
        for rep in range(spec.replications):
            yield PlannedRun(point * spec.replications + rep, point, rep, params)


def run_specs(spec: SweepSpec) -> Iterator[RunSpec]:
    """Every run with its seed (module docstring), lazily, in run_id order."""
    return (run.with_seed(spec.seed) for run in planned_runs(spec))


def scenario_for(
    base_data: dict[str, Any], spec_params: Iterable[tuple[str, float]], seed: int | None = None
) -> dict[str, Any]:
    """A copy of the raw base scenario with every (path, value) set (rules of
    :mod:`sim.scenario.paths`) and, if given, the scenario ``seed`` set to ``seed``.

    Only the containers on each parameter's path (and the provenance mapping it writes)
    are copied; everything else is shared with ``base_data``, which is never changed (a
    sweep's workers make one point after another from one base)."""
    data = dict(base_data)
    for path, value in spec_params:
        copy_path(data, path)
        assign(data, path, value)
    if seed is not None:
        data["seed"] = int(seed)
    return data


def load_base(spec: SweepSpec) -> dict[str, Any]:
    """The raw mapping of the base scenario (``spec.base`` as resolved by load_sweep), with
    a variant's ``extends``/``changes`` applied (:mod:`sim.scenario.variants`) and an
    episode's ``record`` left out (never an input to a run)."""
    from sim.scenario.record import raw_inputs

    return raw_inputs(spec.base)


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and check a sweep file; return it with ``base`` resolved against its folder.

    Checks, each reported as :class:`InputError` (file, field path, message): the schema
    (:mod:`sim.sweep.schema`); the base scenario exists and loads; every parameter path
    resolves to a number in the base's raw data; the base still validates with each
    parameter at its lowest and highest value (``parse_scenario`` and the strategies'
    parameter checks); no salience is swept under ``salience_normalisation: strict``;
    a range on an integer field holds a whole number and a grid's values on it stay
    distinct after rounding; a sobol design has SALib installed. The returned spec knows
    its integer fields (:attr:`SweepSpec.integer_paths`).
    """
    file = str(path)
    data = read_yaml(path)
    if is_scenario_file(data):
        msg = (
            "this is a scenario file: run it with `sim run`, sweep its declared ranges with "
            "`sim robustness`, or name it as `base` of a sweep file"
        )
        raise InputError(file, [Problem("", msg)])
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        raise InputError(file, _sweep_problems(exc)) from None
    if spec.design == "sobol" and importlib.util.find_spec("SALib") is None:
        msg = "a sobol design needs SALib: pip install 'ceasefire-sim[sensitivity]'"
        raise InputError(file, [Problem("design", msg)])
    base = (Path(path).parent / spec.base).resolve()  # an absolute base is kept as is
    spec = spec.model_copy(update={"base": base})
    raw = _load_base_checked(spec, file)
    problems = [p for k, param in enumerate(spec.parameters) for p in _check(k, param, spec, raw)]
    if problems:
        raise InputError(file, problems)
    return spec.with_integer_paths(
        frozenset(p.path for p in spec.parameters if is_integer_target(raw, p.path))
    )


def _sweep_problems(exc: ValidationError) -> list[Problem]:
    """The scenario loader's problems, with unknown keys named as sweep-format keys."""
    return problems_from_validation(exc, SweepSpec.model_json_schema(), "the sweep format")


def _load_base_checked(spec: SweepSpec, file: str) -> dict[str, Any]:
    """The base's raw data, or InputError on ``base`` if missing or invalid."""
    if not is_file(spec.base):
        shown = printable(str(spec.base))
        raise InputError(file, [Problem("base", f"base scenario not found: {shown}")])
    try:
        raw = load_base(spec)
        parse_scenario(raw, str(spec.base))
    except InputError as exc:
        where = f"the base scenario {spec.base} is invalid"
        raise InputError(file, [Problem("base", f"{where}: {p}") for p in exc.problems]) from None
    return raw


def _check(k: int, param: Parameter, spec: SweepSpec, raw: dict[str, Any]) -> list[Problem]:
    """Problems of parameter k against the base scenario's raw data."""
    where = f"parameters[{k}]"
    try:
        check_target(raw, param.path)
    except ValueError as exc:
        return [Problem(f"{where}.path", str(exc))]
    if split_path(param.path)[0] == "seed":
        msg = "the scenario seed is set per run from the sweep's 'seed'; use 'replications'"
        return [Problem(f"{where}.path", msg)]
    if is_salience_path(param.path) and raw.get("salience_normalisation") == "strict":
        return [Problem(f"{where}.path", _STRICT_SALIENCE)]
    return _extreme_problems(where, param, spec, raw) + _rounding_problems(where, param, spec, raw)


_STRICT_SALIENCE = (
    "the base scenario has salience_normalisation: strict (each party's saliences must sum "
    "to 1), so a single salience cannot be swept; set salience_normalisation: normalise in "
    "the base scenario (the engine then divides each party's saliences by their sum)"
)


def _extreme_problems(
    where: str, param: Parameter, spec: SweepSpec, raw: dict[str, Any]
) -> list[Problem]:
    """The base with the parameter at its lowest / highest value must still validate."""
    lo, hi = param.bounds()
    problems = []
    for label, value in (("lowest", lo), ("highest", hi)):
        found = _scenario_problems(set_value(raw, param.path, value), str(spec.base))
        if found:
            detail = "; ".join(str(p) for p in found)
            msg = f"at its {label} value {value:g} the base scenario is invalid: {detail}"
            msg += _normal_hint(param)
            problems.append(Problem(where, msg))
        if lo == hi:
            break
    return problems


def _normal_hint(param: Parameter) -> str:
    """Explain where the extremes of an unclipped normal come from."""
    dist = param.distribution
    if dist is None or dist.kind != "normal" or (dist.low is not None and dist.high is not None):
        return ""
    return " (a normal reaches mean ± 6 sd unless clipped: give 'low' and 'high')"


def _scenario_problems(data: dict[str, Any], file: str) -> list[Problem]:
    """Schema, cross-field and strategy-parameter problems of a raw scenario."""
    try:
        scenario = parse_scenario(data, file)
    except InputError as exc:
        return exc.problems
    from sim.jobs.load import strategy_problems

    return strategy_problems(scenario)


def _rounding_problems(
    where: str, param: Parameter, spec: SweepSpec, raw: dict[str, Any]
) -> list[Problem]:
    """On an integer field, a range must hold a whole number, and a grid must not repeat
    a value after rounding half to even."""
    if not is_integer_target(raw, param.path):
        return []
    if param.whole_bounds() is None:
        lo, hi = param.bounds()
        msg = (
            f"{param.path} is an integer field (whole numbers only) and its range "
            f"[{lo:g}, {hi:g}] holds no whole number; widen it to include one"
        )
        return [Problem(where, msg)]
    if spec.design != "grid":
        return []
    rounded = [round(float(v)) for v in param.grid_values()]
    if len(set(rounded)) == len(rounded):
        return []
    msg = (
        f"{param.path} is an integer field and the grid's values round to repeated "
        f"integers {rounded}; give whole numbers or fewer values"
    )
    return [Problem(where, msg)]


def normalisation_notes(spec: SweepSpec) -> list[str]:
    """One note per swept salience: the engine divides each party's saliences by their
    sum (``salience_normalisation: normalise``), so sweeping one salience s_j also moves
    the normalised weights of the party's other issues, w_k = s_k / Σ_i s_i."""
    notes = []
    for path in spec.paths:
        if not is_salience_path(path):
            continue
        segments = split_path(path)
        party, issue = segments[1], segments[3]
        notes.append(
            f"{path}: the engine divides {party}'s saliences by their sum, so sweeping "
            f"the salience of {issue} also changes the normalised weights of {party}'s "
            f"other issues (weight of issue k = s_k / sum of {party}'s saliences)"
        )
    return notes

"""``sim discover SWEEP_DIR --where EXPR``: which ranges of the swept parameters hold the
runs where a condition holds (scenario discovery; Bryant & Lempert 2010).

Steps: check the optional packages (:data:`PACKAGES`); read every row of the sweep folder
(``runs/``, each run once; failed runs left out); parse and evaluate the condition per run
(:mod:`sim.discover.expression`); over the swept parameters that vary (``param.*``), find a
PRIM box (:mod:`sim.discover.boxes`), fit CART and score the parameters
(:mod:`sim.discover.trees`); write the folder atomically (default ``SWEEP_DIR/discover``,
replaced if it exists; ``--out DIR`` must not exist)::

    discovery.json      the condition, counts, the chosen box (limits, coverage, density,
                        mass, quasi-p-values), the trajectory, CART leaves, feature scores,
                        settings and software versions (numbers to 12 significant digits)
    box.csv             the chosen box: one row per swept parameter
    trajectory.csv      PRIM's peeling and pasting trajectory
    cart_rules.txt      the CART tree and its leaves as rules
    feature_scores.csv  the parameters' feature scores, highest first
    plots/              the figures of :mod:`sim.output.discover_plots`
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import json
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

import sim
from sim.discover.boxes import MASS_MIN, MIN_DENSITY, PASTE_ALPHA, PEEL_ALPHA, BoxResult
from sim.discover.trees import CART_DEPTH, Leaf
from sim.output.folders import JSON_DIGITS, atomic_folder, choose_folder, tidy_numbers
from sim.scenario import InputError, Problem

FOLDER = "discover"
PACKAGES = {"prim": "prim", "sklearn": "scikit-learn", "scipy": "scipy", "pandas": "pandas"}
"""Import name -> package name of what ``sim discover`` needs (the ``discover`` extra)."""


class NothingToDiscoverError(Exception):
    """The condition holds in no run, or in every run: there is no box to find."""


@dataclass
class Settings:
    """The options of a discovery (README, "Scenario discovery")."""

    min_density: float = MIN_DENSITY
    box: int | None = None
    peel_alpha: float = PEEL_ALPHA
    paste_alpha: float = PASTE_ALPHA
    mass_min: float = MASS_MIN
    cart_depth: int = CART_DEPTH
    seed: int = 0
    plots: bool = True


@dataclass
class Discovery:
    """A written discovery: its folder, the data it used and what it found."""

    sweep: Path
    where: str
    params: list[str]
    labels: list[str]
    x: np.ndarray
    y: np.ndarray
    box: BoxResult
    cart_text: str
    leaves: list[Leaf]
    scores: list[tuple[str, float]]
    settings: Settings
    dropped: list[str] = field(default_factory=list)
    failed: int = 0
    out: Path | None = None


def check_packages() -> None:
    """InputError (exit 2) naming what to install when an optional package is missing."""
    missing = [pkg for mod, pkg in PACKAGES.items() if importlib.util.find_spec(mod) is None]
    if missing:
        message = (
            f"needs the package(s) {', '.join(missing)}: pip install "
            f'{" ".join(missing)}  (or pip install "ceasefire-sim[discover]")'
        )
        raise InputError("sim discover", [Problem("", message)])


def _check_settings(s: Settings) -> None:
    problems = []
    if not 0 <= s.min_density <= 1:
        problems.append(Problem("--min-density", f"must be in [0, 1], got {s.min_density:g}"))
    for name, value in (("--peel-alpha", s.peel_alpha), ("--mass-min", s.mass_min)):
        if not 0 < value < 1:
            problems.append(Problem(name, f"must be in (0, 1), got {value:g}"))
    if not 0 < s.paste_alpha < 1:
        problems.append(Problem("--paste-alpha", f"must be in (0, 1), got {s.paste_alpha:g}"))
    if not 1 <= s.cart_depth <= 10:
        problems.append(Problem("--cart-depth", f"must be in 1..10, got {s.cart_depth}"))
    if s.seed < 0:
        problems.append(Problem("--seed", f"must be >= 0, got {s.seed}"))
    if s.box is not None and s.box < 0:
        problems.append(Problem("--box", f"must be >= 0, got {s.box}"))
    if problems:
        raise InputError("sim discover", problems)


def _parts(folder: Path) -> list[Path]:
    """The Parquet parts of a sweep folder; InputError if it is not one or has no rows."""
    from sim.compare.inputs import folder_kind

    if folder_kind(folder) != "sweep":
        problem = Problem("", "not a sweep folder (sim sweep or sim robustness writes one)")
        raise InputError(str(folder), [problem])
    parts = sorted((folder / "runs").glob("part-*.parquet"))
    if not parts:
        raise InputError(str(folder), [Problem("runs", "no rows yet: run or resume the sweep")])
    return parts


def column_names(folder: Path) -> list[str]:
    """The columns of a sweep folder's rows (from the first part's schema)."""
    return pq.read_schema(_parts(folder)[0]).names


def read_rows(folder: Path, names: list[str] | None = None) -> pa.Table:
    """Every run of a sweep folder (the columns ``names``, default all), each run once (the
    first row of a run id)."""
    from sim.output.sweep_store import first_of_each

    wanted = None if names is None else sorted({"run_id", *names})
    parts = [pq.read_table(p, columns=wanted) for p in _parts(folder)]
    table = pa.concat_tables(parts, promote_options="default")
    return table.take(first_of_each(table.column("run_id").to_numpy()))


def _parameters(data: dict[str, np.ndarray]) -> tuple[list[str], list[str]]:
    """(varying, constant) swept parameter columns."""
    params = [c for c in data if c.startswith("param.")]
    varying = [c for c in params if np.unique(data[c]).size > 1]
    return varying, [c for c in params if c not in varying]


def analyse(folder: str | Path, where: str, settings: Settings) -> Discovery:
    """Everything but the writing: read, evaluate, PRIM, CART, feature scores."""
    from sim.discover.boxes import find_box
    from sim.discover.expression import columns_needed, evaluate, parse_condition
    from sim.discover.labels import short_label
    from sim.discover.trees import cart, feature_scores
    from sim.jobs.sweep_analysis import columns
    from sim.scenario import read_yaml

    check_packages()
    _check_settings(settings)
    folder = Path(folder)
    names = column_names(folder)
    condition = parse_condition(where, names)
    params = [c for c in names if c.startswith("param.")]
    table = read_rows(folder, [*params, *columns_needed(condition), "outcome"])
    outcome = np.array(table.column("outcome").to_pylist(), dtype=object)
    ok = outcome != "error"
    data = columns(table)
    data = {k: v[ok] for k, v in data.items()}
    varying, constant = _parameters(data)
    if not varying:
        raise InputError(str(folder), [Problem("", "the sweep varies no parameter")])
    y = evaluate(condition, data, int(ok.sum()))
    if y.sum() in (0, y.size):
        what = "none" if y.sum() == 0 else "all"
        raise NothingToDiscoverError(
            f"nothing to discover: '{where}' holds in {what} of the {y.size} runs"
            + (f" ({int((~ok).sum())} failed runs left out)" if (~ok).any() else "")
        )
    x = np.column_stack([data[c] for c in varying]).astype(float)
    names = [c.removeprefix("param.") for c in varying]
    base = folder / "base_scenario.yaml"
    raw = read_yaml(base) if base.is_file() else None
    labels = [short_label(n, raw if isinstance(raw, dict) else None) for n in names]
    s = settings
    box = find_box(x, y, names, s.min_density, s.box, s.peel_alpha, s.paste_alpha, s.mass_min)
    text, leaves = cart(x, y, labels, s.seed, s.cart_depth, s.mass_min)
    scores = feature_scores(x, y, names, s.seed)
    return Discovery(
        folder,
        where,
        names,
        labels,
        x,
        y,
        box,
        text,
        leaves,
        scores,
        settings,
        [c.removeprefix("param.") for c in constant],
        int((~ok).sum()),
    )


# ---------------------------------------------------------------------------- writing


def box_rows(d: Discovery) -> list[dict[str, Any]]:
    """One row per swept parameter: the chosen box's limits, the sampled range, whether
    the box restricts it and its quasi-p-value (restricted parameters first)."""
    b = d.box
    order = b.restricted() + [k for k in range(len(d.params)) if d.params[k] not in b.quasi_p]
    rows = []
    for k in order:
        rows.append(
            {
                "parameter": d.params[k],
                "name": d.labels[k],
                "low": float(b.box.lows[k]),
                "high": float(b.box.highs[k]),
                "range_low": float(b.range_lows[k]),
                "range_high": float(b.range_highs[k]),
                "restricted": d.params[k] in b.quasi_p,
                "quasi_p": b.quasi_p.get(d.params[k]),
                "coverage": b.box.coverage,
                "density": b.box.density,
                "mass": b.box.mass,
            }
        )
    return rows


def discovery_json(d: Discovery) -> dict[str, Any]:
    """The content of ``discovery.json`` (module docstring)."""
    import prim
    import scipy
    import sklearn

    b = d.box
    return {
        "where": d.where,
        "sweep": str(d.sweep),
        "runs": b.runs,
        "failed_runs_left_out": d.failed,
        "runs_of_interest": b.of_interest,
        "share_of_interest": b.of_interest / b.runs,
        "parameters": d.params,
        "constant_parameters_left_out": d.dropped,
        "box": {
            "step": b.chosen,
            "rule": b.rule,
            "coverage": b.box.coverage,
            "density": b.box.density,
            "mass": b.box.mass,
            "restricted": b.box.restricted,
            "limits": box_rows(d),
        },
        "trajectory": [
            {
                "step": s.index,
                "coverage": s.coverage,
                "density": s.density,
                "mass": s.mass,
                "restricted": s.restricted,
            }
            for s in b.trajectory
        ],
        "cart": {
            "depth": d.settings.cart_depth,
            "leaves": [leaf.__dict__ for leaf in d.leaves],
        },
        "feature_scores": [{"parameter": p, "score": v} for p, v in d.scores],
        "settings": {k: v for k, v in d.settings.__dict__.items() if k != "plots"},
        "software": {
            "ceasefire-sim": sim.__version__,
            "prim": getattr(prim, "__version__", _version("prim")),
            "scikit-learn": sklearn.__version__,
            "scipy": scipy.__version__,
            "numpy": np.__version__,
            "python": sys.version.split()[0],
        },
        "command": " ".join(["sim", *sys.argv[1:]]),
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def _write_discovery_json(path: Path, data: dict[str, Any]) -> None:
    """Like :func:`sim.output.folders.write_json` (12 significant digits, residue below
    1e-12 snapped to 0), except the quasi-p-values: tiny by nature (1e-80 is a finding,
    not residue), they keep their 12 significant digits."""
    tidy = tidy_numbers(data)
    for raw, row in zip(data["box"]["limits"], tidy["box"]["limits"], strict=True):
        if raw["quasi_p"] is not None:
            row["quasi_p"] = float(f"{raw['quasi_p']:.{JSON_DIGITS}g}")
    path.write_text(json.dumps(tidy, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: f"{v:.6g}" if isinstance(v, float) else v for k, v in row.items()})


def cart_text(d: Discovery) -> str:
    """``cart_rules.txt``: the settings, the tree, then every leaf as a rule."""
    b = d.box
    lines = [
        f"CART (scikit-learn DecisionTreeClassifier, Gini; depth <= {d.settings.cart_depth}, "
        f"leaves >= {d.settings.mass_min:g} of the runs, seed {d.settings.seed})",
        f"condition: {d.where}",
        f"runs: {b.runs}; the condition holds in {b.of_interest} ({b.of_interest / b.runs:.1%})",
        "",
        "Tree (class True = the condition holds):",
        d.cart_text.rstrip(),
        "",
        "Leaves as rules, densest first (density = share of the leaf's runs where the "
        "condition holds; coverage = share of all such runs in the leaf):",
    ]
    for k, leaf in enumerate(d.leaves, start=1):
        mark = "  <- predicted: holds" if leaf.predicted else ""
        lines.append(
            f"{k:2d}. {leaf.rule}: {leaf.runs} runs, {leaf.of_interest} where it holds "
            f"(density {leaf.density:.3f}, coverage {leaf.coverage:.3f}, mass {leaf.mass:.3f})"
            f"{mark}"
        )
    return "\n".join(lines) + "\n"


def write_files(d: Discovery, out: Path) -> None:
    """Every file of the folder (module docstring) into ``out``."""
    _write_discovery_json(out / "discovery.json", discovery_json(d))
    _write_csv(out / "box.csv", box_rows(d))
    chosen = d.box.chosen
    _write_csv(
        out / "trajectory.csv",
        [
            {
                "step": s.index,
                "coverage": s.coverage,
                "density": s.density,
                "mass": s.mass,
                "restricted": s.restricted,
                "chosen": s.index == chosen,
            }
            for s in d.box.trajectory
        ],
    )
    (out / "cart_rules.txt").write_text(cart_text(d), encoding="utf-8")
    label = dict(zip(d.params, d.labels, strict=True))
    _write_csv(
        out / "feature_scores.csv",
        [
            {"rank": r, "parameter": p, "name": label[p], "score": v}
            for r, (p, v) in enumerate(d.scores, start=1)
        ],
    )
    if d.settings.plots:
        from sim.output.discover_plots import plot_discovery

        (out / "plots").mkdir()
        plot_discovery(d, out / "plots")


@contextmanager
def _replacing(final: Path) -> Iterator[Path]:
    """Like :func:`atomic_folder`, but an existing ``final`` is replaced once the new
    folder is complete (and kept if anything fails)."""
    old = final.parent / f".{final.name}.old-{os.getpid()}"
    moved = final.exists()
    if moved:
        shutil.rmtree(old, ignore_errors=True)
        os.rename(final, old)
    try:
        with atomic_folder(final) as tmp:
            yield tmp
    except BaseException:
        if moved:
            os.rename(old, final)
        raise
    if moved:
        shutil.rmtree(old, ignore_errors=True)


def discover(
    folder: str | Path, where: str, out: str | Path | None, settings: Settings
) -> Discovery:
    """Analyse the sweep folder and write the discovery folder; return what was found."""
    folder = Path(folder)
    final = choose_folder("discover", out) if out is not None else folder / FOLDER
    d = analyse(folder, where, settings)
    context = atomic_folder(final) if out is not None else _replacing(final)
    with context as tmp:
        write_files(d, tmp)
    d.out = final
    return d


def describe(d: Discovery) -> str:
    """What ``sim discover`` prints: counts, the chosen box, CART's best leaf, the top
    feature scores and where the files are."""
    b = d.box
    lines = [
        f"'{d.where}' holds in {b.of_interest} of {b.runs} runs ({b.of_interest / b.runs:.1%})"
        + (f"; {d.failed} failed runs left out" if d.failed else ""),
        f"PRIM box (step {b.chosen} of {len(b.trajectory) - 1}; {b.rule}): coverage "
        f"{b.box.coverage:.3f}, density {b.box.density:.3f}, mass {b.box.mass:.3f}",
    ]
    for row in box_rows(d):
        if row["restricted"]:
            lines.append(
                f"  {row['low']:.4g} <= {row['name']} <= {row['high']:.4g}   "
                f"(sampled {row['range_low']:.4g}..{row['range_high']:.4g}; "
                f"quasi-p {row['quasi_p']:.2g})"
            )
    if not b.quasi_p:
        lines.append("  (no restriction: the whole sampled space)")
    best = d.leaves[0]
    lines.append(
        f"CART's densest leaf: {best.rule} (density {best.density:.3f}, "
        f"coverage {best.coverage:.3f})"
    )
    label = dict(zip(d.params, d.labels, strict=True))
    top = ", ".join(f"{label[p]} {v:.3f}" for p, v in d.scores[:5])
    lines.append(f"Feature scores (extra trees): {top}")
    lines.append(f"written to {d.out}")
    return "\n".join(lines)

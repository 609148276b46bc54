"""``sim compare``: run and sweep folders side by side, with differences and their uncertainty.

Steps: check the labels and ``--out``; read every input (:mod:`sim.compare.inputs`); find
what they have in common (:mod:`sim.compare.match`); compute the difference table
(:func:`sim.compare.stats.difference_table`: each input against the first, percentile
bootstrap with :data:`RESAMPLES` resamples, seed :data:`SEED`, 95%); then write the folder
atomically (nothing is left behind on an error)::

    comparison.json        inputs, labels, what was compared and left out, notes, bootstrap
    differences.csv/.md    the difference table (Markdown with the notes)
    manifest.json          package and library versions, command, time, inputs
    inputs/<k>/            copies of input k's scenario.yaml, sweep.yaml, summary.json and
                           manifest.json (k = 1, 2, ... in command-line order)
    plots/*.png            the figures of :mod:`sim.output.compare_plots`
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import platform
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import sim
from sim.compare.inputs import CompareInput, load_input
from sim.compare.match import Matching, match_inputs, matching_json
from sim.compare.stats import difference_table, summarise
from sim.compare.table import to_csv, to_markdown
from sim.output.folders import atomic_folder, choose_folder, write_json
from sim.scenario import InputError, Problem

RESAMPLES = 2000
SEED = 0
LEVEL = 0.95
COMPARISON, DIFFERENCES_CSV, DIFFERENCES_MD = "comparison.json", "differences.csv", "differences.md"
COPIED = {
    "run": (("scenario.yaml", "scenario.yaml"), ("summary.json", "summary.json")),
    "sweep": (
        ("base_scenario.yaml", "scenario.yaml"),
        ("sweep.yaml", "sweep.yaml"),
        ("summary.json", "summary.json"),
    ),
}
METRICS_HELP = (
    "share.agreement / share.partial / share.none: share of the runs with a full agreement / "
    "a partial agreement only / no agreement; term.<issue>: mean agreed value over the runs "
    "that agreed the issue (issue scale; label index for discrete issues); utility.<party>: "
    "mean utility of the final state; round: mean round of the full agreements"
)


@dataclass(frozen=True)
class Comparison:
    """A written comparison: its folder, inputs, matching, table and figures."""

    folder: Path
    inputs: list[CompareInput]
    matching: Matching
    table: list[dict[str, Any]]
    figures: list[Path]

    @property
    def markdown(self) -> str:
        """The difference table as GitHub Markdown."""
        return to_markdown(self.table)


def bootstrap_info() -> dict[str, Any]:
    """How the intervals were computed (written to comparison.json and the Markdown)."""
    return {
        "method": "percentile bootstrap (Efron & Tibshirani 1993, ch. 13)",
        "resamples": RESAMPLES,
        "seed": SEED,
        "level": LEVEL,
        "seeding": "each (input, metric) row draws from numpy SeedSequence(seed, spawn_key="
        "(sha256(label), sha256(metric))): rows do not depend on the other inputs",
    }


def parse_labels(labels: str | None, dirs: Sequence[str | Path]) -> list[str]:
    """One label per input: ``--labels A,B,...`` (comma-separated, trimmed, non-empty and
    unique), or the folder names (repeated names get ``-2``, ``-3``... appended)."""
    if labels is None:
        names = [Path(d).resolve().name or str(d) for d in dirs]
        out: list[str] = []
        for name in names:
            label, k = name, 2
            while label in out:
                label, k = f"{name}-{k}", k + 1
            out.append(label)
        return out
    given = [x.strip() for x in labels.split(",")]
    problems = []
    if len(given) != len(dirs):
        problems.append(
            f"{len(dirs)} inputs but {len(given)} labels ({', '.join(given)}): "
            "give one label per input, separated by commas"
        )
    if any(not x for x in given):
        problems.append("a label is empty")
    repeated = sorted({x for x in given if given.count(x) > 1})
    if repeated:
        problems.append(f"labels must be unique; repeated: {', '.join(repeated)}")
    if problems:
        raise InputError("--labels", [Problem("--labels", p) for p in problems])
    return given


def load_inputs(dirs: Sequence[str | Path], labels: Sequence[str]) -> list[CompareInput]:
    """Read every input; every unreadable folder is reported at once."""
    inputs, problems = [], []
    for k, (folder, label) in enumerate(zip(dirs, labels, strict=True)):
        try:
            inputs.append(load_input(folder, label, k))
        except InputError as exc:
            problems += [
                Problem(f"input {k + 1} ('{label}'): {exc.file}", str(p)) for p in exc.problems
            ]
    if problems:
        raise InputError("sim compare", problems)
    return inputs


def compare(
    dirs: Sequence[str | Path], labels: str | None = None, out: str | Path | None = None
) -> Comparison:
    """Compare the folders and write the comparison folder (module docstring)."""
    if len(dirs) < 2:
        raise InputError("sim compare", [Problem("DIR", "give at least two folders to compare")])
    names = parse_labels(labels, dirs)
    folder = choose_folder("compare", out)
    inputs = load_inputs(dirs, names)
    matching = match_inputs(inputs)
    groups = [(inp.label, inp.rows) for inp in inputs]
    table = difference_table(groups, n_resamples=RESAMPLES, seed=SEED, level=LEVEL)
    from sim.output.compare_plots import plot_comparison  # matplotlib only here

    with atomic_folder(folder) as tmp:
        figures = plot_comparison(inputs, matching, tmp / "plots")
        write_files(tmp, inputs, matching, table, [f.name for f in figures])
    return Comparison(folder, inputs, matching, table, [folder / "plots" / f.name for f in figures])


def write_files(
    folder: Path,
    inputs: Sequence[CompareInput],
    m: Matching,
    table: list[dict[str, Any]],
    figures: list[str],
) -> None:
    """The data files of a comparison folder (module docstring)."""
    to_csv(table, folder / DIFFERENCES_CSV)
    (folder / DIFFERENCES_MD).write_text(differences_markdown(inputs, m, table), encoding="utf-8")
    write_json(folder / COMPARISON, comparison_json(inputs, m, figures))
    write_json(folder / "manifest.json", manifest(inputs))
    for k, inp in enumerate(inputs, start=1):
        target = folder / "inputs" / str(k)
        target.mkdir(parents=True)
        for name, copy_as in (*COPIED[inp.kind], ("manifest.json", "manifest.json")):
            if (inp.folder / name).is_file():
                shutil.copyfile(inp.folder / name, target / copy_as)


def input_json(inp: CompareInput, k: int) -> dict[str, Any]:
    """An input's entry in comparison.json."""
    entry = {
        "label": inp.label,
        "folder": str(inp.folder),
        "kind": inp.kind,
        "title": inp.scenario.title,
        "copy": f"inputs/{k}",
        "runs": len(inp.rows),
    }
    if inp.kind == "run":
        entry["seed"] = inp.run.summary.get("seed")
    else:
        entry["swept_parameters"] = inp.params
    return entry


def comparison_json(
    inputs: Sequence[CompareInput], m: Matching, figures: list[str]
) -> dict[str, Any]:
    """Everything about the comparison except the table (see differences.csv)."""
    return {
        "inputs": [input_json(inp, k) for k, inp in enumerate(inputs, start=1)],
        "labels": [inp.label for inp in inputs],
        "reference": inputs[0].label,
        **matching_json(m),
        "notes": m.notes,
        "bootstrap": bootstrap_info(),
        "metrics": METRICS_HELP,
        "summaries": {inp.label: summarise(inp.rows) for inp in inputs},
        "files": {
            "differences": [DIFFERENCES_CSV, DIFFERENCES_MD],
            "figures": [f"plots/{f}" for f in figures],
        },
    }


def manifest(inputs: Sequence[CompareInput]) -> dict[str, Any]:
    """Provenance of the comparison: versions, command, UTC time and the inputs."""
    return {
        "package": "ceasefire-sim",
        "version": sim.__version__,
        "command": " ".join(["sim", *sys.argv[1:]]),
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "mesa": importlib.metadata.version("mesa"),
        "inputs": [
            {
                "label": inp.label,
                "folder": str(inp.folder),
                "kind": inp.kind,
                "manifest": inp.manifest,
            }
            for inp in inputs
        ],
        "bootstrap": bootstrap_info(),
    }


def _count(items: Sequence[Any], one: str, many: str) -> str:
    return f"{len(items)} {one if len(items) == 1 else many}"


def _input_line(inp: CompareInput) -> str:
    what = "1 run" if inp.kind == "run" else f"sweep of {len(inp.rows)} runs"
    return f"'{inp.label}': {inp.scenario.title} ({what}; {inp.folder})"


def header_lines(inputs: Sequence[CompareInput], m: Matching) -> list[str]:
    """Inputs, what was compared, what was left out and the notes, as text lines."""
    lines = [f"Compared {len(inputs)} inputs against '{inputs[0].label}':"]
    lines += [f"  {k}. {_input_line(inp)}" for k, inp in enumerate(inputs, start=1)]
    lines.append(
        f"compared on {_count(m.issues, 'issue', 'issues')} ({', '.join(m.issues)}) and "
        f"{_count(m.parties, 'party', 'parties')} ({', '.join(m.parties)})"
    )
    lines += [f"note: {n}" for n in m.notes]
    return lines


def bootstrap_line() -> str:
    """One sentence on how the intervals were computed."""
    return (
        f"Intervals: {100 * LEVEL:g}% percentile bootstrap, {RESAMPLES} resamples, seed {SEED}"
        " (resampling each input's runs; value and difference are means over the runs with a"
        " value)."
    )


def differences_markdown(
    inputs: Sequence[CompareInput], m: Matching, table: list[dict[str, Any]]
) -> str:
    """The difference table as Markdown, with the inputs, notes and definitions."""
    lines = [f"# Differences against '{inputs[0].label}'", ""]
    lines += [f"{k}. {_input_line(inp)}" for k, inp in enumerate(inputs, start=1)]
    lines += [
        "",
        f"Compared on the issues {', '.join(m.issues)} and the parties {', '.join(m.parties)}.",
        "",
    ]
    lines += [f"- {n}" for n in m.notes] + ([""] if m.notes else [])
    lines += [to_markdown(table), bootstrap_line(), "", f"Metrics: {METRICS_HELP}."]
    return "\n".join(lines) + "\n"


def describe_comparison(c: Comparison) -> str:
    """What ``sim compare`` prints: inputs, notes, the table and where the files are."""
    lines = header_lines(c.inputs, c.matching)
    lines += ["", c.markdown.rstrip(), bootstrap_line(), ""]
    lines.append(f"figures: {', '.join(f.name for f in c.figures)}")
    lines.append(
        f"results written to {c.folder} ({COMPARISON}, {DIFFERENCES_CSV}, {DIFFERENCES_MD}, plots/)"
    )
    return "\n".join(lines)

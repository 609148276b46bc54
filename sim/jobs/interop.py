"""``sim import`` and ``sim export``: GENIUS and GeniusWeb files to a scenario and back.

Import reads a domain and two or more profiles, checks that each profile's weights sum
to 1 (± 1e-6; ``normalise=True`` divides them by their sum instead, with a note), maps
them to a scenario (:mod:`sim.interop.scenario_map`), writes it under a temporary name,
loads it as ``sim run`` would, and only then renames it to its target. Export writes
the domain and one profile per negotiating party into a new folder, all-or-nothing.
Every user mistake is an :class:`~sim.scenario.InputError` (exit code 2).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import replace
from pathlib import Path

import yaml

from sim.interop import genius, geniusweb
from sim.interop.files import write_folder_atomic
from sim.interop.model import Domain, Profile
from sim.interop.scenario_map import from_game, slug, to_scenario
from sim.jobs.load import load_game
from sim.scenario import InputError, Problem

FORMATS = ("genius", "geniusweb")
LABELS = {"genius": "GENIUS", "geniusweb": "GeniusWeb"}
WEIGHT_TOLERANCE = 1e-6


def infer_format(fmt: str | None, files: list[str]) -> str:
    """``fmt``, or the format of the files' extension (.xml GENIUS, .json GeniusWeb)."""
    if fmt is not None:
        return fmt
    suffixes = {Path(f).suffix.lower() for f in files}
    if suffixes == {".xml"}:
        return "genius"
    if suffixes == {".json"}:
        return "geniusweb"
    raise InputError(
        "--format",
        [
            Problem(
                "",
                f"cannot tell the format from {sorted(suffixes)}: "
                "give --format genius or geniusweb",
            )
        ],
    )


def read_profiles(
    fmt: str, domain_file: str | None, profile_files: list[str]
) -> tuple[Domain, list[Profile], list[str]]:
    """The domain, the profiles and notes, from files of format ``fmt``."""
    notes: list[str] = []
    if fmt == "genius":
        if domain_file is None:
            raise InputError(
                "--domain", [Problem("", "GENIUS profiles need their domain file (--domain FILE)")]
            )
        domain = genius.read_domain(domain_file)
        return domain, [genius.read_profile(f, domain) for f in profile_files], notes
    domain = geniusweb.read_domain(domain_file) if domain_file is not None else None
    profiles = []
    for f in profile_files:
        own, profile, more = geniusweb.read_profile(f, domain)
        domain = own  # read_profile refused a profile whose domain differs
        profiles.append(profile)
        notes += more
    assert domain is not None
    return domain, profiles, notes


def checked_weights(
    profiles: list[Profile], files: list[str], normalise: bool
) -> tuple[list[Profile], list[str]]:
    """Profiles whose weights sum to 1 (see the module docstring) and notes."""
    out, notes = [], []
    for profile, file in zip(profiles, files, strict=True):
        total = sum(profile.weights)
        if abs(total - 1.0) <= WEIGHT_TOLERANCE:
            out.append(profile)
            continue
        if not normalise or total <= 0:
            raise InputError(
                file,
                [
                    Problem(
                        "weights",
                        f"sum to {total:.12g}, expected 1 (± {WEIGHT_TOLERANCE:g}); "
                        "fix the file or pass --normalise-weights",
                    )
                ],
            )
        out.append(replace(profile, weights=tuple(w / total for w in profile.weights)))
        notes.append(f"{Path(file).name}: weights summed to {total:.12g}; divided by their sum")
    return out, notes


def import_files(
    fmt: str | None,
    domain_file: str | None,
    profile_files: list[str],
    out: str,
    *,
    date: dt.date | None = None,
    rounds: int = 20,
    strategy: str = "boulware",
    normalise: bool = False,
) -> tuple[Path, list[str]]:
    """Write the scenario of the module docstring to ``out``; return it and the notes."""
    from sim.behaviour.strategies import REGISTRY

    files = ([domain_file] if domain_file else []) + profile_files
    fmt = infer_format(fmt, files)
    target = Path(out)
    if target.exists():
        raise InputError(out, [Problem("", "exists: choose a new file name")])
    if not target.parent.is_dir():
        raise InputError(out, [Problem("", f"folder {target.parent} does not exist")])
    if len(profile_files) < 2:
        raise InputError(
            "PROFILE",
            [Problem("", "give at least two profiles (a scenario has at least two parties)")],
        )
    if strategy not in REGISTRY:
        raise InputError(
            "--strategy",
            [Problem("", f"unknown strategy {strategy!r}; known: {', '.join(sorted(REGISTRY))}")],
        )
    if not 1 <= rounds <= 10_000:
        raise InputError("--rounds", [Problem("", f"must lie in [1, 10000], got {rounds}")])
    domain, profiles, notes = read_profiles(fmt, domain_file, profile_files)
    profiles, more = checked_weights(profiles, profile_files, normalise)
    taken: set[str] = set()
    if fmt == "genius":  # a GENIUS utility space has no name: the file's stem is both
        ids = [slug(Path(f).stem, taken) for f in profile_files]
        profiles = [replace(p, name=pid) for p, pid in zip(profiles, ids, strict=True)]
    else:
        ids = [slug(p.name, taken) for p in profiles]
    data = to_scenario(
        domain,
        profiles,
        ids,
        [Path(f).name for f in profile_files],
        fmt=LABELS[fmt],
        date=date or dt.datetime.now(dt.UTC).date(),
        rounds=rounds,
        strategy=strategy,
    )
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    _write_checked(target, text)
    return target, notes + more


def _write_checked(target: Path, text: str) -> None:
    """Write ``text`` under a temporary name, load it as a scenario, then rename it."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".yaml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        try:
            load_game(tmp)
        except InputError as exc:
            raise InputError(str(target), exc.problems) from None
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)


def export_scenario(scenario_file: str, fmt: str, out: str) -> tuple[Path, list[str], list[str]]:
    """Write the domain and profiles of a scenario into the new folder ``out``; return it,
    the file names and the notes."""
    target = Path(out)
    if target.exists():
        raise InputError(out, [Problem("", "exists: choose a new folder")])
    if not target.parent.is_dir():
        raise InputError(out, [Problem("", f"folder {target.parent} does not exist")])
    game = load_game(scenario_file)
    domain, profiles, ids, notes = from_game(game, scenario_file)
    files: dict[str, str] = {}
    if fmt == "genius":
        domain, profiles = genius.genius_ready(domain, profiles)
        files["domain.xml"] = genius.write_domain(domain)
        for pid, p in zip(ids, profiles, strict=True):
            files[f"{pid}.xml"] = genius.write_profile(domain, p, pid)
    else:
        real = [i.name for i in domain.issues if i.kind == "real"]
        if real:
            raise InputError(
                scenario_file,
                [
                    Problem(
                        "issues",
                        f"continuous issue(s) {real}: GeniusWeb value sets are finite "
                        "(values or a stepped range)",
                    )
                ],
            )
        files["domain.json"] = geniusweb.write_domain(domain)
        for pid, p in zip(ids, profiles, strict=True):
            text, more = geniusweb.write_profile(domain, p)
            files[f"{pid}.json"] = text
            notes += more
    write_folder_atomic(target, files)
    return target, list(files), notes

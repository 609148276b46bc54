"""Result folders: a new folder per job, written completely or not at all; their JSON files
written and read back."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sim.scenario import InputError, Problem

RESULTS = Path("results")


def utc_stamp(now: dt.datetime | None = None) -> str:
    """A compact UTC timestamp for folder names, e.g. ``20250602T101500Z``."""
    now = now or dt.datetime.now(dt.UTC)
    return now.strftime("%Y%m%dT%H%M%SZ")


def choose_folder(stem: str, out: str | Path | None, base: Path = RESULTS) -> Path:
    """The folder a job will write: ``out`` if given (it must not exist yet), else
    ``results/<stem>-<UTC timestamp>`` with ``-2``, ``-3``... appended if that exists."""
    if out is not None:
        path = Path(out)
        if path.exists():
            raise InputError(
                str(path),
                [
                    Problem(
                        "--out",
                        "folder already exists; results are never overwritten, choose a new folder",
                    )
                ],
            )
        return path
    path = base / f"{stem}-{utc_stamp()}"
    k = 2
    while path.exists():
        path = base / f"{stem}-{utc_stamp()}-{k}"
        k += 1
    return path


PARTIAL = ".partial-"


@contextmanager
def atomic_folder(final: Path) -> Iterator[Path]:
    """Yield a temporary sibling folder; rename it to ``final`` only if the block succeeds.

    The temporary folder is made first, so an unwritable target (read-only, under a file)
    is a clear input error before any work; a write that fails (a full disk) or a target
    that another job created meanwhile is one too, and nothing is left behind. Partial
    folders of killed jobs (their process gone) are removed on the way."""
    tmp = final.parent / f".{final.name}{PARTIAL}{os.getpid()}"
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_partials(final.parent)
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
    except OSError as exc:
        problem = Problem("--out", f"cannot write here: {_reason(exc)}")
        raise InputError(str(final), [problem]) from None
    try:
        yield tmp
        _rename(tmp, final)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise InputError(
            str(final), [Problem("--out", f"writing failed: {_reason(exc)}")]
        ) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _rename(tmp: Path, final: Path) -> None:
    """Rename a finished folder into place; refuse if another job made ``final`` first."""
    if final.exists():
        raise InputError(
            str(final),
            [Problem("--out", "another job created this folder meanwhile; nothing overwritten")],
        )
    os.rename(tmp, final)


def _reason(exc: OSError) -> str:
    if isinstance(exc, FileExistsError | NotADirectoryError):
        return "a part of the path is a file, not a folder"
    return exc.strerror or str(exc)


def remove_stale_partials(parent: Path) -> list[Path]:
    """Remove the partial folders under ``parent`` whose writing process has died."""
    removed = []
    for path in parent.glob(f".*{PARTIAL}*"):
        pid = path.name.rsplit(PARTIAL, 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


JSON_DIGITS = 12
"""Significant digits of the numbers in result JSON files; smaller magnitudes than
:data:`JSON_ZERO` are written as 0 (floating-point residue such as 8.67e-19)."""
JSON_ZERO = 1e-12


def write_json(path: Path, data: Any) -> None:
    """Write indented JSON (stable bytes for identical data), numbers tidied by
    :func:`tidy_numbers`."""
    text = json.dumps(tidy_numbers(data), indent=2, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")


def tidy_numbers(data: Any) -> Any:
    """``data`` with every float rounded to :data:`JSON_DIGITS` significant digits and
    snapped to 0 below :data:`JSON_ZERO` in magnitude (0.9999999999999999 → 1.0,
    -0.0 → 0.0); NaN and infinities are kept."""
    if isinstance(data, dict):
        return {key: tidy_numbers(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [tidy_numbers(value) for value in data]
    if isinstance(data, float) and math.isfinite(data):
        return 0.0 if abs(data) < JSON_ZERO else float(f"{data:.{JSON_DIGITS}g}")
    return data


def read_json(path: Path) -> Any:
    """A JSON file's content."""
    return json.loads(path.read_text(encoding="utf-8"))

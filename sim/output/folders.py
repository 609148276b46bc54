"""Result folders: a new folder per job, written completely or not at all; their JSON files
written and read back."""

from __future__ import annotations

import datetime as dt
import json
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


@contextmanager
def atomic_folder(final: Path) -> Iterator[Path]:
    """Yield a temporary sibling folder; rename it to ``final`` only if the block succeeds."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.parent / f".{final.name}.partial-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_json(path: Path, data: Any) -> None:
    """Write indented, key-ordered JSON (stable bytes for identical data)."""
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def read_json(path: Path) -> Any:
    """A JSON file's content."""
    return json.loads(path.read_text(encoding="utf-8"))

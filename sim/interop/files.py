"""Reading interop files with limits, and writing them all-or-nothing.

Reads: a missing file, a directory, a file over :data:`MAX_BYTES` or one that is not
UTF-8 is an :class:`~sim.scenario.errors.InputError` naming the file. Writes: every file
is first written under a temporary name in the target folder and then renamed
(``os.replace``), so an interrupted or failed export leaves nothing half-written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from sim.scenario.errors import InputError, Problem

MAX_BYTES = 5_000_000


def fail(file: str | Path, path: str, message: str) -> InputError:
    """An input error about ``file`` at field ``path``."""
    return InputError(
        Path(file).name if isinstance(file, Path) else str(file), [Problem(path, message)]
    )


def read_bytes(path: str | Path) -> bytes:
    """The bytes of an input file (missing, not a file, too large: input errors)."""
    p = Path(path)
    if not p.exists():
        raise InputError(str(path), [Problem("", "file not found")])
    if not p.is_file():
        raise InputError(str(path), [Problem("", "not a file")])
    if p.stat().st_size > MAX_BYTES:
        raise InputError(str(path), [Problem("", f"larger than {MAX_BYTES:,} bytes")])
    return p.read_bytes()


def read_text(path: str | Path) -> str:
    """The text of an input file (see the module docstring for the checks; a leading
    byte-order mark is dropped)."""
    data = read_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(str(path), [Problem("", f"not UTF-8 text ({exc.reason})")]) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")  # universal newlines


def write_folder_atomic(folder: str | Path, files: dict[str, str]) -> None:
    """Create ``folder`` holding ``files`` (name → text): all are written in a temporary
    sibling folder that is renamed to ``folder`` at the end."""
    target = Path(folder)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"))
    try:
        for name, text in files.items():
            (tmp / name).write_text(text, encoding="utf-8")
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise

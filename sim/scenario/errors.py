"""User-facing input errors: each names the file, the field path and what was expected."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file: where (a field path) and what was expected."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


@dataclass
class InputError(Exception):
    """A user mistake in an input file (scenario, sweep, result folder).

    The CLI prints ``str(error)`` on stderr and exits with code 2, without a traceback.
    """

    file: str
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        """The message: printable characters only (others escaped), each part cut short,
        at most :data:`MAX_PROBLEMS` problems listed."""
        head = f"error: {printable(self.file)}"
        if len(self.problems) == 1:
            return f"{head}: {printable(str(self.problems[0]), PROBLEM_CHARS)}"
        lines = [f"{head}: {len(self.problems)} problems"]
        lines += [f"  - {printable(str(p), PROBLEM_CHARS)}" for p in self.problems[:MAX_PROBLEMS]]
        if len(self.problems) > MAX_PROBLEMS:
            lines.append(f"  ... and {len(self.problems) - MAX_PROBLEMS} more")
        return "\n".join(lines)


MAX_PROBLEMS = 40
PROBLEM_CHARS = 300


def printable(text: str, limit: int = 200) -> str:
    """``text`` with non-printable characters escaped (``\\x1b``), cut to ``limit``."""
    shown = "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def format_loc(loc: tuple[str | int, ...]) -> str:
    """Render a pydantic location tuple as ``parties[2].positions.territory.salience``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def unknown_id(what: str, name: str, known) -> str:
    """The message for an id that names nothing: ``unknown issue 'x'; known issue ids: ...``."""
    return f"unknown {what} '{name}'; known {what} ids: {', '.join(sorted(known))}"

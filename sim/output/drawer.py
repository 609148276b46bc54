"""A run's figures drawn by a process forked before the run (``sim run``).

Importing matplotlib and the figure modules takes about half a second, as long as the
baseline's run itself. :class:`FigureDrawer` forks a drawer process before the run starts;
the drawer imports them while the scenario is loaded, run and its data files written, then
waits until :meth:`FigureDrawer.draw` sends it the folder, reads the files (``load_run``)
and draws every figure as :func:`sim.output.run_plots.plot_run` does (in two processes on a
machine with two cores). The drawing code is the same, so the figures are the same pixels
(tests/test_run_plots_parallel.py).

Without ``fork`` or without a second core, nothing is forked and :meth:`FigureDrawer.draw`
draws in this process. This module imports no matplotlib: the process that runs the
scenario never does.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import traceback
from pathlib import Path
from typing import NoReturn


def can_fork() -> bool:
    """Whether figures can be drawn in a forked process: ``fork`` exists and there is a
    second core to draw on."""
    import multiprocessing

    cores = getattr(os, "process_cpu_count", os.cpu_count)() or 1
    return cores >= 2 and "fork" in multiprocessing.get_all_start_methods()


class FigureDrawer:
    """Draws a run folder's figures (into its ``plots/``) in a process forked when this
    object is made (see the module docstring; ``fork=False``: in this process, when
    asked). Use as a context manager around the run: leaving it without :meth:`draw`
    (the input was bad, or the run failed) ends the drawer before it has drawn anything,
    so no process outlives the command."""

    def __init__(self, fork: bool | None = None) -> None:
        self.pid: int | None = None
        self._pipe: int | None = None
        if fork if fork is not None else can_fork():
            self._fork()

    def _fork(self) -> None:
        sys.stdout.flush()  # else the drawer would write this process's buffered output
        sys.stderr.flush()  # again when it flushes its own before leaving
        read, self._pipe = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(self._pipe)
            _drawer(read)
        os.close(read)
        self.pid = pid

    def draw(self, folder: Path) -> None:
        """Draw the figures of the run whose data files are written in ``folder``, and
        wait until they are; raise ``RuntimeError`` if the drawer failed (its traceback
        is on stderr)."""
        if self.pid is None:
            _draw(folder)
            return
        with contextlib.suppress(BrokenPipeError):  # the drawer is gone: its exit code says
            os.write(self._pipe, os.fsencode(folder))
        code = self._wait()
        if code != 0:
            raise RuntimeError(f"drawing the figures failed in their process (exit {code})")

    def _wait(self) -> int:
        """Close the pipe (which the drawer reads to its end) and wait for the drawer;
        its exit code. Safe to call again after an interruption (Ctrl-C) of the wait."""
        if self._pipe is not None:
            os.close(self._pipe)
            self._pipe = None
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        return os.waitstatus_to_exitcode(status)

    def __enter__(self) -> FigureDrawer:
        return self

    def __exit__(self, *exc) -> None:
        if self.pid is not None:  # not asked to draw: end it (it has written nothing)
            os.kill(self.pid, signal.SIGKILL)
            self._wait()


def _draw(folder: Path) -> None:
    from sim.output.run_data import load_run
    from sim.output.run_plots import plot_run  # matplotlib: only where plots are drawn

    plot_run(load_run(folder), folder / "plots")


def _drawer(pipe: int) -> NoReturn:
    """The drawer process: import the figure modules, read the run folder from ``pipe``,
    draw; leave with exit code 0 or, after a failure, 1, never returning into the
    caller's frames (its ``with`` blocks belong to the run's process)."""
    code = 1
    try:
        import sim.output.run_plots  # noqa: F401  (matplotlib, while the run is computed)

        with os.fdopen(pipe, "rb") as words:
            folder = words.read()
        if folder:  # else the run's process closed the pipe without a folder
            _draw(Path(os.fsdecode(folder)))
        code = 0
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)

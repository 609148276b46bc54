"""A run's figures drawn in forked processes (the two shares of `plot_run`, and the drawer
that `sim run` forks before its run) are the same pixels as drawn one by one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sim.jobs.run import run_to_folder
from sim.output.run_data import load_run
from sim.output.run_plots import figure_names, plot_run
from tests.conftest import BASELINE

pytestmark = pytest.mark.slow


def test_parallel_figures_equal_serial_figures(tmp_path):
    folder, _ = run_to_folder(BASELINE, out=tmp_path / "run", plots=False)
    run = load_run(folder)
    serial = plot_run(run, tmp_path / "serial", parallel=False)
    parallel = plot_run(run, tmp_path / "parallel", parallel=True)
    names = figure_names(run)
    assert len(names) == 5  # the baseline has a war: its two figures too
    assert [p.name for p in serial] == [p.name for p in parallel] == [f"{n}.png" for n in names]
    for one, two in zip(serial, parallel, strict=True):
        a, b = np.asarray(Image.open(one)), np.asarray(Image.open(two))
        assert a.shape == b.shape and a.shape[0] > 500
        assert np.array_equal(a, b), one.name
        assert one.read_bytes() == two.read_bytes(), one.name


def test_a_failing_figure_in_the_child_is_an_error(tmp_path, monkeypatch):
    folder, _ = run_to_folder(BASELINE, out=tmp_path / "run", plots=False)
    run = load_run(folder)
    import sim.output.run_plots as rp

    def broken(run):
        raise ValueError("boom")

    monkeypatch.setitem(rp.FIGURES, "offers", broken)
    with pytest.raises(RuntimeError, match=r"drawing offers failed"):
        plot_run(run, tmp_path / "plots", parallel=True)


def test_the_figures_are_split_in_two_shares_of_about_equal_drawing_time():
    from sim.output.run_plots import DRAWING_COST, split_figures

    names = ["offers", "utilities", "utility_plane", "war", "beliefs"]
    child, own = split_figures(names)
    assert sorted(child + own) == sorted(names) and child[0] == "offers"
    assert child == ["offers"]  # 1.3 s against 1.39 s
    totals = [sum(DRAWING_COST[n] for n in share) for share in (child, own)]
    assert abs(totals[0] - totals[1]) <= min(DRAWING_COST.values())
    assert split_figures(["offers", "utilities", "utility_plane"]) == (
        ["offers"],
        ["utilities", "utility_plane"],
    )


def test_saving_without_the_placeholder_layout_engine_keeps_every_pixel(tmp_path):
    # style.save removes the engine tight_layout leaves behind (it only makes savefig draw
    # twice): every figure of the baseline is the same image as matplotlib's own savefig
    import matplotlib.pyplot as plt

    from sim.output.run_plots import run_figure
    from sim.output.style import save

    folder, _ = run_to_folder(BASELINE, out=tmp_path / "run", plots=False)
    run = load_run(folder)
    for name in figure_names(run):
        plain = run_figure(run, name)
        assert plain.get_layout_engine() is not None  # tight_layout's placeholder
        plain.savefig(tmp_path / "plain.png", dpi=130)
        plt.close(plain)
        save(run_figure(run, name), tmp_path / "saved.png")
        a, b = (np.asarray(Image.open(tmp_path / f)) for f in ("plain.png", "saved.png"))
        assert a.shape == b.shape and np.array_equal(a, b), name


def test_figures_of_the_early_drawer_equal_figures_drawn_one_by_one(tmp_path):
    # sim run forks its drawer before the run (sim.output.drawer): the same files
    folder, _ = run_to_folder(BASELINE, out=tmp_path / "run")
    serial = plot_run(load_run(folder), tmp_path / "serial", parallel=False)
    drawn = sorted((folder / "plots").glob("*.png"))
    assert [p.name for p in drawn] == sorted(p.name for p in serial)
    for one in serial:
        assert (folder / "plots" / one.name).read_bytes() == one.read_bytes(), one.name


def test_a_failing_figure_in_the_early_drawer_is_an_error_and_leaves_nothing(tmp_path, monkeypatch):
    import sim.output.run_plots as rp

    def broken(run):
        raise ValueError("boom")

    monkeypatch.setitem(rp.FIGURES, "war", broken)  # the forked drawer inherits it
    with pytest.raises(RuntimeError, match=r"drawing the figures failed"):
        run_to_folder(BASELINE, out=tmp_path / "run")
    assert list(tmp_path.iterdir()) == []


def test_a_drawer_not_asked_to_draw_is_ended_with_the_block():
    import os

    from sim.output.drawer import FigureDrawer

    with pytest.raises(ValueError, match="bad input"), FigureDrawer(fork=True) as drawer:
        pid = drawer.pid
        assert pid is not None
        raise ValueError("bad input")
    assert drawer.pid is None
    with pytest.raises(ChildProcessError):  # ended and reaped: no zombie left
        os.waitpid(pid, os.WNOHANG)


def test_a_wait_for_the_drawer_interrupted_by_ctrl_c_ends_it_once(monkeypatch):
    # Ctrl-C during draw(): the block's exit ends the drawer and waits again, without
    # closing the pipe a second time
    import os

    from sim.output import drawer as module

    real_waitpid = os.waitpid
    calls = []

    def interrupted_once(pid, options):
        calls.append(pid)
        if len(calls) == 1:
            raise KeyboardInterrupt
        return real_waitpid(pid, options)

    with pytest.raises(KeyboardInterrupt), module.FigureDrawer(fork=True) as drawer:
        pid = drawer.pid
        monkeypatch.setattr(module.os, "waitpid", interrupted_once)
        drawer.draw(Path("/nonexistent-run-folder"))
    assert calls == [pid, pid] and drawer.pid is None

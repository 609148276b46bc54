"""``sim sweep``: every parameter point × replication, in parallel, streamed to disk.

The local backend is a process pool (``spawn`` context, passed explicitly: importing Mesa
changes the default start method); the Dask backend is ``dask.distributed``'s
``Client.get_executor()``, connected to ``--scheduler`` or to a new ``LocalCluster``. Both
go through one runner over the ``concurrent.futures.Executor`` interface: runs are sent in
chunks (default: about four chunks per worker, at most :data:`MAX_CHUNK` runs each) with
at most two chunks per worker in flight, so memory stays flat whatever the number of runs.
Every run's seed depends only on the master seed and its run id (:mod:`sim.sweep.design`),
so results do not depend on the backend, the number of workers or the order of completion.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import multiprocessing
import sys
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sim.jobs.load import load_game
from sim.jobs.sweep_worker import run_chunk
from sim.output.folders import choose_folder, write_json
from sim.output.run_files import manifest, sha256_file
from sim.output.sweep_store import RunStore, run_schema
from sim.scenario import InputError, Problem
from sim.sweep import PlannedRun, SweepSpec, count_runs, load_base, load_sweep, planned_runs
from sim.sweep.design import normalisation_notes

SWEEP_COPY, BASE_COPY, MANIFEST = "sweep.yaml", "base_scenario.yaml", "manifest.json"
MAX_CHUNK = {"local": 100, "dask": 500}
"""Largest default chunk per backend. Measured on the 2-core development machine: a Dask
task costs its client and scheduler (in the sweep process) 5–8 ms of CPU, and a
LocalCluster keeps 4–8% of a core busy in the background, taken from the same cores as
the workers; a local chunk costs the sweep process about 2–3 ms. Dask chunks are
therefore larger."""


@dataclass(frozen=True)
class SweepRun:
    """What a finished (or interrupted) sweep reports."""

    folder: Path
    total: int
    done_before: int
    completed: int
    failed: int
    interrupted: bool
    notes: list[str]


def default_workers() -> int:
    """All cores (``os.process_cpu_count`` where available)."""
    import os

    count = getattr(os, "process_cpu_count", os.cpu_count)()
    return max(1, count or 1)


def chunk_size_for(total: int, workers: int, backend: str = "local") -> int:
    """About four chunks per worker, between 1 and ``MAX_CHUNK[backend]`` runs."""
    return max(1, min(MAX_CHUNK[backend], -(-total // (4 * workers))))


def _chunks(runs: Iterator[PlannedRun], size: int) -> Iterator[list[PlannedRun]]:
    while chunk := list(itertools.islice(runs, size)):
        yield chunk


@contextmanager
def open_executor(
    backend: str, workers: int, scheduler: str | None
) -> Iterator[tuple[Executor, Any]]:
    """(executor, dask client or None): a spawn process pool, or a Dask client executor."""
    if backend == "local":
        pool = process_pool(workers)
        try:
            yield pool, None
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return
    from dask.distributed import Client, LocalCluster

    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        )
        client = Client(cluster)
    try:
        yield client.get_executor(pure=False), client
    finally:
        client.close()
        if not scheduler:
            cluster.close()


def verify_sweep(folder: str | Path) -> dict[str, Any]:
    """Audit a sweep folder's rows against its planned runs (``sim sweep --verify``)."""
    spec, _, folder = prepare(None, folder, None)
    game = load_game(folder / BASE_COPY)
    store = RunStore(
        folder,
        run_schema(spec.paths, list(game.issue_ids), list(game.party_ids), spec.integer_paths),
    )
    audit = store.audit(count_runs(spec))
    complete = audit["missing"] == 0 and not audit["duplicate_rows"] and not audit["unplanned"]
    lines = [
        f"{folder}: {audit['runs']:,} of {audit['planned']:,} planned runs on disk "
        f"({audit['rows']:,} rows)",
        f"  duplicated run ids: {audit['duplicate_rows']} rows"
        + (f" (e.g. {audit['duplicated']})" if audit["duplicated"] else ""),
        f"  missing runs: {audit['missing']:,}"
        + (f" (first: {audit['first_missing']})" if audit["missing"] else ""),
        f"  rows outside the plan: {audit['unplanned']}",
        "complete and clean" if complete else "incomplete: finish with sim sweep --resume DIR",
    ]
    return audit | {"complete": complete, "text": "\n".join(lines)}


LOCK = ".lock"


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on a sweep folder while its runs are written: a second
    sweep or resume of the same folder stops with the holder's pid (``flock``: the lock
    dies with its process, so a killed sweep leaves no stale lock)."""
    import fcntl
    import os

    fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            raise InputError(
                str(folder),
                [Problem("--resume", f"a sweep is already running in this folder (pid {holder})")],
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)


def die_with_parent(parent: int) -> None:
    """In a worker process of ``parent``: ask Linux to end it when its parent dies (even by
    kill -9), so that no worker outlives its sweep; if the parent already died while this
    worker was starting, end now. Elsewhere than Linux, do nothing."""
    import ctypes
    import os
    import signal

    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        os._exit(1)


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A spawn process pool whose workers end with this process (:func:`die_with_parent`)."""
    import os

    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    )


def require(module: str, extra: str, what: str) -> None:
    """Fail early (before any file is written) when an optional dependency is missing."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        msg = f"needs the '{module}' package: pip install 'ceasefire-sim[{extra}]'"
        raise InputError("sim sweep", [Problem(what, msg)])


def base_key(base: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(base, sort_keys=True, default=str).encode()).hexdigest()


def new_folder(
    sweep_file: Path, out: str | Path | None, spec: SweepSpec, base: dict[str, Any]
) -> Path:
    """Create the sweep folder: the sweep file (pointing at the copied base), the resolved
    base scenario and the manifest."""
    folder = choose_folder(sweep_file.stem, out)
    folder.mkdir(parents=True)
    data = yaml.safe_load(sweep_file.read_text(encoding="utf-8"))
    data["base"] = BASE_COPY
    (folder / SWEEP_COPY).write_text(
        yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    (folder / BASE_COPY).write_text(
        yaml.safe_dump(base, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    extra = {
        "sweep_file": sweep_file.name,
        "sweep_sha256": sha256_file(sweep_file),
        "design": spec.design,
        "runs": count_runs(spec),
        "master_seed": spec.seed,
    }
    write_json(folder / MANIFEST, manifest(folder / BASE_COPY, spec.seed, extra))
    return folder


def prepare(
    sweep_file: str | Path | None, resume: str | Path | None, out: str | Path | None
) -> tuple[SweepSpec, dict[str, Any], Path]:
    """Validate everything before any file is written; return (spec, base, folder)."""
    if resume is not None:
        folder = Path(resume)
        if not (folder / SWEEP_COPY).is_file() or not (folder / BASE_COPY).is_file():
            raise InputError(
                str(folder),
                [Problem("--resume", f"not a sweep folder (no {SWEEP_COPY} and {BASE_COPY})")],
            )
        spec = load_sweep(folder / SWEEP_COPY)
        return spec, load_base(spec), folder
    if sweep_file is None:
        raise InputError("sim sweep", [Problem("FILE", "give a sweep file or --resume DIR")])
    spec = load_sweep(sweep_file)
    base = load_base(spec)
    return spec, base, new_folder(Path(sweep_file), out, spec, base)


def run_sweep(
    sweep_file: str | Path | None = None,
    workers: int | None = None,
    backend: str = "local",
    scheduler: str | None = None,
    out: str | Path | None = None,
    resume: str | Path | None = None,
    chunk_size: int | None = None,
    progress: bool | None = None,
) -> SweepRun:
    """Run (or finish) a sweep; see the module docstring."""
    if workers is not None and workers < 1:
        raise InputError("--workers", [Problem("--workers", f"must be >= 1, got {workers}")])
    if backend not in ("local", "dask"):
        raise InputError("--backend", [Problem("--backend", "expected 'local' or 'dask'")])
    if backend == "dask":
        require("distributed", "dask", "--backend dask")
    spec, base, folder = prepare(sweep_file, resume, out)
    with folder_lock(folder):
        game = load_game(folder / BASE_COPY)
        schema = run_schema(
            spec.paths, list(game.issue_ids), list(game.party_ids), spec.integer_paths
        )
        store = RunStore(folder, schema)
        done = store.done_ids()
        total = count_runs(spec)
        todo = (run for run in planned_runs(spec) if run.run_id not in done)
        workers = workers or default_workers()
        size = chunk_size or chunk_size_for(total - len(done), workers, backend)
        show = sys.stderr.isatty() if progress is None else progress
        completed, failed, interrupted = _execute(
            todo, total - len(done), base, spec.seed, store, backend, workers, scheduler, size, show
        )
    return SweepRun(
        folder, total, len(done), completed, failed, interrupted, normalisation_notes(spec)
    )


def _execute(todo, remaining, base, seed, store, backend, workers, scheduler, size, show):
    """Submit chunks, keep at most 2 per worker in flight, store rows as chunks finish."""
    from tqdm import tqdm

    key = base_key(base)
    completed = failed = 0
    bar = tqdm(total=remaining, unit="run", disable=not show, smoothing=0.05, file=sys.stderr)
    try:
        with open_executor(backend, workers, scheduler) as (executor, client):
            base_ref = client.scatter(base, broadcast=True) if client is not None else base
            chunks, pending = _chunks(todo, size), set()
            while True:
                while len(pending) < 2 * workers and (chunk := next(chunks, None)):
                    task = (run_chunk, key, base_ref, seed, chunk, store.schema)
                    pending.add(executor.submit(*task))
                if not pending:
                    break
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    table = future.result()
                    store.add(table)
                    completed += table.num_rows
                    failed += table.column("outcome").to_pylist().count("error")
                    bar.update(table.num_rows)
    except KeyboardInterrupt:
        store.flush()
        bar.close()
        return completed, failed, True
    store.flush()
    bar.close()
    return completed, failed, False


def finish(run: SweepRun, spec: SweepSpec, plots: bool = True) -> dict[str, Any]:
    """Write ``summary.json`` (and ``sobol.json``) and the plots; return the summary."""
    from sim.jobs.sweep_analysis import sensitivity, summarise

    game = load_game(run.folder / BASE_COPY)
    issues, parties = list(game.issue_ids), list(game.party_ids)
    store = RunStore(run.folder, run_schema(spec.paths, issues, parties, spec.integer_paths))
    summary = {
        "title": spec.title,
        "design": spec.design,
        "runs_total": run.total,
        "runs_done": len(store.done_ids()),
        "interrupted": run.interrupted,
        "notes": run.notes,
        **summarise(store, issues, parties),
    }
    sobol = None
    if spec.design == "sobol" and not run.interrupted:
        sobol = sensitivity(store, spec, issues)
        write_json(run.folder / "sobol.json", sobol)
    write_json(run.folder / "summary.json", summary)
    if plots and summary["runs_done"]:
        from sim.output.style import save
        from sim.output.sweep_plots import plot_sweep, sobol_figure

        labels = {i.id: i.label for i in game.scenario.issues}
        scales = {i.id: i for i in game.scenario.issues}
        plot_sweep(store, spec, spec.title, issues, labels, run.folder / "plots", scales)
        if sobol and sobol["indices"]:
            save(sobol_figure(sobol, spec, spec.title), run.folder / "plots" / "sobol.png")
    return summary

"""Sweep results on disk: Parquet parts streamed as runs finish, readable as one table.

Rows go to ``<folder>/runs/part-*.parquet``; each part is written to a temporary name and
renamed when complete, so a killed sweep leaves only whole parts. Rows are buffered for at
most ``flush_seconds`` (or ``flush_rows`` rows) before a part is written, so an
interruption loses at most the runs in flight and that short buffer. ``--resume`` reads the
``run_id`` column of the parts to skip finished runs. Read the whole sweep with
``pyarrow.parquet.read_table("<folder>/runs")`` (or :meth:`RunStore.read`).
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

REFERENCE_KEYS = (
    "nash",
    "weighted_nash",
    "kalai_smorodinsky",
    "utilitarian",
    "egalitarian",
    "forecast_median",
    "forecast_mean",
    "rubinstein",
)


def run_schema(
    params: list[str],
    issues: list[str],
    parties: list[str],
    integers: frozenset[str] = frozenset(),
) -> pa.Schema:
    """The fixed columns of a sweep's rows (see README, "Sweep output"); the parameters
    in ``integers`` (integer fields) are int64 columns, the others float64."""
    fields = [
        ("run_id", pa.int64()),
        ("point", pa.int64()),
        ("replication", pa.int64()),
        ("seed", pa.int64()),
    ]
    fields += [(f"param.{p}", pa.int64() if p in integers else pa.float64()) for p in params]
    fields += [
        ("outcome", pa.string()),
        ("deal", pa.string()),
        ("round", pa.int64()),
        ("rounds_played", pa.int64()),
        ("ceasefire_round", pa.int64()),
        ("ceasefire_broken", pa.bool_()),
        ("ceasefire_in_force", pa.bool_()),
        ("exchanges", pa.int64()),
        ("exchange_size", pa.float64()),
    ]
    fields += [(f"settled.{i}", pa.bool_()) for i in issues]
    fields += [(f"partial.{i}", pa.bool_()) for i in issues]
    fields += [(f"term.{i}", pa.float64()) for i in issues]
    fields += [(f"utility.{p}", pa.float64()) for p in parties]
    fields += [(f"distance.{k}", pa.float64()) for k in REFERENCE_KEYS]
    fields += [
        ("pareto_efficient", pa.bool_()),
        ("individually_rational", pa.bool_()),
        ("error", pa.string()),
    ]
    return pa.schema(fields)


def first_of_each(run_ids: np.ndarray) -> np.ndarray:
    """Indices that order rows by run_id, keeping the first row of each run_id."""
    order = np.argsort(run_ids, kind="stable")
    keep = np.ones(order.size, dtype=bool)
    keep[1:] = run_ids[order][1:] != run_ids[order][:-1]
    return order[keep]


def rows_to_table(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """Rows (mappings; missing keys are nulls) as a table in ``schema``, sorted by run_id."""
    return pa.Table.from_pylist(sorted(rows, key=lambda r: r["run_id"]), schema=schema)


class RunStore:
    """Append-only store of sweep rows (see the module docstring)."""

    def __init__(
        self, folder: Path, schema: pa.Schema, flush_seconds: float = 0.5, flush_rows: int = 5000
    ) -> None:
        self.dir = folder / "runs"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.schema = schema
        self.flush_seconds, self.flush_rows = flush_seconds, flush_rows
        self._buffer: list[pa.Table] = []
        self._rows = 0
        self._last = time.monotonic()

    def parts(self) -> list[Path]:
        return sorted(self.dir.glob("part-*.parquet"))

    def done_ids(self) -> set[int]:
        """run_ids already on disk."""
        done: set[int] = set()
        for part in self.parts():
            done.update(pq.read_table(part, columns=["run_id"]).column(0).to_pylist())
        return done

    def add(self, table: pa.Table) -> None:
        """Buffer a chunk's rows (a table in the store's schema); flush when due."""
        self._buffer.append(table)
        self._rows += table.num_rows
        if self._rows >= self.flush_rows or time.monotonic() - self._last >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        """Write the buffered rows as one part (atomically: temp name, then rename)."""
        self._last = time.monotonic()
        if not self._buffer:
            return
        table = pa.concat_tables(self._buffer).sort_by("run_id")
        self._buffer, self._rows = [], 0
        first = table.column("run_id")[0].as_py()
        name = f"part-{first:012d}-{uuid.uuid4().hex[:8]}.parquet"
        tmp = self.dir / f".{name}.tmp"
        pq.write_table(table, tmp)
        os.replace(tmp, self.dir / name)

    def read(self, columns: list[str] | None = None) -> pa.Table:
        """Every row written so far, sorted by run_id, each run once (a row written twice
        — which the folder lock prevents — is read once: the first)."""
        names = columns or self.schema.names
        parts = self.parts()
        if not parts:
            return self.schema.empty_table().select(names)
        wanted = names if "run_id" in names else ["run_id", *names]
        table = pa.concat_tables([pq.read_table(p, columns=wanted) for p in parts])
        table = table.take(first_of_each(table.column("run_id").to_numpy()))
        return table.select(names)

    def audit(self, total: int) -> dict[str, Any]:
        """Rows on disk against the ``total`` planned: duplicated and missing run ids."""
        ids = np.concatenate(
            [pq.read_table(p, columns=["run_id"]).column(0).to_numpy() for p in self.parts()]
            or [np.zeros(0, dtype=np.int64)]
        )
        unique, counts = np.unique(ids, return_counts=True)
        missing = np.setdiff1d(np.arange(total), unique)
        return {
            "planned": total,
            "rows": int(ids.size),
            "runs": int(unique.size),
            "duplicated": unique[counts > 1].tolist()[:20],
            "duplicate_rows": int((counts - 1).sum()),
            "missing": int(missing.size),
            "first_missing": missing[:20].tolist(),
            "unplanned": int((unique >= total).sum() + (unique < 0).sum()),
        }

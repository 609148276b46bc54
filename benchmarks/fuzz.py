"""The long fuzz run of issue 16: scenario and sweep documents drawn from the JSON Schema
(``tests/schema_fuzz.py``) must end cleanly (a fuzz run, not a test).

    python benchmarks/fuzz.py                     # 10,000 scenario and 10,000 sweep cases
    python benchmarks/fuzz.py --cases 500 --seed 7 --keep failures/
    python benchmarks/fuzz.py --kind sweep         # one kind only

Each scenario case runs ``sim validate`` and, when it validates, ``sim run --rounds 2
--no-plots``; each sweep case runs ``sim sweep --dry-run``, all in this process with a
20 s limit per command. A case fails when a command raises (a traceback), runs past its
limit, exits with another code than 0, 1 or 2, or prints a message that is too long, holds
non-printable characters or has a problem naming no field path. Failures do not stop the
run: they are counted, the first line of each is printed, and ``--keep DIR`` writes each
failing document there. Prints the cases, the exit codes, the runs and the peak memory of
the process; exits 1 when any case failed.
"""

from __future__ import annotations

import argparse
import collections
import resource
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

from tests.schema_fuzz import case, check_cli, write_case  # noqa: E402


def fuzz(kind: str, cases: int, master_seed: int, keep: Path | None) -> collections.Counter:
    """Run ``cases`` cases of ``kind``; count exit codes, runs and failures."""
    counts: collections.Counter = collections.Counter()
    work = Path(tempfile.mkdtemp(prefix="sim-fuzz-"))

    @seed(master_seed)
    @settings(
        max_examples=cases,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(drawn=case(kind))
    def one(drawn):
        doc, how = drawn
        counts["cases"] += 1
        if counts["cases"] % 500 == 0:
            detail = ", ".join(f"{k}: {v:,}" for k, v in sorted(counts.items()))
            print(f"  {kind} so far: {detail}", flush=True)
        path = write_case(work, f"{kind}-{counts['cases']}.yaml", doc)
        try:
            if kind == "sweep":
                counts[f"exit {check_cli(['sweep', '--dry-run', str(path)]).code}"] += 1
            else:
                code = check_cli(["validate", str(path)]).code
                counts[f"exit {code}"] += 1
                if code == 0:
                    out = work / f"run-{counts['cases']}"
                    run = ["run", str(path), "--rounds", "2", "--no-plots", "--out", str(out)]
                    counts[f"run exit {check_cli(run).code}"] += 1
        except BaseException as exc:  # a failure of the property, whatever it is
            if isinstance(exc, KeyboardInterrupt):
                raise
            counts["failures"] += 1
            last = traceback.format_exception_only(exc)[-1].strip()
            print(f"FAIL {kind} case {counts['cases']} ({'; '.join(how)}): {last[:300]}")
            if keep is not None:
                keep.mkdir(parents=True, exist_ok=True)
                path.replace(keep / path.name)
        finally:
            path.unlink(missing_ok=True)

    try:
        one()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000, help="cases of each kind")
    parser.add_argument("--seed", type=int, default=0, help="hypothesis seed")
    parser.add_argument("--keep", type=Path, help="folder for failing documents")
    parser.add_argument(
        "--kind", choices=["scenario", "sweep"], action="append", help="only these (repeatable)"
    )
    args = parser.parse_args()
    failed = 0
    for kind in args.kind or ["scenario", "sweep"]:
        start = time.monotonic()
        counts = fuzz(kind, args.cases, args.seed, args.keep)
        failed += counts["failures"]
        detail = ", ".join(f"{k}: {v:,}" for k, v in sorted(counts.items()))
        print(f"{kind}: {detail} ({time.monotonic() - start:.0f} s)", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"failures: {failed}; peak memory of the process: {peak:.0f} MB")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Do the model's answers follow the positions and the war, not the clock?

Runs ``sim robustness`` (every declared assumption range at once, Latin hypercube) on the
baseline and on every shipped counterfactual, at the horizons 12, 26 and 52 rounds, and a
Sobol' analysis of the counterfactuals that open a ceasefire; prints the tables the README
reports ("Does the model say no, and yes?"). About 15 minutes on 2 cores:

    python benchmarks/answers.py [--samples 200] [--replications 2] [--sobol 64]

Reported per scenario: the share of runs (with its 95% Wilson interval) in which a general
ceasefire is agreed, in which an exchange is agreed, and the share of ceasefires and full
agreements that fall in the last quarter of the horizon (the clock's signature).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.jobs.robustness import run_robustness  # noqa: E402

SCENARIOS = ROOT / "scenarios"
HORIZONS = (12, 26, 52)


def shares(folder: Path, horizon: int) -> dict[str, float]:
    """Ceasefire and exchange shares, and the share of deals in the horizon's last quarter."""
    runs = pq.read_table(folder / "runs").to_pydict()
    num = lambda name: np.array(runs[name], dtype=float)  # noqa: E731 (None -> nan)
    ceasefire_round = num("ceasefire_round")
    ceasefire = np.isfinite(ceasefire_round)
    full = np.array(runs["outcome"]) == "agreement"
    deal_rounds = np.concatenate([ceasefire_round[ceasefire], num("round")[full]])
    late = float((deal_rounds > 0.75 * horizon).mean()) if deal_rounds.size else float("nan")
    return {
        "runs": len(full),
        "ceasefire": float(ceasefire.mean()),
        "broken": float(np.mean(runs["ceasefire_broken"])),
        "exchange": float((num("exchanges") > 0).mean()),
        "full": float(full.mean()),
        "late": late,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--replications", type=int, default=2)
    parser.add_argument("--sobol", type=int, default=64, help="Saltelli's N (a power of 2)")
    args = parser.parse_args()
    files = [SCENARIOS / "istanbul_2025_06_02.yaml", *sorted(SCENARIOS.glob("cf_*.yaml"))]
    print(
        "| scenario | horizon | runs | ceasefire agreed | broken | exchange | full agreement "
        "| deals in last quarter |"
    )
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        opening = []
        for file in files:
            for horizon in HORIZONS:
                out = Path(tmp) / f"{file.stem}-{horizon}"
                run_robustness(
                    file,
                    "lhs",
                    args.samples,
                    args.replications,
                    seed=1,
                    out=out,
                    plots=False,
                    progress=False,
                    rounds=horizon,
                )
                s = shares(out, horizon)
                print(
                    f"| {file.stem} | {horizon} | {s['runs']} | {s['ceasefire']:.1%} | "
                    f"{s['broken']:.1%} | {s['exchange']:.1%} | {s['full']:.1%} | "
                    f"{s['late']:.1%} |",
                    flush=True,
                )
                if horizon == HORIZONS[0] and s["ceasefire"] >= 0.5:
                    opening.append(file)
        for file in opening:
            out = Path(tmp) / f"{file.stem}-sobol"
            _, summary = run_robustness(
                file, "sobol", args.sobol, 1, seed=1, out=out, plots=False, progress=False
            )
            indices = summary["sobol"]["indices"].get("ceasefire", {})
            top = sorted(indices.items(), key=lambda kv: -np.nan_to_num(kv[1]["ST"]))[:6]
            print(
                f"\nSobol' indices of the ceasefire rate, {file.stem} "
                f"({summary['runs_done']} runs):"
            )
            print("| assumption | S1 | ST |\n|---|---|---|")
            for path, v in top:
                print(f"| `{path}` | {v['S1']:.2f} | {v['ST']:.2f} |")


if __name__ == "__main__":
    main()

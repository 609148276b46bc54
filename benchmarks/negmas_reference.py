"""Run a scenario's negotiation in NegMAS and write the reference offer sequence (a fixture).

    python benchmarks/negmas_reference.py                      # the benchmark scenario
    python benchmarks/negmas_reference.py SCENARIO -o OUT.json
    python benchmarks/negmas_reference.py --write-scenario     # regenerate the scenario

The scenario must use the ``stacked_alternating`` protocol, the ``lowest_own_utility``
offer policy, discrete issues only, a fixed ``reservation`` per party and the
time-dependent strategies (``boulware``, ``linear``, ``conceder``, ``time_dependent``).
It is translated into NegMAS 0.16:

* issues: ``make_issue(values=labels)``; preferences: ``LinearAdditiveUtilityFunction``
  with the scenario's (normalised) weights and score tables, ``reserved_value`` the
  party's reservation;
* strategies (``snap`` must be 1e-6: NegMAS's inverter always snaps so):
  ``BoulwareTBNegotiator`` / ``LinearTBNegotiator`` / ``ConcederTBNegotiator`` when
  exponent and tolerance are NegMAS's own (4, 1, 0.25 and 1e-4), else
  ``TimeBasedConcedingNegotiator(offering_curve=PolyAspiration(1, e), eps=tolerance,
  stochastic=False)``;
* protocol: ``SAOMechanism(n_steps=max_rounds, one_offer_per_step=True)``, or with
  ``turns_per_step: every_party`` NegMAS's default ``SAOMechanism(n_steps=max_rounds //
  n)`` (every party acts once per step); negotiators added in ``proposer_order``.

The fixture lists, per turn (a step of the simulator), the acting party, whether it
offered or accepted, the standing offer's proposer, outcome (labels) and every party's
utility, and the NegMAS version. ``tests/test_stacked.py`` compares the simulator's run
with it, and with NegMAS
itself when NegMAS is installed (``pip install ".[bench]"``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SCENARIO = ROOT / "scenarios" / "negmas_boulware_conceder.yaml"
FIXTURE = ROOT / "tests" / "data" / "negmas_boulware_conceder.json"
NAMED = {"boulware": 4.0, "linear": 1.0, "conceder": 0.25}
"""NegMAS's named PolyAspiration exponents (``POLY_ASPIRATION_EXPONENTS``)."""
NEGMAS_EPS = 1e-4
"""NegMAS's ``UtilBasedNegotiator`` default ``eps`` (the threshold tolerance)."""
NEGMAS_SNAP = 1e-6
"""NegMAS's presorting inverter's ``EPS`` (``worst_in`` may offer that far below)."""


def negmas_mechanism(game) -> tuple[Any, list[Any]]:
    """The scenario as a NegMAS ``SAOMechanism`` with its negotiators added (see the
    module docstring), and the NegMAS utility functions in party order."""
    from negmas import SAOMechanism, make_issue
    from negmas.preferences import LinearAdditiveUtilityFunction

    scenario = game.scenario
    protocol = scenario.protocol
    issues = [make_issue(values=list(i.values), name=i.id) for i in scenario.issues]
    ufuns = []
    for p in range(game.n_parties):
        values = {
            issue.id: dict(zip(issue.values, game.prefs.tables[j][p].tolist(), strict=True))
            for j, issue in enumerate(scenario.issues)
        }
        weights = dict(zip(game.issue_ids, game.prefs.weights[p].tolist(), strict=True))
        ufuns.append(
            LinearAdditiveUtilityFunction(
                values=values,
                weights=weights,
                issues=issues,
                reserved_value=float(game.fixed_reservation[p]),
            )
        )
    per_step = game.turns_per_step
    mechanism = SAOMechanism(
        issues=issues, n_steps=protocol.max_rounds // per_step, one_offer_per_step=per_step == 1
    )
    for pid in protocol.proposer_order:
        p = game.index(pid)
        mechanism.add(negmas_negotiator(scenario.party(pid).strategy, pid), ufun=ufuns[p])
    return mechanism, ufuns


def negmas_negotiator(spec, name: str):
    """The NegMAS time-based negotiator of a strategy spec (module docstring)."""
    from negmas.negotiators.helpers import PolyAspiration
    from negmas.sao import (
        BoulwareTBNegotiator,
        ConcederTBNegotiator,
        LinearTBNegotiator,
        TimeBasedConcedingNegotiator,
    )

    params = {k: getattr(v, "value", v) for k, v in spec.params.items()}
    exponent = float(params.get("exponent", 1.0 if spec.name == "linear" else np.nan))
    tolerance = float(params.get("tolerance", 0.0))
    snap = float(params.get("snap", 0.0))
    if spec.name not in (*NAMED, "time_dependent") or np.isnan(exponent) or snap != NEGMAS_SNAP:
        raise SystemExit(
            f"{name}: strategy {spec.name!r} with {params} has no NegMAS twin "
            f"(a time-dependent strategy with snap {NEGMAS_SNAP:g}, NegMAS's inverter)"
        )
    named = {"boulware": BoulwareTBNegotiator, "linear": LinearTBNegotiator}
    named["conceder"] = ConcederTBNegotiator
    if spec.name in named and exponent == NAMED[spec.name] and tolerance == NEGMAS_EPS:
        return named[spec.name](name=name)
    return TimeBasedConcedingNegotiator(
        name=name,
        offering_curve=PolyAspiration(1.0, exponent),
        stochastic=False,
        eps=tolerance,
    )


def trace(mechanism, ufuns, game) -> list[dict[str, Any]]:
    """Per turn of a finished mechanism: the acting party, ``offer`` or ``accept``, the
    standing offer's proposer, outcome labels and every party's utility of it.

    A NegMAS step holds one turn (``one_offer_per_step``) or one turn of every party in
    order, ending early at an agreement; a party that made no new offer in its turn
    accepted the standing one (offering counts as accepting, and an offer is agreed once
    every party has accepted it)."""
    order = list(game.scenario.protocol.proposer_order)
    n, per_step = len(order), game.turns_per_step
    turns: list[dict[str, Any]] = []
    standing, accepted = None, 0
    for state in mechanism.history:
        offers = list(state.new_offers)
        for _ in range(per_step):
            actor = order[len(turns) % n]
            if offers and _name(mechanism, offers[0][0]) == actor:
                standing, accepted = (actor, tuple(offers.pop(0)[1])), 1
                action = "offer"
            else:
                accepted += 1
                action = "accept"
            agreed = accepted == n
            turns.append(
                {
                    "step": len(turns),
                    "relative_time": state.relative_time,
                    "actor": actor,
                    "action": action,
                    "proposer": standing[0],
                    "outcome": list(standing[1]),
                    "utilities": [float(u(standing[1])) for u in ufuns],
                    "agreement": agreed,
                }
            )
            if agreed:
                assert state.agreement is not None and tuple(state.agreement) == standing[1]
                return turns
    return turns


def _name(mechanism, negotiator_id: str) -> str:
    return mechanism.negotiators[mechanism.negotiator_ids.index(negotiator_id)].name


def reference(path: Path) -> dict[str, Any]:
    """Run the scenario in NegMAS: the fixture's content."""
    import negmas

    from sim.jobs.load import load_game

    game = load_game(path)
    mechanism, ufuns = negmas_mechanism(game)
    mechanism.run()
    return {
        "negmas_version": negmas.__version__,
        "scenario": path.resolve().relative_to(ROOT).as_posix(),
        "parties": list(game.party_ids),
        "steps": trace(mechanism, ufuns, game),
    }


def benchmark_scenario(seed: int = 15) -> dict[str, Any]:
    """The 2-party, 3-issue, 10-value Boulware–Conceder scenario of issue 15 (seeded).

    Scores have 4 decimals; party B's are opposed to A's (1 − a ± 0.1); the weights are
    dyadic (exact in binary, summing to exactly 1) so that both engines compute the same
    floating-point utilities. The seed is the first from ``seed`` on whose domain no
    party has two outcomes of equal utility (NegMAS orders ties by an unstable sort)."""
    rng = np.random.default_rng(seed)
    a = np.round(rng.random((3, 10)), 4)
    b = np.round(np.clip(1 - a + 0.2 * (rng.random((3, 10)) - 0.5), 0, 1), 4)
    weights = {"boulware": [0.5, 0.3125, 0.1875], "conceder": [0.25, 0.375, 0.375]}
    why = f"synthetic benchmark domain (issue 15): seeded random score (numpy seed {seed})"
    labels = [f"v{k}" for k in range(10)]
    issues = [
        {
            "id": f"issue{j}",
            "label": f"Issue {j}",
            "kind": "discrete",
            "values": labels,
            "status_quo": {"value": "v0", "assumption": "irrelevant: reservations are fixed"},
        }
        for j in range(3)
    ]

    def party(pid: str, name: str, scores: np.ndarray, exponent: float) -> dict[str, Any]:
        return {
            "id": pid,
            "name": name,
            "role": "principal",
            "strategy": {
                "name": pid,
                "params": {
                    "exponent": {"value": exponent, "source": NEGMAS_SOURCE},
                    "tolerance": {"value": NEGMAS_EPS, "source": NEGMAS_EPS_SOURCE},
                    "snap": {"value": NEGMAS_SNAP, "source": NEGMAS_SNAP_SOURCE},
                },
            },
            "reservation": {"value": 0.0, "assumption": "no outside option (NegMAS: 0)"},
            "positions": {
                f"issue{j}": {
                    "salience": {"value": weights[pid][j], "assumption": "dyadic weight"},
                    "values": {
                        lab: {"value": float(scores[j, k]), "assumption": why}
                        for k, lab in enumerate(labels)
                    },
                }
                for j in range(3)
            },
        }

    return {
        "title": "NegMAS benchmark: Boulware vs Conceder",
        "date": "2026-01-01",
        "description": (
            "3 issues × 10 values, at most 100 steps. The reproduction case of issue 15: "
            "NegMAS's BoulwareTBNegotiator against its "
            "ConcederTBNegotiator under the stacked alternating offers protocol, one offer "
            "per step. Written by benchmarks/negmas_reference.py --write-scenario."
        ),
        "seed": 0,
        "issues": issues,
        "parties": [
            party("boulware", "Boulware", a, 4.0),
            party("conceder", "Conceder", b, 0.25),
        ],
        "protocol": {
            "kind": "stacked_alternating",
            "offer_policy": "lowest_own_utility",
            "proposer_order": ["boulware", "conceder"],
            "max_rounds": {"value": 100, "assumption": "the benchmark's 100 steps"},
        },
    }


NEGMAS_SOURCE = {
    "quote": "POLY_ASPIRATION_EXPONENTS = {'boulware': 4.0, 'linear': 1.0, 'conceder': 0.25}",
    "where": "NegMAS 0.16, negmas/negotiators/helpers.py",
    "date": "2026-01-01",
}
NEGMAS_SNAP_SOURCE = {
    "quote": "EPS = 1e-6",
    "where": "NegMAS 0.16, negmas/preferences/inv_ufun/_common.py (worst_in, _nearest_around)",
    "date": "2026-01-01",
}
NEGMAS_EPS_SOURCE = {
    "quote": "eps: float = 0.0001",
    "where": "NegMAS 0.16, negmas/gb/negotiators/utilbased.py (UtilBasedNegotiator)",
    "date": "2026-01-01",
}


def has_ties(data: dict[str, Any]) -> bool:
    """Whether some party of the scenario has two outcomes of equal utility."""
    from sim.behaviour.all_outcomes import all_options
    from sim.jobs.load import check_scenario
    from sim.scenario import parse_scenario

    game = check_scenario(parse_scenario(data, "benchmark"), "benchmark")
    u = all_options(game.prefs, np.full(game.n_issues, np.nan)).utilities
    return any(len(np.unique(u[:, p])) < len(u) for p in range(u.shape[1]))


class NoAliases(yaml.SafeDumper):
    """A YAML dumper that writes repeated lists out in full (no ``&id`` anchors)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenario", nargs="?", type=Path, default=SCENARIO)
    parser.add_argument("-o", "--output", type=Path, default=FIXTURE)
    parser.add_argument("--write-scenario", action="store_true", help="regenerate the scenario")
    args = parser.parse_args(argv)
    if args.write_scenario:
        seed = 15
        while has_ties(benchmark_scenario(seed)):
            seed += 1
        text = yaml.dump(
            benchmark_scenario(seed), Dumper=NoAliases, sort_keys=False, allow_unicode=True
        )
        SCENARIO.write_text(text, encoding="utf-8")
        print(f"wrote {SCENARIO.relative_to(ROOT)} (seed {seed})")
        return 0
    data = reference(args.scenario)
    args.output.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    last = data["steps"][-1]
    print(
        f"wrote {args.output} (NegMAS {data['negmas_version']}): {len(data['steps'])} steps, "
        + ("agreement" if last["agreement"] else "no agreement")
        + f" {last['outcome']} {last['utilities']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

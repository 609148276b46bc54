"""The Mesa model: one ``step()`` is one negotiation round (under the stacked alternating
offers protocol, one party's turn: :mod:`sim.behaviour.stacked`).

A round runs the design's pipeline: events → compliance (while a ceasefire is in force,
does either side break it?) → war update → beliefs and reservation utilities → pressure
(a third party out of patience withdraws) → offers and responses. Once a full agreement
with a ceasefire is reached, later rounds only watch whether it holds (``truce`` rounds).

No part of a round reads the horizon ``max_rounds``: a run cut at round k is the first k
rounds of any longer run with the same seed.

Written for Mesa 3.3 and later 3.x: ``super().__init__(rng=seed)``, agents created as
``Agent(model)``, our own round counter, no schedulers, no indexing into
``model.agents``. Mesa 3.3 keeps a class-level registry of agent ids per model;
:meth:`NegotiationModel.release` drops this model's entry so that finished runs can be
garbage-collected (important in long sweeps).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from pathlib import Path

import numpy as np

from sim.behaviour import compliance
from sim.behaviour.events import PREFERENCE_EVENTS, shifted_game, timeline
from sim.behaviour.negotiation import Negotiation, RoundRecord
from sim.behaviour.rounds import play_round
from sim.behaviour.stacked import (
    STACKED,
    Replay,
    Table,
    plan_game,
    play_turn,
    replay_records,
)
from sim.behaviour.strategies import Strategy, strategy_of
from sim.behaviour.world import World, WorldRecord, snapshot
from sim.game import Game
from sim.model.agents import MediatorAgent, PartyAgent
from sim.model.engine import Agent, Model
from sim.model.setup import game_of
from sim.scenario import Scenario

FAST_PATH = True
"""Follow :func:`~sim.behaviour.stacked.plan_turns` where it applies (tests switch it off
to compare with the turn-by-turn path)."""


class NegotiationModel(Model):
    """Parties bargaining over the issues of a scenario, round by round, while the war goes on.

    ``game`` (or the keyword ``scenario``) is a compiled :class:`~sim.game.Game`, a
    validated scenario, or a scenario file; further keyword arguments named by sweep paths
    (``parties.russia.fighting_cost=0.2``) set those values as a sweep does
    (:mod:`sim.model.setup`). ``seed`` defaults to the scenario's seed and ``max_rounds``
    to ``protocol.max_rounds``. With ``collect`` (the default) every round is recorded in
    ``self.datacollector`` (:mod:`sim.model.collect`), so ``mesa.batch_run`` works::

        mesa.batch_run(NegotiationModel, {"scenario": "scenarios/istanbul_2025_06_02.yaml",
                                          "seed": range(10)}, max_steps=10_000)

    ``run_game`` and sweeps pass ``collect=False`` (``datacollector`` is then ``None``):
    they read the round records directly.
    """

    def __init__(
        self,
        game: Game | Scenario | str | Path | None = None,
        seed: int | None = None,
        max_rounds: int | None = None,
        *,
        scenario: Game | Scenario | str | Path | None = None,
        collect: bool = True,
        **params: float,
    ) -> None:
        if (game is None) == (scenario is None):
            raise TypeError("give the game or the scenario (one of them)")
        game = game_of(game if scenario is None else scenario, params)
        seed = game.scenario.seed if seed is None else int(seed)
        super().__init__(rng=seed)
        self.base_game = game
        protocol = game.scenario.protocol
        self.max_rounds = max_rounds or protocol.max_rounds
        self.negotiation = Negotiation(game, self.max_rounds)
        self.world = World.start(game)
        # the run's battlefield noise, three standard normals per round, drawn at once (the
        # same numbers, in the same order, as three draws at the start of every round);
        # without a war nothing draws from the model's generator
        war = self.world.spec is not None
        self.noise = self.rng.standard_normal((self.max_rounds, 3)).tolist() if war else None
        self.run_seed = seed
        self.pressure = [0.0] * game.n_parties
        self.truce_start: int | None = None
        self.before_truce = game.status_quo.copy()
        self.breaks: list[tuple[int, tuple[str, ...], int]] = []
        self.ceasefires: list[int] = []  # rounds in which a general ceasefire was agreed
        self.timeline = game.memo("timeline", lambda: timeline(game.scenario))
        self.shifts: tuple[int, ...] = ()
        self.world_records: list[WorldRecord] = []
        self._quiet: WorldRecord | None = None  # see _snapshot
        self.parties = [
            PartyAgent(self, i, pid, self._strategy(pid)) for i, pid in enumerate(game.party_ids)
        ]
        self.mediators = [MediatorAgent(self, pid, self._strategy(pid)) for pid in game.mediators]
        by_id = {a.party_id: a for a in [*self.parties, *self.mediators]}
        self.proposers = [by_id[pid] for pid in protocol.proposer_order]
        self.active_proposers = self.proposers  # those still at the table (see _withdraw)
        self.patience = game.memo("patience", self._patience)
        self.round = 0
        self.datacollector = _collector(game) if collect else None
        # the standing offer of the stacked protocol, where one step is one party's turn
        self.table = Table() if protocol.kind == STACKED else None
        self.plan = self._plan() if FAST_PATH and self.table is not None else None

    def _strategy(self, party_id: str) -> Strategy:
        """The party's strategy; strategies hold only parameters, so runs share them, and
        so do games whose scenarios share the party's strategy block
        (:func:`~sim.behaviour.strategies.strategy_of`: the points of a sweep that change
        no strategy parameter)."""
        game = self.base_game

        def build() -> Strategy:
            spec = game.scenario.party(party_id).strategy
            return strategy_of(spec, party_id, game.party_ids)

        return game.memo(f"strategy.{party_id}", build)

    def _plan(self) -> list[Replay] | None:
        """The planned turns of a stacked negotiation of time-dependent parties, as the
        run records them (shared by every run of the game), or ``None`` (see
        :func:`~sim.behaviour.stacked.plannable`)."""
        game, rounds = self.base_game, self.max_rounds
        strategies = [p.strategy for p in self.parties]

        def build() -> list[Replay] | None:
            turns = plan_game(game, strategies, rounds)
            return None if turns is None else replay_records(game, turns)

        return game.memo(f"stacked_plan.{rounds}", build)

    def step(self) -> None:
        """Play one round (see the module docstring)."""
        if self.plan is not None:
            self._replay_step()
            return
        neg, world = self.negotiation, self.world
        labels = self._apply_events(self.round + 1)
        if world.truce:
            labels += self._compliance()
        if self.noise is not None:
            world.advance(neg.game, self.noise[self.round])
        if world.spec is not None:
            neg.move_status_quo(world.spec.issue, world.territory)
            for issue, value in world.linked_status_quo(self.base_game):
                neg.move_status_quo(issue, value)
        labels += self._pressure()
        neg.reservation = world.reservation(neg.game, neg.status_quo)
        self.world_records.append(self._snapshot(labels))
        if neg.agreement_round is not None:
            neg.record_truce(self.round)
        else:
            before = neg.status_quo.copy() if world.spec is not None else neg.status_quo
            if self.table is not None:
                play_turn(neg, self.parties, self._proposer(), self.round, self.table)
            else:
                play_round(neg, self.parties, self._proposer(), self.round)
            self._start_truce(before)
        self.round += 1
        self.running = not neg.done
        if self.datacollector is not None:
            self.datacollector.collect(self)

    def _replay_step(self) -> None:
        """:meth:`step` for a planned run: a plan exists only without a war, events or
        patience (:func:`~sim.behaviour.stacked.plannable`), so a round has no events,
        fighting, ceasefire or withdrawal (and every round the same reservation values),
        and replays its planned turn."""
        neg = self.negotiation
        offer, record = self.plan[self.round]
        neg.reservation = record.reservation
        self.world_records.append(self._snapshot([]))
        if neg.agreement_round is not None:
            neg.record_truce(self.round)
        else:
            if offer is not None:
                neg.history.append(offer)
            neg.replay(record)
        self.round += 1
        self.running = not neg.done
        if self.datacollector is not None:
            self.datacollector.collect(self)

    def _snapshot(self, labels: list[str]) -> WorldRecord:
        """The round's :class:`WorldRecord`. Without a war the world changes only in a
        round with events (every event, withdrawal or break has a label), so a quiet
        round shares the record of the last quiet round (records are immutable)."""
        if self.world.spec is not None or labels:
            self._quiet = None
            return snapshot(self.world, tuple(labels))
        if self._quiet is None:
            self._quiet = snapshot(self.world, ())
        return self._quiet

    def _start_truce(self, before: np.ndarray) -> None:
        """A ceasefire agreed this round: the front stops (and is set by agreed terms)."""
        neg, world = self.negotiation, self.world
        if world.truce or world.spec is None or not neg.ceasefire_in_force():
            return
        world.truce = True
        self.truce_start = self.round + 1
        self.ceasefires.append(self.round + 1)
        self.before_truce = before
        line = neg.settled[world.spec.issue]
        if not np.isnan(line):
            world.territory = float(line)

    @cached_property
    def compliance_rng(self) -> np.random.Generator:
        """The compliance draws' own stream, one pair per ceasefire round (made on first
        use: a run without a ceasefire never needs it, and making it costs about 40 µs)."""
        return np.random.default_rng(np.random.SeedSequence(self.run_seed).spawn(1)[0])

    def _compliance(self) -> list[str]:
        """Each principal decides whether to break the ceasefire (see
        :mod:`sim.behaviour.compliance`); a break reopens what the deal settled."""
        neg, world = self.negotiation, self.world
        spec = world.spec.compliance if world.spec is not None else None
        if spec is None:
            return []
        state = neg.final_outcome()
        z = self.compliance_rng.standard_normal(2).tolist()
        principals = (world.spec.a, world.spec.b)
        breakers = [
            i
            for i, zi in zip(principals, z, strict=True)
            if compliance.breaks(
                world.break_gain(neg.game, state, self.before_truce, i), spec.noise, zi
            )
        ]
        if not breakers:
            return []
        world.resume(neg.game, state, breakers)
        neg.reopen(self.before_truce, keep=neg.game.separable)
        neg.move_status_quo(world.spec.issue, world.territory)
        names = tuple(neg.game.party_ids[i] for i in breakers)
        self.breaks.append((self.round + 1, names, self.round + 1 - self.truce_start))
        self.truce_start = None
        who = " and ".join(neg.game.party_names[i] for i in breakers)
        return [f"ceasefire broken by {who}"]

    def _proposer(self):
        """This round's proposer, skipping parties that have left the talks."""
        active = self.active_proposers
        return active[self.round % len(active)] if active else self.proposers[0]

    def _apply_events(self, round_number: int) -> list[str]:
        neg, world, labels = self.negotiation, self.world, []
        for k, ev in self.timeline.get(round_number, []):
            labels.append(ev.label)
            if ev.type in PREFERENCE_EVENTS:
                self.shifts += (k,)
                neg.set_game(shifted_game(self.base_game, self.shifts))
            elif ev.type == "capability_shock":
                world.shock(neg.game.index(ev.party), ev.delta)
            elif ev.type == "support_change":
                world.set_support(
                    neg.game.index(ev.supporter), neg.game.index(ev.recipient), ev.level
                )
            elif ev.type == "belief_shock":
                world.belief_mean[neg.game.index(ev.party)] += ev.delta
            elif ev.type == "aspiration_shift":
                self.pressure[neg.game.index(ev.party)] += ev.delta
                neg.pressure = self.pressure
            elif ev.type == "deadline" and not self._progress():
                labels += self._withdraw(neg.game.index(ev.party))
        return labels

    def _progress(self) -> bool:
        """Whether the talks have settled or exchanged anything so far."""
        neg = self.negotiation
        return bool(neg.partials or neg.exchanges or neg.agreement_round is not None)

    def _pressure(self) -> list[str]:
        """Parties whose patience (rounds without progress) has run out withdraw."""
        out = []
        waited = self.negotiation.rounds_without_progress
        for i, patience in self.patience:
            if self.negotiation.active[i] and waited >= patience:
                out += self._withdraw(i)
        return out

    def _patience(self) -> list[tuple[int, float]]:
        """(party index, patience) of the parties that have one."""
        game = self.base_game
        parties = [(i, game.scenario.party(pid).patience) for i, pid in enumerate(game.party_ids)]
        return [(i, p.value) for i, p in parties if p is not None]

    def _withdraw(self, party: int) -> list[str]:
        if not self.negotiation.active[party]:
            return []
        spec = self.base_game.scenario.party(self.base_game.party_ids[party]).withdrawal
        self.world.withdraw(party, spec.support_cut.value if spec else 0.0)
        self.negotiation.withdraw(party)
        self.active_proposers = [a for a in self.active_proposers if a.index != party]
        return [f"{self.base_game.party_names[party]} withdraws"]

    def release(self) -> None:
        """Forget this model in Mesa's class-level agent-id registry (see module docstring)."""
        registry = getattr(Agent, "_ids", None)
        if registry is not None:
            registry.pop(self, None)


def _collector(game: Game):
    """The round collector (imported here: Mesa's DataCollector imports pandas, which a
    run without collection does not need; :mod:`sim.model.engine`)."""
    from sim.model.collect import make_collector

    return make_collector(game)


def negotiate(game: Game, seed: int, max_rounds: int | None = None) -> Iterator[RoundRecord]:
    """Run a negotiation as a generator of round records (tests can inspect the first k)."""
    model = NegotiationModel(game, seed, max_rounds, collect=False)
    try:
        while model.running:
            model.step()
            yield model.negotiation.records[-1]
    finally:
        model.release()

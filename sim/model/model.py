"""The Mesa model: one ``step()`` is one negotiation round.

Written for Mesa 3.3 and later 3.x: ``super().__init__(rng=seed)``, agents created as
``Agent(model)``, our own round counter, no schedulers, no indexing into
``model.agents``. Mesa 3.3 keeps a class-level registry of agent ids per model;
:meth:`NegotiationModel.release` drops this model's entry so that finished runs can be
garbage-collected (important in long sweeps).
"""

from __future__ import annotations

from collections.abc import Iterator

import mesa

from sim.behaviour.negotiation import Negotiation, RoundRecord, play_round
from sim.behaviour.strategies import Strategy, make_strategy
from sim.game import Game
from sim.model.agents import MediatorAgent, PartyAgent


class NegotiationModel(mesa.Model):
    """Parties bargaining over the issues of a scenario, round by round."""

    def __init__(self, game: Game, seed: int, max_rounds: int | None = None) -> None:
        super().__init__(rng=seed)
        self.game = game
        protocol = game.scenario.protocol
        self.max_rounds = max_rounds or protocol.max_rounds
        self.negotiation = Negotiation(game, self.max_rounds)
        self.parties = [
            PartyAgent(self, i, pid, self._strategy(pid)) for i, pid in enumerate(game.party_ids)
        ]
        self.mediators = [MediatorAgent(self, pid, self._strategy(pid)) for pid in game.mediators]
        by_id = {a.party_id: a for a in [*self.parties, *self.mediators]}
        self.proposers = [by_id[pid] for pid in protocol.proposer_order]
        self.round = 0

    def _strategy(self, party_id: str) -> Strategy:
        spec = self.game.scenario.party(party_id).strategy
        return make_strategy(spec.name, spec.params, party_id, self.game.party_ids)

    def step(self) -> None:
        """Play one round: this round's proposer (party or mediator) offers, others respond."""
        proposer = self.proposers[self.round % len(self.proposers)]
        play_round(self.negotiation, self.parties, proposer, self.round)
        self.round += 1
        self.running = not self.negotiation.done

    def release(self) -> None:
        """Forget this model in Mesa's class-level agent-id registry (see module docstring)."""
        registry = getattr(mesa.Agent, "_ids", None)
        if registry is not None:
            registry.pop(self, None)


def negotiate(game: Game, seed: int, max_rounds: int | None = None) -> Iterator[RoundRecord]:
    """Run a negotiation as a generator of round records (tests can inspect the first k)."""
    model = NegotiationModel(game, seed, max_rounds)
    try:
        while model.running:
            model.step()
            yield model.negotiation.records[-1]
    finally:
        model.release()

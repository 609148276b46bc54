"""Mesa agents: one per negotiating party, delegating to its strategy."""

from __future__ import annotations

from sim.behaviour.offers import Bid
from sim.behaviour.strategies import RoundContext, Strategy
from sim.behaviour.strategies.base import MEDIATOR_INDEX
from sim.model.engine import Agent, Model


class PartyAgent(Agent):
    """A negotiating party (principal or third party) in the Mesa model."""

    def __init__(self, model: Model, index: int, party_id: str, strategy: Strategy) -> None:
        super().__init__(model)
        self.index = index
        self.party_id = party_id
        self.strategy = strategy

    def threshold(self, ctx: RoundContext) -> float:
        return self.strategy.threshold(self.index, ctx)

    def propose(self, ctx: RoundContext, threshold: float) -> Bid:
        return self.strategy.propose(self.index, ctx, threshold)

    def accepts(self, ctx: RoundContext, bid: Bid, threshold: float) -> bool:
        return self.strategy.accepts(self.index, ctx, bid, threshold)


class MediatorAgent(Agent):
    """A mediator: proposes single negotiating texts, holds no preferences, never votes."""

    def __init__(self, model: Model, party_id: str, strategy: Strategy) -> None:
        super().__init__(model)
        self.index = MEDIATOR_INDEX
        self.party_id = party_id
        self.strategy = strategy

    def propose(self, ctx: RoundContext, threshold: float) -> Bid:
        return self.strategy.propose(self.index, ctx, threshold)

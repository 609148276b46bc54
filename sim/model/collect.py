"""Per-round data of a model, collected the Mesa way (``mesa.DataCollector``).

Model reporters (one value per round): the round, the proposer, the offer on every issue
(labels for discrete issues, as in ``rounds.csv``), whether the round reached a full
agreement, its phase, the issues settled so far and the outcome so far
(``Negotiation.outcome_kind``); with a war, the front line, the win share and whether a
general ceasefire is in force.

Agent reporters (one row per agent and round): the party id, the utility of the round's
offer, the threshold (aspiration), the reservation utility and the response, as in
``rounds.csv``; and ``state_utility``, the party's utility of the state the talks would
end in now (settled terms, status quo elsewhere), with the scenario's preferences before
any preference event, as ``summary.json`` and a sweep's ``utility.<party>`` measure the
final state (equal to them after the last round). Mediators hold no preferences: their
values are ``None``.

Row ``k`` of both tables is round ``k + 1`` (see :class:`RoundCollector`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import mesa

from sim.behaviour.strategies.base import MEDIATOR_INDEX
from sim.game import Game

if TYPE_CHECKING:
    from sim.model.model import NegotiationModel

Reporter = Callable[[Any], Any]


class RoundCollector(mesa.DataCollector):
    """Mesa's ``DataCollector``, collected once after every round, whose agent records
    are numbered like its model records: row ``k`` is round ``k + 1``.

    Mesa keys agent records by ``model.steps`` (``k + 1`` after round ``k + 1``) but
    model records by position (``k``); ``mesa.batch_run`` (3.3) reads both at
    ``model.steps - 1``, so without this renumbering it would pair the last round's
    model data with the previous round's agent data (Mesa issue #2514)."""

    def collect(self, model: mesa.Model) -> None:
        """Collect the round just played (Mesa's ``collect``, agent rows renumbered)."""
        super().collect(model)
        rows = self._agent_records.pop(model.steps, None)
        if rows is not None:
            row = model.steps - 1
            self._agent_records[row] = [(row, *record[1:]) for record in rows]


def make_collector(game: Game) -> RoundCollector:
    """A collector with the reporters of the module docstring for ``game``."""
    reporters = game.memo("mesa.reporters", lambda: (model_reporters(game), AGENT_REPORTERS))
    return RoundCollector(model_reporters=reporters[0], agent_reporters=reporters[1])


def _last(model: NegotiationModel):
    return model.negotiation.records[-1]


def _offer(j: int, labels: tuple[str, ...] | None, model: NegotiationModel) -> float | str:
    value = float(_last(model).outcome[j])
    return labels[int(value)] if labels is not None else value


def _settled_issues(model: NegotiationModel) -> str:
    neg = model.negotiation
    return ";".join(i for i, s in zip(neg.game.issue_ids, neg.settled, strict=True) if s == s)


def model_reporters(game: Game) -> dict[str, Reporter]:
    """Model reporters of the module docstring (war columns only with a war)."""
    reporters: dict[str, Reporter] = {
        "round": lambda m: m.round,
        "proposer": lambda m: _last(m).proposer_id,
    }
    for j, issue in enumerate(game.scenario.issues):
        labels = tuple(issue.values) if issue.kind == "discrete" else None
        reporters[f"offer.{issue.id}"] = partial(_offer, j, labels)
    reporters |= {
        "agreement": lambda m: _last(m).agreement,
        "phase": lambda m: _last(m).phase,
        "settled_issues": _settled_issues,
        "outcome": lambda m: m.negotiation.outcome_kind(),
    }
    if game.scenario.war is not None:
        reporters |= {
            "territory": lambda m: m.world_records[-1].territory,
            "win_share": lambda m: m.world_records[-1].share,
            "ceasefire_in_force": lambda m: m.world_records[-1].truce,
        }
    return reporters


def _party_value(field: str, agent: mesa.Agent) -> Any:
    """A party's entry in the last round record's ``field`` (None for a mediator)."""
    if agent.index == MEDIATOR_INDEX:
        return None
    value = getattr(_last(agent.model), field)[agent.index]
    return value if isinstance(value, str) else float(value)


def _state_utility(agent: mesa.Agent) -> float | None:
    """The party's utility of the state the talks would end in now (computed once per
    round for all parties)."""
    if agent.index == MEDIATOR_INDEX:
        return None
    model = agent.model
    cached = model.__dict__.get("_state_utilities")
    if cached is None or cached[0] != model.round:
        state = model.negotiation.final_outcome()
        cached = (model.round, model.base_game.prefs.utilities(state)[0].tolist())
        model._state_utilities = cached
    return cached[1][agent.index]


AGENT_REPORTERS: dict[str, Reporter] = {
    "party": lambda a: a.party_id,
    "utility": partial(_party_value, "utilities"),
    "threshold": partial(_party_value, "thresholds"),
    "reservation": partial(_party_value, "reservation"),
    "response": partial(_party_value, "responses"),
    "state_utility": _state_utility,
}
"""Agent reporters of the module docstring."""

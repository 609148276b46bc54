"""The model the view steps: :class:`~sim.model.model.NegotiationModel` built from the
scenario with the controls' values (:mod:`sim.view.controls`).

SolaraViz rebuilds the model as ``type(model)(**params)`` when *Reset* is pressed, so
the constructor takes the controls as keyword arguments: ``setup`` (fixed), ``seed_offset``,
``linked_conditions`` and one number per control path (``**kwargs``: Mesa's
parameter check accepts extra keywords only under that name).
"""

from __future__ import annotations

from sim.model.model import NegotiationModel
from sim.scenario import InputError
from sim.view.controls import ViewSetup


class ViewModel(NegotiationModel):
    """A negotiation on the scenario as the controls set it.

    Values the scenario's checks reject (e.g. a strategy parameter out of its bounds) do
    not stop the view: the scenario as written is played and ``problem`` says why.
    """

    def __init__(
        self,
        setup: ViewSetup,
        seed_offset: int = 0,
        linked_conditions: bool = True,
        **kwargs: float,
    ) -> None:
        self.setup = setup
        self.problem: str | None = None
        try:
            game = setup.game(kwargs, linked_conditions)
        except InputError as exc:
            self.problem = str(exc)
            game = setup.game({}, True)
        self.seed_used = game.scenario.seed + int(seed_offset)
        super().__init__(game, self.seed_used)

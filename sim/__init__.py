"""Game-theoretic simulator of the Russia–Ukraine ceasefire negotiations, built on Mesa.

The public Python API (:mod:`sim.api`): ``sim.load``, ``sim.run``, ``sim.run_sweep`` and
``sim.compare_folders``, their results in :mod:`sim.results`, and the Mesa model
``sim.NegotiationModel`` (for ``mesa.batch_run``). They are imported on first use,
so ``import sim`` (and the command line) stays light.

Layers (arrows point from importer to imported, never back):
``cli, api -> jobs -> model -> behaviour -> theory``; ``jobs -> output``; ``scenario`` is
imported by ``game``/``jobs`` and knows nothing of the engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
"""The package's version; ``pyproject.toml`` reads it from here."""

if TYPE_CHECKING:
    from sim.api import compare_folders, load, run, run_sweep
    from sim.model.model import NegotiationModel

__all__ = ["NegotiationModel", "__version__", "compare_folders", "load", "run", "run_sweep"]
API = ("compare_folders", "load", "run", "run_sweep")


def __getattr__(name: str) -> Any:
    """The API functions of :mod:`sim.api` and the Mesa model, imported when first used
    (PEP 562)."""
    if name in API:
        from sim import api

        return getattr(api, name)
    if name == "NegotiationModel":
        from sim.model.model import NegotiationModel

        return NegotiationModel
    raise AttributeError(f"module 'sim' has no attribute {name!r}")

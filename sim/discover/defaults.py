"""The names and defaults ``sim discover`` shows in its help, apart from the modules
that use them, so that building the command line imports neither."""

from __future__ import annotations

SHORT_NAMES: dict[str, str] = {
    "agreement": "the run ended in a full agreement (outcome == 'agreement')",
    "partial": "the run ended in a partial agreement only (outcome == 'partial')",
    "none": "the run ended without agreement (outcome == 'none')",
    "general_ceasefire": "a general ceasefire was agreed at some round (ceasefire_round set)",
    "exchange": "at least one exchange was agreed (exchanges > 0)",
}
"""Short names for common run outcomes (README, "Scenario discovery")."""

PEEL_ALPHA, PASTE_ALPHA, MASS_MIN, MIN_DENSITY = 0.05, 0.05, 0.05, 0.8
"""Defaults: the EMA Workbench's peel and paste alphas and minimum mass; the density
threshold is the EMA Workbench's default ``threshold`` for a box of interest."""

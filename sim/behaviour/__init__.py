"""Behaviour: strategies, protocols and the rules of a negotiation round (no Mesa here)."""

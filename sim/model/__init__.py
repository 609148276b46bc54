"""The Mesa layer: a thin model and agents that wire the pure behaviour together."""

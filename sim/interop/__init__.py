"""Import and export of negotiation domains: GENIUS XML and GeniusWeb JSON.

Every format is read into, and written from, one small intermediate form
(:mod:`sim.interop.model`): a domain (issues) and one linear additive profile per party.
:mod:`sim.interop.scenario_map` turns that form into a scenario of this project and
back. One module per file format:

* :mod:`sim.interop.genius` — GENIUS (Lin et al. 2014) ``negotiation_template`` domain and
  ``utility_space`` profile files;
* :mod:`sim.interop.geniusweb` — GeniusWeb domain JSON and ``LinearAdditiveUtilitySpace``
  profile JSON.

The README section "Import and export" holds the mapping table and its limits.
"""

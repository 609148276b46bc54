"""Scenario discovery over a sweep's rows (``sim discover``): a safe row condition
(:mod:`sim.discover.expression`), PRIM boxes (:mod:`sim.discover.boxes`), CART rules and
feature scores (:mod:`sim.discover.trees`)."""

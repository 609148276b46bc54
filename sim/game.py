"""A validated scenario compiled into arrays: the numeric game the engine plays.

Party order follows the scenario file; mediators hold no preferences and are kept apart
(``mediators``), so every array indexed by party covers the *negotiating* parties only.
Saliences are divided by their sum (see :func:`normalised_weights`), and the
normalisation is reported in ``notes``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from sim.behaviour.all_outcomes import all_options
from sim.behaviour.offers import (
    LOWEST_OWN_UTILITY,
    Bid,
    build_offer_set,
    evaluate_bid,
    moved_status_quo,
)
from sim.behaviour.strategies.base import IssueSpace
from sim.identity_cache import IdentityCache, clear_identity_caches
from sim.scenario.schema import Issue, Party, Scenario
from sim.theory.frontier import (
    Frontier,
    Options,
    distinct_rows,
    feasible_part,
    pareto_frontier,
    restrict_options,
)
from sim.theory.preferences import LinkedLine, Preferences, array_digest, red_line_bounds

FRONTIER_RESOLUTION = 100
TABLE_SIZE = 4096  # entries per lookup table of Game.cached
SHORT_TABLES = {"reference_points": 64}
"""Tables kept shorter: reference points serve the games that share a disagreement point
(the points of a sweep of strategy parameters); points that move it (fighting costs)
never meet again, and a long table of them would only burden memory and the garbage
collector."""


@dataclass(frozen=True, eq=False)
class Game:
    """The numeric form of a scenario (see the module docstring)."""

    scenario: Scenario
    party_ids: tuple[str, ...]
    party_names: tuple[str, ...]
    issue_ids: tuple[str, ...]
    principals: np.ndarray
    prefs: Preferences
    status_quo: np.ndarray
    separable: np.ndarray
    consent: np.ndarray
    fighting_cost: np.ndarray
    fixed_reservation: np.ndarray
    discount: np.ndarray
    repeatable: np.ndarray | None = None
    agenda: tuple[np.ndarray | None, ...] = ()
    ceasefire: tuple[int, float, float] | None = None
    mediators: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())
    variants: dict[tuple[int, ...], Game] = field(default_factory=dict, repr=False)
    derived: dict[str, Any] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        """A one-line summary (the arrays are in the fields; the frontier is counted only
        once computed, since computing it takes seconds)."""
        frontier = self.__dict__.get("frontier")
        points = "not computed" if frontier is None else f"{len(frontier)} points"
        mediators = f", mediators={len(self.mediators)}" if self.mediators else ""
        return (
            f"Game(title={self.scenario.title!r}, parties={self.n_parties}{mediators}, "
            f"issues={self.n_issues}, frontier={points})"
        )

    @property
    def n_parties(self) -> int:
        return len(self.party_ids)

    @property
    def n_issues(self) -> int:
        return len(self.issue_ids)

    @cached_property
    def no_fixed_reservation(self) -> bool:
        """True when no party has a fixed ``reservation`` (all come from the status quo)."""
        return bool(np.isnan(self.fixed_reservation).all())

    @cached_property
    def all_fixed_reservation(self) -> bool:
        """True when every party has a fixed ``reservation`` (none depends on the war)."""
        return bool(not np.isnan(self.fixed_reservation).any())

    def index(self, party_id: str) -> int:
        return self.party_ids.index(party_id)

    @cached_property
    def frontier(self) -> Frontier:
        """The Pareto frontier approximation of :mod:`sim.theory.frontier`, shared by games
        with identical preferences (e.g. the points of a sweep that vary the war only)."""
        return shared_frontier(self.prefs, self.anchor_points())

    def feasible_frontier(self) -> Frontier:
        """The rows of :attr:`frontier` within every red line (the reference points'
        domain), cut from it when it has been computed, else computed alone
        (:func:`shared_frontier`): a game replaced by an event before its first offer
        (the consultation of round 1) needs only these rows, and they cost one Pareto
        sift fewer."""
        return shared_frontier(self.prefs, self.anchor_points(), feasible_only=True)

    def options(self, settled: np.ndarray, scope: np.ndarray | None = None) -> Options:
        """Frontier outcomes with the settled issues held fixed, red lines binding within
        ``scope`` (cached per settlement and scope); every outcome, in enumeration order,
        under the ``lowest_own_utility`` offer policy (:mod:`sim.behaviour.all_outcomes`)."""
        if self.policy == LOWEST_OWN_UTILITY:
            return self.cached(
                "all_options",
                (settled.tobytes(), _bytes(scope)),
                lambda: all_options(self.prefs, settled, scope),
            )
        fixed = ~np.isnan(settled)
        if scope is None and not fixed.any():
            return self.cached("options", (settled.tobytes(), b""), self._whole_frontier)
        rows = self.cached(
            "distinct_rows", fixed.tobytes(), lambda: distinct_rows(self.frontier.outcomes, fixed)
        )
        return self.cached(
            "options",
            (settled.tobytes(), _bytes(scope)),
            lambda: restrict_options(self.prefs, self.frontier.outcomes, settled, scope, rows),
        )

    def _whole_frontier(self) -> Options:
        """The options with nothing settled and every red line binding: the frontier
        itself, read-only (it is closed under :func:`~sim.theory.frontier.efficient`: a
        row efficient among all candidates, or among the acceptable ones, stays so among
        any subset holding it, so :func:`restrict_options` would return every row)."""
        f = self.frontier
        arrays = [a.view() for a in (f.outcomes, f.utilities, f.acceptable)]
        for a in arrays:
            a.flags.writeable = False
        return Options(*arrays)

    def memo(self, key: str, build: Callable[[], Any]) -> Any:
        """A value derived from this game, built once (war spec, strategies, references)."""
        if key not in self.derived:
            self.derived[key] = build()
        return self.derived[key]

    def cached(self, table: str, key: Hashable, build: Callable[[], Any]) -> Any:
        """``build()`` kept under ``key`` in this game's lookup table ``table`` (values that
        recur across rounds and runs; a full table is emptied, so memory stays bounded).

        The tables of :data:`SHARED_TABLES` (frontier options, consent rules, offer sets)
        are shared by every game with the same :attr:`offer_key`: the points of a sweep
        that vary only fighting costs, support, strategy parameters or event sizes build
        their offer sets once."""
        if table in SHARED_TABLES:
            entries = self.memo("shared_tables", lambda: shared_tables(self.offer_key))
            entries = entries.setdefault(table, {})
        else:
            entries = self.memo(f"table.{table}", dict)
        if key not in entries:
            if len(entries) >= SHORT_TABLES.get(table, TABLE_SIZE):
                entries.clear()
            entries[key] = build()
        return entries[key]

    @cached_property
    def offer_key(self) -> bytes:
        """A digest of everything the frontier, its options and the offer sets depend on:
        the preference arrays, the status quo (with them, the anchor points), the consent
        rules and who is a principal, and the offer policy (not fighting costs,
        reservations, discounts or the war)."""
        return array_digest(
            [
                np.frombuffer(self.prefs.digest, dtype=np.uint8),
                self.status_quo,
                self.consent,
                self.principals,
                np.frombuffer(self.policy.encode(), dtype=np.uint8),
            ]
        )

    def consent_of(self, active: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Who must consent to each issue once the parties not ``active`` have left (the
        game's ``consent`` rule minus them), and which issues a third party controls."""

        def build() -> tuple[np.ndarray, np.ndarray]:
            consent = self.consent & active[None, :]
            third = (consent & ~self.principals[None, :]).any(axis=1)
            consent.flags.writeable = third.flags.writeable = False  # shared by runs
            return consent, third

        return self.cached("consent", active.tobytes(), build)

    def offer_set(
        self,
        settled: np.ndarray,
        active: np.ndarray,
        status_quo: np.ndarray,
        scope: np.ndarray | None = None,
    ):
        """The offer set for a negotiation state (cached: it depends on the settled issues,
        who is still at the table, and the status quo of issues third parties control).

        With a ``scope`` (an interim offer set, see ``Party.settle_first``) the open issues
        outside it are held at their status quo and an accepted offer settles only the
        scope. The set is built once with them at the game's status quo and shifted to
        the current one (:func:`~sim.behaviour.offers.moved_status_quo`), since the war
        moves the line every round."""
        consent, third = self.consent_of(active)
        held, sq = settled, status_quo
        if scope is not None:
            outside = ~scope & np.isnan(settled)
            held, sq = settled.copy(), status_quo.copy()
            held[outside] = sq[outside] = self.status_quo[outside]
        key = (held.tobytes(), active.tobytes(), sq[third].tobytes(), _bytes(scope))
        offers = self.cached(
            "offer_sets",
            key,
            lambda: build_offer_set(self.options(held, scope), sq, consent, scope, self.policy),
        )
        if scope is None or np.array_equal(sq, status_quo):
            return offers
        moved = moved_status_quo(offers, self.prefs, outside, status_quo)
        if moved is not None:
            return moved
        held[outside] = status_quo[outside]
        return build_offer_set(self.options(held, scope), status_quo, consent, scope, self.policy)

    @property
    def turns_per_step(self) -> int:
        """Rounds (turns) per step of the clock of relative time: the number of
        negotiating parties under ``protocol.turns_per_step: every_party``, else 1."""
        every = self.scenario.protocol.turns_per_step == "every_party"
        return self.n_parties if every else 1

    @property
    def policy(self) -> str:
        """The scenario's offer policy (``protocol.offer_policy``)."""
        return self.scenario.protocol.offer_policy

    def in_ceasefire_zone(self, value: float) -> bool:
        """Whether ``value`` of the ceasefire issue is a general ceasefire (``war.ceasefire``)."""
        if self.ceasefire is None:
            return False
        _, lo, hi = self.ceasefire
        return bool(lo - 1e-9 <= value <= hi + 1e-9)

    def anchor_points(self) -> np.ndarray:
        """Values every grid must contain exactly: ideals, red lines, the bounds of linked
        red lines and the status quo (read-only, built once per game)."""
        return self.memo("anchor_points", self._anchor_points)

    def _anchor_points(self) -> np.ndarray:
        p = self.prefs
        rows = [
            p.ideal,
            np.where(np.isfinite(p.accept_lo), p.accept_lo, np.nan),
            np.where(np.isfinite(p.accept_hi), p.accept_hi, np.nan),
            self.status_quo[None],
        ]
        for line in p.conditions:
            clauses = [(line.issue, *line.zone)] + [c for o in line.options for c in o]
            for k, lo, hi in clauses:
                row = np.full((2, self.n_issues), np.nan)
                row[:, k] = lo, hi
                rows.append(row)
        anchors = np.concatenate(rows, axis=0)
        anchors.flags.writeable = False
        return anchors

    @cached_property
    def space(self) -> IssueSpace:
        """Spans and kinds of the issues, as strategies see them."""
        p = self.prefs
        return IssueSpace(p.lo, p.hi, ~p.spatial, p.integer)

    def evaluate(self, outcome: np.ndarray, status_quo: np.ndarray) -> Bid:
        """Utilities, red-line checks and required consents of any outcome."""
        return evaluate_bid(self.prefs, outcome, status_quo, self.consent)

    def reservation(self, status_quo: np.ndarray) -> np.ndarray:
        """r_i = u_i(status quo) − fighting cost_i, or the fixed reservation when given."""
        from_war = self.prefs.utilities(status_quo)[0] - self.fighting_cost
        return np.where(np.isnan(self.fixed_reservation), from_war, self.fixed_reservation)

    def format_outcome(self, outcome: np.ndarray) -> dict[str, float | str]:
        """Outcome values by issue id, with labels for discrete issues."""
        out: dict[str, float | str] = {}
        for j, issue in enumerate(self.scenario.issues):
            value = float(outcome[j])
            out[issue.id] = issue.values[int(value)] if issue.kind == "discrete" else value
        return out


def _bytes(mask: np.ndarray | None) -> bytes:
    return b"" if mask is None else mask.tobytes()


_FRONTIERS: OrderedDict[bytes, Frontier] = OrderedDict()
FRONTIER_CACHE_SIZE = 32
SHARED_TABLES = frozenset(
    {
        "separable_grid",
        "separable_offers",
        "prefs_without",
        "other_issues",
        "territory_value",
        "feasible",
        "distinct_rows",
        "options",
        "consent",
        "offer_sets",
        "forecasts",
        "utilitarian",
        "reference_points",
    }
)
"""Lookup tables of :meth:`Game.cached` that depend only on :attr:`Game.offer_key`."""
_TABLES: OrderedDict[bytes, dict[str, dict]] = OrderedDict()
TABLES_CACHE_SIZE = 32


def shared_tables(key: bytes) -> dict[str, dict]:
    """The lookup tables of the games whose :attr:`Game.offer_key` is ``key`` (least
    recently used, :data:`TABLES_CACHE_SIZE` keys; each table is bounded by
    :data:`TABLE_SIZE` entries in :meth:`Game.cached`)."""
    if key in _TABLES:
        _TABLES.move_to_end(key)
    else:
        _TABLES[key] = {}
        if len(_TABLES) > TABLES_CACHE_SIZE:
            _TABLES.popitem(last=False)
    return _TABLES[key]


def clear_shared_caches() -> None:
    """Forget every shared frontier and lookup table, and everything remembered by the
    identity of its inputs (:mod:`sim.identity_cache`): a cold start, e.g. in tests."""
    _FRONTIERS.clear()
    _TABLES.clear()
    clear_identity_caches()


def shared_frontier(
    prefs: Preferences, anchors: np.ndarray, feasible_only: bool = False
) -> Frontier:
    """``pareto_frontier`` memoised on the preference arrays (least recently used, 32);
    its feasible part is cut from the whole frontier when that is at hand."""
    key = array_digest([np.frombuffer(prefs.digest, dtype=np.uint8), anchors])
    if feasible_only:
        whole = _FRONTIERS.get(key)
        if whole is not None:
            return feasible_part(whole)
        key += b"feasible"
    if key in _FRONTIERS:
        _FRONTIERS.move_to_end(key)
    else:
        _FRONTIERS[key] = pareto_frontier(
            prefs, anchors, FRONTIER_RESOLUTION, feasible_only=feasible_only
        )
        if len(_FRONTIERS) > FRONTIER_CACHE_SIZE:
            _FRONTIERS.popitem(last=False)
    return _FRONTIERS[key]


def compile_game(scenario: Scenario) -> Game:
    """Turn a validated scenario into a :class:`Game`."""
    issues = scenario.issues
    negotiators = [p for p in scenario.parties if p.role != "mediator"]
    prefs, notes = compiled_preferences(scenario, negotiators)
    ids = [p.id for p in negotiators]
    consent = np.zeros((len(issues), len(negotiators)), dtype=bool)
    for j, issue in enumerate(issues):
        for pid in issue.consent:
            if pid in ids:
                consent[j, ids.index(pid)] = True
    principals = np.array([p.role == "principal" for p in negotiators])
    consent |= principals[None, :]
    return Game(
        scenario=scenario,
        party_ids=tuple(ids),
        party_names=tuple(p.name for p in negotiators),
        issue_ids=tuple(i.id for i in issues),
        principals=principals,
        prefs=prefs,
        status_quo=np.array([_numeric_status_quo(i) for i in issues]),
        separable=np.array([i.separable for i in issues]),
        consent=consent,
        fighting_cost=np.array([_value(p.fighting_cost, 0.0) for p in negotiators]),
        fixed_reservation=np.array([_value(p.reservation, np.nan) for p in negotiators]),
        discount=np.array([_value(p.discount, np.nan) for p in negotiators]),
        repeatable=np.array([i.repeatable for i in issues]),
        agenda=tuple(_agenda(p, scenario.issue_ids) for p in negotiators),
        ceasefire=_ceasefire_zone(scenario),
        mediators=tuple(p.id for p in scenario.parties if p.role == "mediator"),
        notes=tuple(notes),
    )


PREFERENCES = IdentityCache(64)
"""Compiled preferences by the identity of the models they are read from."""


def compiled_preferences(
    scenario: Scenario, negotiators: list[Party]
) -> tuple[Preferences, list[str]]:
    """The negotiators' :class:`Preferences` and the notes on their saliences. They read
    only the issues, the negotiators' ids, positions and conditions, so scenarios that
    share these objects (the points of a sweep that move a fighting cost, a strategy
    parameter or the war, :func:`sim.jobs.sweep_worker.point_scenario`) share one
    ``Preferences`` object, and with it everything cached on it (its digest, its
    acceptable boxes)."""

    def build() -> tuple[Preferences, list[str]]:
        weights, notes = normalised_weights(scenario, negotiators)
        return _preferences(scenario.issues, negotiators, weights), notes

    inputs = (
        *scenario.issues,
        *(p.conditions for p in negotiators),
        *(p.positions.get(i.id) for p in negotiators for i in scenario.issues),
    )
    return PREFERENCES.get(inputs, tuple(p.id for p in negotiators), build)


def normalised_weights(scenario: Scenario, parties: list[Party]) -> tuple[np.ndarray, list[str]]:
    """Saliences as an (n, m) array with rows divided by their sums, and a note per change."""
    raw = np.array([[p.positions[i.id].salience.value for i in scenario.issues] for p in parties])
    sums = raw.sum(axis=1)
    notes = [
        f"saliences of {p.id} summed to {s:g}; normalised to sum to 1"
        for p, s in zip(parties, sums, strict=True)
        if abs(s - 1.0) > 1e-9
    ]
    return raw / sums[:, None], notes


def _agenda(party: Party, issue_ids: list[str]) -> np.ndarray | None:
    """The issues ``party`` settles before any other (its ``settle_first``), as a mask."""
    if party.settle_first is None:
        return None
    return np.array([iid in party.settle_first.issues for iid in issue_ids])


def _ceasefire_zone(scenario: Scenario) -> tuple[int, float, float] | None:
    """(issue index, lo, hi) of the values that are a general ceasefire, if declared."""
    line = scenario.war.ceasefire if scenario.war is not None else None
    if line is None:
        return None
    issue = scenario.issue(line.issue)
    return (scenario.issue_ids.index(line.issue), *line.interval(*issue.span()))


def _value(item, default: float) -> float:
    return default if item is None else float(item.value)


def _numeric_status_quo(issue: Issue) -> float:
    sq = issue.status_quo.value
    return float(issue.values.index(sq)) if issue.kind == "discrete" else float(sq)


def _preferences(issues: list[Issue], parties: list[Party], weights: np.ndarray) -> Preferences:
    n, m = weights.shape
    # filled as lists, made arrays once (item assignment into arrays costs per item)
    ideal = [[0.0] * m for _ in range(n)]
    exponent = [[2] * m for _ in range(n)]
    accept_lo = [[-np.inf] * m for _ in range(n)]
    accept_hi = [[np.inf] * m for _ in range(n)]
    tables: list[np.ndarray | None] = []
    allowed: list[np.ndarray | None] = []
    for j, issue in enumerate(issues):
        positions = [p.positions[issue.id] for p in parties]
        if issue.kind == "discrete":
            tables.append(
                np.array([[pos.values[v].value for v in issue.values] for pos in positions])
            )
            allowed.append(
                np.array([[v not in pos.unacceptable for v in issue.values] for pos in positions])
            )
            continue
        tables.append(None)
        allowed.append(None)
        for i, pos in enumerate(positions):
            ideal[i][j] = float(pos.ideal.value)
            exponent[i][j] = 1 if pos.loss == "linear" else 2
            red = None if pos.red_line is None else pos.red_line.value
            accept_lo[i][j], accept_hi[i][j] = red_line_bounds(ideal[i][j], red)
    spans = np.array([issue.span() for issue in issues])
    conditions = _linked_lines(issues, parties)
    return Preferences(
        weights=weights,
        spatial=np.array([i.kind != "discrete" for i in issues]),
        integer=np.array([i.kind == "integer" for i in issues]),
        lo=spans[:, 0],
        hi=spans[:, 1],
        ideal=np.array(ideal, dtype=float),
        exponent=np.array(exponent),
        accept_lo=np.array(accept_lo, dtype=float),
        accept_hi=np.array(accept_hi, dtype=float),
        tables=tuple(tables),
        allowed=tuple(allowed),
        conditions=conditions,
    )


def _linked_lines(issues: list[Issue], parties: list[Party]) -> tuple[LinkedLine, ...]:
    """The parties' ``conditions`` as :class:`LinkedLine` objects over issue indices."""
    index = {issue.id: j for j, issue in enumerate(issues)}

    def clause(c) -> tuple[int, float, float]:
        j = index[c.issue]
        return (j, *c.interval(*issues[j].span()))

    return tuple(
        LinkedLine(
            party=i,
            id=cond.id,
            issue=index[cond.when.issue],
            zone=clause(cond.when)[1:],
            options=tuple(tuple(clause(c) for c in o.all_of) for o in cond.any_of),
        )
        for i, party in enumerate(parties)
        for cond in party.conditions
    )

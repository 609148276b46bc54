"""The world the talks sit in: battlefield state, support, beliefs, and who is still at the
table. One :class:`World` per run, advanced once per round by :meth:`World.advance`.

The numbers come from the scenario's ``war`` block (compiled by :func:`war_spec`); the
rules are the pure functions of :mod:`sim.behaviour.war`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np

from sim.behaviour import compliance as comply
from sim.behaviour import war
from sim.game import Game
from sim.identity_cache import IdentityCache
from sim.theory.fearon import bargaining_range
from sim.theory.preferences import Preferences


@dataclass(frozen=True)
class WarSpec:
    """The war block as arrays over the negotiating parties (see ``sim.scenario.schema.War``)."""

    a: int
    b: int
    issue: int
    lo: float  # the territory issue's span [lo, hi]
    hi: float
    drift_scale: float
    volatility: float
    trend: float
    horizon: int
    discount: float
    loss_volatility: float
    resources: np.ndarray
    supporters: np.ndarray
    recipients: np.ndarray
    levels: np.ndarray
    weights: np.ndarray
    belief_mean: np.ndarray
    belief_sd: np.ndarray
    compliance: comply.ComplianceSpec | None = None
    links: tuple[tuple[int, float, int, int], ...] = ()  # (issue, effect, supporter, losses_of)


def _compliance_spec(game: Game) -> comply.ComplianceSpec | None:
    c = game.scenario.war.compliance
    if c is None:
        return None
    arms, guarantee = c.arms_limits, c.guarantees
    return comply.ComplianceSpec(
        first_strike=c.first_strike.value,
        noise=c.noise.value,
        arms_issue=game.issue_ids.index(arms.issue) if arms else None,
        arms_effect=arms.effect.value if arms else 0.0,
        guarantee_issue=game.issue_ids.index(guarantee.issue) if guarantee else None,
        guarantee_effect=guarantee.effect.value if guarantee else 0.0,
    )


WAR_SPECS = IdentityCache(64)
""":func:`war_spec` by the identity of the war block and the preferences."""


def war_spec(game: Game) -> WarSpec | None:
    """Compile the scenario's war block (``None`` when the scenario has none). It reads
    the war block, the preferences' spans, and the parties' and issues' ids and roles, so
    games that share the first two objects and the rest by value share one (read-only)
    spec (:data:`WAR_SPECS`: the points of a sweep that move a fighting cost or a
    strategy parameter)."""
    if game.scenario.war is None:
        return None
    names = (game.party_ids, game.issue_ids, game.principals.tobytes())
    return WAR_SPECS.get((game.scenario.war, game.prefs), names, lambda: _war_spec(game))


def _war_spec(game: Game) -> WarSpec:
    w = game.scenario.war
    ids = game.party_ids
    a, b = (game.index(p) for p in ids if game.principals[game.index(p)])
    issue = game.issue_ids.index(w.territory_issue)
    n = len(ids)
    resources = np.zeros(n)
    for pid, value in w.resources.items():
        resources[game.index(pid)] = value.value
    mean, sd = np.zeros(n), np.zeros(n)
    for pid, belief in w.beliefs.items():
        mean[game.index(pid)], sd[game.index(pid)] = belief.mean.value, belief.sd.value
    spec = WarSpec(
        a=a,
        b=b,
        issue=issue,
        lo=float(game.prefs.lo[issue]),
        hi=float(game.prefs.hi[issue]),
        drift_scale=w.drift_scale.value,
        volatility=w.volatility.value,
        trend=w.trend.value,
        horizon=w.horizon,
        discount=w.discount.value,
        loss_volatility=w.loss_volatility.value,
        resources=resources,
        supporters=np.array(
            [game.index(s.supporter) if s.supporter in ids else -1 for s in w.support], dtype=int
        ),
        recipients=np.array([game.index(s.recipient) for s in w.support], dtype=int),
        levels=np.array([s.level.value for s in w.support]),
        weights=np.array([s.weight.value for s in w.support]),
        belief_mean=mean,
        belief_sd=sd,
        compliance=_compliance_spec(game),
        links=tuple(
            (
                game.issue_ids.index(link.issue),
                link.effect.value,
                game.index(link.supporter) if link.supporter in ids else -1,
                game.index(link.losses_of) if link.losses_of in ids else -1,
            )
            for link in w.status_quo_links
        ),
    )
    for value in vars(spec).values():
        if isinstance(value, np.ndarray):
            value.flags.writeable = False  # shared by games (:data:`WAR_SPECS`)
    return spec


@dataclass
class World:
    """Mutable state of one run's world, over negotiating parties. The values that change
    every round or on events (beliefs, losses, who has withdrawn) are plain lists: they
    are updated one party at a time."""

    spec: WarSpec | None
    n: int
    territory: float = np.nan
    resources: np.ndarray = field(default_factory=lambda: np.zeros(0))
    levels: np.ndarray = field(default_factory=lambda: np.zeros(0))
    belief_mean: list[float] = field(default_factory=list)
    belief_sd: list[float] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    withdrawn: list[bool] = field(default_factory=list)
    share: float = np.nan
    costs: tuple[float, ...] = ()  # shared between runs (see _assess), so immutable
    fearon: tuple[float, float] = (np.nan, np.nan)
    truce: bool = False  # a general ceasefire is in force: the front does not move
    rounds_fought: int = 0
    _stale: bool = True

    @classmethod
    def start(cls, game: Game) -> World:
        spec = game.memo("war_spec", lambda: war_spec(game))
        n = game.n_parties
        world = cls(
            spec,
            n,
            withdrawn=[False] * n,
            losses=[0.0] * n,
            costs=tuple(game.fighting_cost.tolist()),
        )
        if spec is not None:
            world.territory = float(game.status_quo[spec.issue])
            world.resources = spec.resources.copy()
            world.levels = spec.levels.copy()
            world.belief_mean = spec.belief_mean.tolist()
            world.belief_sd = spec.belief_sd.tolist()
            world._assess(game)
        return world

    def _assess(self, game: Game) -> None:
        """Win share, per-round costs and Fearon's range from the current capabilities
        (cached per game: every run meets the same shocks, support changes and withdrawals)."""
        key = self.resources.tobytes() + self.levels.tobytes()
        self.share, self.costs, self.fearon = game.cached(
            "war_assessment", key, lambda: _assessment(game, self)
        )
        self._stale = False

    def advance(self, game: Game, noise: tuple[float, float, float]) -> None:
        """One round of fighting: territory moves, losses accrue, beliefs update.

        ``noise`` holds the round's standard normal draws (z, z_loss_A, z_loss_B). Under a
        ceasefire nothing moves and nobody fights."""
        if self.spec is None or self.truce:
            return
        self.rounds_fought += 1
        s = self.spec
        if self._stale:
            self._assess(game)
        explained = war.explained_drift(self.share, s.drift_scale)
        z, z_loss_a, z_loss_b = noise
        before = self.territory
        self.territory = war.move_territory(
            before, explained + s.trend, s.volatility, z, s.lo, s.hi
        )
        observed = self.territory - before - explained
        mean, sd = self.belief_mean, self.belief_sd
        for i in (s.a, s.b):
            mean[i], sd[i] = war.update_belief(mean[i], sd[i], observed, s.volatility)
        for i, zl in ((s.a, z_loss_a), (s.b, z_loss_b)):
            self.losses[i] += self.costs[i] * max(0.0, 1.0 + s.loss_volatility * zl)

    def reservation(self, game: Game, status_quo: np.ndarray) -> np.ndarray:
        """Each party's value of fighting on (see :mod:`sim.behaviour.war`); under a
        ceasefire, the value of the status quo as it stands (nobody fights)."""
        fixed = game.fixed_reservation
        if self.spec is None and game.all_fixed_reservation:
            return fixed.copy()
        if self.spec is None or self.truce:
            cost = 0.0 if self.truce else game.fighting_cost
            static = game.prefs.utilities(status_quo)[0] - cost
            return np.where(np.isnan(fixed), static, fixed)
        explained = war.explained_drift(self.share, self.spec.drift_scale)
        drift = [explained + m for m in self.belief_mean]
        territory = _territory_value(game, self.spec)(self.territory, drift)
        other = _other_issues(game, self.spec.issue, status_quo)
        value = np.array([o + t - c for o, t, c in zip(other, territory, self.costs, strict=True)])
        return value if game.no_fixed_reservation else np.where(np.isnan(fixed), value, fixed)

    def linked_status_quo(self, game: Game) -> list[tuple[int, float]]:
        """(issue, status quo) of every ``war.status_quo_links`` issue: its value in the
        file moved by Σ of its links' ``effect × (1 − support level)`` of the supporter,
        ``effect ×`` a principal's cumulative losses, or ``effect`` per round fought, kept
        inside the issue's span."""
        if self.spec is None or not self.spec.links:
            return []
        if all(supporter >= 0 for _, _, supporter, _ in self.spec.links):
            # support links only: the result changes only when support levels do
            return game.cached(
                "linked_status_quo", self.levels.tobytes(), lambda: self._linked(game)
            )
        return self._linked(game)

    def _linked(self, game: Game) -> list[tuple[int, float]]:
        """See :meth:`linked_status_quo`."""
        moved: dict[int, float] = {}
        for issue, effect, supporter, losses_of in self.spec.links:
            if supporter >= 0:
                level = float(self.levels[self.spec.supporters == supporter].mean())
                step = effect * (1.0 - level)
            elif losses_of >= 0:
                step = effect * self.losses[losses_of]
            else:
                step = effect * self.rounds_fought
            moved[issue] = moved.get(issue, 0.0) + step
        lo, hi = game.prefs.lo, game.prefs.hi
        return [(j, min(max(game.status_quo[j] + m, lo[j]), hi[j])) for j, m in moved.items()]

    def break_gain(self, game: Game, state: np.ndarray, before: np.ndarray, breaker: int) -> float:
        """V_break − V_keep of principal ``breaker`` (:mod:`sim.behaviour.compliance`):
        ``state`` is the outcome under the ceasefire, ``before`` the status quo before it."""
        s, c = self.spec, self.spec.compliance
        levels, resources = self._after_break(game, state, breaker)
        caps = war.capabilities(resources, levels, s.weights, s.recipients)
        share = war.contest_share(float(caps[s.a]), float(caps[s.b]))
        cost = war.fighting_costs(game.fighting_cost, share, s.a, s.b)[breaker]
        line = comply.struck_territory(self.territory, breaker == s.a, c.first_strike, s.lo, s.hi)
        drift = war.explained_drift(share, s.drift_scale) + self.belief_mean[breaker]
        territory = _territory_value(game, s)(line, [drift] * self.n)[breaker]
        other = _other_issues(game, s.issue, before)[breaker]
        keep = float(game.prefs.utilities(state)[0][breaker])
        return other + territory - cost - keep

    def _after_break(
        self, game: Game, state: np.ndarray, breaker: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Support levels and resources once ``breaker`` breaks the ceasefire: support cut
        by the arms limits agreed, guarantors joining the attacked supported side."""
        s, c = self.spec, self.spec.compliance
        levels, resources = self.levels, self.resources.copy()
        if c.arms_issue is not None:
            at = comply.position(
                state[c.arms_issue], game.prefs.lo[c.arms_issue], game.prefs.hi[c.arms_issue]
            )
            levels = comply.support_after_terms(levels, at, c.arms_effect)
        victim = s.b if breaker == s.a else s.a
        if c.guarantee_issue is not None and victim in s.recipients:
            g = c.guarantee_issue
            resources[victim] += c.guarantee_effect * (
                1.0 - comply.position(state[g], game.prefs.lo[g], game.prefs.hi[g])
            )
        return levels, resources

    def resume(self, game: Game, state: np.ndarray, breakers: list[int]) -> None:
        """The ceasefire is broken by ``breakers``: the war resumes from the world the
        deal left (support cut by its arms limits, guarantors joining, first strikes)."""
        s, c = self.spec, self.spec.compliance
        for breaker in breakers:
            self.levels, self.resources = self._after_break(game, state, breaker)
            self.territory = comply.struck_territory(
                self.territory, breaker == s.a, c.first_strike, s.lo, s.hi
            )
        self.truce = False
        self._stale = True

    def shock(self, party: int, delta: float) -> None:
        """A principal's resources change by ``delta`` (not below 0)."""
        self.resources[party] = max(0.0, self.resources[party] + delta)
        self._stale = True

    def set_support(self, supporter: int, recipient: int, level: float) -> None:
        """Set the support level of ``supporter`` for ``recipient``."""
        self._stale = True
        s = self.spec
        self.levels[(s.supporters == supporter) & (s.recipients == recipient)] = level

    def withdraw(self, party: int, cut: float) -> None:
        """``party`` leaves the talks and cuts its support by the share ``cut``."""
        self.withdrawn[party] = True
        self._stale = True
        if self.spec is not None:
            mine = self.spec.supporters == party
            self.levels[mine] *= 1.0 - cut


def _assessment(game: Game, world: World) -> tuple[float, tuple[float, ...], tuple[float, float]]:
    """Win share, per-round costs and Fearon's range from the world's capabilities."""
    s = world.spec
    caps = war.capabilities(world.resources, world.levels, s.weights, s.recipients)
    share = war.contest_share(float(caps[s.a]), float(caps[s.b]))
    costs = war.fighting_costs(game.fighting_cost, share, s.a, s.b)
    return share, tuple(costs.tolist()), bargaining_range(share, costs[s.a], costs[s.b])


def _other_issues(game: Game, issue: int, status_quo: np.ndarray) -> tuple[float, ...]:
    """Σ_{j ≠ territory} w_ij v_ij(sq_j) for every party i (cached per status quo of the
    other issues: the same few settlements recur across rounds and runs, which share the
    immutable value; it depends on the preferences only, so games that share their offer
    tables share it, :data:`sim.game.SHARED_TABLES`)."""
    key = (issue, status_quo[:issue].tobytes() + status_quo[issue + 1 :].tobytes())

    def build() -> tuple[float, ...]:
        prefs = game.cached("prefs_without", issue, lambda: _without_issue(game.prefs, issue))
        return tuple(prefs.utilities(status_quo)[0].tolist())

    return game.cached("other_issues", key, build)


def _without_issue(prefs: Preferences, issue: int) -> Preferences:
    """``prefs`` with issue ``issue`` weighted 0 (its values then add exactly 0)."""
    weights = prefs.weights.copy()
    weights[:, issue] = 0.0
    return replace(prefs, weights=weights)


def _territory_value(game: Game, spec: WarSpec) -> war.TerritoryValue:
    """The reservation's territory term under ``game``'s preferences (looked up once per
    game; games with the same preferences share it, :data:`sim.game.SHARED_TABLES`)."""
    key = (spec.issue, spec.horizon, spec.discount)

    def build() -> war.TerritoryValue:
        return war.territory_value(game.prefs, spec.issue, spec.horizon, spec.discount)

    return game.memo("territory_value", lambda: game.cached("territory_value", key, build))


class WorldRecord(NamedTuple):
    """The world after a round's fighting (before offers), and the round's events; values
    per party are tuples over the negotiating parties."""

    territory: float
    share: float
    fearon: tuple[float, float]
    belief_mean: tuple[float, ...]
    belief_sd: tuple[float, ...]
    losses: tuple[float, ...]
    withdrawn: tuple[bool, ...]
    events: tuple[str, ...]
    truce: bool = False


def snapshot(world: World, events: tuple[str, ...]) -> WorldRecord:
    """A frozen copy of the world's state for the round records."""
    return WorldRecord(
        world.territory,
        world.share,
        world.fearon,
        tuple(world.belief_mean),
        tuple(world.belief_sd),
        tuple(world.losses),
        tuple(world.withdrawn),
        events,
        world.truce,
    )

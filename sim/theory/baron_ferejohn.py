"""Baron & Ferejohn (1989) closed-rule legislative bargaining: stationary SPE.

``n`` players divide a dollar. Each period player ``k`` is recognised with probability
``p_k`` and proposes a division; it passes if at least ``q`` players (proposer included) vote
for it, otherwise the game moves to the next period and everything is discounted by ``delta``.
In a stationary subgame-perfect equilibrium (SSPE) with ex-ante continuation values ``v``,
a responder accepts iff offered at least ``delta v_j``, so proposer ``k`` buys the ``q - 1``
cheapest other votes (lowest ``delta v_j``) and keeps the rest. With ``pi[k, j]`` the
probability that proposer ``k`` includes ``j`` (mixing among equally cheap players), the values
satisfy the fixed-point equations

    v_i = p_i (1 - delta sum_j pi[i, j] v_j) + delta v_i sum_{k != i} p_k pi[k, i].

Closed forms. Uniform ``p``: ``v_i = 1/n``, the proposer keeps ``1 - delta (q - 1)/n`` and each
partner gets ``delta/n``, partners drawn uniformly at random (Baron & Ferejohn 1989, closed
rule with ``q = (n + 1)/2``; the same argument works for any quota). Unanimity (``q = n``) and
dictatorship (``q = 1``): ``v = p`` (summing the equations, ``sum_j v_j = 1``, and then
``v_i (1 - delta) = p_i (1 - delta)``).

Why not iterate ``v <- F(v)`` with pure lowest-index tie-breaking? Equal or near-equal values
are the rule, not the exception: with uniform ``p`` every player is tied and a pure selection
is not an equilibrium (the players it favours end up more expensive), and for generic
non-uniform ``p`` no pure-strategy SSPE exists either (e.g. ``n = 3, q = 2,
p = (0.5, 0.3, 0.2)``: the two weak players must be tied and mixed over). Such an iteration
cycles. Instead, ``continuation_values`` computes the mixed SSPE exactly: given which players
share a value (the "tie groups") and which groups every proposer buys from, the group values
solve a linear system and the mixing probabilities solve a small transportation (max-flow)
problem. Tie groups are searched among runs of players sorted by ``p`` (players with higher
recognition probability have weakly higher values; Eraslan 2002): at most
``2^(q-1) (n - q + 1)`` candidates, in practice the answer is among the first few dozen. A
candidate is accepted only if every equilibrium condition (mixing rows sum to ``q - 1``, only
cheapest votes bought, fixed-point equations) holds to ``1e-9``; as SSPE payoffs are unique
for ``delta < 1`` (Eraslan 2002) an accepted answer is *the* equilibrium payoff.
``RuntimeError`` is raised if no candidate passes (not observed in thousands of random games
with ``n <= 8``, including zero and tiny probabilities). At ``delta = 1`` payoffs need not be
unique (under unanimity any ``v`` summing to 1 is an SSPE); one equilibrium is returned.

References: Baron & Ferejohn (1989) "Bargaining in legislatures", APSR 83(4):1181–1206;
Eraslan (2002) "Uniqueness of stationary equilibrium payoffs in the Baron–Ferejohn model",
JET 103:11–30; Kawamori (2005) "Players' patience and equilibrium payoffs in the
Baron–Ferejohn model", Economics Bulletin 3(43):1–7.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from functools import lru_cache

import numpy as np

_TOL = 1e-10

Group = tuple[int, ...]


def _recognition(n: int, q: int, delta: float, p: Sequence[float] | None) -> tuple[float, ...]:
    """Validate the game; return recognition probabilities as a hashable tuple summing to 1."""
    if int(n) != n or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if int(q) != q or not 1 <= q <= n:
        raise ValueError(f"the quota q must be an integer in [1, n], got {q!r}")
    if not 0.0 <= float(delta) <= 1.0:
        raise ValueError(f"delta must lie in [0, 1], got {delta!r}")
    if p is None:
        return (1.0 / n,) * n
    prob = np.asarray(p, dtype=float)
    if prob.shape != (n,) or not np.all(np.isfinite(prob)) or np.any(prob < 0):
        raise ValueError(f"p must be {n} finite probabilities >= 0, got {p!r}")
    if abs(prob.sum() - 1.0) > 1e-9:
        raise ValueError(f"recognition probabilities must sum to 1, got {prob.sum()}")
    return tuple(float(x) for x in prob / prob.sum())


def continuation_values(
    n: int, q: int, delta: float, p: Sequence[float] | None = None
) -> np.ndarray:
    """Ex-ante SSPE values ``v`` (shape ``(n,)``, summing to 1) of Baron–Ferejohn bargaining.

    ``q`` is the number of votes needed including the proposer (``1 <= q <= n``), ``delta`` the
    common discount factor in ``[0, 1]``, ``p`` the recognition probabilities (default uniform,
    giving ``v_i = 1/n``). ``v`` solves ``v_i = p_i (1 - delta c_i) + delta v_i rho_i`` where
    ``c_i`` is the sum of the ``q - 1`` smallest values of the others and ``rho_i`` is the
    equilibrium probability of being bought (see the module docstring for the method).
    """
    v, _ = _equilibrium(int(n), int(q), float(delta), _recognition(n, q, delta, p))
    return v.copy()


def coalition_probabilities(
    n: int, q: int, delta: float, p: Sequence[float] | None = None
) -> np.ndarray:
    """Mixing matrix ``pi[k, j]``: probability that proposer ``k`` includes player ``j``.

    Rows sum to ``q - 1``, the diagonal is 0, and ``pi[k, j] > 0`` only for the cheapest
    players (a best response to ``continuation_values``). With uniform ``p`` every other player
    is included with probability ``(q - 1)/(n - 1)``. When several mixings support the same
    payoffs (Eraslan 2002: payoffs are unique, strategies need not be) one of them is returned.
    """
    _, pi = _equilibrium(int(n), int(q), float(delta), _recognition(n, q, delta, p))
    return pi.copy()


def equilibrium_offer(
    n: int, q: int, delta: float, p: Sequence[float] | None = None, proposer: int = 0
) -> np.ndarray:
    """Shares proposed by ``proposer`` in the SSPE (a pure realisation of its strategy).

    The ``q - 1`` other players with the lowest price ``delta v_j`` receive exactly that price
    (ties: lowest index), the others 0, and the proposer keeps ``1 - sum``. With uniform ``p``
    the proposer keeps ``1 - delta (q - 1)/n`` and each partner gets ``delta/n``; under
    unanimity everyone else gets ``delta v_j``. Note: in equilibrium a proposer facing ties
    randomises according to ``coalition_probabilities``; this returns the lowest-index choice.
    Reference: Baron & Ferejohn (1989) APSR 83:1181–1206.
    """
    if int(proposer) != proposer or not 0 <= proposer < n:
        raise ValueError(f"proposer must be an index in [0, n), got {proposer!r}")
    price = float(delta) * continuation_values(n, q, delta, p)
    others = [j for j in range(n) if j != proposer]
    partners = sorted(others, key=lambda j: (price[j], j))[: q - 1]
    shares = np.zeros(n)
    shares[partners] = price[partners]
    shares[proposer] = 1.0 - shares.sum()
    return shares


@lru_cache(maxsize=256)
def _equilibrium(n: int, q: int, delta: float, p: tuple[float, ...]) -> tuple[np.ndarray, ...]:
    """``(v, pi)`` of the SSPE (cached; callers copy)."""
    prob = np.array(p)
    if np.all(prob == prob[0]):
        return _uniform(n, q)
    if q in (1, n):  # no choice of partners; v = p solves the fixed-point equations
        return prob, np.ones((n, n)) - np.eye(n) if q == n else np.zeros((n, n))
    for groups in _structures(_blocks(prob), q):
        found = _try_structure(groups, prob, q, delta)
        if found is not None and _is_equilibrium(*found, prob, q, delta):
            return found
    raise RuntimeError(f"no stationary equilibrium found for n={n}, q={q}, delta={delta}, p={p}")


def _uniform(n: int, q: int) -> tuple[np.ndarray, np.ndarray]:
    """Closed form for equal recognition: ``v = 1/n``, symmetric mixing ``(q-1)/(n-1)``."""
    pi = np.full((n, n), (q - 1) / (n - 1)) if n > 1 else np.zeros((1, 1))
    np.fill_diagonal(pi, 0.0)
    return np.full(n, 1.0 / n), pi


def _blocks(p: np.ndarray) -> list[Group]:
    """Players sorted by recognition probability, equal probabilities pooled into blocks."""
    blocks: list[list[int]] = []
    for i in np.argsort(p, kind="stable"):
        if blocks and p[blocks[-1][0]] == p[i]:
            blocks[-1].append(int(i))
        else:
            blocks.append([int(i)])
    return [tuple(b) for b in blocks]


def _structures(blocks: list[Group], q: int) -> Iterator[list[Group]]:
    """Candidate tie groups (ascending value): runs of consecutive blocks.

    Only the groups up to the one holding the q-th cheapest player are ever bought, so the
    blocks after that group stay separate (their grouping does not matter).
    """
    last = int(np.searchsorted(np.cumsum([len(b) for b in blocks]), q))
    for start in range(last + 1):
        for end in range(last, len(blocks)):
            for cuts in itertools.product((True, False), repeat=max(start - 1, 0)):
                head = _merge(blocks[:start], cuts)
                yield [*head, tuple(itertools.chain(*blocks[start : end + 1])), *blocks[end + 1 :]]


def _merge(blocks: list[Group], cuts: tuple[bool, ...]) -> list[Group]:
    """Join consecutive blocks into groups, starting a new group where ``cuts`` is True."""
    groups: list[list[int]] = []
    for i, block in enumerate(blocks):
        if i == 0 or cuts[i - 1]:
            groups.append(list(block))
        else:
            groups[-1].extend(block)
    return [tuple(g) for g in groups]


def _purchases(groups: list[Group], n: int, q: int) -> np.ndarray:
    """``b[k, g]``: votes proposer ``k`` buys from group ``g`` (cheapest groups first)."""
    b = np.zeros((n, len(groups)))
    for k in range(n):
        need = q - 1
        for g, members in enumerate(groups):
            take = min(need, len(members) - (k in members))
            b[k, g], need = take, need - take
    return b


def _group_values(
    groups: list[Group], b: np.ndarray, p: np.ndarray, delta: float
) -> np.ndarray | None:
    """Common value ``w_g`` of each group from the value equations summed over its members.

    ``sum_{i in g} [w_g (1 - delta rho_i) - p_i (1 - delta sum_h b[i, h] w_h)] = 0`` with
    ``sum_{i in g} rho_i = sum_k p_k b[k, g]``: linear in ``w``. ``None`` if singular.
    """
    size = len(groups)
    A, rhs = np.zeros((size, size)), np.zeros(size)
    inflow = p @ b
    for g, members in enumerate(groups):
        idx = list(members)
        A[g] = delta * (p[idx] @ b[idx])
        A[g, g] += len(idx) - delta * inflow[g]
        rhs[g] = p[idx].sum()
    scale = np.where(rhs > 0, rhs, 1.0)  # columns scaled so tiny values keep relative accuracy
    try:
        w = np.linalg.solve(A * scale, rhs) * scale
        w += np.linalg.solve(A * scale, rhs - A @ w) * scale
    except np.linalg.LinAlgError:
        return None
    return w if np.all(np.isfinite(w)) else None


def _try_structure(
    groups: list[Group], p: np.ndarray, q: int, delta: float
) -> tuple[np.ndarray, np.ndarray] | None:
    """``(v, pi)`` if the tie groups admit an equilibrium, else ``None``."""
    n = len(p)
    b = _purchases(groups, n, q)
    w = _group_values(groups, b, p, delta)
    if w is None or np.any(np.diff(w) < -_TOL):
        return None
    v = np.empty(n)
    for g, members in enumerate(groups):
        v[list(members)] = w[g]
    rent = p * (1.0 - delta * (b @ w))
    pi = np.zeros((n, n))
    for g, members in enumerate(groups):
        rho = _required_inclusion(w[g], rent[list(members)], delta)
        block = None if rho is None else _allocate(list(members), b[:, g], p, rho)
        if block is None:
            return None
        pi[:, list(members)] = block
    return v, pi


def _required_inclusion(w: float, rent: np.ndarray, delta: float) -> np.ndarray | None:
    """Inclusion probabilities ``rho_i = (w - rent_i)/(delta w)`` that give members value ``w``.

    ``inf`` marks "any" (when ``delta w == 0`` and ``w == rent_i``); ``None`` if impossible.
    """
    if delta * w <= _TOL:
        return np.full(rent.size, np.inf) if np.all(np.abs(w - rent) <= _TOL) else None
    rho = (w - rent) / (delta * w)
    return np.clip(rho, 0.0, None) if np.all(rho >= -_TOL) else None


def _allocate(
    members: list[int], units: np.ndarray, p: np.ndarray, rho: np.ndarray
) -> np.ndarray | None:
    """Mixing ``pi[:, members]`` delivering inclusion ``rho``, or ``None`` if impossible.

    Proposer ``k`` spreads ``units[k]`` votes over the members other than itself, at most one
    per member (``0 <= pi <= 1``); member ``i`` must be included with probability ``rho_i``.
    Proposers buying every other member get ``pi = 1`` exactly; the partial buyers' mixing is a
    maximum flow of ``p_k pi[k, i]``, whose rows are then topped up to ``units[k]``.
    """
    n, m = len(p), len(members)
    others = np.array([[i != k for i in members] for k in range(n)], dtype=float)
    full = units == others.sum(axis=1)
    block = np.where(full[:, None] & (units[:, None] > 0), others, 0.0)
    rho = rho - p @ block
    part = (units > 0) & ~full
    if np.any(rho < -_TOL):
        return None
    source, sink = n + m, n + m + 1
    cap = np.zeros((n + m + 2, n + m + 2))
    cap[source, :n] = np.where(part, p * units, 0.0)
    cap[:n, n : n + m] = np.where(part[:, None], p[:, None] * others, 0.0)
    cap[n : n + m, sink] = np.where(np.isfinite(rho), np.clip(rho, 0.0, None), n)
    flow = _max_flow(cap, source, sink)
    short = np.any(cap[source, :n] - flow[source, :n] > _TOL)
    if short or np.any(np.isfinite(rho) & (rho - flow[n : n + m, sink] > _TOL)):
        return None
    safe_p = np.where(p > 0, p, 1.0)[:, None]
    block[part] = np.clip(flow[:n, n : n + m] / safe_p, 0.0, others)[part]
    for k in np.flatnonzero(part):
        block[k] = _top_up(block[k], others[k], units[k])
    return block


def _top_up(row: np.ndarray, room: np.ndarray, total: float) -> np.ndarray:
    """Rescale ``0 <= row <= room`` to sum to ``total`` (moves at most the rounding error).

    The flow gives ``p_k pi[k, i]`` to absolute precision, so ``pi`` itself is imprecise for
    tiny ``p_k``; the correction changes ``p_k pi[k, i]`` by no more than that error.
    """
    gap = total - row.sum()
    if gap > 0:
        free = room - row
        return row + gap * free / free.sum()
    return row * (total / row.sum())


def _max_flow(cap: np.ndarray, source: int, sink: int) -> np.ndarray:
    """Edmonds–Karp maximum flow on a dense capacity matrix (antisymmetric flow matrix)."""
    flow = np.zeros_like(cap)
    while True:
        parent = _augmenting_path(cap - flow, source, sink)
        if parent is None:
            return flow
        path, node = [], sink
        while node != source:
            path.append((parent[node], node))
            node = parent[node]
        push = min(cap[u, x] - flow[u, x] for u, x in path)
        for u, x in path:
            flow[u, x] += push
            flow[x, u] -= push


def _augmenting_path(residual: np.ndarray, source: int, sink: int) -> np.ndarray | None:
    """Breadth-first search for a path with residual capacity > 1e-13; parent array or None."""
    parent = np.full(len(residual), -1)
    parent[source] = source
    queue = [source]
    for u in queue:
        for x in np.flatnonzero((residual[u] > 1e-13) & (parent < 0)):
            parent[x] = u
            queue.append(int(x))
    return parent if parent[sink] >= 0 else None


def _is_equilibrium(v: np.ndarray, pi: np.ndarray, p: np.ndarray, q: int, delta: float) -> bool:
    """Check the SSPE conditions: feasible mixing, cheapest votes only, fixed point of ``v``."""
    n = len(v)
    if np.any(np.abs(pi.sum(axis=1) - (q - 1)) > 1e-9) or np.any(np.diag(pi) != 0):
        return False
    for k in range(n):
        others = np.delete(np.arange(n), k)
        threshold = np.sort(v[others])[q - 2] if q > 1 else -np.inf
        if np.any((pi[k] > _TOL) & (v > threshold + 1e-9)):
            return False
        if np.any((pi[k] < 1 - _TOL) & (v < threshold - 1e-9) & (np.arange(n) != k)):
            return False
    fixed = p * (1.0 - delta * (pi @ v)) + delta * v * (p @ pi)
    return bool(np.all(np.abs(v - fixed) <= 1e-9))

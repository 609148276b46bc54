"""Two tree views of the same question as PRIM (:mod:`sim.discover.boxes`):

* **CART** (Breiman et al. 1984; scikit-learn's ``DecisionTreeClassifier``, Gini
  impurity): a shallow tree whose leaves are boxes too; each leaf is reported as a rule
  (its path, each parameter's limits merged) with its runs, runs of interest, density,
  coverage and mass. Leaves hold at least ``mass_min`` of the runs, as in the EMA
  Workbench's CART.
* **Feature scores**: the mean decrease in Gini impurity of each swept parameter over an
  extremely randomised forest (Geurts, Ernst & Wehenkel 2006; scikit-learn's
  ``ExtraTreesClassifier``, 100 trees, 60% of the parameters per split — the EMA
  Workbench's ``get_ex_feature_scores`` defaults), normalised to sum to 1; seeded, so
  the same sweep and seed give the same scores.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

TREES, MAX_FEATURES, CART_DEPTH = 100, 0.6, 3


@dataclass(frozen=True)
class Leaf:
    """One CART leaf: its rule, counts and shares."""

    rule: str
    runs: int
    of_interest: int
    density: float
    coverage: float
    mass: float
    predicted: bool  # the tree's class for the leaf: the condition holds


def feature_scores(x: np.ndarray, y: np.ndarray, names: list[str], seed: int) -> list[tuple]:
    """(name, score) of every parameter, highest first (module docstring)."""
    from sklearn.ensemble import ExtraTreesClassifier

    forest = ExtraTreesClassifier(
        n_estimators=TREES, max_features=MAX_FEATURES, random_state=seed, n_jobs=1
    )
    forest.fit(x, y)
    scores = forest.feature_importances_
    order = np.argsort(-scores, kind="stable")
    return [(names[k], float(scores[k])) for k in order]


def _interval_text(label: str, low: float, high: float) -> str:
    if low > -np.inf and high < np.inf:
        return f"{low:.4g} < {label} <= {high:.4g}"
    return f"{label} <= {high:.4g}" if high < np.inf else f"{label} > {low:.4g}"


def _leaf_rules(tree, labels: list[str]) -> dict[int, str]:
    """Per leaf node, its path as merged intervals ("a < x <= b and y > c")."""
    t = tree.tree_
    rules: dict[int, str] = {}

    def walk(node: int, bounds: dict[int, tuple[float, float]]) -> None:
        if t.children_left[node] == -1:
            parts = [_interval_text(labels[k], lo, hi) for k, (lo, hi) in sorted(bounds.items())]
            rules[node] = " and ".join(parts) or "every run"
            return
        k, cut = int(t.feature[node]), float(t.threshold[node])
        lo, hi = bounds.get(k, (-np.inf, np.inf))
        walk(t.children_left[node], {**bounds, k: (lo, min(hi, cut))})
        walk(t.children_right[node], {**bounds, k: (max(lo, cut), hi)})

    walk(0, {})
    return rules


def cart(
    x: np.ndarray,
    y: np.ndarray,
    labels: list[str],
    seed: int,
    depth: int = CART_DEPTH,
    mass_min: float = 0.05,
) -> tuple[str, list[Leaf]]:
    """Fit the tree; return its text (scikit-learn's ``export_text``) and its leaves,
    densest first."""
    from sklearn.tree import DecisionTreeClassifier, export_text

    leaf_size = max(1, math.ceil(mass_min * len(y)))
    tree = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=leaf_size, random_state=seed)
    tree.fit(x, y)
    rules = _leaf_rules(tree, labels)
    node_of = tree.apply(x)
    predicted = tree.predict(x).astype(bool)
    total = max(int(np.sum(y)), 1)
    leaves = []
    for node, rule in rules.items():
        inside = node_of == node
        runs, hits = int(inside.sum()), int(y[inside].sum())
        leaves.append(
            Leaf(
                rule,
                runs,
                hits,
                hits / runs,
                hits / total,
                runs / len(y),
                bool(predicted[inside][0]),
            )
        )
    leaves.sort(key=lambda leaf: (-leaf.density, -leaf.runs))
    return export_text(tree, feature_names=labels, decimals=4), leaves

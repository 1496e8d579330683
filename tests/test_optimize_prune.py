"""The bitset Pareto pass drops exactly what the pairwise front sweep drops."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from dlrig.optimize.prune import dominates as _dominates
from dlrig.optimize.prune import pareto as _pareto


@dataclass
class _C:
    id: str
    cost: int


def _front_sweep(group, protected):
    """The reference: compare each row with the whole front, in cost order."""
    front, pruned_by = [], {}
    for r in group:
        dom = None if r[0].id in protected else next(
            (f for f in front if _dominates(f, r)), None)
        if dom is None:
            front.append(r)
        else:
            pruned_by[r[0].id] = dom[0].id
    return [r[0] for r in front], pruned_by


def _random_group(seed: int):
    rnd = random.Random(seed)
    n, width, rules = rnd.randint(1, 60), rnd.randint(0, 4), rnd.randint(0, 3)
    group = []
    for i in range(n):
        values = tuple(float("inf") if rnd.random() < 0.1 else rnd.randint(-3, 3)
                       for _ in range(width))
        masks = tuple(rnd.randint(0, 15) for _ in range(rules))
        group.append((_C(f"p{i:02d}", rnd.randint(1, 8)), (), masks, values))
    group.sort(key=lambda r: (r[0].cost, r[0].id))
    protected = frozenset(r[0].id for r in group if rnd.random() < 0.1)
    return group, protected


@pytest.mark.parametrize("seed", range(40))
def test_pareto_equals_the_front_sweep(seed):
    group, protected = _random_group(seed)
    pruned_by: dict[str, str] = {}
    kept = _pareto(group, protected, pruned_by)
    ref_kept, ref_pruned = _front_sweep(group, protected)
    assert kept == ref_kept
    assert pruned_by == ref_pruned  # the same dominating part is named


def test_the_random_groups_exercise_pruning_and_protection():
    pruned = protected_dominated = 0
    for seed in range(40):
        group, protected = _random_group(seed)
        _, ref = _front_sweep(group, protected)
        pruned += len(ref)
        protected_dominated += sum(
            any(_dominates(f, r) for f in group[:i])
            for i, r in enumerate(group) if r[0].id in protected)
    assert pruned > 100 and protected_dominated > 0

"""The CP-SAT plan equals the brute-force optimum on small random catalogs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from dlrig.optimize import PlanRequest, plan
from dlrig.optimize.exhaustive import exhaustive
from dlrig.parts import Category as C
from dlrig.units import Money

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.synthetic import synthetic_catalog  # noqa: E402

SMALL = {C.cpu: 2, C.gpu: 3, C.memory: 2, C.motherboard: 2, C.storage: 2, C.psu: 2,
         C.case: 2, C.cooler: 1}


@pytest.mark.parametrize("seed", [2, 3, 4, 6, 7, 12])
def test_plan_equals_the_exhaustive_optimum(seed):
    cat = synthetic_catalog(0, seed=seed, per_category=SMALL, platforms=1)
    for budget in (1100, 1500, 2600):
        req = PlanRequest(budget=Money.of(budget, "USD"), market="syn", explain=False,
                          max_drives=2)
        res = plan(cat, req)
        ref = exhaustive(cat, req)
        assert (res.score is None) == (ref.score is None), (seed, budget, res.status)
        if ref.score is not None:
            assert res.score.key == ref.score.key, (seed, budget)
            assert res.check.ok


def test_exhaustive_agrees_when_a_workload_sets_floors():
    cat = synthetic_catalog(0, seed=3, per_category=SMALL, platforms=1)
    req = PlanRequest(budget=Money.of(3000, "USD"), market="syn", workload="cnn",
                      explain=False, max_drives=2)
    res, ref = plan(cat, req), exhaustive(cat, req)
    assert (res.score and res.score.key) == (ref.score and ref.score.key)


@pytest.mark.parametrize("seed", [3, 6])
def test_exhaustive_agrees_on_the_capacity_stage_and_gpu_counts(seed):
    """LLM work (memory counts within the speed band) with the GPU count left to the
    solver: the staged model and brute force (band first, then the key) agree."""
    cat = synthetic_catalog(0, seed=seed, per_category=SMALL, platforms=1)
    for budget in (1500, 2600):
        req = PlanRequest(budget=Money.of(budget, "USD"), market="syn", workload="llm-inference",
                          gpus="auto", explain=False, max_drives=2)
        res, ref = plan(cat, req), exhaustive(cat, req)
        assert (res.score and res.score.key) == (ref.score and ref.score.key), (seed, budget)

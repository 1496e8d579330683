"""The planner's speed paths give the answers a fresh, full solve gives.

Issue 14 made warm plans and sweeps fast by reusing work: one budget-free CP-SAT
model per candidate set (cloned per solve), budget-free *tails* of the
lexicographic solve (cost and preference stages, keyed by the earlier stages'
bounds), a model narrowed to the GPU options left after the GPU stages, and in a
sweep, a larger budget's proven answer for the smaller budgets it fits. Each is
exact by an argument in its docstring; these tests hold each path against a solve
from cold caches (a fresh ``prepare``), which ``tests/test_optimize_exhaustive.py``
in turn holds against brute force.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from dlrig.catalog.builtin import load_builtin
from dlrig.optimize import PlanRequest
from dlrig.optimize.objective import capacity_band
from dlrig.optimize.solve import clear_cache, prepare, solve_prepared
from dlrig.optimize.sweep import sweep
from dlrig.units import Money


@pytest.fixture(scope="module")
def catalog():
    return load_builtin()


def _cold(catalog, req: PlanRequest):
    """The answer with every cache forgotten (a new prepare: new candidates, no tails)."""
    clear_cache()
    out = solve_prepared(prepare(catalog, req))
    return out.status, sorted((c.id, q) for c, q in out.chosen)


def _req(market: str, budget: float, currency: str, workload: str | None) -> PlanRequest:
    return PlanRequest(budget=Money.of(budget, currency), market=market, workload=workload,
                       explain=False)


CASES = [  # (market, currency, workload, budgets)
    ("ar-2017-05", "USD", None, [600, 800, 1000, 1200, 1400]),
    ("us", "USD", "cnn", [900, 1400, 2000, 2600, 3500]),
    # A capacity workload: the sweep may not reuse a larger budget's answer here.
    ("us", "USD", "llm-inference", [900, 1100, 1500, 2200]),
]


@pytest.mark.parametrize("market,currency,workload,amounts", CASES)
def test_a_sweep_gives_each_budget_the_cold_answer(catalog, market, currency, workload,
                                                   amounts):
    clear_cache()
    base = _req(market, amounts[0], currency, workload)
    rows = sweep(catalog, base, [Money.of(a, currency) for a in amounts])
    for a, row in zip(amounts, rows, strict=True):
        status, parts = _cold(catalog, replace(base, budget=Money.of(a, currency)))
        assert row.status == status, a
        assert sorted(row.parts) == parts, a


def test_the_capacity_workload_is_the_one_whose_answers_are_not_reused(catalog):
    """The sweep's reuse argument fails under a capacity band (see sweep.py's docstring)."""
    clear_cache()
    cs = prepare(catalog, _req("us", 1500, "USD", "llm-inference")).candidates()
    assert capacity_band(cs.workload, cs.ctx) is not None
    cs = prepare(catalog, _req("us", 1500, "USD", "cnn")).candidates()
    assert capacity_band(cs.workload, cs.ctx) is None


def test_warm_answers_in_any_order_equal_cold_ones(catalog):
    """Cached tails and narrowed models, filled by earlier budgets, never change an answer."""
    rng = random.Random(14)
    budgets = [rng.randrange(700, 4000, 50) for _ in range(12)]
    for workload in ("llm-finetune", "cnn"):
        cold = {b: _cold(catalog, _req("us", b, "USD", workload)) for b in set(budgets)}
        clear_cache()
        for b in budgets:  # one warm candidate set, the budgets in random order
            out = solve_prepared(prepare(catalog, _req("us", b, "USD", workload)))
            assert (out.status, sorted((c.id, q) for c, q in out.chosen)) == cold[b], (
                workload, b)


def test_a_repeated_budget_free_solve_reuses_the_cached_tail(catalog):
    """Without a budget (the upgrade path's solves) the cost and preference stages do not
    depend on anything but the earlier bounds: the second solve takes the kept tail."""
    clear_cache()
    prep = prepare(catalog, _req("us", 1500, "USD", "llm-finetune"))
    stages = ("throughput", "cost", "preference")
    first = solve_prepared(prep, None, stages=stages)
    again = solve_prepared(prep, None, stages=stages)
    assert [(c.id, q) for c, q in first.chosen] == [(c.id, q) for c, q in again.chosen]
    assert not any(s.get("cached") for s in first.stages)
    assert any(s.get("cached") for s in again.stages)
    assert again.status == first.status


def test_on_step_reports_every_budget_once(catalog):
    seen: list[tuple[int, int]] = []
    amounts = [Money.of(a, "USD") for a in range(600, 1500, 100)]
    sweep(catalog, _req("ar-2017-05", 600, "USD", None), amounts,
          on_step=lambda done, total: seen.append((done, total)))
    assert seen == [(i, len(amounts)) for i in range(1, len(amounts) + 1)]


def _off_and_on(catalog, monkeypatch, flag: str, req: PlanRequest):
    """The outcomes of ``req`` from cold caches with ``solve.<flag>`` off, then on; the two
    must give the same status and build."""
    import dlrig.optimize.solve as solve_mod

    out = []
    for on in (False, True):
        monkeypatch.setattr(solve_mod, flag, on)
        clear_cache()
        out.append(solve_prepared(prepare(catalog, req)))
    ref, got = out
    assert got.status == ref.status, req.budget
    assert sorted((c.id, q) for c, q in got.chosen) == sorted(
        (c.id, q) for c, q in ref.chosen), req.budget
    return ref, got


@pytest.mark.parametrize("market,workload,gpus", [
    ("us", "llm-finetune", None), ("us", "llm-inference", "auto"), ("us", "cnn", None),
    ("ar-2017-05", None, None)])
def test_gpu_stages_by_lookup_equal_the_solvers_stages(catalog, monkeypatch, market, workload,
                                                       gpus):
    """Each GPU option's cheapest build decides the GPU stages exactly as the solver does."""
    import dlrig.optimize.solve as solve_mod

    for b in range(500, 6001, 250):
        req = replace(_req(market, b, "USD", workload), gpus=gpus)
        ref, got = _off_and_on(catalog, monkeypatch, "GPU_LOOKUP", req)
        if got.chosen:
            assert any(s.get("note") == solve_mod._LOOKUP_NOTE for s in got.stages), b


@pytest.mark.parametrize("workload", ["llm-finetune", "cnn"])
def test_explanations_with_shared_cheapest_builds_equal_the_solvers(catalog, monkeypatch,
                                                                    workload):
    """Alternatives, upgrades and the unspent tip solve sets restricted to one GPU chip or
    count; they share the cheapest builds of the plan's own set (``Candidates.min_costs``)
    and must say what the solver alone says."""
    import dlrig.optimize.solve as solve_mod
    from dlrig.optimize import plan

    def said(res):
        return ([(o.gpu, o.parts) for o in res.alternatives],
                [(o.gpu, o.parts) for o in res.upgrades],
                res.unspent.suggestions if res.unspent else None)

    for b in (900, 1400, 2100, 3300):
        req = replace(_req("us", b, "USD", workload), explain=True)
        monkeypatch.setattr(solve_mod, "GPU_LOOKUP", False)
        clear_cache()
        ref = plan(catalog, req)
        monkeypatch.setattr(solve_mod, "GPU_LOOKUP", True)
        clear_cache()
        got = plan(catalog, req)
        assert said(got) == said(ref), b


@pytest.mark.parametrize("market,workload,gpus", [
    ("us", "llm-finetune", None), ("us", "cnn", None), ("us", None, "default"),
    ("ar-2017-05", None, "default"), ("ar", "llm-inference", "default")])
def test_one_weighted_solve_of_the_last_stages_equals_the_stages(catalog, monkeypatch, market,
                                                                 workload, gpus):
    """Balance, cost and preference solved as one weighted objective (``_tail_weights``)
    give the build the three stages give one after the other (ARS budgets included)."""
    import dlrig.optimize.solve as solve_mod

    merged = 0
    for b in range(500, 6001, 250):
        req = replace(_req(market, b, "USD", workload), gpus=gpus)
        ref, got = _off_and_on(catalog, monkeypatch, "MERGE_TAIL", req)
        assert [(s["stage"], s.get("value")) for s in got.stages] == [
            (s["stage"], s.get("value")) for s in ref.stages], b
        merged += any(s.get("note") == solve_mod._MERGE_NOTE for s in got.stages)
    if market == "us":  # dollar budgets keep the weights exact: the one solve is used
        assert merged >= 10

"""Planner benchmarks: latency by catalog size, a 50-budget sweep, exhaustive and greedy.

Timings are wall-clock on this machine with ``num_workers=2``; each figure is
the median of several runs. "cold" is the first plan on a freshly loaded
catalog (pricing, rule tables, pruning and the solve); "warm" a further plan
on the same catalog with another budget (the candidates are cached).
"""

from __future__ import annotations

import statistics
import time

from dlrig.optimize import PlanRequest, plan
from dlrig.optimize import solve as solve_mod
from dlrig.optimize.exhaustive import exhaustive
from dlrig.optimize.objective import BALANCE_MAX  # noqa: F401 (re-exported for run.py)
from dlrig.optimize.solve import prepare, solve_prepared
from dlrig.optimize.sweep import budgets, sweep
from dlrig.parts import Category as C
from dlrig.units import Money

from .greedy import greedy
from .synthetic import synthetic_catalog

SIZES = (100, 1000, 10000, 30000)
SMALL = {C.cpu: 2, C.gpu: 3, C.memory: 2, C.motherboard: 2, C.storage: 2, C.psu: 2, C.case: 2,
         C.cooler: 1}


def _q(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def latency(sizes=SIZES, cold_runs: int = 5, warm_runs: int = 10, seed: int = 1) -> list[dict]:
    """Median plan latency (explanations off) for synthetic catalogs of each size."""
    out = []
    plan(synthetic_catalog(50, seed=99), PlanRequest(Money.of(1500, "USD"), "syn", explain=False))
    for n in sizes:
        cold, warm, stats = [], [], None
        for r in range(cold_runs):
            cat = synthetic_catalog(n, seed=seed + r)
            solve_mod._CACHE.clear()
            t = time.perf_counter()
            res = plan(cat, PlanRequest(Money.of(1500, "USD"), "syn", explain=False))
            cold.append(time.perf_counter() - t)
            stats = res.stats
            assert res.ok and res.check.ok
        for i in range(warm_runs):
            t = time.perf_counter()
            res = plan(cat, PlanRequest(Money.of(800 + 250 * i, "USD"), "syn", explain=False))
            warm.append(time.perf_counter() - t)
        out.append({
            "parts": n, "cold_median_s": statistics.median(cold), "cold_p90_s": _q(cold, 0.9),
            "warm_median_s": statistics.median(warm), "warm_p90_s": _q(warm, 0.9),
            "valid": stats.candidates.get("valid"), "after_pruning": stats.candidates.get(
                "after_pruning"), "variables": stats.variables,
        })
    return out


def explain_latency(catalog, market="ar-2017-05", runs: int = 5) -> float:
    """Median time of a full plan with reasons, alternatives and upgrades (builtin market)."""
    ts = []
    for i in range(runs):
        t = time.perf_counter()
        plan(catalog, PlanRequest(Money.of(900 + 50 * i, "USD"), market))
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def sweep_time(catalog, market: str, currency: str, start: float, step: float,
               n: int = 50) -> dict:
    amounts = budgets(start, start + step * (n - 1), step, currency)
    solve_mod._CACHE.clear()
    t = time.perf_counter()
    rows = sweep(catalog, PlanRequest(amounts[0], market, explain=False), amounts)
    total = time.perf_counter() - t
    return {"market": market, "steps": len(rows), "total_s": total,
            "per_step_s": total / len(rows), "feasible": sum(r.status != "infeasible" for r in rows)}


def versus_exhaustive(seeds=range(20), budget_list=(900, 1300, 1800, 2600)) -> dict:
    """Plan vs brute force on small coherent catalogs: every optimum must match exactly."""
    cases = matched = feasible = 0
    mismatches = []
    for seed in seeds:
        cat = synthetic_catalog(0, seed=seed, per_category=SMALL, platforms=1)
        for b in budget_list:
            req = PlanRequest(Money.of(b, "USD"), "syn", explain=False, max_drives=2)
            res, ref = plan(cat, req), exhaustive(cat, req)
            a = res.score.key if res.score else None
            e = ref.score.key if ref.score else None
            cases += 1
            feasible += e is not None
            if a == e:
                matched += 1
            else:
                mismatches.append((seed, b, a, e))
    return {"cases": cases, "feasible": feasible, "matched": matched, "mismatches": mismatches}


def versus_greedy(catalogs, budget_list) -> dict:
    """How often, and by how much, the greedy GPU-first build is worse than the optimum.

    Worse means, in the objective's order: no build at all, lower throughput,
    the same throughput with less balance (single channel, no room to grow),
    or the same throughput and balance at a higher price.
    """
    cases = 0
    counts = {"no_build": 0, "lower_throughput": 0, "less_balance": 0, "dearer": 0, "equal": 0}
    thr_gaps, bal_gaps, cost_gaps = [], [], []
    for cat, market, cur in catalogs:
        for b in budget_list:
            prep = prepare(cat, PlanRequest(Money.of(b, cur), market, explain=False))
            opt = solve_prepared(prep)
            if not opt.ok:
                continue
            cases += 1
            g = greedy(prep, prep.budget_local.minor)
            if g is None:
                counts["no_build"] += 1
                continue
            gs, os_ = g[0], opt.score
            assert gs.key <= os_.key, "greedy beat the proven optimum"
            if gs.throughput < os_.throughput:
                counts["lower_throughput"] += 1
                thr_gaps.append(100 * (os_.throughput - gs.throughput) / os_.throughput)
            elif gs.balance < os_.balance:
                counts["less_balance"] += 1
                bal_gaps.append(os_.balance - gs.balance)
            elif gs.cost > os_.cost:
                counts["dearer"] += 1
                cost_gaps.append(100 * (gs.cost - os_.cost) / os_.cost)
            else:
                counts["equal"] += 1
    return {"cases": cases, **counts, "throughput_loss_pct": thr_gaps,
            "balance_loss_points": bal_gaps, "extra_cost_pct": cost_gaps}

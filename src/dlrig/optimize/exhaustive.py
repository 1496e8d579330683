"""A second backend: enumerate every build of a small catalog and keep the best.

It shares nothing with the CP-SAT model but the objective's definition
(``objective.score``) and the rule policy: builds are judged by ``dlrig
check`` itself (``check_build``, the hard rules as the planner reads them), parts are priced by
the catalog directly, and no candidate is pruned. Tests and the benchmark
compare its optimum with the planner's; they must be equal.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from ..build import Build, BuildItem
from ..catalog import Catalog
from ..parts import Category
from . import objective
from .candidates import Candidate
from .explain.common import hard_violations
from .request import PlanRequest, gpu_counts
from .solve import prepare


@dataclass
class ExhaustiveResult:
    score: objective.Score | None
    build: Build | None
    evaluated: int
    checked: int


def _priced(catalog: Catalog, req: PlanRequest, cat: Category, prep) -> list[tuple]:
    m = prep.market
    out = []
    for p in catalog.parts(cat):
        if not catalog.available(p, m, prep.base.as_of):
            continue
        lp = catalog.local_price(p.id, m, prep.base.as_of)
        if lp is None or lp.money.minor <= 0:
            continue
        out.append((p, lp.money.minor))
    return out


def exhaustive(catalog: Catalog, req: PlanRequest) -> ExhaustiveResult:
    """The best build by brute force (small catalogs only: the count multiplies).

    Every combination within the budget is scored; then, in objective order,
    builds are judged by the checker until the first one passes: the best
    throughput first (the capacity stage's band needs it), then the best
    ``Score.key`` among the builds within the band.
    """
    prep = prepare(catalog, req)
    parts = {c: _priced(catalog, req, c, prep) for c in Category}
    counts = gpu_counts(req) if req.gpus != 0 else ()
    cands = {p.id: Candidate(p, None, c, objective.throughput(p, prep.perf_workload))
             for p, c in parts[Category.gpu]}
    gpu_cands = [c for c in cands.values() if c.throughput > 0]
    from .candidates import set_upgrades

    set_upgrades(gpu_cands, prep.ctx)
    thr, cap = {}, {}
    for c in gpu_cands:
        for k in counts:
            thr[(c.id, k)] = objective.option_throughput(c, k, prep.perf_workload, prep.ctx)
            cap[(c.id, k)] = objective.capacity(c.part, k, prep.workload, prep.ctx)
    upg = {c.id: c.upgrade_w for c in gpu_cands}
    gpus = [((c.part, c.cost), k) for c in gpu_cands for k in counts] if counts else [None]
    max_slots = max((b.memory_slots for b, _ in parts[Category.motherboard]), default=1)
    mems = [(m, c, q) for m, c in parts[Category.memory]
            for q in range(1, max(1, max_slots // m.modules) + 1)]
    drives = []
    for n in range(1, req.max_drives + 1):
        drives.extend(itertools.combinations_with_replacement(parts[Category.storage], n))
    coolers = [None, *parts[Category.cooler]]
    budget = prep.budget_local.minor if prep.budget_local else None
    scored = []
    evaluated = 0
    for cpu, board, psu, case, gpu, mem, drv, cooler in itertools.product(
            parts[Category.cpu], parts[Category.motherboard], parts[Category.psu],
            parts[Category.case], gpus, mems, drives, coolers):
        items = [(cpu[0], 1, cpu[1]), (board[0], 1, board[1]), (psu[0], 1, psu[1]),
                 (case[0], 1, case[1]), (mem[0], mem[2], mem[1])]
        if gpu is not None:
            (g, cost), k = gpu
            items.append((g, k, cost))
        counts_by_id: dict[str, list] = {}
        for p, c in drv:
            counts_by_id.setdefault(p.id, [p, 0, c])[1] += 1
        items += [(p, q, c) for p, q, c in counts_by_id.values()]
        if cooler is not None:
            items.append((cooler[0], 1, cooler[1]))
        evaluated += 1
        s = objective.score(items, prep.workload, thr, cap, upg, prep.ctx)
        if budget is not None and s.cost > budget:
            continue
        scored.append((s, items))
    checked = 0
    verdicts: dict[int, bool] = {}

    def feasible(i: int) -> bool:
        nonlocal checked
        if i not in verdicts:
            items = scored[i][1]
            build = Build(tuple(BuildItem(p, q) for p, q, _ in items), "exhaustive", req.market)
            checked += 1
            verdicts[i] = not hard_violations(prep, build)
        return verdicts[i]

    by_thr = sorted(range(len(scored)), key=lambda i: -scored[i][0].throughput)
    best_thr = next((scored[i][0].throughput for i in by_thr if feasible(i)), None)
    if best_thr is None:
        return ExhaustiveResult(None, None, evaluated, checked)
    band = objective.capacity_band(prep.workload, prep.ctx)
    floor = math.ceil(band * best_thr - 1e-9) if band is not None else best_thr
    within = [i for i in range(len(scored)) if scored[i][0].throughput >= floor]
    within.sort(key=lambda i: scored[i][0].key, reverse=True)
    for i in within:
        if feasible(i):
            s, items = scored[i]
            build = Build(tuple(BuildItem(p, q) for p, q, _ in items), "exhaustive", req.market)
            return ExhaustiveResult(s, build, evaluated, checked)
    return ExhaustiveResult(None, None, evaluated, checked)

"""A second backend: enumerate every build of a small catalog and keep the best.

It shares nothing with the CP-SAT model but the objective's definition
(``objective.score``) and the rule policy: builds are judged by ``dlrig
check`` itself (``check_build``) and the workload floors, parts are priced by
the catalog directly, and no candidate is pruned. Tests and the benchmark
compare its optimum with the planner's; they must be equal.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from ..build import Build, BuildItem
from ..catalog import Catalog
from ..parts import Category
from . import objective
from .explain import hard_violations
from .request import PlanRequest
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
    """The best build by brute force (small catalogs only: the count multiplies)."""
    prep = prepare(catalog, req)
    parts = {c: _priced(catalog, req, c, prep) for c in Category}
    thr = {p.id: objective.throughput(p, prep.perf_workload) for p, _ in parts[Category.gpu]}
    gpus = [g for g in parts[Category.gpu] if thr[g[0].id] > 0] if req.gpus else [None]
    max_slots = max((b.memory_slots for b, _ in parts[Category.motherboard]), default=1)
    mems = [(m, c, q) for m, c in parts[Category.memory]
            for q in range(1, max(1, max_slots // m.modules) + 1)]
    drives = []
    for n in range(1, req.max_drives + 1):
        drives.extend(itertools.combinations_with_replacement(parts[Category.storage], n))
    coolers = [None, *parts[Category.cooler]]
    budget = prep.budget_local.minor if prep.budget_local else None
    best_key, best, evaluated, checked = None, None, 0, 0
    for cpu, board, psu, case, gpu, mem, drv, cooler in itertools.product(
            parts[Category.cpu], parts[Category.motherboard], parts[Category.psu],
            parts[Category.case], gpus, mems, drives, coolers):
        items = [(cpu[0], 1, cpu[1]), (board[0], 1, board[1]), (psu[0], 1, psu[1]),
                 (case[0], 1, case[1]), (mem[0], mem[2], mem[1])]
        if gpu is not None:
            items.append((gpu[0], req.gpus, gpu[1]))
        counts: dict[str, list] = {}
        for p, c in drv:
            counts.setdefault(p.id, [p, 0, c])[1] += 1
        items += [(p, q, c) for p, q, c in counts.values()]
        if cooler is not None:
            items.append((cooler[0], 1, cooler[1]))
        evaluated += 1
        s = objective.score(items, prep.workload, thr)
        if budget is not None and s.cost > budget:
            continue
        if best_key is not None and s.key <= best_key:
            continue
        build = Build(tuple(BuildItem(p, q) for p, q, _ in items), "exhaustive", req.market)
        checked += 1
        if hard_violations(prep, build):
            continue
        best_key, best = s.key, (s, build)
    if best is None:
        return ExhaustiveResult(None, None, evaluated, checked)
    return ExhaustiveResult(best[0], best[1], evaluated, checked)

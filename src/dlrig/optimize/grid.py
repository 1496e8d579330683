"""A fixed grid of plans across markets, budgets, workloads and GPU counts, with each
saved plan judged again by ``dlrig check``.

The property "a saved plan, checked with the requirements it was planned for,
shows no error and no warning" is held over this grid by
``tests/test_plan_grid.py``, and ``make bench`` prints the grid as a table (GPU,
CPU cores, RAM, storage, PSU, unspent money, findings) for a person to read
as an experienced builder would. The saved build goes through its TOML text
and back, as ``dlrig plan --save`` and ``dlrig check`` would pass it.
"""

from __future__ import annotations

import itertools
import time
import tomllib
from dataclasses import dataclass, field

from ..build import build_from_dict
from ..parts import Category
from ..rules import check_build, context_for_build
from ..units import Money
from .planner import plan
from .request import PlanRequest

MARKETS = ("us", "ar", "ar-2017-05")
BUDGETS_USD = (500, 800, 1000, 1500, 2000, 3000, 5000, 8000, 12000, 15000)
WORKLOADS = (None, "cnn", "transformer", "llm-inference", "llm-finetune", "learning")
GPU_COUNTS = (1, 2, 3, 4)
MAX_2017_BUDGET = 2000  # the founding market holds the post's parts only


def default_grid() -> list[tuple[str, int, str | None, int]]:
    """About 70 (market, budget, workload, GPUs) cases: every workload and GPU count in each
    market, budgets spread from 500 to 15,000 USD (the 2017 market to 2,000)."""
    cases = []
    for i, (market, workload, gpus) in enumerate(itertools.product(MARKETS, WORKLOADS,
                                                                   GPU_COUNTS)):
        budgets = [b for b in BUDGETS_USD if market != "ar-2017-05" or b <= MAX_2017_BUDGET]
        cases.append((market, budgets[i % len(budgets)], workload, gpus))
    return cases


@dataclass
class GridRow:
    market: str
    budget: int
    workload: str | None
    gpus: int
    status: str
    total: float | None = None
    gpu: str = ""
    cpu_cores: int = 0
    ram_gb: int = 0
    storage: str = ""
    psu: str = ""
    unspent: float | None = None
    findings: list[str] = field(default_factory=list)  # warnings and errors of the saved plan
    message: str = ""
    wall_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status in ("optimal", "feasible")


def run_case(catalog, market: str, budget: int, workload: str | None, gpus: int,
             explain: bool = False) -> GridRow:
    import tomli_w

    t0 = time.perf_counter()
    req = PlanRequest(Money.of(budget, "USD"), market, workload=workload, gpus=gpus,
                      explain=explain)
    res = plan(catalog, req)
    if not res.ok and not explain:  # say why: the explanation is what a person reads then
        from dataclasses import replace

        res = plan(catalog, replace(req, explain=True))
    row = GridRow(market, budget, workload, gpus, str(res.status), wall_s=0.0)
    if not res.ok:
        row.message = res.message or (res.infeasibility.summary if res.infeasibility else "")
        row.wall_s = time.perf_counter() - t0
        return row
    saved = build_from_dict(tomllib.loads(tomli_w.dumps(res.build.to_toml_dict())), catalog,
                            "saved plan")
    check = check_build(saved, context_for_build(catalog, saved, market))
    row.findings = [f"{f.severity.value}: {f.rule}" for f in check.findings
                    if f.severity.value != "info"]
    row.total = res.total_budget.amount
    gpu = next((p for p in res.parts if p.part.category == Category.gpu), None)
    row.gpu = f"{res.gpus} x {gpu.part.chipset}" if gpu else "-"
    row.cpu_cores = res.build.cpu.cores
    row.ram_gb = sum(m.total_gb for m in res.build.memory)
    row.storage = " + ".join(f"{s.capacity_gb} GB {s.interface}" for s in res.build.storage)
    row.psu = f"{res.build.psu.wattage_w} W"
    row.unspent = res.unspent.amount.amount if res.unspent else None
    row.wall_s = time.perf_counter() - t0
    return row


def run_grid(catalog, cases=None, explain: bool = False) -> list[GridRow]:
    return [run_case(catalog, *c, explain=explain) for c in (cases or default_grid())]


def grid_table(rows: list[GridRow]) -> str:
    """The grid as fixed-width text, one plan a line."""
    head = (f"{'market':<10} {'budget':>6} {'workload':<13} {'K':>1} {'status':<10} {'total':>7} "
            f"{'GPU':<32} {'cores':>5} {'RAM':>5} {'storage':<16} {'PSU':>6} {'unspent':>7} "
            f"findings")
    lines = [head]
    for r in rows:
        if not r.ok:
            lines.append(f"{r.market:<10} {r.budget:>6} {str(r.workload):<13} {r.gpus:>1} "
                         f"{r.status:<10} {'-':>7} {r.message[:90]}")
            continue
        lines.append(
            f"{r.market:<10} {r.budget:>6} {str(r.workload):<13} {r.gpus:>1} {r.status:<10} "
            f"{r.total:>7.0f} {r.gpu[:32]:<32} {r.cpu_cores:>5} {r.ram_gb:>4}G "
            f"{r.storage[:16]:<16} {r.psu:>6} "
            f"{'' if r.unspent is None else f'{r.unspent:.0f}':>7} "
            f"{', '.join(r.findings) or 'none'}")
    return "\n".join(lines)

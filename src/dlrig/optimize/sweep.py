"""The best build at each budget of a range (``dlrig sweep``).

One prepared request serves every budget (the candidates and their pruning
do not depend on the budget), so a sweep costs one model build and solve per
step.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

from ..catalog import Catalog
from ..errors import InputError
from ..parts import Category
from ..units import Money
from .request import MAX_BUDGET_UNITS, PlanRequest
from .solve import prepare, result_from, solve_prepared

MAX_STEPS = 500


@dataclass
class SweepRow:
    budget: Money
    status: str
    total: Money | None
    total_local: Money | None
    gpu: str | None
    cpu: str | None
    ram_gb: int
    throughput: float
    parts: list[tuple[str, int]]
    wall_s: float

    @property
    def ok(self) -> bool:
        return self.status in ("optimal", "feasible")

    def to_dict(self) -> dict[str, Any]:
        """One CSV/JSON row; a budget with no plan leaves the build's columns empty."""
        return {
            "budget": self.budget.amount, "currency": self.budget.currency, "status": self.status,
            "total": self.total.amount if self.total else None,
            "total_market_currency": self.total_local.amount if self.total_local else None,
            "gpu": self.gpu, "cpu": self.cpu, "ram_gb": self.ram_gb if self.ok else None,
            "throughput": round(self.throughput, 3) if self.ok else None,
            "parts": ";".join(f"{i}x{q}" if q > 1 else i for i, q in self.parts),
            "wall_s": round(self.wall_s, 4),
        }


def budgets(start: float, stop: float, step: float, currency: str) -> list[Money]:
    """``start``, ``start + step``, ... up to ``stop`` inclusive, validated."""
    if start <= 0 or step <= 0 or stop < start:
        raise InputError(f"bad sweep range {start:g}..{stop:g} step {step:g}",
                         hint="give from A to B in steps of S with 0 < A <= B and S > 0",
                         field="sweep")
    if stop > MAX_BUDGET_UNITS:
        raise InputError(f"last budget {stop:,.0f} is too large (at most {MAX_BUDGET_UNITS:,})",
                         hint="sweep budgets a PC can cost, e.g. up to 5000", field="stop")
    n = int((stop - start) / step + 1e-9) + 1
    if n > MAX_STEPS:
        raise InputError(f"the sweep has {n} steps, more than {MAX_STEPS}",
                         hint="use a larger step", field="step")
    return [Money.of(start + i * step, currency) for i in range(n)]


def sweep(catalog: Catalog, base: PlanRequest, amounts: list[Money]) -> list[SweepRow]:
    """Plan each budget of ``amounts`` (no explanations: one solve per budget)."""
    rows = []
    for b in amounts:
        t0 = time.perf_counter()
        req = replace(base, budget=b, explain=False)
        prep = prepare(catalog, req)
        out = solve_prepared(prep)
        res = result_from(prep, out)
        gpu = next((p.part for p in res.parts if p.part.category == Category.gpu), None)
        cpu = next((p.part for p in res.parts if p.part.category == Category.cpu), None)
        ram = sum(p.part.total_gb * p.quantity for p in res.parts
                  if p.part.category == Category.memory)
        rows.append(SweepRow(
            budget=b, status=res.status, total=res.total_budget, total_local=res.total_local,
            gpu=(gpu.chipset if gpu else None), cpu=(cpu.name if cpu else None), ram_gb=ram,
            throughput=res.throughput,
            parts=[(p.part.id, p.quantity) for p in res.parts],
            wall_s=time.perf_counter() - t0,
        ))
    return rows

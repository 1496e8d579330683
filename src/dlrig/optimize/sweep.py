"""The best build at each budget of a range (``dlrig sweep``).

One prepared request serves every budget (the candidates, their pruning and
the CP-SAT model do not depend on the budget). Budgets are solved from the
largest down, and a proven answer serves every budget it fits: the best build
for budget B, costing C, is also the best for any budget between C and B
(the builds within the smaller budget are a subset that still holds it), and
when no build fits B none fits a smaller budget either. So a sweep solves once
per distinct answer, not once per budget; two threads (one CP-SAT worker each)
solve the upper and the lower half of the range side by side.

The reuse is not exact for a workload with a capacity stage (llm-inference,
llm-finetune): its band is 70 % of the fastest *affordable* choice, so a smaller
budget that loses the fastest card widens the band and may admit a slower card
with more memory. Those sweeps solve every budget (each still reuses the
budget-free model and the cached tails, ``solve.solve``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ..catalog import Catalog
from ..errors import InputError
from ..parts import Category
from ..units import Money
from .objective import THROUGHPUT_SCALE, capacity_band
from .request import MAX_BUDGET_UNITS, PlanRequest
from .solve import empty_categories, make_build, model_for, prepare, solve_prepared
from .status import INFEASIBLE, OPTIMAL

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


def sweep(catalog: Catalog, base: PlanRequest, amounts: list[Money], threads: int = 2,
          on_step: Callable[[int, int], None] | None = None) -> list[SweepRow]:
    """Plan each budget of ``amounts`` (no explanations), in their order.

    ``on_step(done, total)`` is called after each budget (from the solving threads,
    one call at a time), so a caller can show progress.
    """
    if not amounts:
        return []
    preps = [prepare(catalog, replace(base, budget=b, explain=False)) for b in amounts]
    step = _Progress(len(amounts), on_step)
    order = sorted(range(len(amounts)), key=lambda i: _local(preps[i]), reverse=True)
    rows: list[SweepRow | None] = [None] * len(amounts)
    # Contiguous runs of the budgets, largest first, one per thread.
    n = max(1, min(threads, len(order) // 4 or 1))
    runs = [order[k * len(order) // n:(k + 1) * len(order) // n] for k in range(n)]
    if n == 1:
        _run(preps, runs[0], rows, step)
        return rows  # type: ignore[return-value]
    # The candidates and their model, made once before the threads share them.
    cs = preps[0].candidates()
    if not empty_categories(cs):
        model_for(cs, preps[0].req.max_drives)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(n) as pool:
        for f in [pool.submit(_run, preps, run, rows, step) for run in runs]:
            f.result()
    return rows  # type: ignore[return-value]


def _local(prep) -> int:
    return prep.budget_local.minor if prep.budget_local is not None else 0


class _Progress:
    """Counts finished budgets for ``on_step``, under a lock (two threads report)."""

    def __init__(self, total: int, on_step: Callable[[int, int], None] | None):
        self.total, self.done, self.on_step = total, 0, on_step
        self.lock = threading.Lock()

    def __call__(self) -> None:
        if self.on_step is None:
            return
        with self.lock:
            self.done += 1
            self.on_step(self.done, self.total)


def _reusable(prep) -> bool:
    """Whether a larger budget's proven answer serves a smaller one (no capacity band)."""
    cs = prep.candidates()
    return capacity_band(cs.workload, cs.ctx) is None


def _run(preps: list, run: list[int], rows: list, step: _Progress) -> None:
    """Solve the budgets ``run`` (indices, largest budget first) into ``rows``."""
    last = None  # (budget, outcome) of the last proven answer
    reuse = bool(run) and _reusable(preps[run[0]])
    for i in run:
        t0 = time.perf_counter()
        prep, budget = preps[i], _local(preps[i])
        out = None
        if last is not None and reuse:
            b, o = last
            if o.status == INFEASIBLE:
                out = o  # nothing fit a larger budget
            elif o.status == OPTIMAL and o.score is not None and o.score.cost <= budget <= b:
                out = o  # the best build for a larger budget, and it fits this one
        if out is None:
            out = solve_prepared(prep)
            if out.status in (OPTIMAL, INFEASIBLE):
                last = (budget, out)
        rows[i] = _row(prep, out, time.perf_counter() - t0)
        step()


def _row(prep, out, wall_s: float) -> SweepRow:
    """One sweep row from an outcome (``result_from``'s numbers, without the check)."""
    b = prep.req.budget
    if not out.ok:
        return SweepRow(budget=b, status=out.status, total=None, total_local=None, gpu=None,
                        cpu=None, ram_gb=0, throughput=0.0, parts=[], wall_s=wall_s)
    build = make_build(out, "sweep", prep.market.code)
    total = Money(sum(c.cost * q for c, q in out.chosen), prep.market.currency)
    gpu = build.first(Category.gpu)
    cpu = build.first(Category.cpu)
    ram = sum(i.part.total_gb * i.quantity for i in build.of(Category.memory))
    return SweepRow(
        budget=b, status=out.status, total=prep.to_budget_currency(total), total_local=total,
        gpu=(gpu.chipset if gpu else None), cpu=(cpu.name if cpu else None), ram_gb=ram,
        throughput=out.score.throughput / THROUGHPUT_SCALE if out.score else 0.0,
        parts=[(i.part.id, i.quantity) for i in build.items], wall_s=wall_s,
    )

"""What a plan returns: a status, the build with prices, reasons and options.

"infeasible" is a status with an explanation, never an exception; "optimal"
means CP-SAT proved every stage of the objective optimal, "feasible" that a
time limit stopped it with a valid but unproven build.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..build import Build
from ..catalog import LocalPrice
from ..parts import AnyPart
from ..units import Money
from .status import FEASIBLE, INFEASIBLE, OPTIMAL, UNKNOWN, Status

__all__ = ["FEASIBLE", "INFEASIBLE", "OPTIMAL", "UNKNOWN", "Infeasibility", "Option",
           "PlanResult", "PlannedPart", "SolverStats", "Status", "Unspent"]


@dataclass
class PlannedPart:
    part: AnyPart
    quantity: int
    unit_price: LocalPrice  # market currency
    total_local: Money
    total_budget: Money  # in the budget's currency
    share: float | None  # of the budget, 0..1
    reason: str = ""  # why this part (what rules out the cheaper ones)
    next_better: str | None = None  # the next better part and why not it (also in not_chosen)

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.part.category.value,
            "id": self.part.id,
            "name": self.part.name,
            "quantity": self.quantity,
            "unit_price": _money(self.unit_price.money),
            "price": _money(self.total_local),
            "price_budget_currency": _money(self.total_budget),
            "share_of_budget": None if self.share is None else round(self.share, 4),
            "price_estimated": self.unit_price.estimated,
            "price_date": self.unit_price.date.isoformat(),
            "price_source": self.unit_price.source,
            "price_store": self.unit_price.store,
            "condition": self.unit_price.condition,
            "price_stand_in": self.unit_price.stand_in,
            "reason": self.reason,
            "next_better": self.next_better,
        }


@dataclass
class Option:
    """An alternative build or an upgrade step, summarised."""

    label: str
    gpu: str
    cost_local: Money
    cost_budget: Money
    throughput: float
    delta_cost: Money  # against the plan, budget currency
    delta_throughput_pct: float | None
    parts: list[tuple[str, int]] = field(default_factory=list)  # (part id, quantity)
    fits_budget: bool = True
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label, "gpu": self.gpu, "cost": _money(self.cost_local),
            "cost_budget_currency": _money(self.cost_budget), "throughput": round(self.throughput, 3),
            "delta_cost": _money(self.delta_cost),
            "delta_throughput_pct": None if self.delta_throughput_pct is None
            else round(self.delta_throughput_pct, 1),
            "fits_budget": self.fits_budget, "note": self.note,
            "parts": [{"id": i, "quantity": q} for i, q in self.parts],
        }


@dataclass
class Infeasibility:
    """Why nothing fits, and what relaxing each requirement would give."""

    summary: str
    cheapest: Option | None = None
    over_budget: Money | None = None
    binding: str | None = None
    relaxations: list[tuple[str, str]] = field(default_factory=list)  # (requirement, effect)

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "cheapest": self.cheapest.to_dict() if self.cheapest else None,
            "over_budget": _money(self.over_budget) if self.over_budget else None,
            "binding": self.binding,
            "relaxations": [{"requirement": r, "effect": e} for r, e in self.relaxations],
        }


@dataclass
class Unspent:
    """Money the plan leaves unspent, and what it would buy (budget currency)."""

    amount: Money
    suggestions: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"amount": _money(self.amount), "suggestions": self.suggestions}


@dataclass
class SolverStats:
    stages: list[dict[str, Any]] = field(default_factory=list)  # name, status, value, wall_s
    candidates: dict[str, int] = field(default_factory=dict)
    variables: int = 0
    constraints: int = 0
    wall_s: float = 0.0
    model_s: float = 0.0
    candidates_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"stages": self.stages, "candidates": self.candidates, "variables": self.variables,
                "constraints": self.constraints, "wall_s": round(self.wall_s, 4),
                "model_s": round(self.model_s, 4), "candidates_s": round(self.candidates_s, 4)}


@dataclass
class PlanResult:
    status: Status
    market: str
    currency: str  # the market's
    as_of: dt.date | None
    workload: str | None
    gpus: int  # in the plan (the solver's choice when gpus_asked is None)
    budget: Money | None  # as asked
    budget_local: Money | None  # in the market's currency
    build: Build | None = None
    parts: list[PlannedPart] = field(default_factory=list)
    total_local: Money | None = None
    total_budget: Money | None = None
    throughput: float = 0.0
    score: Any = None  # objective.Score
    power: Any = None  # power.PowerEstimate
    check: Any = None  # rules.CheckResult of the plan
    hard_rules: list[str] = field(default_factory=list)
    alternatives: list[Option] = field(default_factory=list)
    upgrades: list[Option] = field(default_factory=list)
    not_chosen: list[str] = field(default_factory=list)  # "why not X" sentences
    infeasibility: Infeasibility | None = None
    stats: SolverStats = field(default_factory=SolverStats)
    message: str = ""
    gpus_asked: int | None = 1  # --gpus (None: the solver chose)
    job: Any = None  # dlrig.llm.Job when the plan is for a model (--model)
    capacity_gb: int = 0  # GB of VRAM one model can use (capacity stage), 0 if not counted
    unspent: Unspent | None = None
    notes: list[str] = field(default_factory=list)  # assumptions the answer states

    @property
    def ok(self) -> bool:
        return self.status in (OPTIMAL, FEASIBLE)

    @property
    def estimated_prices(self) -> bool:
        return any(p.unit_price.estimated for p in self.parts)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "status": self.status,
            "market": self.market,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "workload": self.workload,
            "gpus": self.gpus,
            "gpus_chosen_by_solver": self.gpus_asked is None,
            "model": self.job.to_dict() if self.job is not None else None,
            "capacity_gb": self.capacity_gb or None,
            "budget": _money(self.budget) if self.budget else None,
            "budget_market_currency": _money(self.budget_local) if self.budget_local else None,
            "message": self.message,
            "parts": [p.to_dict() for p in self.parts],
            "total": _money(self.total_local) if self.total_local else None,
            "total_budget_currency": _money(self.total_budget) if self.total_budget else None,
            "throughput": round(self.throughput, 3),
            "objective": None if self.score is None else {
                "throughput_milli": self.score.throughput, "capacity_gb": self.score.capacity,
                "balance": self.score.balance, "balance_terms": list(self.score.terms),
                "cost_minor": self.score.cost, "preference": self.score.preference},
            "power": self.power.to_dict() if self.power is not None else None,
            "check": self.check.to_dict() if self.check is not None else None,
            "hard_rules": self.hard_rules,
            "not_chosen": self.not_chosen,
            "alternatives": [a.to_dict() for a in self.alternatives],
            "upgrades": [u.to_dict() for u in self.upgrades],
            "infeasibility": self.infeasibility.to_dict() if self.infeasibility else None,
            "solver": self.stats.to_dict(),
            "unspent": self.unspent.to_dict() if self.unspent else None,
            "notes": self.notes,
        }
        return d


def _money(m: Money | None) -> dict[str, Any] | None:
    if m is None:
        return None
    return {"amount": m.amount, "currency": m.currency}

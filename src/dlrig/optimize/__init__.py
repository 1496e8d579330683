"""The CP-SAT planner: the provably best build for a budget, market and workload.

See ``docs/plan.md``: candidates -> variables -> constraints (from the rule
registry) -> lexicographic objective -> solve -> explain.

The names below are loaded on first use: ``plan`` and ``prepare`` need
OR-Tools (and, through it, pandas), which take a second to import, and
``import dlrig.cli`` must not pay for that before a plan is asked for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_LAZY = {
    "PlanRequest": ".request", "PlanResult": ".result", "OPTIMAL": ".result",
    "FEASIBLE": ".result", "INFEASIBLE": ".result", "UNKNOWN": ".result",
    "plan": ".solve", "prepare": ".solve",
}

__all__ = ["FEASIBLE", "INFEASIBLE", "OPTIMAL", "UNKNOWN", "PlanRequest", "PlanResult",
           "plan", "prepare"]

if TYPE_CHECKING:  # pragma: no cover
    from .request import PlanRequest
    from .result import FEASIBLE, INFEASIBLE, OPTIMAL, UNKNOWN, PlanResult
    from .solve import plan, prepare


def __getattr__(name: str):
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(mod, __name__), name)
    globals()[name] = value
    return value

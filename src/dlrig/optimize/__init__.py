"""The CP-SAT planner: the provably best build for a budget, market and workload.

See ``docs/plan.md``: request -> candidates (``candidates.py``, ``prune.py``)
-> model (``model.py``: variables, constraints from the rule registry,
objective terms) -> staged solve (``solve.py``) -> result -> explain
(``explain/``); ``planner.plan`` runs them in that order.

The names below are loaded on first use: ``plan`` and ``prepare`` need
OR-Tools (and, through it, pandas), which take a second to import, and
``import dlrig.cli`` must not pay for that before a plan is asked for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_LAZY = {
    "PlanRequest": ".request", "PlanResult": ".result", "OPTIMAL": ".status",
    "FEASIBLE": ".status", "INFEASIBLE": ".status", "UNKNOWN": ".status", "Status": ".status",
    "plan": ".planner", "prepare": ".solve",
}

__all__ = ["FEASIBLE", "INFEASIBLE", "OPTIMAL", "UNKNOWN", "PlanRequest", "PlanResult",
           "Status", "plan", "prepare"]

if TYPE_CHECKING:  # pragma: no cover
    from .planner import plan
    from .request import PlanRequest
    from .result import PlanResult
    from .solve import prepare
    from .status import FEASIBLE, INFEASIBLE, OPTIMAL, UNKNOWN, Status


def __getattr__(name: str):
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(mod, __name__), name)
    globals()[name] = value
    return value

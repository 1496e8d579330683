"""The CP-SAT planner: the provably best build for a budget, market and workload.

See ``docs/plan.md``: candidates -> variables -> constraints (from the rule
registry) -> lexicographic objective -> solve -> explain.
"""

from .request import PlanRequest
from .result import FEASIBLE, INFEASIBLE, OPTIMAL, UNKNOWN, PlanResult
from .solve import plan, prepare

__all__ = ["FEASIBLE", "INFEASIBLE", "OPTIMAL", "UNKNOWN", "PlanRequest", "PlanResult",
           "plan", "prepare"]

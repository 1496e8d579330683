"""``plan(catalog, PlanRequest) -> PlanResult``: the provably best build, explained.

The public entry point of the planner: prepare and solve the request
(``solve``), turn the outcome into a result with prices and the checker's
verdict, then explain it (``explain``). Keeping this call here, above both,
means the solver never imports the explanations that re-solve through it.
"""

from __future__ import annotations

import time

from ..catalog import Catalog
from .request import PlanRequest
from .result import PlanResult
from .solve import prepare, result_from, solve_prepared


def plan(catalog: Catalog, req: PlanRequest) -> PlanResult:
    """The best build for the request, with prices, reasons and options."""
    t0 = time.perf_counter()
    prep = prepare(catalog, req)
    out = solve_prepared(prep)
    res = result_from(prep, out)
    if req.explain:
        from . import explain

        explain.annotate(prep, out, res)
    res.stats.wall_s = time.perf_counter() - t0  # with the explanation's solves
    return res

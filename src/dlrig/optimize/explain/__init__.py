"""Why this build: reasons per part, alternatives, the upgrade path, unspent money, infeasibility.

Split by concern: ``reasons`` (why each part, why not the next one up),
``options`` (alternatives, the upgrade path, what unspent money buys),
``infeasible`` (why nothing fits and what to relax), over ``common``. Every
sentence is computed from a solve or a swap judged by the plan's own rules
and objective. This package calls the solver (``solve``); the solver never
imports it: ``planner.plan`` runs one, then the other.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from ..result import PlanResult
from ..solve import Outcome, Prepared
from .infeasible import infeasibility
from .options import Alternatives, alternatives, unspent, upgrades
from .reasons import reasons

__all__ = ["alternatives", "annotate", "infeasibility", "reasons", "unspent", "upgrades"]


def annotate(prep: Prepared, out: Outcome, res: PlanResult) -> None:
    """Fill ``res`` with the explanation of ``out``."""
    if res.ok:
        # The upgrade and alternative solves are independent: run them side by side, one
        # CP-SAT worker each (a solve releases the GIL), while the reasons are computed.
        # The unspent-money tip's solve goes with them; the reasons (Python) run in this
        # thread meanwhile and wait for the upgrades only for the GPU's own reason.
        one = replace(prep, req=replace(prep.req, num_workers=1))
        with ThreadPoolExecutor(2) as pool:
            f_ups = pool.submit(upgrades, one, out)
            f_unspent = pool.submit(unspent, one, out)
            alts = Alternatives(one, out, pool.submit)
            reasons(prep, out, res, f_ups.result)
            res.alternatives = alts.finish()
            res.upgrades = f_ups.result()
            res.unspent = f_unspent.result()
    else:
        res.infeasibility = infeasibility(prep, out)
        res.message = res.infeasibility.summary

"""Sweep: the best build at each budget, as a chart and a table.

``dlrig.optimize.sweep`` plans every budget; ``dlrig.report.charts.sweep_chart``
draws the same chart as ``dlrig sweep --plot`` (throughput and total price against
the budget), here as SVG, shown through an ``<img>`` (an image cannot run anything,
whatever the part names say) and at ``/sweep.svg`` with the page's own query, so a
chart's URL can be shared. The web caps the number of steps, because each one is a
solve.
"""

from __future__ import annotations

import base64
from dataclasses import replace
from decimal import Decimal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ...optimize.sweep import budgets, sweep
from ...report.charts import sweep_chart
from ..forms import Form
from ..render import busy_response, page_key, respond
from .common import catalog_now, catalog_of, market_options, workload_options
from .planform import currency_options, parse_plan

router = APIRouter()

MAX_WEB_STEPS = 30


def _svg(rows, title: str) -> bytes:
    return sweep_chart(rows, title, "svg")


def _read(request: Request):
    """The form; with a valid one, also the request and budgets to sweep (not yet solved)."""
    catalog = catalog_of(request)
    form = Form(request.query_params)
    submitted = "from" in request.query_params
    values = {"from": form.text("from", "", 40), "to": form.text("to", "", 40), "step": form.text("step", "", 40)}
    if not submitted:
        return catalog, form, values, None, None
    # The plan form's fields (market, currency, workload, gpus, ...), without a budget of its own.
    req, plan_values = parse_plan(form, catalog, budget_required=False)
    values.update({k: v for k, v in plan_values.items() if k != "budget"})
    money = (req.budget.currency if req is not None and req.budget else
             plan_values.get("currency") or (catalog.market(req.market).currency
                                             if req is not None else "USD"))
    lo = form.amount("from", money, low=0.01, high=10_000_000_000, what="first budget")
    hi = form.amount("to", money, low=0.01, high=10_000_000_000, what="last budget")
    step = form.amount("step", money, low=0.01, high=10_000_000_000, what="budget step")
    if lo is not None and hi is not None and hi < lo:
        form.errors["to"] = f"the last budget must be at least the first ({lo})"
    if lo is not None and hi is not None and step is not None and "to" not in form.errors:
        n = int((hi - lo) / step + Decimal("1e-9")) + 1
        if n > MAX_WEB_STEPS:
            form.errors["step"] = (f"{n} steps is more than the {MAX_WEB_STEPS} the web page plans; "
                                   f"use a step of at least {(hi - lo) / (MAX_WEB_STEPS - 1):.2f}, "
                                   "or 'dlrig sweep' for long sweeps")
    if not form.ok or req is None:
        return catalog, form, values, None, None
    currency = req.budget.currency if req.budget else (values.get("currency") or catalog.market(req.market).currency)
    amounts = budgets(float(lo), float(hi), float(step), currency)
    return catalog, form, values, replace(req, budget=amounts[0], explain=False), tuple(amounts)


def _proven(rows) -> bool:
    from ...optimize import INFEASIBLE, OPTIMAL

    return all(r.status in (OPTIMAL, INFEASIBLE) for r in rows)


async def _run(request: Request):
    """The form read in a server thread, the sweep in the bounded solve queue."""
    catalog, form, values, base, amounts = await run_in_threadpool(_read, request)
    if base is None:
        return catalog, form, values, None, None
    rows = await request.app.state.solves.run(("sweep", base, amounts), catalog,
                                              lambda: sweep(catalog, base, list(amounts)),
                                              _proven)
    title = f"dlrig sweep: {base.market}, workload {base.workload or 'none'}"
    return catalog, form, values, rows, title


def _page(request: Request, catalog, form, values, rows, title):
    ctx = {"errors": form.errors, "values": values, "rows": rows, "markets": market_options(catalog),
           "currencies": currency_options(),
           "workloads": [("", "none (no floors)"), *workload_options()], "max_steps": MAX_WEB_STEPS}
    if rows:
        ctx["plot"] = base64.b64encode(_svg(rows, title)).decode("ascii")
        ctx["plot_link"] = "/sweep.svg?" + str(request.query_params)
    data = {"errors": form.errors} if form.errors else {"rows": rows}
    return respond(request, "sweep.html", ctx, data, status_code=422 if form.errors else 200)


@router.get("/sweep")
async def sweep_page(request: Request):
    async def make():
        catalog, form, values, rows, title = await _run(request)
        return await run_in_threadpool(_page, request, catalog, form, values, rows, title)

    if "from" not in request.query_params:
        return await make()
    catalog = await catalog_now(request)
    return await request.app.state.solves.page(page_key(request), catalog, make,
                                                   lambda b: busy_response(request, b))


def _plot_response(form, rows, title):
    if not rows:
        return Response("; ".join(f"{k}: {v}" for k, v in form.errors.items()) or "give from, to and step",
                        status_code=422, media_type="text/plain; charset=utf-8")
    return Response(_svg(rows, title), media_type="image/svg+xml",
                    headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})


@router.get("/sweep.svg")
async def sweep_svg(request: Request):
    """The plot alone (the page's "open the plot" link)."""
    async def make():
        _, form, _, rows, title = await _run(request)
        return await run_in_threadpool(_plot_response, form, rows, title)

    catalog = await catalog_now(request)
    return await request.app.state.solves.page(page_key(request), catalog, make,
                                                   lambda b: busy_response(request, b))

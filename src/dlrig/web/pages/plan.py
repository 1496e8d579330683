"""Plan: budget, currency, market, workload, GPUs -> the best build, explained.

The form is a GET form, so the page's address *is* the link that reproduces
the plan. ``dlrig.optimize.plan`` does all the work; an impossible plan is a
``PlanResult`` with status "infeasible" and an explanation, shown as such.
Downloads: the build as TOML (``dlrig check`` reads it), as a PCPartPicker-
style markdown list (the Check page reads it), and the plan as JSON.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import tomli_w
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ...optimize import plan
from ...report.plan import plan_dict, plan_markdown, quotes
from ..buildlink import build_query
from ..forms import Form
from ..render import busy_response, jsonable, page_key, respond
from .common import catalog_now, catalog_of, market_options, workload_options
from .planform import (
    TASK_OPTIONS,
    currency_options,
    model_options,
    parse_plan,
    plan_params,
    quant_options,
)

router = APIRouter()

DOWNLOADS = ("toml", "md", "json")


def form_context(catalog, form: Form, values: dict) -> dict:
    return {
        "errors": form.errors, "values": values, "markets": market_options(catalog),
        "currencies": currency_options(),
        "workloads": [("", "none (no memory or storage floors)"), *workload_options()],
        "models": model_options(), "tasks": list(TASK_OPTIONS), "quants": quant_options(),
        "rate_kinds": _rate_kinds(),
    }


def _rate_kinds() -> tuple[str, ...]:
    from typing import get_args

    from ...market import RateKind

    return get_args(RateKind)


def _proven(result) -> bool:
    """Served only when the solver proved it: optimal, or no build at all (never an answer
    cut short by the time limit, which would depend on how busy the server is)."""
    from ...optimize import INFEASIBLE, OPTIMAL

    return result.status in (OPTIMAL, INFEASIBLE)


def _read_form(request: Request):
    """The form, or the page to answer with at once (an empty form, errors)."""
    catalog = catalog_of(request)
    form = Form(request.query_params)
    submitted = "budget" in request.query_params
    req, values = parse_plan(form, catalog) if submitted else (None, {
        "budget": "", "currency": "", "market": "", "workload": "", "gpus": "",
        "model": "", "task": "inference", "quant": "", "context": "", "power_limit": "",
        "require": "", "exclude": "", "bios": "", "unverified": "", "used": "", "max_age": "",
        "rate_kind": "", "circuit": "auto",
        "dataset_gb": ""})
    download = form.choice("download", DOWNLOADS, default=None, what="download format")
    ctx = form_context(catalog, form, values)
    if not submitted:
        return respond(request, "plan.html", {**ctx, "result": None}, {"result": None})
    if req is None or not form.ok:
        return respond(request, "plan.html", {**ctx, "result": None}, {"errors": form.errors},
                       status_code=422)
    return catalog, req, values, ctx, download


def _page(request: Request, catalog, result, values: dict, ctx: dict, download: str | None):
    link = urlencode(plan_params(values))
    if download:
        return _download(download, result, link)
    ctx.update(result=result, link=link, market=catalog.market(result.market),
               rows=list(zip(result.parts, quotes(result), strict=True)),
               build_link=build_query(result.build, market=result.market,
                                      workload=result.workload) if result.build else "")
    return respond(request, "plan.html", ctx, plan_dict(result))


@router.get("/plan")
async def plan_page(request: Request):
    """Read the form and render in the server's threads; the solve runs in the bounded
    solve queue (``web.solves``), awaited without holding a thread; identical requests
    share one page."""
    solves = request.app.state.solves
    catalog = await catalog_now(request)

    async def make():
        read = await run_in_threadpool(_read_form, request)
        if not isinstance(read, tuple):
            return read
        _, req, values, ctx, download = read
        result = await solves.run(("plan", req), catalog, lambda: plan(catalog, req), _proven)
        return await run_in_threadpool(_page, request, catalog, result, values, ctx, download)

    if "budget" not in request.query_params:
        return await make()  # the empty form: nothing to share or queue
    return await solves.page(page_key(request), catalog, make,
                                                   lambda b: busy_response(request, b))


def _download(fmt: str, result, link: str) -> Response:
    """The plan as a file; an infeasible plan has no build, so only its JSON."""
    if fmt == "json" or result.build is None:
        body = json.dumps(jsonable(plan_dict(result)), indent=2)
        return _file(body, "application/json", "dlrig-plan.json")
    if fmt == "toml":
        data = result.build.to_toml_dict()
        data["notes"] = [f"dlrig plan: {result.status}, total {result.total_local}"
                         + (f" ({result.total_budget})" if result.total_budget != result.total_local else ""),
                         f"reproduce: /plan?{link}"]
        return _file(tomli_w.dumps(data), "application/toml", "dlrig-build.toml")
    return _file(plan_markdown(result) + f"\nReproduce: /plan?{link}\n", "text/markdown; charset=utf-8",
                 "dlrig-build.md")


def _file(body: str, media: str, name: str) -> Response:
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})

"""Swap: change one part of a planned or loaded build and see what changes.

For the chosen slot (category) the part picker (``dlrig.picker``, as on the Build
page) lists the slot's parts priced in the market, searched, filtered, sorted and
paged, each tried in place of the current one: a part is *compatible* when no error
finding involves it (it conflicts with nothing else in the build). Each is listed with
its price (store and date) and throughput difference, and choosing one is a plain link
to the new build, whose findings the page shows at once. Parts that do not fit stay
choosable, with the error they cause; every line can also be removed.
"""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from ...build import Build
from ...errors import DlrigError
from ...optimize.solve import perf_workload_for
from ...parts import Category
from ...picker import MULTI, build_throughput, remove
from ...rules import CheckResult, check_build
from ..buildlink import build_from_params, build_params, build_query
from ..forms import Form
from ..render import busy_response, page_key, respond
from . import pickview
from .common import (
    CIRCUITS,
    catalog_now,
    catalog_of,
    check_options,
    market_options,
    optional_workloads,
    posted_build,
    priced,
)

router = APIRouter()


def _picker(request: Request, build: Build, slot: Category, catalog, opts: dict, extra: dict,
            form: Form):
    """The picker's page for ``slot``, each part in place of the slot's (first) line; its
    rows link to the swapped build (``was``: the part it replaced, for Undo)."""
    current = build.of(slot)
    query, errors = pickview.query_of(request, slot)
    form.errors.update(errors)
    if current and query.replace is None and slot in MULTI:
        query = type(query)(**{**query.__dict__, "replace": current[0].part.id})
    # The slot's lines before the swap, for an exact Undo (a several-line slot too).
    was = ",".join(f"{i.part.id}*{i.quantity}" for i in current) or None
    base = build_params(build, **extra, slot=slot.value)
    return pickview.run(catalog, build, query, opts,
                        lambda b: "/swap?" + build_query(b, **extra, slot=slot.value, was=was),
                        base, "/swap")


def _was_lines(text: str, catalog, slot: Category | None) -> tuple:
    """The swapped slot's lines before the swap (``was``: 'id*qty,...'), or () when any
    of them is not a known part of that slot in a quantity a build may hold: Undo puts
    back only what the swap took out."""
    from ...build import BuildItem

    out = []
    for ref in filter(None, (r.strip() for r in text.split(","))):
        pid, _, q = ref.partition("*")
        if slot is None or pid not in catalog or not (q or "1").isascii() \
                or not (q or "1").isdigit() or not 1 <= int(q or "1") <= 16:
            return ()
        part = catalog.get(pid)
        if part.category != slot:
            return ()
        out.append(BuildItem(part, int(q or "1")))
    return tuple(out)


def _extra(opts: dict, name: str) -> dict:
    return {"market": opts["market"], "workload": opts["workload"],
            "circuit": None if opts["circuit"] == "auto" else opts["circuit"],
            "dataset_gb": opts["dataset_gb"], "bios": 1 if opts["bios"] else None}


def _page(request: Request, form: Form, opts: dict, build: Build | None, slot: Category | None,
          text: str = "", status: int = 200):
    catalog = catalog_of(request)
    ctx = {"errors": form.errors, "opts": opts, "build": build, "slot": slot, "text": text,
           "markets": market_options(catalog), "workloads": optional_workloads(), "circuits": CIRCUITS,
           "categories": [c.value for c in Category], "result": None}
    if build is None or not form.ok:
        data = {"errors": form.errors} if form.errors else {"build": None}
        return respond(request, "swap.html", ctx, data,
                       status_code=status if status != 200 or form.ok else 422)
    extra = _extra(opts, build.name)
    result: CheckResult = check_build(build, opts["ctx"])
    rows, total, missing = priced(build, catalog, opts["market"])
    wl = perf_workload_for(opts["workload"])
    pk = _picker(request, build, slot, catalog, opts, extra, form) if slot else None
    removes = {i.part.id: "/swap?" + build_query(remove(build, i.part.id), **extra)
               for i in build.items}
    lines = _was_lines(form.text("was", "", 1000), catalog, slot)
    was_part = lines[0].part if lines else None
    undo = ""
    if lines:  # the swapped slot's lines put back as they were, the rest as it is now
        order = list(Category)
        items = sorted([i for i in build.items if i.part.category != slot] + list(lines),
                       key=lambda i: order.index(i.part.category))
        undo = build_query(replace(build, items=tuple(items)), **extra, slot=slot.value)
    ctx.update(result=result, rows=rows, total=total, missing=missing, pk=pk, removes=removes,
               throughput=build_throughput(build, wl, opts["ctx"]), perf_workload=wl.name,
               query=build_query(build, **extra), params=build_params(build, **extra),
               was=was_part, undo=undo)
    data = {"build": build, "result": result,
            "throughput": round(build_throughput(build, wl, opts["ctx"]), 3), "slot": slot,
            "picker": pk, "alternatives": pk.rows + pk.others if pk else []}
    if not form.ok:
        data["errors"] = form.errors
    return respond(request, "swap.html", ctx, data, status_code=200 if form.ok else 422)


@router.get("/swap")
async def swap_get(request: Request):
    """A slot's alternatives check the build once per part (thousands on an imported
    catalog): computed in a server thread, bounded and shared like a plan
    (``web.solves.page``)."""
    if "slot" not in request.query_params:
        return await run_in_threadpool(_swap_get, request)
    catalog = await catalog_now(request)

    async def make():
        return await run_in_threadpool(_swap_get, request)

    return await request.app.state.solves.page(page_key(request), catalog, make,
                                                   lambda b: busy_response(request, b))


def _swap_get(request: Request):
    form = Form(request.query_params)
    catalog = catalog_of(request)
    opts = check_options(form, catalog)
    slot_s = form.choice("slot", [c.value for c in Category], default=None, what="slot")
    slot = Category(slot_s) if slot_s else None
    refs = request.query_params.getlist("p")
    build = None
    if refs:
        try:
            build = build_from_params(refs, catalog, form.text("name", "build", 120), opts["market"])
        except DlrigError as e:
            form.errors["parts"] = e.one_line()
    return _page(request, form, opts, build, slot)


@router.post("/swap")
async def swap_post(request: Request):
    """Load a pasted list or an uploaded build file, then swap its parts by links."""
    form, opts, build, text, status = await posted_build(request)
    return _page(request, form, opts, build, None, text, status=status)

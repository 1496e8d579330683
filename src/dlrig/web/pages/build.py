"""Build: a part list that starts empty, filled one slot at a time, as on PCPartPicker.

``/build?p=...`` shows one row per slot (CPU, cooler, board, memory, storage, GPU, case,
PSU) with Choose, Replace, Remove and the quantity where a slot takes several; under it
the running verdict (``dlrig.report.check.headline``, as Check words it), the power
estimate and the total. ``/build/pick/<slot>?...`` is the picker for a slot
(``dlrig.picker``): search, filters, sort, pages; choosing a part is a plain link back
to ``/build`` with the new list. The whole state is in the URL, so it works without
JavaScript and every list can be shared.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from ...build import Build
from ...errors import DlrigError
from ...parts import Category
from ...picker import MAX_QUANTITY, MULTI, SLOT_ORDER, empty, filters_for, remove, set_quantity
from ...rules import check_build
from ..buildlink import build_from_params, build_query
from ..forms import Form
from ..render import respond
from . import pickview
from .common import catalog_of, check_options, market_options, optional_workloads, priced

router = APIRouter()

LABELS = {Category.cpu: "CPU", Category.cooler: "CPU cooler", Category.motherboard: "Motherboard",
          Category.memory: "Memory", Category.storage: "Storage", Category.gpu: "GPU",
          Category.case: "Case", Category.psu: "Power supply"}


def _extra(opts: dict) -> dict:
    return {"market": opts["market"], "workload": opts["workload"] or None,
            "circuit": None if opts["circuit"] == "auto" else opts["circuit"],
            "dataset_gb": opts["dataset_gb"], "bios": 1 if opts["bios"] else None}


def _read(request: Request) -> tuple[Form, dict, Build]:
    form = Form(request.query_params)
    catalog = catalog_of(request)
    opts = check_options(form, catalog)
    build = empty(form.text("name", "build", 120) or "build", opts["market"])
    refs = request.query_params.getlist("p")
    if refs:
        try:
            build = build_from_params(refs, catalog, build.name, opts["market"])
        except DlrigError as e:
            form.errors["parts"] = e.one_line()
    return form, opts, build


def _summary(request: Request, build: Build, opts: dict) -> dict:
    """The running verdict, power and total of ``build``, and each slot's rows with links."""
    catalog = catalog_of(request)
    extra = _extra(opts)
    result = check_build(build, opts["ctx"])
    lines, total, missing = priced(build, catalog, opts["market"])
    q = build_query(build, **extra)
    slots = []
    for slot in SLOT_ORDER:
        rows = []
        for line in (x for x in lines if x.item.part.category == slot):
            pid, n = line.item.part.id, line.item.quantity
            row = {"line": line, "remove": "/build?" + build_query(remove(build, pid), **extra),
                   "replace": f"/build/pick/{slot.value}?{q}&replace={pid}"}
            if slot in MULTI:
                row["less"] = ("/build?" + build_query(set_quantity(build, pid, n - 1), **extra)
                               if n > 1 else None)
                row["more"] = ("/build?" + build_query(set_quantity(build, pid, n + 1), **extra)
                               if n < MAX_QUANTITY else None)
            rows.append(row)
        slots.append({"slot": slot, "label": LABELS[slot], "rows": rows,
                      "choose": f"/build/pick/{slot.value}?{q}",
                      "several": slot in MULTI})
    return {"result": result, "lines": lines, "total": total, "missing": missing, "slots": slots,
            "query": q, "extra": extra}


@router.get("/build")
async def build_page(request: Request):
    return await run_in_threadpool(_build_page, request)


def _build_page(request: Request):
    form, opts, build = _read(request)
    catalog = catalog_of(request)
    ctx = {"errors": form.errors, "opts": opts, "build": build,
           "markets": market_options(catalog), "workloads": optional_workloads(),
           **_summary(request, build, opts)}
    data = {"build": build, "result": ctx["result"], "total": ctx["total"],
            "errors": form.errors or None}
    return respond(request, "build.html", ctx, data, status_code=200 if form.ok else 422)


@router.get("/build/pick/{slot}")
async def pick_page(request: Request, slot: str):
    return await run_in_threadpool(_pick_page, request, slot)


def _pick_page(request: Request, slot_s: str):
    form, opts, build = _read(request)
    catalog = catalog_of(request)
    if slot_s not in {c.value for c in Category}:
        form.errors["slot"] = (f"unknown slot '{slot_s}'; choose one of "
                               + ", ".join(c.value for c in SLOT_ORDER))
        ctx = {"errors": form.errors, "opts": opts, "build": build, "pk": None, "slot": None,
               "label": slot_s, "markets": market_options(catalog),
               "workloads": optional_workloads(), **_summary(request, build, opts)}
        return respond(request, "build.html", ctx, {"errors": form.errors}, status_code=404)
    slot = Category(slot_s)
    query, errors = pickview.query_of(request, slot)
    form.errors.update(errors)
    summary = _summary(request, build, opts)
    extra = summary["extra"]
    pk = None
    if "parts" not in form.errors:
        try:
            base = [("p", v) for v in request.query_params.getlist("p")] + [
                (k, str(v)) for k, v in extra.items() if v not in (None, "")]
            if build.name != "build":
                base.append(("name", build.name))
            pk = pickview.run(catalog, build, query, opts,
                              lambda b: "/build?" + build_query(b, **extra), base,
                              f"/build/pick/{slot.value}")
        except DlrigError as e:
            form.errors["replace"] = e.one_line()
    ctx = {"errors": form.errors, "opts": opts, "build": build, "pk": pk, "slot": slot,
           "label": LABELS[slot], "filters": filters_for(slot), "several": slot in MULTI,
           "markets": market_options(catalog), "workloads": optional_workloads(), **summary}
    data = {"picker": pk, "errors": form.errors or None}
    return respond(request, "pick.html", ctx, data, status_code=200 if form.ok else 422)

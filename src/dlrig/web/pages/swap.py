"""Swap: change one part of a planned or loaded build and see what changes.

For the chosen slot (category) every part of that category priced in the
market is tried in place of the current one with ``check_build``; a part is
*compatible* when no error finding involves it (it conflicts with nothing
else in the build). Each is listed with its price and throughput difference,
and choosing one is a plain link to the new build, whose findings the page
shows at once. Incompatible parts stay choosable, with the error they cause.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request

from ...build import Build
from ...catalog import Catalog
from ...errors import DlrigError
from ...optimize.objective import throughput as gpu_throughput
from ...optimize.solve import perf_workload_for
from ...parts import AnyPart, Category
from ...rules import CheckResult, Finding, Severity, check_build
from ...units import Money
from ..buildlink import build_from_params, build_params, build_query
from ..forms import Form
from ..render import respond
from .common import (
    CIRCUITS,
    catalog_of,
    check_options,
    market_options,
    optional_workloads,
    posted_build,
    priced,
)

router = APIRouter()


@dataclass
class Alternative:
    """One part that could take the slot, and what it would change."""

    part: AnyPart
    price: Money | None
    delta_price: Money | None
    throughput: float
    delta_throughput: float
    delta_throughput_pct: float | None
    compatible: bool
    conflict: Finding | None
    link: str

    def to_dict(self) -> dict:
        return {
            "id": self.part.id, "name": self.part.name, "category": self.part.category.value,
            "price": None if self.price is None else {"amount": self.price.amount, "currency": self.price.currency},
            "delta_price": None if self.delta_price is None else {
                "amount": self.delta_price.amount, "currency": self.delta_price.currency},
            "throughput": round(self.throughput, 3), "delta_throughput": round(self.delta_throughput, 3),
            "delta_throughput_pct": None if self.delta_throughput_pct is None
            else round(self.delta_throughput_pct, 1),
            "compatible": self.compatible,
            "conflict": self.conflict.to_dict() if self.conflict else None,
        }


def build_throughput(build: Build, workload) -> float:
    """The objective's throughput: each GPU board's estimate times its count."""
    return sum(gpu_throughput(i.part, workload) * i.quantity for i in build.of(Category.gpu))


def _price(catalog: Catalog, part_id: str, market: str | None) -> Money | None:
    if not market:
        return None
    try:
        lp = catalog.local_price(part_id, market)
    except DlrigError:
        return None
    return None if lp is None else lp.money


def alternatives(build: Build, slot: Category, catalog: Catalog, opts: dict, extra: dict) -> list[Alternative]:
    """Every other part of ``slot`` on sale in the market, checked in place of the current one."""
    current = build.of(slot)
    qty = current[0].quantity if current else 1
    market = opts["market"]
    m = catalog.market(market) if market else None
    wl = perf_workload_for(opts["workload"])
    base_t = build_throughput(build, wl)
    base_price = sum((_price(catalog, i.part.id, market) or Money(0, m.currency if m else "USD")).minor
                     * i.quantity for i in current) if m else None
    out = []
    for part in catalog.parts(slot):
        if current and part.id == current[0].part.id:
            continue
        price = _price(catalog, part.id, market)
        if m is not None and (price is None or not catalog.available(part, m)):
            continue  # not on sale there, as for the planner
        trial = build.with_part(part, qty)
        result = check_build(trial, opts["ctx"])
        conflict = next((f for f in result.by_severity(Severity.error) if part.id in f.parts), None)
        t = build_throughput(trial, wl)
        delta = None if price is None or base_price is None else Money(price.minor * qty - base_price, price.currency)
        pct = 100.0 * (t - base_t) / base_t if base_t else None
        out.append(Alternative(part, None if price is None else price * qty, delta, t, t - base_t, pct,
                               conflict is None, conflict,
                               build_query(trial, **extra, slot=slot.value, was=current[0].part.id if current else None)))
    out.sort(key=lambda a: (not a.compatible, -round(a.delta_throughput, 3),
                            a.price.minor if a.price else 0, a.part.name))
    return out


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
    alts = alternatives(build, slot, catalog, opts, extra) if slot else []
    was = form.text("was", "", 200)
    was_part = catalog.get(was) if was and was in catalog else None
    undo = ""
    if was_part is not None and slot is not None:
        undo = build_query(build.with_part(was_part, build.of(slot)[0].quantity if build.of(slot) else 1),
                           **extra, slot=slot.value)
    ctx.update(result=result, rows=rows, total=total, missing=missing, alternatives=alts,
               throughput=build_throughput(build, wl), perf_workload=wl.name,
               query=build_query(build, **extra), params=build_params(build, **extra),
               was=was_part, undo=undo)
    data = {"build": build, "result": result, "throughput": round(build_throughput(build, wl), 3),
            "slot": slot, "alternatives": alts}
    return respond(request, "swap.html", ctx, data)


@router.get("/swap")
def swap_get(request: Request):
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

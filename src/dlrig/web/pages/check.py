"""Check: paste a PCPartPicker list or upload a build file; see the findings.

Calls ``dlrig.rules.check_build`` exactly as ``dlrig check`` does and shows
its ``CheckResult``: findings with their numbers and fixes, the parts judged with their
prices and where each price comes from (store, condition, date, source), the power
estimate, and what was not checked.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from ...build import Build
from ...errors import DlrigError
from ...rules import check_build
from ..buildlink import build_from_params, build_query
from ..forms import Form
from ..render import respond
from .common import (
    CIRCUITS,
    catalog_of,
    check_options,
    market_options,
    optional_workloads,
    posted_build,
    quoted,
)

router = APIRouter()

def _page(request: Request, form: Form, opts: dict, build: Build | None = None, text: str = "",
          status: int = 200):
    catalog = catalog_of(request)
    result = check_build(build, opts["ctx"]) if build is not None and form.ok else None
    rows, total, missing, parts = (quoted(build, catalog, opts["market"]) if result
                                   else ([], None, 0, []))
    ctx = {
        "errors": form.errors, "text": text, "opts": opts, "build": build, "result": result,
        "rows": rows, "total": total, "missing": missing,
        "markets": market_options(catalog), "workloads": optional_workloads(), "circuits": CIRCUITS,
        "link": build_query(build, market=opts["market"], workload=opts["workload"],
                            circuit=None if opts["circuit"] == "auto" else opts["circuit"],
                            dataset_gb=opts["dataset_gb"], bios=1 if opts["bios"] else None)
        if result else "",
    }
    if not form.ok:
        data = {"errors": form.errors}
        status = 422 if status == 200 else status
    elif result is None:
        data = {"result": None}
    else:
        data = {"build": build, "result": result, "parts": parts}
    return respond(request, "check.html", ctx, data, status_code=status)


@router.get("/check")
def check_get(request: Request):
    """The empty form, or a build named by a link (``?p=<id>&p=<id>*2``)."""
    form = Form(request.query_params)
    catalog = catalog_of(request)
    opts = check_options(form, catalog)
    refs = request.query_params.getlist("p")
    build = None
    if refs and form.ok:
        try:
            build = build_from_params(refs, catalog, form.text("name", "build", 120), opts["market"])
            opts = check_options(form, catalog, build)
        except DlrigError as e:
            form.errors["parts"] = e.one_line()
    return _page(request, form, opts, build)


@router.post("/check")
async def check_post(request: Request):
    form, opts, build, text, status = await posted_build(request)
    return _page(request, form, opts, build, text, status=status)

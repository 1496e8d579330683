"""Check: paste a PCPartPicker list or upload a build file; see the findings.

Calls ``dlrig.rules.check_build`` exactly as ``dlrig check`` does and shows
its ``CheckResult``: findings with their numbers and fixes, the power
estimate, and what was not checked.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.datastructures import UploadFile

from ...build import Build
from ...errors import DlrigError
from ...rules import Context, check_build
from ..buildlink import build_from_params, build_query
from ..forms import MAX_TEXT, Form
from ..inputs import build_from_text, decode_text, safe_name
from ..limits import too_large_message
from ..render import respond
from .common import (
    catalog_of,
    default_market,
    default_workload,
    market_options,
    priced,
    workload_options,
)

router = APIRouter()

CIRCUITS = (("auto", "by market (US 1,440 W, else 1,840 W)"), ("1440", "120 V, 15 A: 1,440 W"),
            ("1840", "230 V, 10 A: 1,840 W"))


def _options(form: Form, catalog) -> dict:
    """The check's context, defaulted as ``dlrig check`` defaults it."""
    from ...perf import get_workload

    market = form.choice("market", catalog.markets, default=default_market(catalog), what="market")
    workload = form.choice("workload", [k for k, _ in workload_options()],
                           default=default_workload(), what="workload")
    circuit = form.choice("circuit", [k for k, _ in CIRCUITS], default="auto", what="circuit")
    dataset = form.number("dataset_gb", low=1, high=1_000_000, what="dataset size in GB",
                          required=False)
    if circuit in (None, "auto"):
        circuit_w = 1440 if market is None or market.lower().startswith("us") else 1840
    else:
        circuit_w = int(circuit)
    as_of = catalog.market(market).date if market else None
    ctx = Context(workload=get_workload(workload) if workload else None,
                  allow_bios_update=form.flag("bios"), circuit_w=circuit_w,
                  dataset_gb=int(dataset) if dataset is not None else None, as_of=as_of)
    return {"market": market, "workload": workload, "circuit": circuit, "bios": form.flag("bios"),
            "dataset_gb": form.text("dataset_gb", "", 40), "ctx": ctx}


def _page(request: Request, form: Form, opts: dict, build: Build | None = None, text: str = "",
          status: int = 200):
    catalog = catalog_of(request)
    result = check_build(build, opts["ctx"]) if build is not None and form.ok else None
    rows, total, missing = priced(build, catalog, opts["market"]) if result else ([], None, 0)
    ctx = {
        "errors": form.errors, "text": text, "opts": opts, "build": build, "result": result,
        "rows": rows, "total": total, "missing": missing,
        "markets": market_options(catalog), "workloads": workload_options(), "circuits": CIRCUITS,
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
        data = {"build": build, "result": result}
    return respond(request, "check.html", ctx, data, status_code=status)


@router.get("/check")
def check_get(request: Request):
    """The empty form, or a build named by a link (``?p=<id>&p=<id>*2``)."""
    form = Form(request.query_params)
    catalog = catalog_of(request)
    opts = _options(form, catalog)
    refs = request.query_params.getlist("p")
    build = None
    if refs and form.ok:
        try:
            build = build_from_params(refs, catalog, form.text("name", "build", 120), opts["market"])
        except DlrigError as e:
            form.errors["parts"] = e.one_line()
    return _page(request, form, opts, build)


@router.post("/check")
async def check_post(request: Request):
    catalog = catalog_of(request)
    big = too_large_message(request)
    raw = await request.form(max_files=2, max_fields=20, max_part_size=MAX_TEXT * 4)
    form = Form(raw)
    opts = _options(form, catalog)
    if big:
        form.errors["build_file"] = big
        return _page(request, form, opts, status=413)
    text = form.text("parts", "", MAX_TEXT)
    upload = raw.get("build_file")
    build = None
    try:
        if isinstance(upload, UploadFile) and upload.filename:
            name = safe_name(upload.filename, "build file")
            data = await upload.read()
            if not data:
                form.errors["build_file"] = f"{name} is empty"
            else:
                build = build_from_text(decode_text(data, name), catalog, name)
        elif text:
            build = build_from_text(text, catalog, "part list")
        else:
            form.errors["parts"] = "paste a part list, or choose a build file below"
    except DlrigError as e:
        form.errors["build_file" if isinstance(upload, UploadFile) and upload.filename else "parts"] = e.one_line()
    return _page(request, form, opts, build, text)

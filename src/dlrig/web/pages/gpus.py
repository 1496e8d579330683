"""GPUs: the ranking for a workload, with throughput per unit of money.

``dlrig.perf.rank_gpus`` does the ranking; this page only re-orders its
list when a person sorts by another column (links work without JavaScript;
``app.js`` sorts in place when it runs). The value chart (throughput per money
against VRAM, ``report.charts.gpu_value_chart`` over the same rows) is served as
SVG at ``/gpus.svg`` with the page's own query, so its URL can be shared.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...errors import DlrigError
from ...perf import get_workload, rank_gpus, select_gpus
from ...report.charts import gpu_value_chart
from ..forms import Form
from ..render import respond
from .common import catalog_of, default_market, default_workload, market_options, workload_options

router = APIRouter()

# column key -> (heading, sort key on GpuScore, descending by default)
COLUMNS = {
    "name": ("GPU", lambda s: s.name.lower(), False),
    "year": ("Year", lambda s: s.release_year or 0, True),
    "vram": ("VRAM", lambda s: s.vram_gb, True),
    "bandwidth": ("Bandwidth", lambda s: s.memory_bandwidth_gb_s, True),
    "compute": ("Compute", lambda s: s.compute_tflops, True),
    "throughput": ("Throughput", lambda s: s.relative_throughput, True),
    "price": ("Price", lambda s: s.price.minor if s.price else None, False),
    "value": ("Per 1,000", lambda s: s.throughput_per_1000, True),
}


def _ranked(request: Request):
    """The form and the rows it asks for, read the same way by the page and its chart."""
    form = Form(request.query_params)
    catalog = catalog_of(request)
    workload = form.choice("workload", [k for k, _ in workload_options()],
                           default=default_workload(), what="workload")
    market = form.choice("market", catalog.markets, default=default_market(catalog), what="market")
    sort = form.choice("sort", COLUMNS, default="throughput", what="column to sort by")
    order = form.choice("order", ("asc", "desc"), default="desc" if COLUMNS[sort][2] else "asc",
                        what="order")
    include_all = form.flag("all")
    show = form.choice("show", ("priced", "all"), default="priced", what="choice of rows")
    below_floor = form.flag("below_floor")
    w = get_workload(workload)
    scores = rank_gpus(w, include_all=include_all, catalog=catalog, market=market,
                       sort="value" if sort == "value" else "throughput")
    unpriced_market = not any(s.price is not None for s in scores)
    scores = select_gpus(scores, below_floor=below_floor, show=show)
    key = COLUMNS[sort][1]
    present = [s for s in scores if key(s) is not None]
    absent = [s for s in scores if key(s) is None]
    present.sort(key=key, reverse=(order == "desc"))
    scores = present + absent  # rows without a value stay last either way
    currency = catalog.market(market).currency if market else ""
    ctx = {
        "errors": form.errors, "scores": scores, "workload": w, "market": market,
        "currency": currency, "sort": sort, "order": order, "include_all": include_all,
        "show": show, "below_floor": below_floor, "unpriced_market": unpriced_market, "columns": COLUMNS, "markets": market_options(catalog),
        "workloads": workload_options(),
    }
    return form, ctx


def _chart_query(ctx) -> str:
    q = {"workload": ctx["workload"].name, "market": ctx["market"] or "", "show": ctx["show"]}
    if ctx["include_all"]:
        q["all"] = "1"
    if ctx["below_floor"]:
        q["below_floor"] = "1"
    return urlencode(q)


@router.get("/gpus")
def gpus(request: Request):
    form, ctx = _ranked(request)
    scores = ctx["scores"]
    ctx["chart"] = ("/gpus.svg?" + _chart_query(ctx)
                    if form.ok and any(s.price is not None for s in scores) else None)
    data = {"workload": ctx["workload"], "market": ctx["market"], "sort": ctx["sort"],
            "order": ctx["order"], "gpus": scores}
    if not form.ok:
        data["errors"] = form.errors
    return respond(request, "gpus.html", ctx, data, status_code=200 if form.ok else 422)


def _title(ctx) -> str:
    return f"GPU value for {ctx['workload'].title}, market {ctx['market']}"


@router.get("/gpus.svg")
def gpus_svg(request: Request):
    """The value chart alone (the page's ``<img>``, and a link to share)."""
    form, ctx = _ranked(request)
    if form.ok:
        try:
            svg = gpu_value_chart(ctx["scores"], ctx["currency"], _title(ctx), "svg",
                                  vram_floor_gb=ctx["workload"].vram_floor_gb)
        except DlrigError as e:  # no GPU has a price in this market
            form.errors["market"] = e.one_line()
    if not form.ok:
        return Response("; ".join(f"{k}: {v}" for k, v in form.errors.items()), status_code=422,
                        media_type="text/plain; charset=utf-8")
    return Response(svg, media_type="image/svg+xml",
                    headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})

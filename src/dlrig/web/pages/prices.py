"""Prices: upload a store's price list (as ``dlrig prices import csv``), see
the import report, and a part's price history with its chart.

The chart (``report.charts.history_chart``: a line per store, new and used told apart)
is served as SVG at ``/prices.svg`` with the history form's own query (``part``,
``market``), so the page's ``<img>`` and a shared link draw the same chart.

The upload is capped by the app's body limit before any parsing; it is
written under a private temporary folder with a cleaned file name (never
the path the browser sent) and handed to ``catalog.pricelist.
import_price_list``, the CLI's importer, whose validation is the only way
into the database. After a write the app's catalog is reloaded.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ... import validate
from ...catalog.pricelist import import_price_list, parse_columns
from ...errors import DlrigError
from ...report.charts import history_chart
from ...store import Database
from ...store.queries import history
from ...units import CURRENCIES
from ..forms import Form
from ..inputs import safe_name
from ..limits import too_large_message
from ..render import respond
from .common import catalog_of, default_market, market_options

router = APIRouter()

# What this page adds to a library error of a given kind (``DlrigError.code``).
WEB_HINTS = {
    "bad_rows": "tick 'Import the good rows' under More options",
    "missing_column": "map it under More options, Columns",
}
CONDITIONS = (("new", "new"), ("used", "used"), ("refurbished", "refurbished"))
DECIMALS = (("auto", "detect"), ("comma", "1.234,56"), ("point", "1,234.56"))


def _ctx(request: Request, form: Form, values: dict, **more) -> dict:
    catalog = catalog_of(request)
    src = request.app.state.catalog
    return {"errors": form.errors, "values": values, "markets": market_options(catalog),
            "currencies": [("", "the market's"), *((c, c) for c in CURRENCIES)], "decimals": DECIMALS, "conditions": CONDITIONS,
            "db_path": src.db_path, "db_exists": src.db_path.exists(), "limit_mb": request.app.state.max_body / 2**20,
            "report": None, "points": None, "part": None, "plot": None, **more}


def _history(request: Request, form: Form, ref: str, market: str | None):
    catalog = catalog_of(request)
    try:
        part = catalog.resolver.find(ref)  # as 'dlrig prices history' reads it
    except DlrigError as e:
        form.errors["part"] = e.one_line()
        return None, None
    return part, history(catalog, part.id, market)


def _history_query(form: Form, request: Request):
    """The history form's part and market, read the same way by the page and its chart."""
    catalog = catalog_of(request)
    ref = form.text("part", "", 200)
    market = form.choice("market", catalog.markets, default=None, what="market")
    return ref, market


def _chart_link(part, market: str | None) -> str:
    from urllib.parse import urlencode

    return "/prices.svg?" + urlencode({"part": part.id, **({"market": market} if market else {})})


@router.get("/prices")
def prices_get(request: Request):
    form = Form(request.query_params)
    ref, market = _history_query(form, request)
    values = {"part": ref, "market": market or "", "hmarket": market or "", "store": "",
              "currency": "", "date": dt.date.today().isoformat(), "decimal": "auto", "columns": "",
              "condition": "new"}
    part = points = plot = None
    if ref and form.ok:
        part, points = _history(request, form, ref, market)
        plot = _chart_link(part, market) if points else None
    ctx = _ctx(request, form, values, part=part, points=points, plot=plot)
    data = {"errors": form.errors} if form.errors else {"part": part, "history": points}
    return respond(request, "prices.html", ctx, data, status_code=422 if form.errors else 200)


def _history_svg(request: Request) -> Response:
    form = Form(request.query_params)
    ref, market = _history_query(form, request)
    if not ref:
        form.errors["part"] = "give a part: its id or full name"
    part = points = None
    if form.ok:
        part, points = _history(request, form, ref, market)
    if not form.ok or not points:
        why = "; ".join(f"{k}: {v}" for k, v in form.errors.items()) or (
            f"no prices for {part.name}" + (f" in {market}" if market else ""))
        return Response(why, status_code=422 if form.errors else 404,
                        media_type="text/plain; charset=utf-8")
    credit = "; ".join(catalog_of(request).sources)
    svg = history_chart(points, f"{part.name}: price history", "svg", credit=credit)
    return Response(svg, media_type="image/svg+xml",
                    headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})


@router.get("/prices.svg")
async def prices_svg(request: Request):
    """The price-history chart alone, for the page's ``<img>`` and for sharing."""
    return await run_in_threadpool(_history_svg, request)


@router.post("/prices")
async def prices_post(request: Request):
    catalog = catalog_of(request)
    big = too_large_message(request)
    raw = await request.form(max_files=1, max_fields=20, max_part_size=64 * 1024)
    form = Form(raw)
    values = {k: form.text(k, "", 200) for k in ("store", "currency", "date", "decimal", "columns",
                                                  "condition")}
    values.update(part="", hmarket="")
    if big:
        form.errors["file"] = big
        values["market"] = default_market(catalog) or ""
        return respond(request, "prices.html", _ctx(request, form, values), {"errors": form.errors},
                       status_code=413)
    market = form.choice("market", catalog.markets, default=default_market(catalog), what="market")
    values["market"] = market or ""
    store = values["store"]
    try:
        store = validate.store_name(store)
    except DlrigError as e:
        form.errors["store"] = e.one_line()
    currency = form.choice("currency", CURRENCIES, default="", what="currency")
    try:
        day = dt.date.fromisoformat(values["date"] or dt.date.today().isoformat())
        validate.not_future(day, "price list date")
    except DlrigError as e:
        form.errors["date"] = e.one_line()
        day = None
    except ValueError:
        form.errors["date"] = f"'{values['date']}' is not a date; write YYYY-MM-DD"
        day = None
    decimal = form.choice("decimal", [k for k, _ in DECIMALS], default="auto", what="decimal style")
    condition = form.choice("condition", [k for k, _ in CONDITIONS], default="new",
                            what="condition")
    mapping = None
    if values["columns"]:
        try:
            mapping = parse_columns(values["columns"])
        except DlrigError as e:
            form.errors["columns"] = e.one_line()
    upload = raw.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        form.errors["file"] = "choose the store's CSV file"
    if not form.ok:
        return respond(request, "prices.html", _ctx(request, form, values), {"errors": form.errors},
                       status_code=422)
    name = safe_name(upload.filename, "prices.csv")
    data = await upload.read()
    src = request.app.state.catalog
    try:
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / name
            path.write_bytes(data)
            with Database(src.db_path) as db:
                report = import_price_list(
                    db, path, store=store, market=market,
                    currency=currency or catalog.market(market).currency, date=day, catalog=catalog,
                    columns=mapping, decimal=decimal, dry_run=form.flag("dry_run"),
                    skip_bad_rows=form.flag("skip_bad_rows"), condition=condition or "new")
    except DlrigError as e:
        if e.exit_code != 2:  # the database failed (busy, full, read-only): not the upload
            raise
        # The library names the kind of failure; the page names its own control for it.
        extra = WEB_HINTS.get(e.code or "")
        form.errors["file"] = e.one_line() + (f" ({extra})" if extra else "")
        return respond(request, "prices.html", _ctx(request, form, values), {"errors": form.errors},
                       status_code=422)
    if report.written:
        src.invalidate()
    ctx = _ctx(request, form, values, report=report, file_name=name)
    return respond(request, "prices.html", ctx, {"file": name, "report": report})

"""Small pieces several pages share: catalog access, markets, workloads, prices."""

from __future__ import annotations

from fastapi import Request

from ...build import Build, PricedItem, price_build
from ...catalog import Catalog
from ...errors import DlrigError
from ...units import Money
from ..forms import Form


def catalog_of(request: Request) -> Catalog:
    return request.app.state.catalog.get()


async def catalog_now(request: Request) -> Catalog:
    """The catalog for an async page: at once when loaded, else loaded in a server thread
    (the first request after a start or an import), never blocking the event loop."""
    from starlette.concurrency import run_in_threadpool

    return request.app.state.catalog.loaded() or await run_in_threadpool(catalog_of, request)


def market_options(catalog: Catalog) -> list[tuple[str, str]]:
    """(code, label) per market; the currency is added unless the name already says it."""
    return [(code, m.name if m.currency in m.name else f"{m.name} ({m.currency})")
            for code, m in sorted(catalog.markets.items())]


def default_market(catalog: Catalog) -> str | None:
    codes = sorted(catalog.markets)
    return "us" if "us" in codes else (codes[0] if codes else None)


def workload_options() -> list[tuple[str, str]]:
    from ...perf import workloads

    return [(name, f"{w.title}") for name, w in workloads().items()]


def optional_workloads() -> list[tuple[str, str]]:
    """Workload choices where none is allowed (the rules' defaults), as in ``dlrig check``."""
    return [("", "none (the rules' defaults)"), *workload_options()]


def default_workload() -> str:
    from ...perf import workloads

    names = list(workloads())
    return "cnn" if "cnn" in names else names[0]


def priced(build: Build, catalog: Catalog, market: str | None) -> tuple[list[PricedItem], Money | None, int]:
    """Each line's catalog price in ``market``, the sum, and how many lines had none."""
    bp = price_build(build, catalog, market)
    return list(bp.lines), bp.total, len(bp.missing)


def quoted(build: Build, catalog: Catalog, market: str | None):
    """As ``priced``, each line paired with where its price comes from
    (``report.provenance``: store, condition, date, source, link; None when unpriced), and
    the JSON rows ``dlrig check --json`` prints as ``parts``."""
    from ...report.check import part_rows
    from ...report.provenance import build_quotes

    bp = price_build(build, catalog, market)
    qs = build_quotes(bp, catalog)
    return (list(zip(bp.lines, qs, strict=True)), bp.total, len(bp.missing),
            part_rows(bp, qs))


CIRCUITS = (("auto", "the market's circuit (US 1,440 W)"), ("1440", "120 V, 15 A: 1,440 W"),
            ("1840", "230 V, 10 A: 1,840 W"))


def check_options(form: Form, catalog, build: Build | None = None) -> dict:
    """The check's context, defaulted as ``dlrig check`` defaults it: the options given, else
    the build's own market and ``[intent]`` (a saved plan is judged by what it was planned
    for), else the defaults."""
    from ...rules import context_for, context_for_build

    own = build.market if build is not None and build.market in catalog.markets else None
    market = form.choice("market", catalog.markets, default=own or default_market(catalog),
                         what="market")
    workload = form.choice("workload", [k for k, _ in workload_options()],
                           default="", what="workload")
    circuit = form.choice("circuit", [k for k, _ in CIRCUITS], default="auto", what="circuit")
    dataset = form.number("dataset_gb", low=1, high=1_000_000, what="dataset size in GB",
                          required=False)
    given = {"workload": workload or None,
             "circuit_w": None if circuit in (None, "auto") else int(circuit),
             "allow_bios_update": form.flag("bios"),
             "dataset_gb": int(dataset) if dataset is not None else None}
    if build is not None and form.ok:
        ctx = context_for_build(catalog, build, market, **given)
    else:
        ctx = context_for(catalog, market, **given)
    return {"market": market, "workload": workload, "circuit": circuit, "bios": form.flag("bios"),
            "dataset_gb": form.text("dataset_gb", "", 40), "ctx": ctx}


async def posted_build(request: Request) -> tuple[Form, dict, Build | None, str, int]:
    """Read a posted build (pasted list or uploaded file) for Check and Swap.

    Returns the form, the check options, the build (None when it could not be
    read; the form then carries the error), the pasted text and the status:
    413 when the body is over the size limit, which is known before parsing.
    """
    from ..forms import MAX_TEXT
    from ..inputs import build_from_form
    from ..limits import too_large_message

    catalog = catalog_of(request)
    big = too_large_message(request)
    raw = await request.form(max_files=2, max_fields=20, max_part_size=MAX_TEXT * 4)
    form = Form(raw)
    if big:
        form.errors["build_file"] = big
        return form, check_options(form, catalog), None, "", 413
    build, text = await build_from_form(raw, form, catalog)
    try:
        opts = check_options(form, catalog, build)
    except DlrigError as e:  # the build's [intent] names a model or workload not known here
        form.errors["build_file"] = e.one_line()
        opts, build = check_options(form, catalog), None
    return form, opts, build, text, 200

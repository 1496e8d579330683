"""``dlrig check`` and ``dlrig power``: grade a build, estimate its power."""

from __future__ import annotations

import json
from typing import Any

import typer

from ..build import Build, load_build
from ..errors import MarketError
from ..power import (
    DEFAULT_CURRENCY,
    DEFAULT_DAYS_PER_YEAR,
    DEFAULT_HOURS_PER_DAY,
    DEFAULT_TARIFF,
    DEFAULT_UTILISATION,
    estimate,
    running_cost,
)
from ..report.check import render_check, render_power
from ..rules import Context, check_build
from . import app, console, guarded

US_CIRCUIT_W = 1440  # 120 V x 15 A x 0.8
OTHER_CIRCUIT_W = 1840  # 230 V x 10 A x 0.8


def builtin_catalog():
    """The built-in catalog, loaded once.

    Not ``dlrig.catalog.builtin``: once the ``catalog.builtin`` submodule is
    imported (build.py does), that name is the submodule, not the function.
    """
    from .. import catalog

    if catalog._BUILTIN is None:
        from ..catalog.builtin import load_builtin

        catalog._BUILTIN = load_builtin()
    return catalog._BUILTIN


def _workload(name: str | None):
    if not name:
        return None
    from ..perf import get_workload

    return get_workload(name)


def _price(build: Build, catalog, market_code: str) -> dict[str, Any]:
    """The build's total in ``market_code``: quoted and estimated parts, and those without a price."""
    market = catalog.market(market_code)
    total = None
    estimated, missing = 0, []
    for item in build.items:
        try:
            lp = catalog.local_price(item.part.id, market) if item.part.id in catalog else None
        except MarketError:
            lp = None
        if lp is None:
            missing.append(item.part.name)
            continue
        estimated += lp.estimated
        money = lp.money * item.quantity
        total = money if total is None else total + money
    return {"market": market.code, "total": None if total is None else total.amount,
            "currency": market.currency, "text": str(total) if total else None,
            "estimated_parts": estimated, "parts_without_price": missing}


def _price_text(p: dict[str, Any]) -> str:
    if p["text"] is None:
        return f"no part of this build has a price in market {p['market']}"
    s = f"{p['text']} in market {p['market']}"
    if p["estimated_parts"]:
        s += f" ({p['estimated_parts']} estimated from another market)"
    if p["parts_without_price"]:
        s += f"; without a price: {', '.join(p['parts_without_price'])}"
    return s


@app.command("check")
@guarded
def check_cmd(
    build_file: str = typer.Argument(..., metavar="BUILD",
                                     help="build TOML, or a PCPartPicker markdown part list"),
    as_json: bool = typer.Option(False, "--json", help="print JSON instead of a table"),
    workload: str | None = typer.Option(None, "--workload", "-w",
                                        help="workload profile (see 'dlrig workloads')"),
    market: str | None = typer.Option(None, "--market", "-m",
                                      help="market for prices and the circuit (default: the build's)"),
    circuit_w: int | None = typer.Option(None, "--circuit-w", min=100, max=20000,
                                         help="continuous watts of the wall circuit "
                                              "(default 1440 in the US, 1840 elsewhere)"),
    dataset_gb: int | None = typer.Option(None, "--dataset-gb", min=1,
                                          help="dataset size the SSDs must hold"),
    allow_bios_update: bool = typer.Option(False, "--allow-bios-update",
                                           help="you can flash a BIOS: such findings become info"),
) -> None:
    """Check a build's compatibility and deep-learning balance.

    Exit code 0 when nothing is an error, 1 when something is, 2 for bad input.

    Example: dlrig check examples/ar-2017-05/build.toml --workload cnn
    """
    catalog = builtin_catalog()
    build = load_build(build_file, catalog)
    market = market or build.market
    if circuit_w is None:
        circuit_w = US_CIRCUIT_W if market is None or market.lower().startswith("us") else OTHER_CIRCUIT_W
    as_of = catalog.market(market).date if market else None
    ctx = Context(workload=_workload(workload), allow_bios_update=allow_bios_update,
                  circuit_w=circuit_w, dataset_gb=dataset_gb, as_of=as_of)
    price = _price(build, catalog, market) if market else None
    result = check_build(build, ctx)
    context = {"workload": workload or "none (defaults)", "circuit": f"{circuit_w} W",
               "market": market or "none", "as of": str(as_of) if as_of else "today"}
    if as_json:
        out = {"build": build.name, **result.to_dict(), "context": context, "price": price}
        print(json.dumps(out, indent=2, default=str))
    else:
        render_check(console, result, build.name, context, _price_text(price) if price else None)
    if not result.ok:
        raise typer.Exit(1)


@app.command("power")
@guarded
def power_cmd(
    build_file: str = typer.Argument(..., metavar="BUILD",
                                     help="build TOML, or a PCPartPicker markdown part list"),
    tariff: float = typer.Option(DEFAULT_TARIFF, "--tariff", help="price of one kWh"),
    currency: str = typer.Option(DEFAULT_CURRENCY, "--currency", help="currency of the tariff"),
    hours_per_day: float = typer.Option(DEFAULT_HOURS_PER_DAY, "--hours-per-day",
                                        help="hours a day the machine trains"),
    days_per_year: int = typer.Option(DEFAULT_DAYS_PER_YEAR, "--days-per-year"),
    utilisation: float = typer.Option(DEFAULT_UTILISATION, "--utilisation",
                                      help="share of those hours at full load (0-1)"),
    as_json: bool = typer.Option(False, "--json", help="print JSON instead of tables"),
) -> None:
    """Estimate a build's power: draw by part, transient peak, PSU size and headroom,
    wall power and the yearly electricity cost.

    Example: dlrig power examples/ar-2017-05/build.toml --tariff 0.30 --currency EUR
    """
    build = load_build(build_file, builtin_catalog())
    est = estimate(build)
    # Validated even without a PSU (no wall figure), so a bad option is always an error.
    cost = running_cost(est.wall_w or 0, tariff, currency, hours_per_day, days_per_year, utilisation)
    if est.wall_w is None:
        cost = None
    if as_json:
        out = {"build": build.name, **est.to_dict(),
               "running_cost": None if cost is None else cost.to_dict()}
        print(json.dumps(out, indent=2))
        return
    render_power(console, est, cost, build.name)

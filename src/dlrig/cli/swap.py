"""``dlrig swap BUILD SLOT``: what else could take one slot of a build (the web's Swap page)."""

from __future__ import annotations

import json

import typer
from rich.table import Table
from rich.text import Text

from ..build import load_build
from ..errors import InputError
from ..parts import Category
from ..rules import context_for_build
from .root import DB_READ, NO_DB, app, console, guarded, open_catalog


@app.command("swap")
@guarded
def swap_cmd(
    build_file: str = typer.Argument(..., metavar="BUILD",
                                     help="build TOML, or a PCPartPicker markdown part list"),
    slot: str = typer.Argument(..., metavar="SLOT",
                               help="the category to swap: " + ", ".join(c.value for c in Category)),
    market: str | None = typer.Option(None, "--market", "-m",
                                      help="market for prices (default: the build's)"),
    workload: str | None = typer.Option(None, "--workload", "-w",
                                        help="workload profile (default: the build's [intent])"),
    limit: int = typer.Option(15, "--limit", "-n", min=0, help="show the first N (0 = all)"),
    include_incompatible: bool = typer.Option(False, "--all",
                                              help="also parts that conflict with the build"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
    db: str | None = DB_READ,
    no_db: bool = NO_DB,
) -> None:
    """Every other part for one slot of a build, checked in its place: price, throughput and
    whether it fits the rest (the same rules as 'dlrig check').

    Example: dlrig swap plan.toml gpu --market us
    """
    from ..optimize.solve import perf_workload_for
    from ..optimize.swap import alternatives, build_throughput

    try:
        cat = Category(slot.lower())
    except ValueError:
        raise InputError(f"unknown slot '{slot}'",
                         hint="use one of " + ", ".join(c.value for c in Category)) from None
    catalog = open_catalog(db, no_db=no_db)
    build = load_build(build_file, catalog)
    market = market or build.market
    if not market:
        raise InputError("no market: the build names none", hint="give --market, e.g. --market us")
    ctx = context_for_build(catalog, build, market, workload=workload)
    wl = perf_workload_for(ctx.workload.name if ctx.workload else None)
    alts = alternatives(catalog, build, cat, ctx, market, wl)
    shown = [a for a in alts if a.compatible or include_incompatible]
    if limit:
        shown = shown[:limit]
    if as_json:
        print(json.dumps({"build": build.name, "slot": cat.value, "market": market,
                          "throughput": round(build_throughput(build, wl, ctx), 3),
                          "alternatives": [a.to_dict() for a in shown],
                          "compatible": sum(a.compatible for a in alts),
                          "incompatible": sum(not a.compatible for a in alts)}, indent=2))
        return
    current = build.of(cat)
    now = current[0].part.name if current else "nothing"
    t = Table(title=Text(f"{cat.value}: instead of {now} ({market})"))
    t.add_column(cat.value, ratio=1)
    t.add_column("price", justify="right", no_wrap=True)
    t.add_column("vs now", justify="right", no_wrap=True)
    if cat == Category.gpu:
        t.add_column("throughput", justify="right", no_wrap=True)
    t.add_column("fits", no_wrap=False)
    for a in shown:
        row = [Text(a.part.name), str(a.price) if a.price else "-",
               ("+" if a.delta_price and a.delta_price.minor > 0 else "")
               + (str(a.delta_price) if a.delta_price else "-")]
        if cat == Category.gpu:
            pct = a.delta_throughput_pct
            row.append("-" if pct is None else f"{pct:+.0f} %")
        fits = "yes" if a.compatible else f"no: {a.conflict.rule}"
        if a.unverified:
            fits += " (unverified: " + ", ".join(a.unverified) + ")"
        row.append(Text(fits))
        t.add_row(*row)
    console.print(t)
    hidden = sum(not a.compatible for a in alts)
    if hidden and not include_incompatible:
        console.print(f"{hidden} more conflict with the rest of the build (--all lists them)",
                      highlight=False)

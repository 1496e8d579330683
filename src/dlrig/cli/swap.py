"""``dlrig swap BUILD SLOT``: what else could take one slot of a build.

The web's Swap page in a terminal: the same part picker (``dlrig.picker``: ``parse_query``
reads the options as the page reads its URL, ``pick`` lists the parts), so one query gives
the same rows, in the same order, from both. The options are the page's query parameters.
"""

from __future__ import annotations

import json

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from ..build import load_build
from ..errors import InputError
from ..parts import Category
from ..picker.filters import FILTERS
from ..picker.query import SORTS, default_sort, sorts_for
from ..rules import context_for_build
from .root import DB_READ, NO_DB, app, console, guarded, open_catalog

# the picker's query parameter -> the option that sets it, for error messages
_OPTION = {"q": "--search", "price_min": "--price-min", "price_max": "--price-max",
           "condition": "--condition", "sort": "--sort", "order": "--order", "page": "--page",
           "per_page": "--per-page", "replace": "--replace", "qty": "--qty"}


def _filter_help() -> str:
    """The slots' filters, from the picker's own table."""
    return "; ".join(f"{c.value}: " + ", ".join(f.key for f in fs) for c, fs in FILTERS.items())


def _sort_help() -> str:
    """The sorts each slot takes beyond price and name, and each slot's default."""
    common = [k for k, (_, slots, _) in SORTS.items() if slots is None]
    extra = "; ".join(f"{c.value}: " + ", ".join(k for k in sorts_for(c) if k not in common)
                      for c in Category if set(sorts_for(c)) - set(common))
    default = "; ".join(sorted({f"{default_sort(c)} for " + ", ".join(
        x.value for x in Category if default_sort(x) == default_sort(c)) for c in Category}))
    return f"{', '.join(common)}; {extra} (default: {default})"


def _params(cat: Category, filters: list[str], **given: str | None) -> dict[str, list[str]]:
    """The options as the picker's query parameters (what the web's URL would hold)."""
    from ..picker import filters_for

    params = {k: [v] for k, v in given.items() if v is not None}
    known = {f.key: f for f in filters_for(cat)}
    for raw in filters:
        key, eq, value = raw.partition("=")
        key = key.strip().replace("-", "_")
        if not eq or key not in known:
            what = f"unknown {cat.value} filter '{key}'" if eq else f"'{raw}' is not KEY=VALUE"
            raise InputError(what, hint=f"{cat.value} filters: " + ", ".join(
                f"{k}={'|'.join(['VALUE'] if f.kind == 'choice' else [f.unit or 'N'])}"
                for k, f in known.items()))
        values = value.split(",") if known[key].kind == "choice" else [value]
        params.setdefault(key, []).extend(v.strip() for v in values)
    return params


def _amount(m, sign: bool = False) -> str:
    """A sum without its currency (the column heading names it)."""
    if m is None:
        return "-"
    return ("+" if sign and m.minor > 0 else "") + m.format(decimals=False).rsplit(" ", 1)[0]


def _table(page, now: str, market: str, day) -> Table:
    """The rows as a terminal reads them: the part with who quoted its price and when
    (and, when it does not fit or is unsupported, why), the price, the difference from
    the current line, the GPUs' throughput against now, whether it fits."""
    from ..report.provenance import provenance

    cat = page.query.slot
    cur = f" ({page.currency})" if page.currency else ""
    t = Table(title=Text(f"{cat.value}: instead of {now} ({market})"), expand=True,
              box=box.SIMPLE_HEAD)
    t.add_column(cat.value, ratio=1)
    t.add_column("price" + cur, justify="right", no_wrap=True)
    t.add_column("vs now", justify="right", no_wrap=True)
    if cat == Category.gpu:
        t.add_column("throughput", justify="right", no_wrap=True)
    t.add_column("fits", no_wrap=True)
    for r in page.rows:
        name = Text(r.part.name + (f" x{r.quantity}" if r.quantity > 1 else ""))
        price = "no price"
        if r.price is not None:
            q = provenance(r.price, day, r.part.name)
            price = _amount(r.line_price) + "".join(f" {m}" for m in q.marks)
            name.append(f"\n{q.where}, {q.date.isoformat()}", style="dim")
        why = [r.reason] if r.reason else []
        if r.pending:
            why.append(f"until the list is complete: {r.pending}")
        if r.unverified:
            why.append("unverified: " + ", ".join(r.unverified))
        if why:
            name.append("\n" + "; ".join(why), style="" if r.compatible else "yellow")
        row = [name, price, _amount(r.delta_price, sign=True)]
        if cat == Category.gpu:
            pct = r.delta_throughput_pct
            row.append("not supported" if r.status == "unsupported"
                       else f"{pct:+.0f} %" if pct is not None
                       else "-" if r.throughput is None else f"{r.throughput:,.0f}")
        row.append("no" if r.status == "incompatible"
                   else "unverified" if r.unverified else "yes")
        t.add_row(*row)
    return t


def _footer(page) -> str:
    q = page.query
    where = f"page {q.page} of {page.pages}: " if page.pages > 1 else ""
    tried = page.compatible + page.incompatible + page.unsupported
    text = (f"{where}{len(page.rows)} of {page.shown} shown; of {tried} tried, "
            f"{page.compatible} fit"
            + (f" ({page.unverified} not checked on every rule: data missing)"
               if page.unverified else "")
            + f", {page.incompatible} do not")
    if q.slot == Category.gpu:
        text += f", {page.unsupported} fit but are unsupported"
    if not q.show_all and page.incompatible + page.unsupported:
        text += " (--all lists them with why)"
    if q.page < page.pages:
        text += f"; next: --page {q.page + 1}, or -n 0 for every row"
    return text


@app.command("swap")
@guarded
def swap_cmd(
    build_file: str = typer.Argument(..., metavar="BUILD",
                                     help="build TOML, or a PCPartPicker markdown part list"),
    slot: str = typer.Argument(..., metavar="SLOT",
                               help="the category to swap: " + ", ".join(c.value for c in Category)),
    search: str | None = typer.Option(None, "--search", "-q", metavar="WORDS",
                                      help="only parts whose name holds every word"),
    filters: list[str] | None = typer.Option(
        None, "--filter", "-f", metavar="KEY=VALUE",
        help="a filter of the slot, as on the web (repeat it; a choice takes a,b, e.g. "
             "vram=16,24; a bound a number, e.g. length_max=320): " + _filter_help()),
    price_min: str | None = typer.Option(None, "--price-min", metavar="AMOUNT",
                                         help="lowest line price, in the market's currency"),
    price_max: str | None = typer.Option(None, "--price-max", metavar="AMOUNT",
                                         help="highest line price, in the market's currency"),
    condition: str | None = typer.Option(None, "--condition", metavar="new|used|any",
                                         help="which quotes price the parts (default new)"),
    sort: str | None = typer.Option(None, "--sort", metavar="KEY", help=_sort_help()),
    order: str | None = typer.Option(None, "--order", metavar="asc|desc",
                                     help="default: the sort's own (best first)"),
    page_no: int = typer.Option(1, "--page", min=1, metavar="N", help="which page of rows"),
    per_page: int = typer.Option(25, "--per-page", "-n", min=0, metavar="N",
                                 help="rows per page, 5 to 100; 0: every row"),
    show_all: bool = typer.Option(False, "--all",
                                  help="also the parts that do not fit or are unsupported, "
                                       "each with why"),
    unpriced: bool = typer.Option(False, "--unpriced",
                                  help="also parts without a price in the market"),
    replace: str | None = typer.Option(None, "--replace", metavar="PART",
                                       help="for gpu, memory, storage: the line (part id) to "
                                            "swap (default: the slot's first)"),
    qty: int | None = typer.Option(None, "--qty", min=1, max=16, metavar="N",
                                   help="how many of the new part (default: the line's)"),
    market: str | None = typer.Option(None, "--market", "-m",
                                      help="market for prices (default: the build's)"),
    workload: str | None = typer.Option(None, "--workload", "-w",
                                        help="workload profile (default: the build's intent)"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
    db: str | None = DB_READ,
    no_db: bool = NO_DB,
) -> None:
    """Every other part for one slot of a build, checked in its place: price, throughput and
    whether it fits the rest (the same rules as 'dlrig check').

    The web's Swap page's part picker, with the same rows in the same order: each price
    with who quoted it and when, the difference from now, and why a part does not fit.

    Example: dlrig swap plan.toml gpu -f vram=24 --price-max 2000 --sort value
    """
    from dataclasses import replace as changed

    from ..catalog import pricing_day
    from ..optimize.solve import perf_workload_for
    from ..picker import ALL_ROWS, build_throughput, parse_query, pick, swap_line

    try:
        cat = Category(slot.lower())
    except ValueError:
        raise InputError(f"unknown slot '{slot}'",
                         hint="use one of " + ", ".join(c.value for c in Category)) from None
    params = _params(cat, filters or [], q=search, price_min=price_min, price_max=price_max,
                     condition=condition, sort=sort, order=order, page=str(page_no),
                     per_page=str(per_page) if per_page else None,
                     all="1" if show_all else None, unpriced="1" if unpriced else None,
                     replace=replace, qty=None if qty is None else str(qty))
    query, errors = parse_query(cat, params)
    for key, message in errors.items():
        option = _OPTION.get(key, f"--filter {key}")
        hint = "-n 0 lists every row" if key == "per_page" else None
        raise InputError(f"{option}: {message}", hint=hint)
    if not per_page:
        query = changed(query, per_page=ALL_ROWS)
    catalog = open_catalog(db, no_db=no_db)
    build = load_build(build_file, catalog)
    market = market or build.market
    if not market:
        raise InputError("no market: the build names none", hint="give --market, e.g. --market us")
    if query.replace is None:
        query = changed(query, replace=swap_line(build, cat))
    ctx = context_for_build(catalog, build, market, workload=workload)
    wl = perf_workload_for(ctx.workload.name if ctx.workload else None)
    page = pick(catalog, build, query, ctx, market, wl)
    if as_json:
        print(json.dumps({"build": build.name, "slot": cat.value, "market": market,
                          "throughput": round(build_throughput(build, wl, ctx), 3),
                          "picker": page.to_dict(),
                          "alternatives": [r.to_dict() for r in page.rows + page.others],
                          "compatible": page.compatible, "incompatible": page.incompatible,
                          "unsupported": page.unsupported,
                          "unverified": page.unverified}, indent=2))
        return
    current = [i for i in build.of(cat) if query.replace in (None, i.part.id)]
    now = current[0].part.name if current else "nothing"
    if page.rows:
        console.print(_table(page, now, market, pricing_day(catalog.market(market))))
    else:
        console.print(f"no {cat.value} part to take the place of {now} in market {market} "
                      "matches", highlight=False)
    console.print(_footer(page), highlight=False)

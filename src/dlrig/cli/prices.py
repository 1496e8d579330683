"""``dlrig prices ...``, ``dlrig rates ...`` and ``dlrig markets``: local prices over time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from ..catalog.records import shown
from ..errors import InputError
from ..market import Rate
from ..units import check_currency
from .catalog import DB_OPT, current_catalog
from .progress import QUIET, bar
from .root import JSON_OPT, RETRIES, app, console, fail, guarded, print_json, timeout_option

prices_app = typer.Typer(help="Import and review prices; show a part's price history.", no_args_is_help=True)
pimport_app = typer.Typer(help="Import prices into the local database.", no_args_is_help=True)
rates_app = typer.Typer(help="Exchange rates by date and kind.", no_args_is_help=True)
app.add_typer(prices_app, name="prices")
prices_app.add_typer(pimport_app, name="import")
app.add_typer(rates_app, name="rates")


def parse_day(text: str, opt: str = "--date") -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise InputError(f"{opt}: '{text}' is not a date", hint="write YYYY-MM-DD") from None


def _open(db: str | None):
    from ..store import Database

    return Database(db)


@pimport_app.command("pcpp")
@guarded
def import_pcpp_cmd(
    path: Path = typer.Argument(..., help="snapshot folder (with json/) or a .tar.gz of snapshots"),
    date: str | None = typer.Option(
        None, "--date", help="the scrape date (default: the snapshot folder's name, e.g. 2025-07-23/)"),
    db: str | None = DB_OPT,
    quiet: bool = QUIET,
    as_json: bool = JSON_OPT,
) -> None:
    """Import a PCPartPicker-style dataset as US prices, e.g.
    `dlrig prices import pcpp snapshots.tar.gz --date 2025-07-23` or `dlrig prices import pcpp 2025-07-23/`."""
    from ..catalog.pcpp import import_pcpp, read_dataset, snapshot_date
    from ..store import load_catalog
    from ..validate import not_future

    day = parse_day(date) if date else snapshot_date(path)
    not_future(day, "scrape date")
    data = read_dataset(path, day)  # a bad file is refused before the database is opened
    with bar("matching and writing prices", hidden=quiet or as_json), _open(db) as d:
        cat = load_catalog(d.path, prices=False)
        res = import_pcpp(d, path, day, cat, data=data)
    _pcpp_report(res, day, as_json)


@prices_app.command("update")
@guarded
def update_cmd(
    url: str | None = typer.Option(
        None, "--url", help="folder URL holding CATEGORY.json, http:// or https:// "
                            "(default: pc-part-dataset's data/json on GitHub)"),
    date: str | None = typer.Option(
        None, "--date", help="the date the prices are from (default: today, the download day)"),
    timeout: float = timeout_option(60.0),
    retries: int = RETRIES,
    db: str | None = DB_OPT,
    quiet: bool = QUIET,
    as_json: bool = JSON_OPT,
) -> None:
    """Download the published pc-part-dataset and import it as today's US prices, e.g.
    `dlrig prices update` or `dlrig prices update --url http://mirror.example/json --date 2025-07-23`.

    All eight part files must arrive and be clean part lists before the database is
    opened: any failure (the network, an HTTP error, a web page, cut-off or wrong JSON,
    an unusable row) is one line, exit code 1, and the database is left as it was.
    """
    from ..catalog.pcpp import BASE_URL, dataset_urls, fetch_dataset, import_pcpp
    from ..store import load_catalog
    from ..validate import not_future

    base = BASE_URL if url is None else url
    dataset_urls(base)  # a bad --url is refused before anything else
    day = parse_day(date) if date else dt.date.today()
    not_future(day, "price date")
    with bar("downloading pc-part-dataset files", hidden=quiet or as_json) as step:
        data = fetch_dataset(base, timeout=timeout, retries=retries, on_progress=step)
    with bar("matching and writing prices", hidden=quiet or as_json), _open(db) as d:
        cat = load_catalog(d.path, prices=False)
        res = import_pcpp(d, base, day, cat, data=data)
    _pcpp_report(res, day, as_json)
    if as_json:
        return
    if not date:
        console.print(f"dated {day}, the download day: the published files may be older "
                      "(give --date for their scrape date)", highlight=False)


def _pcpp_report(res, day: dt.date, as_json: bool = False) -> None:
    """The match report of a pc-part-dataset import, per category."""
    if as_json:
        print_json({"date": day.isoformat(), "market": "us", "currency": "USD",
                    "written": res.written, "review": len(res.review),
                    "categories": {c.value: {"rows": r.rows, "priced": r.priced,
                                             "matched": r.matched, "by_chip": r.by_chip,
                                             "ambiguous": r.ambiguous, "unmatched": r.unmatched,
                                             "bad": r.bad} for c, r in res.categories.items()},
                    "bad": [{"category": c.value, "row": i + 1, "why": why}
                            for c, i, why in res.bad]})
        return
    t = Table(title=f"price match report, {day} (US, USD)")
    for col in ("category", "rows", "priced", "matched", "of which chip-level", "ambiguous",
                "unmatched", "bad"):
        t.add_column(col, justify="right" if col != "category" else "left")
    for c, r in res.categories.items():
        t.add_row(c.value, str(r.rows), str(r.priced), f"{r.matched} ({r.rate():.0%})", str(r.by_chip),
                  str(r.ambiguous), str(r.unmatched), str(r.bad))
    console.print(t)
    console.print(f"{res.written} part prices written; {len(res.review)} rows kept for review "
                  "('dlrig prices unmatched'); rows without a price are not offers and were skipped",
                  highlight=False)
    if res.bad:
        console.print(f"{len(res.bad)} rows could not be used and were skipped:", highlight=False)
        for c, i, why in res.bad[:5]:
            console.print(f"  {c.value} row {i + 1}: {escape(why)}", highlight=False)
        if len(res.bad) > 5:
            console.print(f"  (+{len(res.bad) - 5} more)", highlight=False)


@pimport_app.command("csv")
@guarded
def import_csv_cmd(
    file: Path = typer.Argument(..., help="the store's price list (CSV)"),
    store: str = typer.Option(..., "--store", help="store name, e.g. 'compragamer'"),
    market: str = typer.Option(..., "--market", help="market code, e.g. 'ar'"),
    currency: str = typer.Option(..., "--currency", help="currency of the prices, e.g. ARS"),
    date: str = typer.Option(..., "--date", help="date of the list (YYYY-MM-DD)"),
    columns: str | None = typer.Option(None, "--columns", help="map columns: name=Producto,price=Precio"),
    decimal: str = typer.Option("auto", "--decimal", help="auto, comma (1.234,56) or point (1,234.56)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="check and match, write nothing"),
    skip_bad_rows: bool = typer.Option(False, "--skip-bad-rows", help="import the good rows of a file with bad ones"),
    condition: str = typer.Option(
        "new", "--condition", help="new, used or refurbished: rows whose list has no condition "
                                   "column (or an empty cell)"),
    db: str | None = DB_OPT,
    as_json: bool = JSON_OPT,
) -> None:
    """Import a store's price list, e.g.
    `dlrig prices import csv lista.csv --store mexx --market ar --currency ARS --date 2025-08-01`.

    A `condition` (`condición`, `estado`) column says each row's condition: new/nuevo,
    used/usado, refurbished/reacondicionado."""
    from collections import Counter

    from ..catalog.pricelist import (
        check_condition,
        import_price_list,
        parse_columns,
        read_price_list,
    )
    from ..store import load_catalog
    from ..validate import not_future, store_name

    if decimal not in ("auto", "comma", "point"):
        raise InputError(f"--decimal: '{decimal}'", hint="use auto, comma or point")
    cur = check_currency(currency)
    day = parse_day(date)
    mapping = parse_columns(columns)
    default = check_condition(condition)
    store_name(store)  # checked again by the importer; here before any file is opened
    not_future(day, "price list date")
    parsed = read_price_list(file, cur, columns=mapping, decimal=decimal, condition=default)
    with _open(db) as d:
        cat = load_catalog(d.path, prices=False)
        cat.market(market)
        res = import_price_list(d, file, store=store, market=market, currency=cur, date=day, catalog=cat,
                                columns=mapping, decimal=decimal, dry_run=dry_run, skip_bad_rows=skip_bad_rows,
                                parsed=parsed, condition=default)
    p = res.parsed
    if as_json:
        print_json({"file": str(file), "rows": len(p.rows), "encoding": p.encoding,
                    "delimiter": p.delimiter, "matched": len(res.matched),
                    "review": [{"line": r.line, "name": r.name, "status": h.status,
                                "candidates": list(h.candidates[:3])} for r, h in res.review],
                    "bad": [{"line": line, "why": why} for line, why in p.bad],
                    "written": 0 if dry_run else res.written, "dry_run": dry_run})
        return
    console.print(f"{escape(shown(file.name, 120))}: {len(p.rows)} rows read ({p.encoding}, '{p.delimiter}' separated), "
                  f"{len(res.matched)} matched, {len(res.review)} kept for review"
                  + (f", {len(p.bad)} bad rows skipped" if p.bad else ""), highlight=False)
    for line, why in p.bad:
        console.print(f"  line {line}: {escape(why)}", highlight=False)
    for r, h in res.review[:20]:
        console.print(f"  line {r.line}: {escape(r.name)} -> {h.status}"
                      + (f" ({', '.join(h.candidates[:3])})" if h.candidates else ""), highlight=False)
    kinds = Counter(r.condition for r, _ in res.matched)
    said = ", ".join(f"{n} {c}" for c, n in sorted(kinds.items())) if set(kinds) - {"new"} else ""
    console.print(("dry run: nothing written" if dry_run else f"{res.written} prices written")
                  + (f" (matched rows: {said})" if said else ""), highlight=False)


@prices_app.command("unmatched")
@guarded
def unmatched_cmd(
    source: str | None = typer.Option(None, "--source", help="pcpp or store:NAME"),
    date: str | None = typer.Option(None, "--date", help="rows of this import day only"),
    category: str | None = typer.Option(None, "--category", "-c", help="one category"),
    limit: int = typer.Option(50, "--limit", "-n", min=1, help="rows to show"),
    db: str | None = DB_OPT,
    as_json: bool = JSON_OPT,
) -> None:
    """Price rows that matched no part, or several: nothing is dropped silently."""
    from ..store import Database
    from ..store.queries import unmatched

    with Database(db, create=False) as d:
        total, rows = unmatched(d, source, parse_day(date) if date else None, category, limit)
    if as_json:
        print_json({"total": total, "rows": [
            {"source": src, "date": str(day), "market": m, "category": cat, "name": name,
             "amount": None if amount is None else amount / 100, "currency": cur,
             "status": status, "candidates": [c.strip() for c in (cands or "").split(", ")
                                              if c.strip()]}
            for src, day, m, cat, name, amount, cur, status, cands in rows]})
        return
    t = Table(title=f"{total} rows kept for review" + (f" (first {limit})" if total > limit else ""))
    t.add_column("source\ndate", no_wrap=True)
    t.add_column("row (category)", ratio=3)
    t.add_column("price", justify="right", no_wrap=True)
    t.add_column("status: candidates / why", ratio=4, overflow="fold")
    for src, day, _m, cat, name, amount, cur, status, cands in rows:
        price = f"{amount / 100:,.2f}\n{cur}" if amount is not None else "-"
        t.add_row(f"{src}\n{day}", escape(name) + (f" [dim]({cat})[/]" if cat else ""), price,
                  f"{status}: {_short_candidates(cands)}")
    console.print(t)


def _short_candidates(text: str, shown: int = 2) -> str:
    """'a, b, c, d' -> 'a, b (+2 more)': ids are long; two say what went wrong."""
    items = [c.strip() for c in (text or "").split(", ") if c.strip()]
    if len(items) <= shown:
        return escape(", ".join(items))
    return escape(", ".join(items[:shown])) + f" (+{len(items) - shown} more)"


@prices_app.command("history")
@guarded
def history_cmd(
    part: str = typer.Argument(..., help="part id, name, or words of a name (e.g. 'RTX 3060 12GB')"),
    market: str | None = typer.Option(None, "--market", "-m", help="one market (adds estimates where it makes them)"),
    plot: Path | None = typer.Option(None, "--plot", help="also write a chart here (.png, .svg or .pdf)"),
    as_json: bool = typer.Option(False, "--json", help="print JSON: every quote with its store, "
                                                       "condition and date"),
    db: str | None = DB_OPT,
) -> None:
    """A part's prices over time, e.g. `dlrig prices history "RTX 3060 12GB" --market ar --plot h.png`.

    Each quote shows its date, store and condition (new, used, refurbished).
    Exits 1 when the part has no prices (in that market), 2 when it is unknown.
    """
    import json

    from ..catalog.matching import find_part
    from ..catalog.quotes import quote_history

    cat = current_catalog(db)
    p = find_part(cat, part)
    if market:
        cat.market(market)
    if plot:  # a bad --plot is refused before anything is printed
        from ..report.history import check_plot_path

        check_plot_path(plot)
    pts = quote_history(cat, p.id, market)
    if not pts:
        raise fail(f"no prices for {p.name} [{p.id}]" + (f" in market {market}" if market else "")
                   + " (import prices first: 'dlrig prices import ...')", 1)
    if as_json:
        if plot:
            from ..report.history import plot_history

            plot_history(pts, p.name, plot, "; ".join(cat.sources))
        print(json.dumps({"part": p.id, "name": p.name, "market": market,
                          "quotes": [x.to_dict() for x in pts], "sources": cat.sources},
                         ensure_ascii=False))
        return
    t = Table(title=f"{p.name}: {len(pts)} price points")
    t.add_column("date", no_wrap=True)
    t.add_column("market", no_wrap=True)
    t.add_column("price", justify="right", no_wrap=True)
    t.add_column("source (store)", overflow="fold")
    t.add_column("condition", no_wrap=True)
    t.add_column("est.", no_wrap=True)
    for x in pts:
        src = x.source + (f" ({x.store})" if x.store and x.store not in x.source else "")
        t.add_row(x.date.isoformat(), x.market, f"{x.amount:,.2f} {x.currency}", escape(src),
                  x.condition + (" (chip MSRP)" if x.stand_in else ""),
                  "ESTIMATED" if x.estimated else "")
    console.print(t)
    if any(x.estimated for x in pts):
        console.print("estimated = no local quote; a US price x exchange rate x the market's markup and taxes",
                      highlight=False)
    if plot:
        from ..report.history import plot_history

        out = plot_history(pts, p.name, plot, "; ".join(cat.sources))
        console.print(f"plot written to {out}", highlight=False)
    if cat.sources:
        console.print("[dim]data: " + "; ".join(cat.sources) + "[/]", highlight=False)


# ``ignore_unknown_options``: a negative-looking rate ('-5') reaches the
# command as text and gets dlrig's one-line "must be positive" instead of
# click's "no such option" box.
@rates_app.command("set", context_settings={"ignore_unknown_options": True})
@guarded
def rates_set_cmd(
    base: str = typer.Argument(..., help="from currency, e.g. USD"),
    quote: str = typer.Argument(..., help="to currency, e.g. ARS"),
    rate: str = typer.Argument(..., help="units of TO per one FROM, e.g. 1450", metavar="RATE"),
    date: str = typer.Option(..., "--date", help="the day the rate applies from"),
    kind: str = typer.Option("official", "--kind", help="official, blue, mep, ccl, wholesale, "
                                                        "crypto or card"),
    source: str = typer.Option("user", "--source", help="who says so (shown beside the rate)"),
    db: str | None = DB_OPT,
    as_json: bool = JSON_OPT,
) -> None:
    """Record an exchange rate, e.g. `dlrig rates set USD ARS 1450 --date 2025-08-01 --kind blue`."""
    from ..store.rates import KINDS, rate_value, set_rate

    if kind not in KINDS:
        raise InputError(f"unknown rate kind '{shown(kind)}'", hint="use one of " + ", ".join(KINDS))
    b, q = check_currency(base), check_currency(quote)
    if b == q:
        raise InputError(f"a rate from {b} to {q} is always 1", hint="give two different currencies, e.g. USD ARS")
    value = rate_value(rate, q)
    r = Rate(base=b, quote=q, rate=value, date=parse_day(date), kind=kind, source=source)
    with _open(db) as d:
        set_rate(d, r, current_catalog(str(d.path)).rates)
    if as_json:
        print_json(_rate_dict(r))
        return
    console.print(f"{r.base}->{r.quote} {r.kind} = {r.rate} from {r.date}", highlight=False)


def _rate_dict(r) -> dict:
    """One rate for --json: the rate (and buying side) as numbers."""
    buy = getattr(r, "buy", None)
    return {"date": r.date.isoformat(), "base": r.base, "quote": r.quote, "kind": r.kind,
            "rate": float(r.rate), "buy": None if buy is None else float(buy),
            "source": r.source}


@rates_app.command("import")
@guarded
def rates_import_cmd(file: Path = typer.Argument(..., help="CSV: base,quote,rate,date[,kind][,source]"),
                     db: str | None = DB_OPT, as_json: bool = JSON_OPT) -> None:
    """Import exchange rates from a CSV file (all or nothing)."""
    from ..files import check_input
    from ..store.rates import import_rates

    check_input(file, "rates")  # a missing file or a FIFO is refused before the database opens
    with _open(db) as d:
        rates = import_rates(d, file, current_catalog(str(d.path)).rates)
    if as_json:
        print_json({"imported": len(rates), "rates": [_rate_dict(r) for r in rates]})
        return
    console.print(f"{len(rates)} rates imported", highlight=False)


@rates_app.command("update")
@guarded
def rates_update_cmd(
    source: str = typer.Option("all", "--source", help="dolarapi (today's quotes), "
                               "argentinadatos (daily history since 2011) or all"),
    url: str | None = typer.Option(None, "--url", help="an address replacing both services' "
                                   "(a mirror answering /v1/dolares and "
                                   "/v1/cotizaciones/dolares/CASA)"),
    since: str | None = typer.Option(None, "--since", help="history from this day on "
                                     "(YYYY-MM-DD; default: all of it, from 2011)"),
    timeout: float = timeout_option(30.0),
    retries: int = RETRIES,
    db: str | None = DB_OPT,
    quiet: bool = QUIET,
    as_json: bool = JSON_OPT,
) -> None:
    """Download Argentine dollar rates: today's quotes (DolarAPI) and their daily history
    (ArgentinaDatos), e.g. `dlrig rates update --since 2025-01-01`.

    Each rate keeps its kind (official, blue, mep, ccl, wholesale, crypto, card), day,
    selling and buying side and source. Every answer is downloaded and checked before the
    database is opened and the rates are written in one transaction: a failure (the
    network, a server error, a web page, a cut-off answer, a missing or absurd value) is
    one line, exit code 1, and changes nothing.
    """
    from ..sources.rates import fetch_rates, save_rates, shown_rate
    from ..store.rates import known_rates

    day = parse_day(since, "--since") if since else None
    with bar("downloading rates", hidden=quiet or as_json) as step:
        fetched = fetch_rates(source, url, since=day, timeout=timeout, retries=retries,
                              on_progress=step)
    with _open(db) as d:
        saved = save_rates(d, fetched, known_rates(d))
    if as_json:
        print_json({"sources": list(fetched.sources), "new": saved.new,
                    "changed": saved.changed, "unchanged": saved.unchanged,
                    "kinds": [{"kind": k.kind, "rates": k.count, "first": k.first.isoformat(),
                               "newest": _rate_dict(k.newest)} for k in saved.kinds],
                    "skipped": list(fetched.skipped)})
        return
    t = Table(title=f"USD->ARS rates read ({', '.join(fetched.sources)})")
    for col in ("kind", "rates", "from", "newest", "sell", "buy", "source"):
        t.add_column(col, justify="right" if col in ("rates", "sell", "buy") else "left",
                     no_wrap=True)
    for k in saved.kinds:
        r = k.newest
        t.add_row(k.kind, f"{k.count:,}", k.first.isoformat(), r.date.isoformat(),
                  shown_rate(r.rate), shown_rate(r.buy) if r.buy is not None else "-", r.source)
    console.print(t)
    console.print(f"{saved.new:,} new, {saved.changed:,} changed, {saved.unchanged:,} already "
                  "stored" + (" (nothing written)" if not saved.new + saved.changed else ""),
                  highlight=False)
    for s in fetched.skipped:
        console.print(f"skipped {escape(s)}: no dlrig rate kind", highlight=False)


@rates_app.command("list")
@guarded
def rates_list_cmd(db: str | None = DB_OPT, as_json: bool = JSON_OPT) -> None:
    """Every exchange rate known: built-in and from the database."""
    cat = current_catalog(db)
    if as_json:
        print_json([_rate_dict(r) for r in sorted(cat.rates.all(), key=lambda r: (
            r.base, r.quote, r.kind, r.date))])
        return
    t = Table(title="exchange rates")
    for col in ("date", "pair", "kind", "rate", "source"):
        t.add_column(col)
    for r in sorted(cat.rates.all(), key=lambda r: (r.base, r.quote, r.kind, r.date)):
        t.add_row(r.date.isoformat(), f"{r.base}->{r.quote}", r.kind, f"{r.rate:f}", r.source)
    console.print(t)


@app.command("markets")
@guarded
def markets_cmd(db: str | None = DB_OPT, as_json: bool = JSON_OPT) -> None:
    """The markets dlrig can price a build in, and how each estimates missing local prices."""
    cat = current_catalog(db)
    if as_json:
        print_json([{"code": m.code, "name": m.name, "currency": m.currency,
                     "rate_kind": m.rate_kind, "markup_pct": m.markup_pct,
                     "import_tax_pct": m.import_tax_pct, "estimate_from": m.estimate_from,
                     "date": m.date.isoformat() if m.date else None}
                    for m in sorted(cat.markets.values(), key=lambda m: m.code)])
        return
    # Readable at 80 columns: short cells never wrap, the name wraps, and the
    # secondary facts (rate kind, date) share cells with what they qualify.
    t = Table(title="markets")
    t.add_column("code", no_wrap=True)
    t.add_column("name", ratio=1)
    t.add_column("currency\nrate", no_wrap=True)
    t.add_column("markup", justify="right", no_wrap=True)
    t.add_column("taxes", justify="right", no_wrap=True)
    t.add_column("estimates", no_wrap=True)
    for m in sorted(cat.markets.values(), key=lambda m: m.code):
        t.add_row(m.code, m.name + (f" ({m.date.isoformat()})" if m.date and m.date.isoformat() not in m.name else ""),
                  f"{m.currency}\n{m.rate_kind}", f"{m.markup_pct:g} %", f"{m.import_tax_pct:g} %",
                  f"from {m.estimate_from}" if m.estimate_from else "-")
    console.print(t)
    console.print("prices estimated from another market are always flagged 'estimated'", highlight=False)

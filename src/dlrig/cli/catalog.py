"""``dlrig catalog ...``: the parts dlrig knows and where they live."""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer
from rich.table import Table

from ..errors import InputError
from ..parts import Category
from .progress import QUIET, bar
from .root import (
    JSON_OPT,
    RETRIES,
    app,
    console,
    guarded,
    open_catalog,
    print_json,
    timeout_option,
)

catalog_app = typer.Typer(help="List, show and import catalog parts.", no_args_is_help=True)
import_app = typer.Typer(help="Import a parts catalog into the local database.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")
catalog_app.add_typer(import_app, name="import")

DB_OPT = typer.Option(None, "--db", help="database file (default: $DLRIG_DB or the user data dir)")


def current_catalog(db: str | None, no_db: bool = False):
    """The catalog every command reads (``dlrig.catalog.source``)."""

    return open_catalog(db, no_db=no_db)


def _credit_line(catalog) -> None:
    if catalog.sources:
        console.print("[dim]data: " + "; ".join(catalog.sources) + "[/]", highlight=False)


@catalog_app.command("list")
@guarded
def list_cmd(
    category: str | None = typer.Option(None, "--category", "-c", help="cpu, gpu, memory, motherboard, storage, psu, case, cooler"),
    search: str | None = typer.Option(None, "--search", "-s", help="words the name must contain"),
    limit: int = typer.Option(50, "--limit", "-n", min=1, help="rows to show"),
    db: str | None = DB_OPT,
    as_json: bool = JSON_OPT,
) -> None:
    """List parts, e.g. `dlrig catalog list -c gpu -s "rtx 3060"`."""
    if category and category not in {c.value for c in Category}:
        raise InputError(f"unknown category '{category}'", hint="use one of " + ", ".join(c.value for c in Category))
    cat = current_catalog(db)
    parts = cat.parts(category)
    if search:
        from ..catalog import normalize_name

        words = normalize_name(search).split()
        parts = [p for p in parts if all(w in normalize_name(p.name) for w in words)]
    parts.sort(key=lambda p: (p.category.value, p.name.lower()))
    if as_json:
        print_json({"total": len(parts), "parts": [
            {"id": p.id, "name": p.name, "category": p.category.value, "source": p.source}
            for p in parts[:limit]], "sources": cat.sources})
        return
    t = Table(title=f"{len(parts)} parts" + (f" (first {limit})" if len(parts) > limit else ""))
    for col in ("id", "name", "source"):
        t.add_column(col, overflow="fold")
    for p in parts[:limit]:
        t.add_row(p.id, p.name, p.source or "")
    console.print(t)
    _credit_line(cat)


@catalog_app.command("show")
@guarded
def show_cmd(part: str = typer.Argument(..., help="part id, name, or words of a name"),
             db: str | None = DB_OPT, as_json: bool = JSON_OPT) -> None:
    """Show one part's specs and prices, e.g. `dlrig catalog show cpu/intel-pentium-g4560`."""
    from ..catalog.matching import find_part

    cat = current_catalog(db)
    p = find_part(cat, part)
    if as_json:
        prices = sorted(cat.prices(p.id), key=lambda x: (x.market, x.date))
        print_json({"part": p.model_dump(mode="json"), "prices": [
            {"market": x.market, "amount": x.amount_minor / 100, "currency": x.currency,
             "date": x.date.isoformat(), "source": x.source, "estimated": bool(x.estimated)}
            for x in prices], "sources": cat.sources})
        return
    t = Table(title=p.name, show_header=False)
    t.add_column("field", no_wrap=True)
    t.add_column("value", overflow="fold")
    for k in type(p).model_fields:
        v = getattr(p, k)
        if v is not None and k != "name":
            t.add_row(show_field(k), show_value(k, v))
    console.print(t)
    prices = sorted(cat.prices(p.id), key=lambda x: (x.market, x.date))
    for pr in prices[-10:]:
        console.print(f"  {pr.market}: {pr.amount_minor / 100:,.2f} {pr.currency} on {pr.date} "
                      f"({pr.source}{', estimated' if pr.estimated else ''})", highlight=False)
    if p.source == "opendb":
        from ..catalog.opendb import CREDIT

        console.print(f"[dim]specs: {CREDIT}[/]", highlight=False)


# Field-name suffix -> unit, for ``show_value``.
_UNITS = {"_mm": "mm", "_w": "W", "_gb": "GB", "_ghz": "GHz", "_mts": "MT/s", "_mb": "MB",
          "_mbs": "MB/s", "_pct": "%"}


def show_field(key: str) -> str:
    """'base_clock_ghz' -> 'base clock' (the unit goes with the value)."""
    for suffix in _UNITS:
        if key.endswith(suffix):
            key = key[: -len(suffix)]
            break
    return key.replace("_", " ")


def show_value(key: str, value) -> str:
    """A part field as a person reads it: 'DDR4, DDR5', 'yes', '170 W', '8-pin x 2'."""
    if hasattr(value, "describe"):  # e.g. PowerConnectors: '1 x 8-pin + 1 x 6-pin'
        return value.describe()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(show_value(key, v) for v in value) or "none"
    if isinstance(value, dict):
        shown = [f"{show_field(k)} {show_value(k, v)}" for k, v in value.items() if v not in (None, 0, False)]
        return ", ".join(shown) or "none"
    if hasattr(value, "value"):  # enums (category)
        return str(value.value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float):
        value = f"{value:g}"
    unit = next((u for suffix, u in _UNITS.items() if key.endswith(suffix)), None)
    return f"{value} {unit}" if unit else str(value)


def coverage_dict(res) -> dict:
    """An open-db import's summary for --json."""
    from ..catalog.opendb import FOLDERS

    cats = {}
    for cat in FOLDERS.values():
        st = res.conversion.stats[cat]
        cats[cat.value] = {"records": st.records, "usable": st.usable, "merged": st.merged,
                           "parts": st.parts, "unusable": sum(st.unusable.values()),
                           "quarantined": sum(st.quarantined.values())}
    return {"added": res.added, "changed": res.changed, "unchanged": res.unchanged,
            "kept": res.kept, "generic": res.generic, "seconds": round(res.seconds, 2),
            "categories": cats}


def _import(db: str | None, path: Path, quiet: bool, as_json: bool):
    """Read and convert the archive (a bar on stderr), then write it (another)."""
    from ..catalog.opendb import import_opendb, prepare
    from ..store import Database

    with bar("reading open-db records", hidden=quiet or as_json) as step:
        prep = prepare(path, on_progress=step)  # a bad archive: refused before the db opens
    with bar("writing parts", hidden=quiet or as_json) as step, Database(db) as d:
        return import_opendb(d, path, prepared=prep, on_progress=step)


def _print_coverage(res) -> None:
    from ..catalog.opendb import CREDIT, FOLDERS

    # Readable at 80 columns: dlrig's category names, short headers, numbers never wrap.
    t = Table(title=f"open-db import: coverage ({CREDIT})")
    t.add_column("category", no_wrap=True)
    for col in ("records", "usable", "merged", "parts", "unusable", "quarant."):
        t.add_column(col, justify="right", no_wrap=True)
    for cat in FOLDERS.values():
        st = res.conversion.stats[cat]
        pct = f" ({100 * st.usable // st.records}%)" if st.records else ""  # floor: 99.7 % is not all
        t.add_row(cat.value, str(st.records), f"{st.usable}{pct}", str(st.merged),
                  str(st.parts), str(sum(st.unusable.values())), str(sum(st.quarantined.values())))
    console.print(t)
    console.print("merged = same-name twins (OEM/tray, colours) kept as one part; quarant. = implausible values",
                  highlight=False)
    f = Table(title="field coverage: share of usable parts with the value from the data (+ derived/assumed)")
    f.add_column("category", no_wrap=True)
    f.add_column("fields", ratio=1)
    for cat in FOLDERS.values():
        st = res.conversion.stats[cat]
        if not st.usable:
            continue
        cells = [f"{k} {v / st.usable:.0%}" + (f" (+{st.fallback[k] / st.usable:.0%})" if st.fallback.get(k) else "")
                 for k, v in sorted(st.fields.items())]
        cells += [f"{k} assumed {v / st.usable:.0%}" for k, v in sorted(st.fallback.items()) if k not in st.fields]
        cells += [f"{k}: yes for {v} ({v / st.usable:.0%})" for k, v in sorted(st.flags.items())]
        f.add_row(cat.value, ", ".join(cells))
    console.print(f)
    reasons = [(cat.value, why, n) for cat in FOLDERS.values()
               for why, n in res.conversion.stats[cat].unusable.most_common()]
    if reasons:
        r = Table(title="not usable (missing or unmodelled)")
        r.add_column("category", no_wrap=True)
        r.add_column("reason", ratio=1)
        r.add_column("records", justify="right", no_wrap=True)
        for row in reasons:
            r.add_row(row[0], row[1], str(row[2]))
        console.print(r)
    if res.conversion.quarantine:
        q = Table(title="quarantined: implausible values, not imported (see 'dlrig catalog quarantine')")
        q.add_column("category", no_wrap=True)
        q.add_column("name", ratio=3, overflow="fold")
        q.add_column("reason", ratio=2)
        for _uuid, cat, name, why in res.conversion.quarantine:
            q.add_row(cat, name, why)
        console.print(q)
    console.print(
        f"{res.added} parts added, {res.changed} changed, {res.unchanged} unchanged"
        + (f", {res.kept} from earlier imports kept" if res.kept else "")
        + f" (incl. {res.generic} chip-level GPU entries); {res.seconds:.1f} s", highlight=False)


@import_app.command("open-db")
@guarded
def import_opendb_cmd(
    path: Path = typer.Argument(..., help="open-db checkout folder or its .tar.gz"),
    db: str | None = DB_OPT,
    quiet: bool = QUIET,
    as_json: bool = JSON_OPT,
) -> None:
    """Import the buildcores open-db, e.g. `dlrig catalog import open-db open-db.tar.gz`."""
    res = _import(db, path, quiet, as_json)
    print_json(coverage_dict(res)) if as_json else _print_coverage(res)


@catalog_app.command("update")
@guarded
def update_cmd(
    url: str | None = typer.Option(None, "--url", help="archive URL, http:// or https:// "
                                   "(default: open-db's main branch on GitHub)"),
    timeout: float = timeout_option(60.0),
    retries: int = RETRIES,
    db: str | None = DB_OPT,
    quiet: bool = QUIET,
    as_json: bool = JSON_OPT,
) -> None:
    """Download the current open-db and import it: the full catalog in one command.

    A failed download or a bad archive changes nothing: the download goes to a temporary
    file that is always removed, and the database is opened only once the archive is read.
    """
    from ..catalog.download import check_url, download
    from ..catalog.opendb import ARCHIVE_URL

    src = check_url(ARCHIVE_URL if url is None else url)
    with tempfile.TemporaryDirectory(prefix="dlrig-") as tmp:
        target = Path(tmp) / "open-db.tar.gz"
        with bar("downloading open-db", hidden=quiet or as_json):
            download(src, target, timeout, retries=retries)
        res = _import(db, target, quiet, as_json)
    print_json(coverage_dict(res)) if as_json else _print_coverage(res)


@catalog_app.command("quarantine")
@guarded
def quarantine_cmd(db: str | None = DB_OPT,
                   limit: int = typer.Option(100, "--limit", "-n", min=1, help="rows to show"),
                   as_json: bool = JSON_OPT) -> None:
    """Records held back at import because a value cannot be true."""
    from ..store import Database
    from ..store.queries import quarantine

    with Database(db, create=False) as d:
        rows = quarantine(d, limit)
    if as_json:
        print_json([dict(zip(("category", "name", "reason", "record"), r, strict=True))
                    for r in rows])
        return
    t = Table(title=f"{len(rows)} quarantined records")
    for col in ("category", "name", "reason", "record"):
        t.add_column(col, overflow="fold")
    for r in rows:
        t.add_row(*r)
    console.print(t)


# 'dlrig db info|check|repair' live in cli/db.py; importing it registers them.
from . import db as _db  # noqa: E402,F401

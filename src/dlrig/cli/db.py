"""``dlrig db info|check|repair``: what the local database holds, whether it is sound, and
making it sound again (the work is in ``dlrig.store.queries`` and ``dlrig.store.health``)."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from .root import JSON_OPT, app, console, fail, guarded, print_json

db_app = typer.Typer(help="The local database: what it holds, check it, repair it.",
                     no_args_is_help=True)
app.add_typer(db_app, name="db")

DB_OPT = typer.Option(None, "--db", help="database file (default: $DLRIG_DB or the user data dir)")


def _where(path) -> str:
    from ..store import default_db_path

    return "" if path == default_db_path() else f" --db {path}"


@db_app.command("info")
@guarded
def info_cmd(db: str | None = DB_OPT, as_json: bool = JSON_OPT) -> None:
    """What the database holds: parts by category and source, prices by market and date, rates."""
    from ..store import Database
    from ..store.queries import info

    with Database(db, create=False, readonly=True) as d:
        i = info(d)
    if as_json:
        def rows(keys, items):
            return [dict(zip(keys, r, strict=True)) for r in items]

        print_json({"path": str(i.path), "schema": i.schema, "size_bytes": i.size_bytes,
                    "parts": rows(("category", "source", "parts"), i.parts),
                    "prices": rows(("market", "date", "source", "prices"), i.prices),
                    "rates": rows(("base", "quote", "kind", "rates", "first", "last"), i.rates),
                    "unmatched": rows(("source", "date", "status", "rows"), i.unmatched),
                    "quarantined": rows(("source", "category", "records"), i.quarantined),
                    "credits": i.credits})
        return
    console.print(escape(f"{i.path} (schema v{i.schema}, {i.size_bytes / 1e6:.1f} MB)"),
                  highlight=False)
    t = Table(title="parts")
    for col in ("category", "source", "parts"):
        t.add_column(col)
    for cat, src, n in i.parts:
        t.add_row(escape(str(cat)), escape(str(src)), f"{n:,}")
    console.print(t)
    if i.prices:
        t = Table(title="price points")
        for col in ("market", "date", "source", "prices"):
            t.add_column(col)
        for m, d_, src, n in i.prices:
            t.add_row(escape(str(m)), escape(str(d_)), escape(str(src)), f"{n:,}")
        console.print(t)
    if i.rates:
        t = Table(title="exchange rates")
        for col in ("pair", "kind", "rates", "from", "to"):
            t.add_column(col)
        for b, q, k, n, first, last in i.rates:
            t.add_row(escape(f"{b}->{q}"), escape(str(k)), str(n), escape(str(first)),
                      escape(str(last)))
        console.print(t)
    if i.unmatched:
        console.print(escape("rows kept for review ('dlrig prices unmatched'): " + ", ".join(
            f"{src} {d_} {st} {n}" for src, d_, st, n in i.unmatched)), highlight=False)
    if i.quarantined:
        console.print(escape("quarantined records ('dlrig catalog quarantine'): " + ", ".join(
            f"{c} {n}" for _src, c, n in i.quarantined)), highlight=False)
    if i.credits:
        console.print("[dim]data: " + escape("; ".join(i.credits)) + "[/]", highlight=False)


@db_app.command("check")
@guarded
def check_cmd(db: str | None = DB_OPT,
              limit: int = typer.Option(20, "--limit", "-n", min=1, help="problems to list"),
              as_json: bool = JSON_OPT) -> None:
    """Check the database: SQLite's integrity check, its schema, and that every part,
    price and rate row is one dlrig can use. Exit 1 when anything is wrong."""
    from ..store.health import check

    h = check(db)
    if as_json:
        print_json({"path": str(h.path), "ok": h.ok, "summary": h.summary(),
                    "schema_version": h.version, "checked": h.checked,
                    "damaged": h.integrity[:limit], "schema": h.schema,
                    "unreadable": h.unreadable, "problems": [p.line() for p in h.problems[:limit]],
                    "problem_count": len(h.problems), "notes": h.notes})
        if not h.ok:
            raise typer.Exit(1)
        return
    checked = ", ".join(f"{n:,} {t}" for t, n in h.checked.items())
    console.print(escape(f"{h.path}: schema v{h.version}; rows checked: {checked or 'none'}"),
                  highlight=False)
    for line in h.integrity[:limit]:
        console.print(escape(f"  damaged: {line}"), highlight=False)
    for line in [*h.schema, *h.unreadable]:
        console.print(escape(f"  {line}"), highlight=False)
    for p in h.problems[:limit]:
        console.print(escape(f"  bad row: {p.line()}"), highlight=False)
    if len(h.problems) > limit:
        console.print(f"  ... and {len(h.problems) - limit} more bad rows (--limit)",
                      highlight=False)
    for note in h.notes:
        console.print(escape(f"  note: {note}"), highlight=False)
    if not h.ok:
        raise fail(f"{h.path}: {h.summary()} (run 'dlrig db repair{_where(h.path)}': it keeps "
                   "a backup copy, then removes or rebuilds what is wrong)", 1)
    console.print("ok: nothing wrong", highlight=False)


@db_app.command("repair")
@guarded
def repair_cmd(db: str | None = DB_OPT, as_json: bool = JSON_OPT) -> None:
    """Repair the database: a backup copy first, then bad rows removed, missing tables
    made anew, damaged pages rebuilt from every row that can still be read, VACUUM."""
    from ..store.health import repair

    r = repair(db)
    if as_json:
        ok = r.after is not None and r.after.ok
        print_json({"path": str(r.path), "changed": r.changed, "ok": ok,
                    "backup": str(r.backup) if r.backup else None, "rebuilt": r.rebuilt,
                    "saved": r.saved, "skipped": r.skipped, "dropped": r.dropped,
                    "recreated": r.recreated, "removed": [p.line() for p in r.removed]})
        if not ok:
            raise typer.Exit(1)
        return
    if not r.changed and r.after is not None and r.after.ok:
        console.print(escape(f"{r.path}: nothing to repair"), highlight=False)
        return
    console.print(escape(f"backup copy: {r.backup}"), highlight=False)
    if r.rebuilt:
        saved = ", ".join(f"{n:,} {t}" for t, n in r.saved.items() if n)
        console.print(escape(f"rebuilt from its readable rows: {saved or 'none'}"), highlight=False)
        for t, n in r.skipped.items():
            console.print(escape(f"  {t}: {n} damaged region{'s' if n != 1 else ''} passed over "
                                 "(their rows are lost; the backup copy keeps the damaged file)"),
                          highlight=False)
    for t, n in r.dropped.items():
        console.print(escape(f"left out: {n} {t} row{'s' if n != 1 else ''} breaking the "
                             "table's constraints (a NULL, a duplicate, a failed CHECK)"),
                      highlight=False)
    for what in r.recreated:
        console.print(escape(f"made anew: {what}"), highlight=False)
    for p in r.removed:
        console.print(escape(f"removed: {p.line()}"), highlight=False)
    if r.after is not None and not r.after.ok:
        raise fail(f"{r.path}: still {r.after.summary()} after repair (import again into a new "
                   f"database; the backup copy is at {r.backup})", 1)
    gone = len(r.removed) + sum(r.dropped.values())
    lost = f", and the rows of {sum(r.skipped.values())} damaged regions lost" if r.skipped else ""
    console.print(escape(f"{r.path}: repaired ({gone} rows removed{lost}); 'dlrig db "
                         f"check{_where(r.path)}' now finds nothing wrong"), highlight=False)
    if r.skipped:
        console.print(escape("imported parts and prices on the damaged pages come back with the "
                             "next import ('dlrig catalog update', then your price lists)"),
                      highlight=False)

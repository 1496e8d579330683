"""Read-only questions about the database: what is in it, price histories."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..catalog.quotes import Quote, quote_history
from .db import Database
from .health import MAX_PRICE_MINOR


@dataclass
class Info:
    path: str
    schema: int
    size_bytes: int
    parts: list[tuple[str, str, int]]  # category, source, count
    prices: list[tuple[str, str, str, int]]  # market, date, source, count
    rates: list[tuple[str, str, str, int, str, str]]  # base, quote, kind, count, first, last
    unmatched: list[tuple[str, str, str, int]]  # source, date, status, count
    quarantined: list[tuple[str, str, int]]  # source, category, count
    credits: list[str]
    imports: list[tuple[str, str, str]]  # kind, path, at (latest first)


def info(db: Database) -> Info:
    c = db.conn
    return Info(
        path=str(db.path), schema=db.version,
        size_bytes=db.path.stat().st_size if db.path.exists() else 0,
        parts=list(c.execute("SELECT category, source, COUNT(*) FROM parts GROUP BY 1, 2 ORDER BY 1, 2")),
        prices=list(c.execute("SELECT market, date, source, COUNT(*) FROM prices GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")),
        rates=list(c.execute("SELECT base, quote, kind, COUNT(*), MIN(date), MAX(date) FROM rates "
                             "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")),
        unmatched=list(c.execute("SELECT source, date, status, COUNT(*) FROM unmatched GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")),
        quarantined=list(c.execute("SELECT source, category, COUNT(*) FROM quarantine GROUP BY 1, 2 ORDER BY 1, 2")),
        credits=db.credits(),
        imports=list(c.execute("SELECT kind, path, at FROM imports ORDER BY id DESC LIMIT 5")),
    )


def unmatched(db: Database, source: str | None = None, date: dt.date | None = None,
              category: str | None = None, limit: int = 50) -> tuple[int, list[tuple]]:
    """(total, rows) of price rows that matched no part or several."""
    where, args = [], []
    for col, val in (("source", source), ("date", date.isoformat() if date else None), ("category", category)):
        if val:
            where.append(f"{col} = ?")
            args.append(val)
    sql_where = (" WHERE " + " AND ".join(where)) if where else ""
    total = db.conn.execute(f"SELECT COUNT(*) FROM unmatched{sql_where}", args).fetchone()[0]
    rows = [_shown(r, amount_at=5) for r in db.conn.execute(
        "SELECT source, date, market, category, name, amount_minor, currency, status, candidates "
        f"FROM unmatched{sql_where} ORDER BY source, date, category, name LIMIT ?", [*args, limit])]
    return total, rows


def _shown(row: tuple, amount_at: int | None = None) -> tuple:
    """A review row as the CLI and web show it: text as text, an amount as whole cents or
    None. A hand-edited row (an amount of 'lots', a NULL name) is shown, not a traceback."""
    out = []
    for i, v in enumerate(row):
        if i == amount_at:
            out.append(v if type(v) is int and abs(v) <= MAX_PRICE_MINOR else None)
        else:
            out.append("" if v is None else str(v))
    return tuple(out)


def quarantine(db: Database, limit: int = 100) -> list[tuple[str, str, str, str]]:
    return [_shown(r) for r in db.conn.execute(
        "SELECT category, name, reason, source_id FROM quarantine ORDER BY category, name LIMIT ?",
        (limit,))]


# One price history for the CLI, the web page and the plot (``catalog.quotes``): every
# quote with its store, condition, date and whether it is an estimate or a stand-in.
Point = Quote
history = quote_history

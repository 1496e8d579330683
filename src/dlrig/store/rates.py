"""Exchange rates in the database: set one, import a file, save an update, list them.

A rates file is CSV (comma or semicolon) with a header naming ``base``,
``quote``, ``rate`` and ``date``, optionally ``kind`` (official, blue, mep, ccl,
wholesale, crypto, card: ``dlrig.market.RateKind``) and ``source``. Like price lists, a
file with a bad row imports nothing, and the error names the line.

``dlrig rates update`` (``dlrig.sources.rates``) saves whole series at once
(``check_series``, ``save_series``): years of daily rates, each checked against the rate
before it, and written in one transaction only where something changed.

Every rate passes ``dlrig.validate`` before it is stored: written as the quote
currency writes numbers ("1.445,50" pesos), finite and in range, dated no later
than today, and not 20 times off the last rate known for the pair (an inverted
or mistyped rate would silently reprice every plan).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import get_args

from pydantic import ValidationError

from ..errors import InputError
from ..files import read_bytes
from ..market import Rate, RateKind
from ..units import CURRENCIES
from .db import Database

KINDS = get_args(RateKind)


def checked(rate: Rate, known=None) -> Rate:
    """``rate`` if it may be stored; ``known``: a ``RateTable`` to compare it with."""
    from .. import validate
    from ..errors import MarketError

    if rate.base == rate.quote:
        raise InputError(f"a rate from {rate.base} to {rate.quote} is always 1",
                         hint="give two different currencies", field="rate")
    validate.not_future(rate.date, "rate date")
    last = None
    if known is not None:
        try:
            last = known.lookup(rate.base, rate.quote, rate.date, rate.kind).rate
        except MarketError:
            last = None
    validate.rate(rate.base, rate.quote, rate.rate, last)
    return rate


def set_rate(db: Database, rate: Rate, known=None) -> None:
    """Record one rate (checked against ``known``, the rates dlrig already has)."""
    checked(rate, known)
    with db.transaction() as c:
        _put(c, [rate])


def _put(c, rates: list[Rate]) -> None:
    c.executemany(
        "INSERT INTO rates (base, quote, kind, date, rate, source, buy) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(base, quote, kind, date) DO UPDATE SET "
        "rate=excluded.rate, source=excluded.source, buy=excluded.buy",
        [(r.base, r.quote, r.kind, r.date.isoformat(), str(r.rate), r.source,
          None if r.buy is None else str(r.buy)) for r in rates])


def rate_value(text: str, quote: str) -> Decimal:
    """A rate as a person writes it in ``quote``'s format ("1.445,50" pesos), positive and
    a number Python's decimals can hold ("1e99999999999999999999" is refused, not a
    traceback). The range and the jump are checked by ``checked``."""
    from .. import validate
    from ..catalog.records import shown

    try:
        value = validate.amount(text, quote, field="rate", what="rate")
    except ArithmeticError:  # decimal.InvalidOperation: an exponent past any context
        raise InputError(f"rate '{shown(text)}' is not a number a rate can be",
                         hint="e.g. 1450", field="rate") from None
    return validate.positive(value, "rate", "rate")


def parse_rates_file(raw: bytes, where: str, known=None) -> list[Rate]:
    """Every rate of a rates file, each checked (``checked``); the first bad row stops the
    import with its line (a rates file is all or nothing)."""
    from ..catalog.pricelist import decode, sniff_delimiter
    from ..catalog.records import shown
    from ..errors import DlrigError

    text, _ = decode(raw, where)
    delim = sniff_delimiter(text.splitlines()[0])
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delim)
    try:
        fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    except csv.Error as e:
        raise InputError(f"{where} line 1: cannot read the header ({shown(str(e), 80)})",
                         hint="header: base,quote,rate,date[,kind][,source]") from None
    missing = [f for f in ("base", "quote", "rate", "date") if f not in fields]
    if missing:
        raise InputError(f"{where} line 1: no {', '.join(missing)} column",
                         hint="header: base,quote,rate,date[,kind][,source]")
    out: list[Rate] = []
    while True:
        try:
            rec = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            raise InputError(f"{where} line {reader.reader.line_num}: unreadable CSV "
                             f"({shown(str(e), 80)})", hint="nothing was imported") from None
        line = reader.line_num
        try:
            out.append(_rate_row(rec, where, known))
        except DlrigError as e:
            raise InputError(f"{where} line {line}: {e.one_line()}",
                             hint="nothing was imported") from None
        except (ValueError, ValidationError) as e:
            msg = str(e).splitlines()[0] if not isinstance(e, ValidationError) else e.errors()[0]["msg"]
            raise InputError(f"{where} line {line}: {shown(msg, 120)}",
                             hint="nothing was imported") from None
    if not out:
        raise InputError(f"{where} line 2: no rates after the header")
    return out


def _rate_row(rec: dict, where: str, known) -> Rate:
    """One row of a rates file as a checked ``Rate``; ``ValueError`` or ``DlrigError``."""
    from ..catalog import records
    from ..catalog.records import shown

    row = {(k or "").strip().lower(): (v or "").strip() if isinstance(v, str) else ""
           for k, v in rec.items() if isinstance(k, str)}
    base, quote = row.get("base", "").upper(), row.get("quote", "").upper()
    for cur in (base, quote):
        if cur not in CURRENCIES:
            raise ValueError(f"unknown currency '{shown(cur)}'")
    if base == quote:
        raise ValueError(f"a rate from {base} to itself is always 1")
    kind = row.get("kind") or "official"
    if kind not in KINDS:
        raise ValueError(f"unknown rate kind '{shown(kind)}' (use {', '.join(KINDS)})")
    value = rate_value(row.get("rate", ""), quote)
    try:
        day = dt.date.fromisoformat(row.get("date", ""))
    except ValueError:
        raise ValueError(f"date '{shown(row.get('date', ''))}' is not a date (write "
                         "YYYY-MM-DD)") from None
    source = records.text(row.get("source") or where, "source", limit=120)
    return checked(Rate(base=base, quote=quote, rate=value, date=day, kind=kind,
                        source=source), known)


def import_rates(db: Database, path: str | Path, known=None) -> list[Rate]:
    """Read (through ``dlrig.files``: a regular file of at most ``LIMITS['rates']``),
    check every row, then write them all in one transaction, or nothing."""
    from ..catalog.records import shown

    p = Path(path)
    rates = parse_rates_file(read_bytes(p, "rates"), shown(p.name, 120), known)
    with db.transaction() as c:
        _put(c, rates)
        db.log_import(c, "rates", str(p), {"rates": len(rates)})
    return rates


def known_rates(db: Database):
    """The rates dlrig knows before an update (a ``Rates``): the built-in ones and the
    database's usable rows (a damaged row is left out, as ``load_catalog`` leaves it)."""
    from ..market import Rates
    from . import builtin_catalog
    from .health import rate_problem

    base = builtin_catalog().rates
    known = Rates(base.all())
    for s in base.card_surcharges():
        known.add_surcharge(s)
    for row in db.conn.execute("SELECT base, quote, kind, date, rate, source, buy FROM rates"):
        rate, _why = rate_problem(*row)
        if rate is not None:
            known.add(rate)
    return known


# A rate is compared with the one before it only when that one is at most this old: over
# longer gaps a real rate may well move 20-fold (16 pesos per dollar in 2017, 850 in 2024).
JUMP_WINDOW = dt.timedelta(days=366)


def check_series(rates: list[Rate], known=None) -> list[Rate]:
    """``rates`` if each may be stored: not dated after today, in range (``validate.rate``),
    its buying side too, and not ``RATE_JUMP`` times off the rate before it.

    "Before it" is the latest rate of the same pair and kind dated on or before it: the
    one before it in ``rates`` or the one ``known`` (a ``Rates``) has, whichever is later;
    with neither, the official rate of that day (from ``rates`` or ``known``). So a history
    is compared day by day (16 pesos in 2017 with 16, not with 2026's 1,450), and its
    first day with what dlrig knew then. One more than ``JUMP_WINDOW`` older says
    nothing and is not compared. ``InputError`` names the first rate refused: its source,
    kind and day.
    """
    from bisect import bisect_right

    from .. import validate
    from ..errors import MarketError

    series: dict[tuple[str, str, str], list[Rate]] = defaultdict(list)
    for r in rates:
        series[(r.base, r.quote, r.kind)].append(r)
    for lst in series.values():
        lst.sort(key=lambda r: r.date)

    def known_rate(b: str, q: str, day: dt.date, kind: str) -> Rate | None:
        try:
            return known.lookup(b, q, day, kind) if known is not None else None
        except MarketError:
            return None

    def official_of(b: str, q: str, day: dt.date) -> Rate | None:
        lst = series.get((b, q, "official"), [])
        i = bisect_right([x.date for x in lst], day)
        found = [x for x in (lst[i - 1] if i else None, known_rate(b, q, day, "official"))
                 if x is not None and x.kind == "official"]
        return max(found, key=lambda x: x.date) if found else None

    for (b, q, kind), lst in series.items():
        prev: Rate | None = None
        for r in lst:
            k = known_rate(b, q, r.date, kind)
            same = [x for x in (prev, k) if x is not None and x.kind == kind]
            last = max(same, key=lambda x: x.date) if same else official_of(b, q, r.date)
            if last is not None and r.date - last.date > JUMP_WINDOW:
                last = None
            try:
                if b == q:
                    raise InputError(f"a rate from {b} to {q} is always 1")
                validate.not_future(r.date, "rate date")
                validate.rate(b, q, r.rate, None if last is None else last.rate)
                if r.buy is not None:
                    validate.rate(b, q, r.buy)
                    ratio = r.buy / r.rate
                    if not 1 / validate.RATE_JUMP <= ratio <= validate.RATE_JUMP:
                        raise InputError(f"the buying side {r.buy} is {ratio:.3g} x the selling "
                                         f"side {r.rate}")
            except InputError as e:
                raise InputError(f"{r.source} {kind} rate of {r.date.isoformat()}: {e.message}"
                                 + (f" of {last.date.isoformat()}" if last is not None
                                    and "last known" in e.message else ""),
                                 hint=e.hint, field="rate") from None
            prev = r
    return rates


def save_series(db: Database, rates: list[Rate], origin: str, note: dict,
                credits: dict[str, str] | None = None) -> tuple[int, int, int]:
    """Write the rates (checked by ``check_series``) that are new or differ from the
    stored ones, with a log entry and the sources' credits, in one transaction; nothing
    at all when every rate is already stored as given (running an update twice changes
    nothing the second time). Returns (new, changed, unchanged)."""
    def row(r: Rate) -> tuple:
        return (str(r.rate), r.source, None if r.buy is None else str(r.buy))

    stored: dict[tuple, tuple] = {}
    for b, q, k in {(r.base, r.quote, r.kind) for r in rates}:
        for d, rate, src, buy in db.conn.execute(
                "SELECT date, rate, source, buy FROM rates WHERE base = ? AND quote = ? "
                "AND kind = ?", (b, q, k)):
            stored[(b, q, k, d)] = (rate, src, buy)
    write, new = [], 0
    for r in rates:
        old = stored.get((r.base, r.quote, r.kind, r.date.isoformat()))
        if old != row(r):
            write.append(r)
            new += old is None
    changed = len(write) - new
    if write:
        with db.transaction() as c:
            _put(c, write)
            for name, credit in (credits or {}).items():
                db.set_source(c, name, credit, None)
            db.log_import(c, "rates", origin, {"new": new, "changed": changed,
                                               "unchanged": len(rates) - len(write), **note})
    return new, changed, len(rates) - len(write)


def list_rates(db: Database) -> list[Rate]:
    return [Rate(base=b, quote=q, kind=k, date=dt.date.fromisoformat(d), rate=Decimal(r),
                 source=s, buy=None if buy is None else Decimal(buy))
            for b, q, k, d, r, s, buy in db.conn.execute(
                "SELECT base, quote, kind, date, rate, source, buy FROM rates "
                "ORDER BY base, quote, kind, date")]

"""Exchange rates in the database: set one, import a file, list them.

A rates file is CSV (comma or semicolon) with a header naming ``base``,
``quote``, ``rate`` and ``date``, optionally ``kind`` (official, blue, mep,
card) and ``source``. Like price lists, a file with a bad row imports
nothing, and the error names the line.

Every rate passes ``dlrig.validate`` before it is stored: written as the quote
currency writes numbers ("1.445,50" pesos), finite and in range, dated no later
than today, and not 20 times off the last rate known for the pair (an inverted
or mistyped rate would silently reprice every plan).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import get_args

from pydantic import ValidationError

from ..errors import InputError
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
        "INSERT INTO rates (base, quote, kind, date, rate, source) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(base, quote, kind, date) DO UPDATE SET rate=excluded.rate, source=excluded.source",
        [(r.base, r.quote, r.kind, r.date.isoformat(), str(r.rate), r.source) for r in rates])


def parse_rates_file(raw: bytes, where: str, known=None) -> list[Rate]:
    from .. import validate
    from ..catalog.pricelist import decode, sniff_delimiter
    from ..errors import DlrigError

    text, _ = decode(raw, where)
    delim = sniff_delimiter(text.splitlines()[0])
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delim)
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    missing = [f for f in ("base", "quote", "rate", "date") if f not in fields]
    if missing:
        raise InputError(f"{where} line 1: no {', '.join(missing)} column",
                         hint="header: base,quote,rate,date[,kind][,source]")
    out: list[Rate] = []
    for rec in reader:
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in rec.items() if k}
        line = reader.line_num
        try:
            if row["base"].upper() not in CURRENCIES or row["quote"].upper() not in CURRENCIES:
                bad = row["base"] if row["base"].upper() not in CURRENCIES else row["quote"]
                raise ValueError(f"unknown currency '{bad}'")
            if row["base"].upper() == row["quote"].upper():
                raise ValueError(f"a rate from {row['base'].upper()} to itself is always 1")
            kind = row.get("kind") or "official"
            if kind not in KINDS:
                raise ValueError(f"unknown rate kind '{kind}' (use {', '.join(KINDS)})")
            value = validate.positive(validate.amount(row["rate"], row["quote"].upper(),
                                                      field="rate", what="rate"), "rate", "rate")
            r = Rate(base=row["base"], quote=row["quote"], rate=Decimal(value),
                     date=dt.date.fromisoformat(row["date"]), kind=kind,
                     source=row.get("source") or where)
            out.append(checked(r, known))
        except DlrigError as e:
            raise InputError(f"{where} line {line}: {e.one_line()}",
                             hint="nothing was imported") from None
        except (ValueError, ValidationError) as e:
            msg = str(e).splitlines()[0] if not isinstance(e, ValidationError) else e.errors()[0]["msg"]
            raise InputError(f"{where} line {line}: {msg}", hint="nothing was imported") from None
    if not out:
        raise InputError(f"{where} line 2: no rates after the header")
    return out


def import_rates(db: Database, path: str | Path, known=None) -> list[Rate]:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read {p}: {e.strerror or e}") from None
    rates = parse_rates_file(raw, p.name, known)
    with db.transaction() as c:
        _put(c, rates)
        db.log_import(c, "rates", str(p), {"rates": len(rates)})
    return rates


def list_rates(db: Database) -> list[Rate]:
    return [Rate(base=b, quote=q, kind=k, date=dt.date.fromisoformat(d), rate=Decimal(r), source=s)
            for b, q, k, d, r, s in db.conn.execute(
                "SELECT base, quote, kind, date, rate, source FROM rates ORDER BY base, quote, kind, date")]

"""dlrig's local SQLite database: imported catalogs, price history, rates.

``load_catalog`` is what the rest of dlrig calls: the built-in catalog
(parts, markets, rates, prices) with the database's parts, prices and rates
merged in, optionally as known on a past date.
"""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path

from pydantic import TypeAdapter

from ..catalog import Catalog
from ..parts import Part, Price
from ..text import clean
from ..units import CURRENCIES
from .db import Database, default_db_path, resolve_path
from .health import MAX_PRICE_MINOR, Damage, rate_problem
from .health import day as row_day
from .schema import SCHEMA_VERSION

CONDITIONS = ("new", "used", "refurbished")  # a quote's condition (schema v3)

__all__ = ["Database", "SCHEMA_VERSION", "builtin_catalog", "default_db_path", "load_catalog", "resolve_path"]

_PART = TypeAdapter(Part)


def builtin_catalog() -> Catalog:
    """The shared built-in catalog (loaded once per process by ``dlrig.catalog``)."""
    from ..catalog import builtin

    return builtin()


def load_catalog(db_path: str | Path | None = None, as_of: dt.date | None = None, *,
                 prices: bool = True) -> Catalog:
    """The built-in catalog merged with the database at ``db_path``.

    Built-in parts win over imported parts with the same id (they are
    curated, and the founding market's prices refer to them). With
    ``as_of``, prices and rates dated after it are left out, so a plan sees
    only what was known on that date. A missing database is an error, not
    an empty catalog: ``plan --db`` must not silently plan on built-in data.
    ``prices=False`` leaves the database's prices out: importers only match
    names against parts and need none of them.

    Speed (``plan --db`` pays this on every run): parts are validated in one
    pass per row (their JSON is the model's own dump); prices are built with
    ``model_construct``, because every writer (the importers, ``rates set``)
    validated them; the few checks that matter (an amount, a date, a currency) are
    made here, because a row may have been written by hand or by an older dlrig.

    A damaged row (a part that is not valid JSON or not a part, a price of 10^30 or
    dated 'soon', a rate of 1e400 or 0) is left out and counted: ``catalog.damage``
    says how many, and a line in ``catalog.sources`` tells the user to run
    ``dlrig db check``. A database SQLite cannot read, or that lacks a table, is
    refused with one ``DatabaseError`` line that says how to recover.
    """
    base = builtin_catalog()
    # Creating ~50,000 objects would trigger the cyclic garbage collector
    # dozens of times for nothing (none of them is garbage): a quarter of
    # the load time, measured. It is switched back on afterwards.
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        return _load(base, db_path, as_of, prices)
    finally:
        if gc_was_on:
            gc.enable()


def _load(base: Catalog, db_path: str | Path | None, as_of: dt.date | None, prices: bool) -> Catalog:
    with Database(db_path, create=False, readonly=True) as db:
        damage = Damage(db.path)
        cat = Catalog(sources=[*base.sources, *db.credits()])
        for p in base.parts():
            cat.add_part(p)
            for pr in base.prices(p.id):
                if as_of is None or pr.date <= as_of:
                    cat.add_price(p.id, pr)
        for m in base.markets.values():
            cat.markets[m.code] = m
        for r in base.rates.all():
            if as_of is None or r.date <= as_of:
                cat.rates.add(r)
        for sc in base.rates.card_surcharges():  # dated data: the card rate of a day
            cat.rates.add_surcharge(sc)
        builtin_ids = {p.id for p in base.parts()}
        validate, add_part = _PART.validate_json, cat.add_part
        for pid, data in db.conn.execute("SELECT id, data FROM parts ORDER BY id").fetchall():
            if pid in builtin_ids:
                continue
            try:
                part = validate(data)
            except (ValueError, TypeError, RecursionError):  # bad JSON, or not a part
                part = None
            if part is None or part.id != pid:
                damage.add("parts")
                continue
            add_part(part)
        day = as_of.isoformat() if as_of else "9999-12-31"
        construct, add_price = Price.model_construct, cat.add_price
        dates: dict = {}
        top = MAX_PRICE_MINOR
        for pid, market, amount, cur, date, source, store, est, cond, stand in db.conn.execute(
            "SELECT part_id, market, amount_minor, currency, date, source, store, estimated, "
            "condition, stand_in FROM prices WHERE date <= ? AND ?", (day, prices)
        ).fetchall():
            if pid not in cat:
                continue
            d = dates[date] if date in dates else dates.setdefault(date, row_day(date))
            # Written by importers that validated it, or by hand: the cheap checks that
            # keep a hand-edited row from reaching a plan (a price of 10^30, a bad date).
            if (d is None or type(amount) is not int or not 0 < amount <= top
                    or cur not in CURRENCIES or type(source) is not str
                    or not (store is None or type(store) is str) or cond not in CONDITIONS):
                damage.add("prices")
                continue
            # (model_construct skips the model's cleaning: a hand-edited source or store with
            # terminal escapes is cleaned here; a clean one comes back unchanged)
            add_price(pid, construct(market=market, amount_minor=amount, currency=cur, date=d,
                                     source=clean(source),
                                     store=clean(store) if store else None,
                                     estimated=bool(est), condition=cond,
                                     stand_in=bool(stand)))
        for row in db.conn.execute(
            "SELECT base, quote, kind, date, rate, source, buy FROM rates WHERE date <= ?", (day,)
        ).fetchall():
            rate, _why = rate_problem(*row)
            if rate is None:  # 1e400, 0, NaN: it would reprice, or break, every plan
                damage.add("rates")
                continue
            cat.rates.add(rate)
    if damage.total:
        cat.sources.append(damage.line())
    cat.damage = damage
    return cat

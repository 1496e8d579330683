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
from ..market import Rate
from ..parts import Part, Price
from .db import Database, default_db_path, resolve_path
from .schema import SCHEMA_VERSION

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
    validated them and the table's CHECK keeps amounts non-negative.
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
    with Database(db_path, create=False) as db:
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
        builtin_ids = {p.id for p in base.parts()}
        validate, add_part = _PART.validate_json, cat.add_part
        for pid, data in db.conn.execute("SELECT id, data FROM parts ORDER BY id"):
            if pid not in builtin_ids:
                add_part(validate(data))
        day = as_of.isoformat() if as_of else "9999-12-31"
        construct, add_price, iso = Price.model_construct, cat.add_price, dt.date.fromisoformat
        dates: dict[str, dt.date] = {}
        for pid, market, amount, cur, date, source, store, est in db.conn.execute(
            "SELECT part_id, market, amount_minor, currency, date, source, store, estimated "
            "FROM prices WHERE date <= ? AND ?", (day, prices)
        ):
            if pid in cat:
                d = dates.get(date) or dates.setdefault(date, iso(date))
                add_price(pid, construct(market=market, amount_minor=amount, currency=cur, date=d,
                                         source=source, store=store or None, estimated=bool(est)))
        for base_c, quote, kind, date, rate, source in db.conn.execute(
            "SELECT base, quote, kind, date, rate, source FROM rates WHERE date <= ?", (day,)
        ):
            cat.rates.add(Rate(base=base_c, quote=quote, kind=kind, rate=rate,
                               date=dt.date.fromisoformat(date), source=source))
    return cat

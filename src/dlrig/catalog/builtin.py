"""Load catalog data files (the built-in ones, or a user's directory).

Layout (see ``docs/data.md``):

- ``catalog/<category>.toml``: ``[[<category>]]`` tables, one per part, each
  with an optional ``prices = [{market, amount, currency, date, source}]``, or
  instead an ``unpriced = "<why>"`` reason (see ``unpriced_reason``);
- ``markets/<code>.toml``: ``[market]``, ``[[rates]]`` and ``[[prices]]``
  (``part = "<id>"``) for prices quoted in that market.

Amounts are written in major units (``64.99``) for people and converted to
integer minor units on load. Every price must carry a date and a source.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..errors import CatalogError
from ..market import CardSurcharge, Market, Rate
from ..parts import AnyPart, Category, Part, Price
from . import Catalog

_PART = TypeAdapter(Part)


def _where(path: Path | str, item: dict[str, Any] | None) -> str:
    ident = (item or {}).get("id") or (item or {}).get("part") or (item or {}).get("name")
    return f"{path}" + (f" [{ident}]" if ident else "")


def validation_message(err: ValidationError) -> str:
    """One line from a pydantic error: 'field: problem (got value)'."""
    e = err.errors()[0]
    loc = ".".join(str(x) for x in e["loc"] if not isinstance(x, int) or len(e["loc"]) == 1)
    loc = loc.split(".", 1)[1] if loc.split(".")[0] in {c.value for c in Category} and "." in loc else loc
    got = e.get("input")
    got_s = "" if isinstance(got, dict) else f" (got {got!r})"
    return f"field '{loc}': {e['msg']}{got_s}"


def price_from_table(t: dict[str, Any], where: str, market: str | None = None) -> Price:
    """A ``Price`` from ``{amount, currency, date, source, ...}`` in major units."""
    try:
        t = dict(t)
        amount = Decimal(str(t.pop("amount")))
        if amount < 0:
            raise CatalogError(f"{where}: negative price {amount}", hint="prices must be >= 0")
        t.pop("part", None)
        if market is not None:
            t.setdefault("market", market)
        return Price(amount_minor=int((amount * 100).to_integral_value()), **t)
    except KeyError as e:
        raise CatalogError(f"{where}: price without '{e.args[0]}'", hint="each price needs amount, currency, date and source") from None
    except ValidationError as e:
        raise CatalogError(f"{where}: {validation_message(e)}", hint="fix the price entry") from None


UNPRICED = "unpriced"


def unpriced_reason(t: dict[str, Any], where: str) -> str | None:
    """The part table's ``unpriced`` reason, checked; ``None`` when it has none.

    A part may be specified from cited sources yet have no price anyone can cite
    (a board whose slot positions a review gives but no US source prices). Rather
    than invent a price, its table says so: ``unpriced = "<why>"``. It is then
    priced only by what a user imports (PCPartPicker lists, store CSVs) and not
    planned in a market without such a price. The reason is required text, and a
    part cannot be both unpriced and priced, so "no price" is a stated fact, never
    an omission.
    """
    if UNPRICED not in t:
        return None
    why = t[UNPRICED]
    if not isinstance(why, str) or not why.strip():
        raise CatalogError(f"{_where(where, t)}: 'unpriced' must say why the part has no price",
                           hint='e.g. unpriced = "no citable US price found"')
    if t.get("prices"):
        raise CatalogError(f"{_where(where, t)}: a part with prices cannot be 'unpriced'",
                           hint="drop either the prices or the 'unpriced' reason")
    return why.strip()


def unpriced_parts(root: Path | Any | None = None) -> dict[str, str]:
    """Part id -> ``unpriced`` reason for the data under ``root`` (default: the built-in
    data). Read from the files, as the loader reads them, for checks and reports."""
    root = resources.files("dlrig") / "data" if root is None else root
    cat_dir = root / "catalog"
    out: dict[str, str] = {}
    if cat_dir.is_dir():
        for f in sorted(cat_dir.iterdir(), key=lambda p: p.name):
            if f.name.endswith(".toml"):
                for items in _read_toml(f).values():
                    for item in items if isinstance(items, list) else ():
                        why = unpriced_reason(item, str(f))
                        if why is not None:
                            out[str(item.get("id"))] = why
    return out


def part_from_table(category: str, t: dict[str, Any], where: str) -> tuple[AnyPart, list[Price]]:
    t = dict(t)
    unpriced_reason(t, where)
    t.pop(UNPRICED, None)
    prices = [price_from_table(p, _where(where, t)) for p in t.pop("prices", [])]
    t["category"] = category
    try:
        part = _PART.validate_python(t)
    except ValidationError as e:
        raise CatalogError(f"{_where(where, t)}: {validation_message(e)}", hint="fix the part's data") from None
    return part, prices


def _read_toml(path: Path | Any) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise CatalogError(f"{path}: invalid TOML: {e}", hint="fix the syntax") from None


def load_into(catalog: Catalog, root: Path | Any) -> Catalog:
    """Add the parts, markets, rates and prices under ``root`` to ``catalog``."""
    cat_dir = root / "catalog"
    unpriced: set[str] = set()
    if cat_dir.is_dir():
        for f in sorted(cat_dir.iterdir(), key=lambda p: p.name):
            if not f.name.endswith(".toml"):
                continue
            data = _read_toml(f)
            for key, items in data.items():
                if key not in {c.value for c in Category}:
                    raise CatalogError(f"{f}: unknown section '{key}'", hint="use one of " + ", ".join(c.value for c in Category))
                for item in items:
                    part, prices = part_from_table(key, item, str(f))
                    if UNPRICED in item:
                        unpriced.add(part.id)
                    if part.id in catalog:
                        raise CatalogError(f"{f}: duplicate part id '{part.id}'", hint="ids must be unique")
                    catalog.add_part(part)
                    for p in prices:
                        catalog.add_price(part.id, p)
    mk_dir = root / "markets"
    if mk_dir.is_dir():
        for f in sorted(mk_dir.iterdir(), key=lambda p: p.name):
            if not f.name.endswith(".toml"):
                continue
            data = _read_toml(f)
            if "market" in data:
                try:
                    m = Market(**data["market"])
                except ValidationError as e:
                    raise CatalogError(f"{f}: market: {validation_message(e)}") from None
                catalog.markets[m.code] = m
                code = m.code
            else:
                code = None
            for r in data.get("rates", []):
                try:
                    catalog.rates.add(Rate(**r))
                except ValidationError as e:
                    raise CatalogError(f"{f}: rate: {validation_message(e)}") from None
            for sc in data.get("card_surcharges", []):
                try:
                    catalog.rates.add_surcharge(CardSurcharge(**sc))
                except ValidationError as e:
                    raise CatalogError(f"{f}: card surcharge: {validation_message(e)}") from None
            for p in data.get("prices", []):
                if "part" not in p:
                    raise CatalogError(f"{f}: price without 'part'", hint="name the part id")
                if p["part"] not in catalog:
                    raise CatalogError(f"{f}: price for unknown part '{p['part']}'", hint="add the part to the catalog first")
                if p["part"] in unpriced:
                    raise CatalogError(f"{f}: price for '{p['part']}', which its catalog table declares 'unpriced'",
                                       hint="drop the price or the part's 'unpriced' reason")
                catalog.add_price(p["part"], price_from_table(p, _where(f, p), code))
    return catalog


def load_builtin() -> Catalog:
    root = resources.files("dlrig") / "data"
    cat = Catalog(sources=["dlrig built-in catalog (curated from public specs)"])
    return load_into(cat, root)


def load_dir(path: str | Path) -> Catalog:
    """A catalog from a user's directory laid out like the built-in data."""
    p = Path(path)
    if not p.is_dir():
        raise CatalogError(f"catalog directory not found: {p}", hint="give a folder with catalog/ and markets/")
    return load_into(Catalog(sources=[str(p)]), p)

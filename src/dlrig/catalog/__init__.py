"""The catalog: parts, their prices per market, markets and exchange rates.

``Catalog`` is an in-memory, read-mostly object. It is built from the
built-in data files (``load_builtin``) or from the local database (see
``dlrig.store``); everything downstream (check, plan, web) only talks to it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import MarketError, UnknownPartError
from ..market import Market, Rate, Rates
from ..parts import AnyPart, Category, Price
from ..units import Money


def normalize_name(text: str) -> str:
    """Lower-case, punctuation folded to spaces, 'GB'/'TB' glued to numbers."""
    s = text.lower().replace("™", "").replace("®", "")
    s = re.sub(r"(\d)\s*(gb|tb|mhz|w)\b", r"\1\2", s)
    s = re.sub(r"[^a-z0-9.]+", " ", s)
    return re.sub(r"\s+", " ", s).strip()


@dataclass(frozen=True)
class LocalPrice:
    """A part's price in one market: quoted by a store, or estimated."""

    part_id: str
    money: Money
    date: dt.date
    source: str
    estimated: bool
    store: str | None = None
    basis: str = ""  # how an estimate was made ("US 379 USD x 1.45 x 1,450 ARS/USD ...")
    condition: str = "new"  # new, used or refurbished
    stand_in: bool = False  # the chip's launch MSRP standing in for the board's own price


def pick_quote(quotes: list[Price], conditions: tuple[str, ...] = ("new",)) -> Price | None:
    """The quote a price is read from, among ``quotes`` (one market's, on or before the
    day and not stale): only the allowed ``conditions``; a real quote before a chip-MSRP
    stand-in (a board's own price, even an older one, says more than its chip's launch
    price); for each condition the latest quote (a store's before an estimate of the same
    day); of those, the cheapest (a used RTX 3090 competes with a new one when allowed).
    """
    allowed = [q for q in quotes if q.condition in conditions]
    real = [q for q in allowed if not q.stand_in]
    latest: dict[str, Price] = {}
    for q in real or allowed:
        cur = latest.get(q.condition)
        if cur is None or (q.date, not q.estimated) > (cur.date, not cur.estimated):
            latest[q.condition] = q
    if not latest:
        return None
    return min(latest.values(), key=lambda q: (q.amount_minor, conditions.index(q.condition)))


def local_of(part_id: str, q: Price, money: Money | None = None) -> LocalPrice:
    """A market's own quote as a ``LocalPrice`` (in ``money`` when converted)."""
    return LocalPrice(part_id, money or Money(q.amount_minor, q.currency), q.date, q.source,
                      q.estimated, q.store, condition=q.condition, stand_in=q.stand_in)


def pricing_day(market: Market, as_of: dt.date | None = None) -> dt.date:
    """The day a price is read for: ``as_of``, else the market's own date (a historical
    market such as ar-2017-05), else today. Never "any date": a quote dated after the day
    (a typo, 2999) must not win every later plan."""
    return as_of or market.date or dt.date.today()


class Catalog:
    """Parts by id and category, with prices, markets and rates."""

    def __init__(
        self,
        parts: Iterable[AnyPart] = (),
        prices: Iterable[Price | tuple[str, Price]] = (),
        markets: Iterable[Market] = (),
        rates: Iterable[Rate] = (),
        sources: Iterable[str] = (),
    ):
        self._parts: dict[str, AnyPart] = {}
        self._by_cat: dict[Category, list[AnyPart]] = {c: [] for c in Category}
        self._prices: dict[str, list[Price]] = {}
        self.markets: dict[str, Market] = {}
        self.rates = Rates()
        # Rows of the local database left out as damaged (store.load_catalog sets it:
        # counts by table and a line saying to run 'dlrig db check'); None when built-in.
        self.damage = None
        self.sources: list[str] = list(sources)
        self._resolver = None  # the parts' Resolver, built on first use (see ``resolver``)
        for p in parts:
            self.add_part(p)
        for item in prices:
            pid, price = item if isinstance(item, tuple) else (None, item)
            self.add_price(pid, price)
        for m in markets:
            self.markets[m.code] = m
        for r in rates:
            self.rates.add(r)

    # -- parts -------------------------------------------------------------
    def add_part(self, part: AnyPart) -> None:
        if part.id in self._parts:
            old = self._parts[part.id]
            self._by_cat[old.category].remove(old)
        self._parts[part.id] = part
        self._by_cat[part.category].append(part)
        self._resolver = None

    def add_price(self, part_id: str | None, price: Price) -> None:
        if part_id is None:
            raise ValueError("price without a part id")
        self._prices.setdefault(part_id, []).append(price)

    def __len__(self) -> int:
        return len(self._parts)

    def __contains__(self, part_id: str) -> bool:
        return part_id in self._parts

    def get(self, part_id: str) -> AnyPart:
        try:
            return self._parts[part_id]
        except KeyError:
            raise UnknownPartError(part_id, self.closest(part_id)) from None

    def parts(self, category: Category | str | None = None) -> list[AnyPart]:
        if category is None:
            return list(self._parts.values())
        return list(self._by_cat[Category(category)])

    def prices(self, part_id: str, market: str | None = None) -> list[Price]:
        return [p for p in self._prices.get(part_id, []) if market is None or p.market == market]

    # -- name resolution ----------------------------------------------------
    @property
    def resolver(self):
        """The one part resolver over these parts (``catalog/resolve.py``), kept
        until a part is added."""
        if self._resolver is None:
            from .resolve import Resolver

            self._resolver = Resolver(self)
        return self._resolver

    def closest(self, ref: str, category: Category | None = None, limit: int = 5) -> list[str]:
        """The nearest parts by meaning ('Name [id]'), for error messages."""
        return self.resolver.suggest(ref, category, limit)

    def resolve(self, ref: str, category: Category | str | None = None, where: str = "") -> AnyPart:
        """A part by exact id, or by unambiguous normalised name.

        Unknown or ambiguous references raise ``UnknownPartError`` naming the
        closest matches, so a typo in a build file is a one-line fix. A
        built-in part and its imported twin of the same name are one part.
        """
        return self.resolver.resolve(ref, category, where)

    # -- markets and prices --------------------------------------------------
    def market(self, code: str) -> Market:
        try:
            return self.markets[code]
        except KeyError:
            raise MarketError(
                f"unknown market '{code}'",
                hint="use one of " + ", ".join(sorted(self.markets)),
            ) from None

    def available(self, part: AnyPart, market: Market, as_of: dt.date | None = None) -> bool:
        """Whether the part was on sale in that market at that date (release date)."""
        when = as_of or market.date
        return not (when and part.released and part.released > when)

    def local_price(
        self, part_id: str, market: str | Market, as_of: dt.date | None = None
    ) -> LocalPrice | None:
        """The part's price in ``market`` on ``as_of`` (latest quote on or before).

        Falls back to an estimate from the market's ``estimate_from`` market
        (US price x exchange rate x markup x taxes), flagged ``estimated``.
        Returns ``None`` when the part has no price there.
        """
        m = market if isinstance(market, Market) else self.market(market)
        when = pricing_day(m, as_of)
        oldest = None
        if m.max_price_age_days:
            oldest = (when or dt.date.today()) - dt.timedelta(days=m.max_price_age_days)
        quotes = [p for p in self._prices.get(part_id, []) if p.market == m.code
                  and (when is None or p.date <= when) and (oldest is None or p.date >= oldest)]
        q = pick_quote(quotes, m.conditions) if quotes else None
        if q is not None:
            money = Money(q.amount_minor, q.currency)
            if q.currency != m.currency:
                money, _ = self.rates.convert(money, m.currency, q.date, m.rate_kind)
            if q.stand_in:
                raised = self._stand_in_floor(part_id, m, when, oldest, money)
                if raised is not None:
                    return raised
            return local_of(part_id, q, money)
        if not m.estimate_from:
            return None
        base = self.markets.get(m.estimate_from)
        if base is None:
            return None
        if base.conditions != m.conditions:  # a used quote there estimates a used one here
            base = base.model_copy(update={"conditions": m.conditions})
        ref = self.local_price(part_id, base, when)
        if ref is None:
            return None
        converted, rate = self.rates.convert(ref.money, m.currency, when, m.rate_kind)
        local = Money(int(round(converted.minor * float(m.factor))), m.currency)
        basis = (
            f"estimated: {ref.money} ({ref.source}, {ref.date}) x {float(rate.rate):,.2f} "
            f"{m.currency}/{ref.money.currency} ({rate.kind}, {rate.date}) x {float(m.factor):.2f} "
            f"markup and taxes"
        )
        return LocalPrice(part_id, local, ref.date, ref.source, True, None, basis,
                          condition=ref.condition, stand_in=ref.stand_in)

    def _stand_in_floor(self, part_id: str, m: Market, when: dt.date | None,
                        oldest: dt.date | None, money: Money) -> LocalPrice | None:
        """A chip-MSRP stand-in is never below what a board of the same chip (and memory)
        really sells for: a partner board costs at least the cheapest real quote of its
        chip, so a launch price of 1,999 USD does not make an ASUS ROG Astral RTX 5090 the
        cheapest 5090 when the Founders Edition sells at 2,550. The raised price stays
        marked as a stand-in, with how it was made. None when no real quote is higher."""
        part = self._parts.get(part_id)
        chip = getattr(part, "chipset", None)
        if chip is None:
            return None
        best: tuple[Money, AnyPart, Price] | None = None
        for other in self._by_cat[part.category]:
            if other.id == part_id or getattr(other, "chipset", None) != chip or \
                    getattr(other, "vram_gb", None) != getattr(part, "vram_gb", None):
                continue
            real = [p for p in self._prices.get(other.id, []) if p.market == m.code
                    and not p.stand_in and (when is None or p.date <= when)
                    and (oldest is None or p.date >= oldest)]
            q = pick_quote(real, m.conditions) if real else None
            if q is None:
                continue
            amount = Money(q.amount_minor, q.currency)
            if q.currency != m.currency:
                amount, _ = self.rates.convert(amount, m.currency, q.date, m.rate_kind)
            if best is None or amount.minor < best[0].minor:
                best = (amount, other, q)
        if best is None or best[0].minor <= money.minor:
            return None
        amount, other, q = best
        basis = (f"chip MSRP {money} raised to the cheapest real quote of a {chip} board: "
                 f"{other.name} {amount} ({q.source}, {q.date})")
        return LocalPrice(part_id, amount, q.date, q.source, False, None, basis,
                          condition=q.condition, stand_in=True)

    def convert(self, money: Money, currency: str, on: dt.date | None, kind: str = "official") -> Money:
        return self.rates.convert(money, currency, on, kind)[0]


# Import the data-file loader submodule *before* defining ``builtin()``: the
# import system sets ``dlrig.catalog.builtin`` to the submodule only on its
# first import, so the function defined below keeps the name afterwards.
from . import builtin as _datafiles  # noqa: E402

_BUILTIN: Catalog | None = None


def builtin() -> Catalog:  # noqa: F811 - deliberately shadows the submodule name
    """The curated catalog shipped with dlrig (loaded once per process)."""
    global _BUILTIN
    if _BUILTIN is None:
        _BUILTIN = _datafiles.load_builtin()
    return _BUILTIN

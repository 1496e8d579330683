"""Markets, exchange rates and local prices.

A market is where a person buys: it has a currency, a default exchange-rate
kind (Argentina has several: official, blue, MEP, card), and the markup and
import taxes that local stores charge over US prices. When a store quote is
missing, a market may *estimate* a local price from a US one; such prices are
always flagged ``estimated`` so every output can say so.

A market also says what running a machine there is like: its mains voltage,
the continuous watts one household circuit carries, and a dated, sourced
electricity tariff, so ``dlrig power`` prices a year of training in the
buyer's currency instead of assuming a US outlet and a US bill.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .errors import MarketError
from .units import Money, check_currency

# The kinds of exchange rate a market may price in. Argentina quotes several at once
# (DolarAPI's and ArgentinaDatos' "casas", their names in brackets):
#   official   the retail selling rate of the official market, Banco Nacion's ("oficial")
#   blue       the informal street market ("blue")
#   mep        pesos -> local bonds -> dollars on the local exchange ("bolsa", dolar MEP)
#   ccl        the same with the dollars paid abroad ("contadoconliqui")
#   wholesale  the interbank market, BCRA Com. A 3500 ("mayorista")
#   crypto     dollar stablecoins bought with pesos on exchanges ("cripto")
#   card       a card purchase priced in dollars, paid in pesos: official plus the taxes
#              and perceptions on it ("tarjeta"); see ``CardSurcharge``
RateKind = Literal["official", "blue", "mep", "ccl", "wholesale", "crypto", "card"]


class Rate(BaseModel):
    """``rate`` units of ``quote`` per one unit of ``base`` on ``date``.

    ``rate`` is the selling side (what a buyer of ``base`` pays: a quote's
    "venta"), the one prices are converted at; ``buy`` the buying side
    ("compra") where the source gives it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    base: str
    quote: str
    rate: Decimal = Field(gt=0)
    date: dt.date
    kind: RateKind = "official"
    source: str = "user"
    buy: Decimal | None = Field(None, gt=0)

    @field_validator("base", "quote")
    @classmethod
    def _cur(cls, v: str) -> str:
        return check_currency(v)


class Tariff(BaseModel):
    """The price of one kWh of household electricity in a market, as published.

    ``per_kwh`` in ``currency``; ``date`` is the first day the figure applies
    (a regulator's tariff period, a statistics semester); ``source`` names the
    publication. ``note`` says what the figure includes (taxes, fixed charges
    left out), because tariffs are quoted every which way.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    per_kwh: float = Field(gt=0, le=100000)
    currency: str
    date: dt.date
    source: str = Field(min_length=1)
    note: str = ""

    @field_validator("currency")
    @classmethod
    def _cur(cls, v: str) -> str:
        return check_currency(v)


class Market(BaseModel):
    """Where parts are bought, and how local prices relate to US ones."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    name: str
    currency: str
    rate_kind: RateKind = "official"
    markup_pct: float = Field(0.0, ge=-50, le=500, description="store markup over US street price")
    import_tax_pct: float = Field(0.0, ge=0, le=500, description="duties and taxes on top")
    vat_pct: float = Field(
        0.0, ge=0, le=100,
        description="value-added or sales tax in local shelf prices (0 where prices exclude it, "
                    "as US list prices do, or where markup_pct is already all-in)",
    )
    estimate_from: str | None = Field(None, description="market whose prices may be marked up")
    date: dt.date | None = Field(None, description="a historical market's fixed date")
    circuit_w: int | None = Field(
        None, ge=100, le=10000,
        description="continuous watts one household circuit carries (breaker x volts x 0.8)",
    )
    mains_v: int | None = Field(
        None, ge=100, le=240, description="household mains voltage (120 US, 230 Europe and India)"
    )
    tariff: Tariff | None = Field(None, description="household electricity price, dated and sourced")
    max_price_age_days: int | None = Field(
        None, ge=1, description="older quotes are stale: a 2016 launch price says nothing about today"
    )
    note: str = ""
    sources: tuple[str, ...] = ()
    # Which quotes a plan in this market reads: new only, unless a request lets used
    # (and refurbished) quotes compete (``with_terms``; never set in a market file).
    conditions: tuple[str, ...] = ("new",)

    @field_validator("currency")
    @classmethod
    def _cur(cls, v: str) -> str:
        return check_currency(v)

    def with_terms(self, *, used: bool = False, max_age_days: int | None = None,
                   rate_kind: str | None = None) -> Market:
        """This market as one request reads it: used and refurbished quotes allowed
        (``plan --used``), another stale-price cut-off (``--max-age``), another exchange
        rate kind (``--rate-kind``: blue, card...). Unchanged values give ``self``."""
        update: dict = {}
        if used:
            update["conditions"] = ("new", "used", "refurbished")
        if max_age_days is not None:
            update["max_price_age_days"] = max_age_days
        if rate_kind is not None:
            update["rate_kind"] = rate_kind
        return self.model_copy(update=update) if update else self

    @property
    def factor(self) -> Decimal:
        """Multiplier from a converted US price to the local shelf price.

        (1 + markup) x (1 + import taxes) x (1 + VAT): the store's margin over
        the US street price, the duties at the border, and the tax on the shelf
        price (German, British and Indian prices include it; US ones do not).
        """
        pct = (self.markup_pct, self.import_tax_pct, self.vat_pct)
        out = Decimal(1)
        for p in pct:
            out *= Decimal(1) + Decimal(str(p)) / 100
        return out


US_CIRCUIT_W = 1440  # 120 V x 15 A x 0.8 (NEC continuous load)
OTHER_CIRCUIT_W = 1840  # 230 V x 10 A x 0.8, common outside the Americas


def circuit_default(market: Market | None) -> int:
    """The wall-power limit a build is judged against when none is given.

    The market's own figure when its data file states one (Argentina: 220 V
    x 10 A x 0.8 = 1760 W); else 1440 W for US-dollar markets and no market,
    1840 W elsewhere. One function so ``dlrig check``, the planner and the
    web pages always assume the same circuit.
    """
    if market is None:
        return US_CIRCUIT_W
    if market.circuit_w:
        return market.circuit_w
    return US_CIRCUIT_W if market.currency == "USD" else OTHER_CIRCUIT_W


US_MAINS_V = 120
LOW_MAINS_V = 127  # at or below this the 80 Plus 115 V curves apply (US, Brazil's 127 V)


def mains_default(market: Market | None) -> int:
    """The mains voltage a build is powered from: the market's, else 120 V (US)."""
    if market is not None and market.mains_v:
        return market.mains_v
    return US_MAINS_V


def tariff_default(market: Market | None) -> Tariff | None:
    """The market's published household tariff, or None (the caller's default applies)."""
    return market.tariff if market is not None else None


CARD_BASE_MAX_DAYS = 31  # the official rate a derived card rate may rest on: a month old


class CardSurcharge(BaseModel):
    """From ``date`` on, a card purchase priced in a foreign currency and paid in
    ``currency`` costs the official rate x (1 + ``pct``/100).

    The taxes and perceptions a bank adds to such a purchase (in Argentina the PAIS tax
    and the income-tax perception) change by decree, so they are dated data with a
    source, like rates: the card rate of 2020 is not the card rate of 2025.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    currency: str
    date: dt.date
    pct: Decimal = Field(ge=0, le=500)
    source: str = Field(min_length=1)
    note: str = ""

    @field_validator("currency")
    @classmethod
    def _cur(cls, v: str) -> str:
        return check_currency(v)


class Rates:
    """A history of exchange rates; look-ups take the latest on or before a date.

    Each pair and kind is kept sorted by date with a parallel list of dates, so adding
    and looking up cost a binary search: a database holding 15 years of daily rates of
    seven kinds (``dlrig rates update``) is read and used without a scan per look-up.
    Of two rates of one day, the one added last wins (a database's over a built-in one).
    """

    def __init__(self, rates: list[Rate] | None = None):
        self._by_pair: dict[tuple[str, str, str], list[Rate]] = {}
        self._dates: dict[tuple[str, str, str], list[dt.date]] = {}
        self._surcharges: dict[str, list[CardSurcharge]] = {}
        for r in rates or []:
            self.add(r)

    def add(self, r: Rate) -> None:
        key = (r.base, r.quote, r.kind)
        dates = self._dates.setdefault(key, [])
        i = bisect_right(dates, r.date)
        dates.insert(i, r.date)
        self._by_pair.setdefault(key, []).insert(i, r)

    def all(self) -> list[Rate]:
        return [r for lst in self._by_pair.values() for r in lst]

    def add_surcharge(self, s: CardSurcharge) -> None:
        lst = self._surcharges.setdefault(s.currency, [])
        lst.insert(bisect_right([x.date for x in lst], s.date), s)

    def card_surcharges(self) -> list[CardSurcharge]:
        return [s for lst in self._surcharges.values() for s in lst]

    def surcharge(self, currency: str, on: dt.date | None) -> CardSurcharge | None:
        """The card surcharge in force in ``currency`` on ``on`` (latest on or before)."""
        lst = self._surcharges.get(currency, [])
        found = [s for s in lst if on is None or s.date <= on]
        return found[-1] if found else None

    def _latest(self, base: str, quote: str, kind: str, on: dt.date) -> Rate | None:
        dates = self._dates.get((base, quote, kind))
        if not dates:
            return None
        i = bisect_right(dates, on)
        return self._by_pair[(base, quote, kind)][i - 1] if i else None

    def _card(self, base: str, quote: str, on: dt.date) -> Rate | None:
        """The card rate derived from the official one: official x (1 + surcharge), both of
        ``on``; dated the later of the two (the day from which that product holds). Not
        derived from an official rate more than ``CARD_BASE_MAX_DAYS`` older than ``on``:
        a 2017 rate times a 2023 surcharge is no 2023 card rate."""
        s = self.surcharge(quote, on)
        off = self._latest(base, quote, "official", on) if s is not None else None
        if s is None or off is None:
            return None
        if on != dt.date.max and (on - off.date).days > CARD_BASE_MAX_DAYS:
            return None
        factor = 1 + s.pct / 100
        return Rate(base=base, quote=quote, rate=off.rate * factor, date=max(off.date, s.date),
                    kind="card", source=f"official {off.rate} of {off.date} x {factor:f} "
                                        f"(card surcharge from {s.date})")

    def lookup(self, base: str, quote: str, on: dt.date | None, kind: str = "official") -> Rate:
        """The rate of ``on`` (latest on or before it); inverse pairs are used too.

        A kind with no rate falls back to the official one (the rate then says so by its
        kind). The card rate is the quoted one, unless the official rate x the card
        surcharge of that day is newer (a surcharge changed, or the official moved since
        the last card quote): then that product.
        """
        base, quote = check_currency(base), check_currency(quote)
        if base == quote:
            return Rate(base=base, quote=quote, rate=Decimal(1), date=on or dt.date.today(),
                        kind="official", source="identity")
        on = on or dt.date.max
        for (b, q, inverse) in ((base, quote, False), (quote, base, True)):
            r = self._latest(b, q, kind, on)
            if kind == "card":
                derived = self._card(b, q, on)
                if derived is not None and (r is None or derived.date > r.date):
                    r = derived
            if r is None and kind != "official":
                r = self._latest(b, q, "official", on)
            if r is not None:
                if inverse:
                    return Rate(base=base, quote=quote, rate=Decimal(1) / r.rate, date=r.date,
                                kind=r.kind, source=r.source + " (inverted)")
                return r
        raise MarketError(
            f"no {kind} exchange rate {base}->{quote} on or before {on if on != dt.date.max else 'today'}",
            hint=f"record a {base}->{quote} rate dated on or before that day",
            code="missing_rate",
        )

    def convert(self, money: Money, to: str, on: dt.date | None, kind: str = "official") -> tuple[Money, Rate]:
        r = self.lookup(money.currency, to, on, kind)
        return money.convert(r.rate, r.quote), r

"""Markets, exchange rates and local prices.

A market is where a person buys: it has a currency, a default exchange-rate
kind (Argentina has several: official, blue, MEP, card), and the markup and
import taxes that local stores charge over US prices. When a store quote is
missing, a market may *estimate* a local price from a US one; such prices are
always flagged ``estimated`` so every output can say so.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .errors import MarketError
from .units import Money, check_currency

RateKind = Literal["official", "blue", "mep", "card"]


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


class Market(BaseModel):
    """Where parts are bought, and how local prices relate to US ones."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    name: str
    currency: str
    rate_kind: RateKind = "official"
    markup_pct: float = Field(0.0, ge=-50, le=500, description="store markup over US street price")
    import_tax_pct: float = Field(0.0, ge=0, le=500, description="duties and taxes on top")
    estimate_from: str | None = Field(None, description="market whose prices may be marked up")
    date: dt.date | None = Field(None, description="a historical market's fixed date")
    circuit_w: int | None = Field(
        None, ge=100, le=10000,
        description="continuous watts one household circuit carries (breaker x volts x 0.8)",
    )
    max_price_age_days: int | None = Field(
        None, ge=1, description="older quotes are stale: a 2016 launch price says nothing about today"
    )
    note: str = ""
    sources: tuple[str, ...] = ()

    @field_validator("currency")
    @classmethod
    def _cur(cls, v: str) -> str:
        return check_currency(v)

    @property
    def factor(self) -> Decimal:
        """Multiplier from a converted US price to the local shelf price."""
        return (Decimal(1) + Decimal(str(self.markup_pct)) / 100) * (
            Decimal(1) + Decimal(str(self.import_tax_pct)) / 100
        )


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


class Rates:
    """A history of exchange rates; look-ups take the latest on or before a date."""

    def __init__(self, rates: list[Rate] | None = None):
        self._by_pair: dict[tuple[str, str, str], list[Rate]] = {}
        for r in rates or []:
            self.add(r)

    def add(self, r: Rate) -> None:
        lst = self._by_pair.setdefault((r.base, r.quote, r.kind), [])
        lst.append(r)
        lst.sort(key=lambda x: x.date)

    def all(self) -> list[Rate]:
        return [r for lst in self._by_pair.values() for r in lst]

    def lookup(self, base: str, quote: str, on: dt.date | None, kind: str = "official") -> Rate:
        """The rate of ``on`` (latest on or before it); inverse pairs are used too."""
        base, quote = check_currency(base), check_currency(quote)
        if base == quote:
            return Rate(base=base, quote=quote, rate=Decimal(1), date=on or dt.date.today(),
                        kind="official", source="identity")
        on = on or dt.date.max
        for (b, q, inverse) in ((base, quote, False), (quote, base, True)):
            for k in (kind, "official") if kind != "official" else ("official",):
                lst = self._by_pair.get((b, q, k), [])
                found = [r for r in lst if r.date <= on]
                if found:
                    r = found[-1]
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

"""One dollar quote of an Argentine rates service, read into a ``Rate``.

DolarAPI and ArgentinaDatos (same author, same vocabulary) quote the US dollar in pesos
per "casa": the market or channel the price is from. Each quote has ``compra`` (what the
casa pays for a dollar) and ``venta`` (what a buyer pays), in pesos per dollar. dlrig
stores ``venta`` as the rate (a buyer of parts buys dollars) and ``compra`` as ``buy``.

Everything a quote holds is checked here, before any database is opened: a missing or
null ``venta``, a number written as text, a negative, zero or absurd value
(``validate.rate``: 0.000001 to 10,000,000 per dollar), a date that is not one or lies in
the future. The first bad quote fails the whole answer, with one line naming it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ..errors import DlrigError, NetworkError
from ..market import Rate
from .http import NOT_CHANGED

# casa -> dlrig rate kind (dlrig.market.RateKind says what each kind is)
CASA_KINDS = {
    "oficial": "official",
    "blue": "blue",
    "bolsa": "mep",
    "contadoconliqui": "ccl",
    "mayorista": "wholesale",
    "cripto": "crypto",
    "tarjeta": "card",
}
# Argentina has kept UTC-3 all year since 2009: a quote updated at 01:30 UTC is of the
# day before in Buenos Aires, and is dated so.
ART = dt.timezone(dt.timedelta(hours=-3), "ART")


def today() -> dt.date:
    """The latest day a quote may be dated: today here or in Buenos Aires, whichever is
    later (a machine in California runs a day behind Buenos Aires in the evening)."""
    return max(dt.date.today(), dt.datetime.now(ART).date())


class BadAnswer:
    """Builds the one-line error for a bad answer of one service at one URL."""

    def __init__(self, where: str, service: str):
        self.where, self.service = where, service

    def __call__(self, why: str) -> NetworkError:
        return NetworkError(f"{self.where}: {why}",
                            hint=f"not {self.service}'s documented answer; {NOT_CHANGED}")


def items(data: Any, bad: BadAnswer, *, empty_ok: bool = False) -> list[dict]:
    """The answer as a list of JSON objects."""
    if not isinstance(data, list):
        kind = type(data).__name__
        kind = {"dict": "an object", "str": "a string", "NoneType": "null"}.get(kind, kind)
        raise bad(f"the answer is {kind}, not a list of quotes")
    if not data and not empty_ok:
        raise bad("the answer is an empty list: no quotes")
    for i, x in enumerate(data):
        if not isinstance(x, dict):
            raise bad(f"item {i + 1} is not an object")
    return data


def text(item: dict, field: str, bad: BadAnswer, n: int) -> str:
    v = item.get(field)
    if field not in item:
        raise bad(f"item {n}: no '{field}'")
    if not isinstance(v, str) or not v.strip():
        raise bad(f"item {n}: '{field}' is {_said(v)}, not a name")
    return v.strip()


def number(item: dict, field: str, bad: BadAnswer, n: int, *, required: bool) -> Decimal | None:
    """A rate field: a JSON number (``None`` for a missing or null optional one)."""
    if field not in item:
        if required:
            raise bad(f"item {n}: no '{field}'")
        return None
    v = item[field]
    if v is None:
        if required:
            raise bad(f"item {n}: '{field}' is null")
        return None
    if isinstance(v, bool) or not isinstance(v, int | Decimal):
        raise bad(f"item {n}: '{field}' is {_said(v)}, not a number")
    return Decimal(v)


def check_moneda(item: dict, bad: BadAnswer, n: int) -> None:
    """``moneda``, where given, must be the US dollar: these are dollar quotes."""
    if "moneda" in item and item["moneda"] != "USD":
        raise bad(f"item {n}: 'moneda' is {_said(item['moneda'])}, not USD")


def quote_rate(kind: str, day: dt.date, venta: Decimal, compra: Decimal | None, source: str,
               bad: BadAnswer, n: int, casa: str) -> Rate:
    """One quote as a ``Rate`` (USD->ARS), every value checked."""
    from .. import validate

    label = f"item {n} ({casa} {day.isoformat()})"
    if day > today():
        raise bad(f"{label}: dated in the future (today is {today().isoformat()})")
    try:
        validate.rate("USD", "ARS", venta)
        if compra is not None:
            validate.rate("USD", "ARS", compra)
    except DlrigError as e:
        raise bad(f"{label}: {e.message}") from None
    if compra is not None and not 1 / validate.RATE_JUMP <= compra / venta <= validate.RATE_JUMP:
        raise bad(f"{label}: 'compra' {compra} is {compra / venta:.3g} x its 'venta' {venta}")
    return Rate(base="USD", quote="ARS", rate=venta, buy=compra, date=day, kind=kind,
                source=source)


def _said(v: Any) -> str:
    from ..text import show

    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    return show(v, 40)

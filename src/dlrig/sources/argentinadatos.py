"""ArgentinaDatos: the daily history of each dollar casa since 2011.

``GET https://api.argentinadatos.com/v1/cotizaciones/dolares/{casa}`` answers a JSON
list of that casa's daily quotes, oldest first, each ``{"casa": "oficial", "compra": 16,
"venta": 16, "fecha": "2017-05-31"}``.

Format, as documented: the OpenAPI description the service publishes
(github.com/enzonotario/esjs-argentina-datos-api, ``docs/public/openapi.json``: path
``/v1/cotizaciones/dolares/{casa}``, an array of ``Cotizacion`` with ``moneda``,
``casa``, ``fecha``, ``compra``, ``venta``, none required), and the answers the same
repository serves as static files (``datos/v1/cotizaciones/dolares/<casa>/index.json``,
commit 8cd19e4 of 2026-02-22), which carry no ``moneda``: it is optional here and, where
given, must be USD. The series start in 2011 (oficial, blue, mayorista), 2013
(contadoconliqui), 2018 (bolsa), 2019-12-23 (tarjeta) and 2023 (cripto); the early
oficial and blue values are whole pesos (16 on 2017-05-31). The service takes each day's
value from DolarAPI, so the two agree on the days both quote.

Every quote is checked (``quotes``), including those before ``since``, which are then
left out: an answer with one bad quote is a bad answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..market import Rate
from . import quotes

BASE_URL = "https://api.argentinadatos.com"
SOURCE = "argentinadatos"
SERVICE = "ArgentinaDatos"
# The casas fetched: those with a dlrig kind (solidario, the 2020-2023 savings dollar,
# and turista have none).
CASAS = ("oficial", "blue", "bolsa", "contadoconliqui", "mayorista", "cripto", "tarjeta")


def url(casa: str, base: str = BASE_URL) -> str:
    return f"{base.rstrip('/')}/v1/cotizaciones/dolares/{casa}"


def parse(data: Any, casa: str, where: str, since: dt.date | None = None) -> list[Rate]:
    """The quotes of one casa's answer dated ``since`` or later, as rates."""
    bad = quotes.BadAnswer(where, SERVICE)
    kind = quotes.CASA_KINDS[casa]
    out: list[Rate] = []
    seen: set[dt.date] = set()
    for n, item in enumerate(quotes.items(data, bad), 1):
        got = quotes.text(item, "casa", bad, n)
        if got != casa:
            raise bad(f"item {n}: casa {quotes._said(got)} in the answer for '{casa}'")
        quotes.check_moneda(item, bad, n)
        venta = quotes.number(item, "venta", bad, n, required=True)
        compra = quotes.number(item, "compra", bad, n, required=False)
        fecha = quotes.text(item, "fecha", bad, n)
        try:
            day = dt.date.fromisoformat(fecha)
        except ValueError:
            raise bad(f"item {n}: 'fecha' {quotes._said(fecha)} is not a date "
                      "(YYYY-MM-DD)") from None
        if day in seen:
            raise bad(f"item {n}: a second quote for {casa} on {day.isoformat()}")
        seen.add(day)
        r = quotes.quote_rate(kind, day, venta, compra, SOURCE, bad, n, casa)
        if since is None or day >= since:
            out.append(r)
    return out

"""DolarAPI: today's dollar quotes in Argentina, one per casa.

``GET https://dolarapi.com/v1/dolares`` answers a JSON list of quotes, each
``{"moneda": "USD", "casa": "oficial", "nombre": "Oficial", "compra": 1400,
"venta": 1450, "fechaActualizacion": "2026-06-12T17:02:00.000Z"}`` for the casas
oficial, blue, bolsa, contadoconliqui, mayorista, cripto and tarjeta.

Format, as documented: the OpenAPI description the service publishes
(github.com/enzonotario/esjs-dolar-api, ``docs/public/openapi.json``: path
``/v1/dolares``, an array of ``Cotizacion``; ``venta``, ``casa``, ``nombre``, ``moneda``
and ``fechaActualizacion`` required, ``compra`` optional), and the answers the same
repository stores as served (``datos/v1/dolares/index.json``, the copy
tests/data/rates/dolarapi-dolares.json comes from). ``oficial`` is Banco de la Nacion
Argentina's rate (the service's ``bna.extractor``); ``tarjeta`` is not quoted by anyone:
DolarAPI computes it as oficial x 1.30 (``cron/ar/acciones/consulta/consultarDolares``;
x 1.60 until its commit 5988d55 of 2024-12-23, when the PAIS tax ended).

A quote is dated by ``fechaActualizacion`` read in Buenos Aires time. Casas dlrig has
no kind for (a new one the service adds) are skipped and reported, not refused.
"""

from __future__ import annotations

from typing import Any

from ..market import Rate
from . import quotes

BASE_URL = "https://dolarapi.com"
PATH = "/v1/dolares"
SOURCE = "dolarapi"
SERVICE = "DolarAPI"


def url(base: str = BASE_URL) -> str:
    return base.rstrip("/") + PATH


def parse(data: Any, where: str) -> tuple[list[Rate], list[str]]:
    """(the quotes as rates, the casas skipped) of one ``/v1/dolares`` answer."""
    import datetime as dt

    bad = quotes.BadAnswer(where, SERVICE)
    out: list[Rate] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for n, item in enumerate(quotes.items(data, bad), 1):
        casa = quotes.text(item, "casa", bad, n)
        quotes.check_moneda(item, bad, n)
        venta = quotes.number(item, "venta", bad, n, required=True)
        compra = quotes.number(item, "compra", bad, n, required=False)
        stamp = quotes.text(item, "fechaActualizacion", bad, n)
        try:
            when = dt.datetime.fromisoformat(stamp)
        except ValueError:
            raise bad(f"item {n}: 'fechaActualizacion' {quotes._said(stamp)} is not a date "
                      "and time") from None
        day = (when.astimezone(quotes.ART) if when.tzinfo else when).date()
        kind = quotes.CASA_KINDS.get(casa)
        if kind is None:
            skipped.append(casa)
            continue
        if casa in seen:
            raise bad(f"item {n}: a second quote for casa '{casa}'")
        seen.add(casa)
        out.append(quotes.quote_rate(kind, day, venta, compra, SOURCE, bad, n, casa))
    return out, skipped

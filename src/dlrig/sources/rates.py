"""``dlrig rates update``: today's quotes (DolarAPI) and daily history (ArgentinaDatos).

An update runs in two steps so that a failure anywhere changes nothing:

1. ``fetch_rates`` downloads every answer (``sources.http.get_json``: timeouts, retries,
   a size cap) and reads each into rates (``dolarapi``, ``argentinadatos``: every value
   through ``validate.rate``), before any database is opened. The first failure (the
   network, an HTTP error, a web page, a cut-off answer, JSON that is not a list of
   quotes, a missing field, a null, a negative or absurd value) is one ``NetworkError``
   line, exit code 1.
2. ``save_rates`` checks each series against the rate dlrig knew before it, of the same
   kind, on or before the same day (``store.rates.check_series``: a history that moves
   from 16 to 1,400 pesos over eight years is fine, a day 20 times off the day before it
   is not), then writes every new or changed rate in one transaction.

``base`` replaces both services' address (``--url``): a mirror, or a test's local server,
that answers ``/v1/dolares`` and ``/v1/cotizaciones/dolares/{casa}`` as they do.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from ..errors import InputError, NetworkError
from ..market import Rate
from . import argentinadatos, dolarapi
from .http import NOT_CHANGED, check_url, get_json

SOURCES = ("dolarapi", "argentinadatos")
CHOICES = (*SOURCES, "all")
WHAT = "rates update"
CREDITS = {
    "dolarapi": "exchange rates: DolarAPI (dolarapi.com, Enzo Notario, MIT licence)",
    "argentinadatos": "exchange-rate history: ArgentinaDatos (argentinadatos.com, "
                      "Enzo Notario, MIT licence)",
}


@dataclass
class Fetched:
    """What one update downloaded, checked, and did not yet write."""

    rates: list[Rate]
    sources: tuple[str, ...]
    urls: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # casas with no dlrig kind
    since: dt.date | None = None


@dataclass
class KindSummary:
    kind: str
    count: int
    first: dt.date
    newest: Rate


@dataclass
class Saved:
    """What ``save_rates`` wrote: rates new to the database, changed, already there."""

    new: int
    changed: int
    unchanged: int
    kinds: list[KindSummary]


def sources_for(choice: str) -> tuple[str, ...]:
    if choice not in CHOICES:
        raise InputError(f"unknown rates source '{choice}'", hint="use " + ", ".join(CHOICES),
                         field="source")
    return SOURCES if choice == "all" else (choice,)


def fetch_rates(source: str = "all", base: str | None = None, *, since: dt.date | None = None,
                timeout: float = 30.0, retries: int = 2,
                on_progress: Callable[[int, int], None] | None = None) -> Fetched:
    """Download and read the chosen sources (module docstring, step 1);
    ``on_progress(answers read, answers)`` after each answer."""
    from .http import check_retries, check_timeout
    from .quotes import today

    chosen = sources_for(source)
    if base is not None:
        base = check_url(base, hint="give the address the API's paths go under, e.g. "
                                    "https://dolarapi.com")
    check_timeout(timeout)
    check_retries(retries)
    if since is not None and since > today():
        raise InputError(f"since {since.isoformat()} is in the future", field="since",
                         hint="give a day on or before today")
    out = Fetched(rates=[], sources=chosen, since=since)
    total = (len(argentinadatos.CASAS) if "argentinadatos" in chosen else 0) + (
        "dolarapi" in chosen)
    tick = on_progress or (lambda done, total: None)
    # History first, today's quotes last: of two rates of one day and kind the last one
    # read is kept, and DolarAPI's is the fresher.
    if "argentinadatos" in chosen:
        for casa in argentinadatos.CASAS:
            u = argentinadatos.url(casa, base or argentinadatos.BASE_URL)
            where = f"{WHAT}: argentinadatos: {u}"
            data = get_json(u, timeout, retries=retries, what=f"{WHAT}: argentinadatos")
            out.rates += argentinadatos.parse(data, casa, where, since)
            out.urls.append(u)
            tick(len(out.urls), total)
    if "dolarapi" in chosen:
        u = dolarapi.url(base or dolarapi.BASE_URL)
        data = get_json(u, timeout, retries=retries, what=f"{WHAT}: dolarapi")
        rates, skipped = dolarapi.parse(data, f"{WHAT}: dolarapi: {u}")
        out.rates += rates
        out.skipped += [f"dolarapi casa '{c}'" for c in skipped]
        out.urls.append(u)
        tick(len(out.urls), total)
    return out


def latest_per_key(rates: list[Rate]) -> list[Rate]:
    """One rate per pair, kind and day: the last one given."""
    keep: dict[tuple, Rate] = {}
    for r in rates:
        keep[(r.base, r.quote, r.kind, r.date)] = r
    return list(keep.values())


def summary(rates: list[Rate]) -> list[KindSummary]:
    """Per kind: how many rates, the first day, the newest rate (with its day and value)."""
    by_kind: dict[str, list[Rate]] = defaultdict(list)
    for r in rates:
        by_kind[r.kind].append(r)
    out = []
    for kind, lst in by_kind.items():
        lst.sort(key=lambda r: r.date)
        out.append(KindSummary(kind, len(lst), lst[0].date, lst[-1]))
    order = {k: i for i, k in enumerate(("official", "card", "blue", "mep", "ccl", "wholesale",
                                         "crypto"))}
    return sorted(out, key=lambda s: order.get(s.kind, 99))


def save_rates(db, fetched: Fetched, known) -> Saved:
    """Check ``fetched`` against ``known`` (a ``Rates``: built-in and stored) and write it
    (module docstring, step 2); a refused rate is one ``NetworkError`` line (the server
    sent it) and nothing is written."""
    from ..store import rates as store

    rates = latest_per_key(fetched.rates)
    try:
        store.check_series(rates, known)
    except InputError as e:
        raise NetworkError(f"{WHAT}: {e.message}",
                           hint=f"the source sent a rate dlrig does not believe; {NOT_CHANGED}"
                           ) from None
    origin = " ".join(fetched.urls)
    counts = store.save_series(db, rates, origin, {"sources": list(fetched.sources),
                                                  "since": fetched.since.isoformat()
                                                  if fetched.since else None},
                               credits={s: CREDITS[s] for s in fetched.sources})
    return Saved(*counts, kinds=summary(rates))


def shown_rate(value: Decimal) -> str:
    """1445.5 as '1,445.50'; a rate below 10 keeps four decimals."""
    return f"{value:,.2f}" if value >= 10 else f"{value:,.4f}"

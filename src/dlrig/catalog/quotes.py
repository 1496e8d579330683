"""A part's quotes over time, each with what a buyer needs to judge it: the store, the
condition (new, used, refurbished), the date, and whether it is an estimate or a chip's
launch price standing in for the board's own.

``dlrig prices history`` shows these rows (and prints them as JSON). They are the
catalog's stored quotes, plus, for a market that estimates, the local price on each
date its base market has a quote and it has none (as ``store.queries.history`` gives
for the plot and the web page, which do not yet show the condition).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..errors import MarketError
from . import Catalog


@dataclass(frozen=True)
class Quote:
    date: dt.date
    market: str
    amount_minor: int  # in ``currency``'s minor units
    currency: str
    source: str
    store: str = ""
    condition: str = "new"
    estimated: bool = False
    stand_in: bool = False
    basis: str = ""  # how an estimate was made

    @property
    def amount(self) -> float:
        """Major units, for tables and plots."""
        return self.amount_minor / 100

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "market": self.market,
                "amount": self.amount_minor / 100, "currency": self.currency,
                "source": self.source, "store": self.store, "condition": self.condition,
                "estimated": self.estimated, "stand_in": self.stand_in, "basis": self.basis}


def quote_history(catalog: Catalog, part_id: str, market: str | None = None) -> list[Quote]:
    """Every quote of the part (in ``market``), then that market's estimates, sorted by
    market, date, source, store and condition."""
    quotes = catalog.prices(part_id)
    out = [Quote(p.date, p.market, p.amount_minor, p.currency, p.source, p.store or "",
                 p.condition, p.estimated, p.stand_in)
           for p in quotes if market is None or p.market == market]
    if market:
        m = catalog.market(market)
        have = {q.date for q in out}
        if m.estimate_from:
            for d in sorted({p.date for p in quotes if p.market == m.estimate_from} - have):
                try:
                    lp = catalog.local_price(part_id, m, as_of=d)
                except MarketError:  # no rate that day: no estimate that day
                    lp = None
                if lp is not None and lp.estimated:
                    out.append(Quote(d, m.code, lp.money.minor, lp.money.currency, lp.source,
                                     lp.store or "", lp.condition, True, lp.stand_in, lp.basis))
    return sorted(out, key=lambda q: (q.market, q.date, q.source, q.store, q.condition))

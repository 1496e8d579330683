"""Where a price comes from: the store, the condition, the date (and its age), the source
and a link where the source gives one.

A buyer judges a price by who quoted it and when: a 2016 launch MSRP, a 2025 PCPartPicker
snapshot and a local store's list of last week are not the same kind of number. Every
page and command that shows a price the planner or the checker used shows this with it,
from this one function, so the CLI, the JSON and the web say the same thing.

Links: no price source dlrig reads today carries a URL. The PCPartPicker snapshots
(docyx/pc-part-dataset) give the lowest listed price of a scrape day with no store and
no link; built-in prices cite a publication in words; a store's CSV price list has no
link column; open-db has product pages and store SKUs but no prices. So ``url`` is
always None, and a quote imported from PCPartPicker offers a *search* of PCPartPicker
for the part instead, labelled as a search (it shows today's prices, not the quote).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

from ..catalog import Catalog, LocalPrice
from ..market import Market
from ..units import Money

OLD_QUOTE_DAYS = 365  # a price older than this is flagged "old" beside its date

# The source names the importers write (``catalog.pcpp.SOURCE``; a price list writes
# "store:<name>", ``catalog.pricelist``); kept here as words so rendering a price never
# imports an importer.
PCPP_SOURCE = "pcpp"
PCPP_CREDIT = "PCPartPicker prices via docyx/pc-part-dataset (MIT)"
PCPP_SEARCH = "https://pcpartpicker.com/search/?q="
LIST_PREFIX = "store:"

KINDS = ("built-in", "imported", "price list", "estimated")


@dataclass(frozen=True)
class Provenance:
    """One quote as a buyer reads it.

    ``store``: who quoted it, as shown ("" for a built-in price, which no store quoted);
    ``kind``: 'built-in' (curated, with a cited source), 'imported' (a PCPartPicker
    snapshot), 'price list' (a store's list the user imported) or 'estimated' (another
    market's quote converted and marked up); ``source``: the cited publication, the
    import's credit, or how an estimate was made; ``age_days``: days from the quote to
    the day it was priced for; ``url``: a page the source gives for this quote (none
    does today); ``search_url``: a search for the part at the quote's source, only ever
    shown labelled as a search (``search_label``).
    """

    price: Money | None
    store: str
    condition: str
    date: dt.date
    age_days: int
    kind: str
    source: str
    estimated: bool = False
    stand_in: bool = False
    basis: str = ""
    url: str | None = None
    search_url: str | None = None
    search_label: str = ""

    @property
    def old(self) -> bool:
        return self.age_days > OLD_QUOTE_DAYS

    @property
    def marks(self) -> tuple[str, ...]:
        """'estimated', 'used', 'refurbished', 'chip MSRP', 'old': what makes the price
        less than a store's fresh quote for this very part, new."""
        out = []
        if self.estimated:
            out.append("estimated")
        if self.condition != "new":
            out.append(self.condition)
        if self.stand_in:
            out.append("chip MSRP")
        if self.old:
            out.append("old")
        return tuple(out)

    @property
    def where(self) -> str:
        """Who quoted it, in a few words: the store, else the kind of source."""
        if self.store:
            return self.store
        return {"built-in": "built-in price", "estimated": "estimate"}.get(self.kind, self.kind)

    @property
    def cite(self) -> str:
        """Who quoted it and the source, for a footnote: 'PCPartPicker (imported): ...',
        'built-in: Intel RCP at launch'."""
        who = f"{self.store} ({self.kind})" if self.store else self.kind
        return f"{who}: {self.source}" if self.source else who

    @property
    def age_text(self) -> str:
        d = self.age_days
        if d < 0:
            return "dated after the pricing day"
        if d < 1:
            return "same day"
        if d < 60:
            return f"{d} day{'s' if d != 1 else ''} old"
        if d < 730:
            return f"{d // 30} months old"
        return f"{d / 365.25:.1f} years old"

    @property
    def text(self) -> str:
        """One line: 'PCPartPicker, new, 2025-07-23 (4 months old); imported: <credit>'."""
        head = f"{self.where}, {self.condition}, {self.date.isoformat()} ({self.age_text})"
        return f"{head}; {self.kind}: {self.source}" if self.source else head

    def to_dict(self) -> dict[str, Any]:
        return {
            "price": None if self.price is None else {"amount": self.price.amount,
                                                      "currency": self.price.currency},
            "store": self.store, "condition": self.condition, "date": self.date.isoformat(),
            "age_days": self.age_days, "old": self.old, "kind": self.kind,
            "source": self.source, "estimated": self.estimated, "stand_in": self.stand_in,
            "basis": self.basis, "marks": list(self.marks), "url": self.url,
            "search_url": self.search_url, "search_label": self.search_label,
            "text": self.text,
        }


def provenance(lp: LocalPrice, day: dt.date | None = None, name: str | None = None) -> Provenance:
    """The provenance of ``lp``, the quote the planner or the checker read (a
    ``Catalog.local_price``), priced for ``day`` (today when None). ``name``: the part's
    name, for the search link of a PCPartPicker quote."""
    day = day or dt.date.today()
    age = (day - lp.date).days
    source, store, kind = lp.source, lp.store or "", "built-in"
    search = label = None
    if lp.estimated:
        kind = "estimated"
        source = lp.basis.removeprefix("estimated: ") or f"from {lp.source}"
        store = ""
    elif lp.source == PCPP_SOURCE:
        kind, store = "imported", "PCPartPicker"
        source = f"{PCPP_CREDIT}: the lowest price listed on {lp.date.isoformat()}, store not named"
        if name:
            search = PCPP_SEARCH + quote_plus(name)
            label = "search PCPartPicker (today's prices, not this quote)"
    elif lp.source.startswith(LIST_PREFIX):
        kind = "price list"
        store = store or lp.source.removeprefix(LIST_PREFIX)
        source = f"price list of {store}, imported with 'dlrig prices import'"
    elif lp.basis:  # a stand-in raised to a real quote of its chip: say how
        source = f"{lp.source}; {lp.basis}"
    return Provenance(price=lp.money, store=store, condition=lp.condition, date=lp.date,
                      age_days=age, kind=kind, source=source, estimated=lp.estimated,
                      stand_in=lp.stand_in, basis=lp.basis, search_url=search,
                      search_label=label or "")


def quote_of(catalog: Catalog, part_id: str, market: str | Market,
             as_of: dt.date | None = None) -> Provenance | None:
    """The provenance of the quote ``catalog.local_price`` picks for a part in a market on a
    day (None when it has no price there): what a plan or a check of that part reads."""
    from ..catalog import pricing_day

    m = market if isinstance(market, Market) else catalog.market(market)
    lp = catalog.local_price(part_id, m, as_of)
    if lp is None:
        return None
    name = catalog.get(part_id).name if part_id in catalog else None
    return provenance(lp, pricing_day(m, as_of), name)


def build_quotes(bp, catalog: Catalog) -> list[Provenance | None]:
    """The provenance of each line of a priced build (``build.price_build``: what ``dlrig
    check`` and the Check page total), None for a line without a price; aged from the
    market's pricing day (a historical market's own date, else today)."""
    from ..catalog import pricing_day

    market = catalog.markets.get(bp.market) if bp.market else None
    day = pricing_day(market) if market is not None else None
    return [None if line.price is None else provenance(line.price, day, line.item.part.name)
            for line in bp.lines]

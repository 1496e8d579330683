"""One page of a slot's parts: searched, filtered, sorted, judged against the build.

``pick`` works in the order that keeps a 25,000-part catalog fast: first what costs
nothing per part (on sale in the market, the price range, the words, the spec filters),
then the sort on the parts' own numbers, then the compatibility check of every part the
filters left (it decides the counts and which parts the default "compatible only" list
holds, with the check's cheap form, ``compat.judge``), and last the expensive numbers
(the whole build's throughput, the differences) for the rows of the page shown only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..build import Build
from ..catalog import Catalog, LocalPrice
from ..errors import DlrigError, InputError
from ..market import Market
from ..parts import AnyPart, Category
from ..rules import Context, Finding
from ..units import Money
from . import search
from .compat import Judgement, judge, rules_for
from .edit import MULTI, line_quantity, place
from .filters import Filter, choices, filters_for
from .query import SORTS, PickQuery, sorts_for
from .rate import build_throughput, unsupported_reason


@dataclass
class PickRow:
    """One part of the list, and what choosing it would do to the build."""

    part: AnyPart
    quantity: int
    price: LocalPrice | None  # one unit's, with its store, date and condition
    line_price: Money | None  # quantity x unit price
    delta_price: Money | None  # against the line it replaces (the price itself when added)
    status: str  # compatible, incompatible, unsupported
    reason: str = ""  # why not compatible: the error's message, or the missing throughput
    conflict: Finding | None = None
    unverified: tuple[str, ...] = ()
    pending: str = ""  # an error a part of a slot still empty would clear (needs a cooler)
    throughput: float | None = None  # the build's GPUs with it (GPU slot)
    delta_throughput_pct: float | None = None
    value: float | None = None  # throughput per 1,000 units of money (GPU slot)
    build: Build | None = None  # the build with the part chosen

    @property
    def compatible(self) -> bool:
        return self.status == "compatible"

    def to_dict(self) -> dict[str, Any]:
        def money(m: Money | None) -> dict | None:
            return None if m is None else {"amount": m.amount, "currency": m.currency}

        p = self.price
        return {
            "id": self.part.id, "name": self.part.name, "category": self.part.category.value,
            "quantity": self.quantity, "price": money(self.line_price),
            "unit_price": None if p is None else {
                **money(p.money), "store": p.store, "source": p.source,
                "date": p.date.isoformat(), "condition": p.condition,
                "estimated": p.estimated, "stand_in": p.stand_in},
            "delta_price": money(self.delta_price), "status": self.status,
            "compatible": self.compatible, "reason": self.reason,
            "conflict": self.conflict.to_dict() if self.conflict else None,
            "unverified": list(self.unverified), "pending": self.pending or None,
            "throughput": None if self.throughput is None else round(self.throughput, 3),
            "delta_throughput_pct": None if self.delta_throughput_pct is None
            else round(self.delta_throughput_pct, 1),
            "value": None if self.value is None else round(self.value, 3),
        }


@dataclass
class Facet:
    """A filter as the form shows it: its choices (value, parts with it) and its setting."""

    filter: Filter
    options: list[tuple[str, int]]
    wanted: Any


@dataclass
class PickPage:
    query: PickQuery
    rows: list[PickRow]
    matched: int  # parts the words, filters and price range leave
    compatible: int
    incompatible: int
    unsupported: int
    shown: int  # rows over all pages (compatible ones unless show_all)
    pages: int
    currency: str | None
    facets: list[Facet] = field(default_factory=list)
    sorts: list[tuple[str, str]] = field(default_factory=list)
    base_throughput: float | None = None
    workload: str = ""
    replacing: AnyPart | None = None
    others: list[PickRow] = field(default_factory=list)  # first incompatible/unsupported rows
    unverified: int = 0  # of the compatible: a rule could not judge them for missing data

    @property
    def verified(self) -> int:
        """The compatible parts every rule that could name them judged: "compatible" with
        no "not checked" beside it (``dlrig check``'s "OK", not its "unverified")."""
        return self.compatible - self.unverified

    def to_dict(self) -> dict[str, Any]:
        q = self.query
        return {
            "slot": q.slot.value, "text": q.text, "page": q.page, "pages": self.pages,
            "per_page": q.per_page, "sort": q.sort, "order": "desc" if q.desc else "asc",
            "show_all": q.show_all, "condition": q.condition, "matched": self.matched,
            "compatible": self.compatible, "incompatible": self.incompatible,
            "unsupported": self.unsupported, "unverified": self.unverified,
            "shown": self.shown, "currency": self.currency,
            "filters": {k: sorted(v) if isinstance(v, set) else v for k, v in q.filters.items()},
            "replacing": self.replacing.id if self.replacing else None,
            "workload": self.workload, "rows": [r.to_dict() for r in self.rows],
            "others": [r.to_dict() for r in self.others],
        }


def market_for(catalog: Catalog, market: str, condition: str) -> Market:
    """The market priced with the quotes of ``condition``: new (the market's own terms),
    used (used and refurbished quotes only) or any (the cheapest of all)."""
    m = catalog.market(market)
    if condition == "any":
        return m.with_terms(used=True)
    if condition == "used":
        return m.model_copy(update={"conditions": ("used", "refurbished")})
    return m


def _price(catalog: Catalog, part: AnyPart, m: Market) -> LocalPrice | None:
    try:
        return catalog.local_price(part.id, m)
    except DlrigError:  # no exchange rate for the day: no price, as price_build does
        return None


def _sort_value(key: str, part: AnyPart, price: LocalPrice | None, t: float | None):
    if key == "price":
        return None if price is None else price.money.minor
    if key == "name":
        return part.name.lower()
    if key == "throughput":
        return t or None
    if key == "value":
        return None if not t or price is None or not price.money.minor else t / price.money.amount
    if key == "vram":
        return part.vram_gb
    if key == "cores":
        return part.cores
    if key == "capacity":
        return part.total_gb if part.category == Category.memory else part.capacity_gb
    if key == "wattage":
        return part.wattage_w
    return None


def pick(catalog: Catalog, build: Build, query: PickQuery, ctx: Context, market: str | None,
         perf_workload: Any = None) -> PickPage:
    """The page of ``query.slot``'s parts that ``query`` asks for, for choosing into
    ``build`` (empty for a new list) in ``market``, judged in ``ctx``.

    ``perf_workload`` rates GPUs (``dlrig.perf``; the planner's default when None).
    ``query.per_page`` 0 (``ALL_ROWS``) puts every row on one page, and every part that
    does not fit in ``others``: what ``dlrig swap -n 0`` prints.
    Raises ``InputError`` for a line to replace that the build does not hold.
    """
    from ..optimize import objective
    from ..optimize.solve import perf_workload_for

    slot = query.slot
    wl = perf_workload or perf_workload_for(None)
    replacing = None
    if query.replace is not None:
        replacing = next((i.part for i in build.of(slot) if i.part.id == query.replace), None)
        if replacing is None:
            raise InputError(f"the build has no {slot.value} '{query.replace}' to replace",
                             hint="choose Replace beside a line of the build")
    qty = query.quantity or line_quantity(build, slot, query.replace)
    if replacing is not None:
        old = [i for i in build.of(slot) if i.part.id == replacing.id]
    else:  # a one-part slot's line is replaced; a new line of a several-line slot adds
        old = [] if slot in MULTI else build.of(slot)
    old_ids = {i.part.id for i in old}  # the part being replaced is not its own alternative
    m = market_for(catalog, market, query.condition) if market else None
    currency = m.currency if m else None

    # 1. what costs nothing per part: on sale there, priced, in the price range
    priced: list[tuple[AnyPart, LocalPrice | None]] = []
    for part in catalog.parts(slot):
        if m is not None and not catalog.available(part, m):
            continue
        lp = _price(catalog, part, m) if m is not None else None
        if lp is None and not (query.unpriced or m is None):
            continue
        priced.append((part, lp))
    facets_base = [p for p, _ in priced]
    lo = None if query.price_min is None else query.price_min
    hi = None if query.price_max is None else query.price_max
    if lo is not None or hi is not None:
        def in_range(lp: LocalPrice | None) -> bool:
            if lp is None:
                return False
            a = lp.money.amount * qty
            return (lo is None or a >= lo) and (hi is None or a <= hi)
        priced = [(p, lp) for p, lp in priced if in_range(lp)]
    # 2. the words and the spec filters
    keep = {p.id for p in search.matches(catalog, slot, [p for p, _ in priced], query.text)}
    flts = filters_for(slot)
    active = [(f, query.filters[f.key]) for f in flts if f.key in query.filters]
    cands = [(p, lp) for p, lp in priced
             if p.id in keep and all(f.passes(p, v) for f, v in active)]
    # 3. the sort, on the parts' own numbers (one board's throughput per chip)
    rated: dict[str, float] = {}

    def one_board(part: AnyPart) -> float | None:
        if slot != Category.gpu:
            return None
        chipset = part.chipset
        if chipset not in rated:
            rated[chipset] = objective.throughput(part, wl)
        return rated[chipset]

    key = query.sort
    vals = [(_sort_value(key, p, lp, one_board(p)), p.name.lower(), p, lp) for p, lp in cands]
    present = [v for v in vals if v[0] is not None]
    absent = [v for v in vals if v[0] is None]
    present.sort(key=lambda v: v[1])
    present.sort(key=lambda v: v[0], reverse=query.desc)
    absent.sort(key=lambda v: v[1])
    ordered = [(p, lp) for _, _, p, lp in present + absent]  # no value: last either way
    # 4. every left part judged against the build (the counts need them all)
    rules = rules_for(slot)
    memo: dict = {}
    judged: list[tuple[AnyPart, LocalPrice | None, Build, Judgement, str]] = []
    counts = {"compatible": 0, "incompatible": 0, "unsupported": 0}
    unverified = 0
    for part, lp in ordered:
        if part.id in old_ids:
            continue
        trial = place(build, part, qty, query.replace)
        j = judge(trial, part, ctx, rules, catalog, memo)
        status = "compatible"
        if not j.compatible:
            status = "incompatible"
        elif slot == Category.gpu and not one_board(part):
            status = "unsupported"
        counts[status] += 1
        unverified += status == "compatible" and bool(j.unverified)
        judged.append((part, lp, trial, j, status))
    shown = judged if query.show_all else [x for x in judged if x[4] == "compatible"]
    per = query.per_page or max(1, len(shown))  # 0: every row on one page
    pages = max(1, math.ceil(len(shown) / per))
    page_no = min(query.page, pages)
    window = shown[(page_no - 1) * per: page_no * per]
    # 5. the page's own rows: prices against the replaced line, the build's throughput
    base_t = build_throughput(build, wl, ctx) if slot == Category.gpu else None
    old_minor = 0
    if m is not None:
        for i in old:
            lp = _price(catalog, i.part, m)
            old_minor += (lp.money.minor if lp else 0) * i.quantity
    def row_of(part, lp, trial, j, status) -> PickRow:
        line = None if lp is None else lp.money * qty
        delta = None if line is None else Money(line.minor - old_minor, line.currency)
        row = PickRow(part, qty, lp, line, delta, status, conflict=j.conflict,
                      unverified=j.unverified, build=trial,
                      pending="; ".join(f.message for f in j.pending))
        if status == "incompatible":
            row.reason = j.conflict.message
        elif status == "unsupported":
            row.reason = unsupported_reason(part, wl)
        if slot == Category.gpu and status != "unsupported":
            row.throughput = build_throughput(trial, wl, ctx)
            if base_t and row.throughput:
                row.delta_throughput_pct = 100.0 * (row.throughput - base_t) / base_t
            if line is not None and line.minor and row.throughput:
                row.value = row.throughput / line.amount * 1000
        return row

    rows = [row_of(*x) for x in window]
    # the first of the rest, with why, for the collapsed "not compatible" list
    others = [] if query.show_all else [
        row_of(*x) for x in [x for x in judged if x[4] != "compatible"][:query.per_page or None]]
    facets = [Facet(f, choices(f, facets_base) if f.kind == "choice" else [],
                    query.filters.get(f.key)) for f in flts]
    sorts = [(k, SORTS[k][0]) for k in sorts_for(slot)]
    q = query if page_no == query.page else PickQuery(**{**query.__dict__, "page": page_no})
    return PickPage(q, rows, len(cands), counts["compatible"], counts["incompatible"],
                    counts["unsupported"], len(shown), pages, currency, facets, sorts,
                    base_t, getattr(wl, "name", ""), replacing, others, unverified)


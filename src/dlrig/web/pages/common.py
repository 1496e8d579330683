"""Small pieces several pages share: catalog access, markets, workloads, prices."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from ...build import Build, BuildItem
from ...catalog import Catalog, LocalPrice
from ...errors import DlrigError
from ...units import Money


def catalog_of(request: Request) -> Catalog:
    return request.app.state.catalog.get()


def market_options(catalog: Catalog) -> list[tuple[str, str]]:
    return [(code, f"{m.name} ({m.currency})") for code, m in sorted(catalog.markets.items())]


def default_market(catalog: Catalog) -> str | None:
    codes = sorted(catalog.markets)
    return "us" if "us" in codes else (codes[0] if codes else None)


def workload_options() -> list[tuple[str, str]]:
    from ...perf import workloads

    return [(name, f"{w.title}") for name, w in workloads().items()]


def default_workload() -> str:
    from ...perf import workloads

    names = list(workloads())
    return "cnn" if "cnn" in names else names[0]


@dataclass
class PricedItem:
    """A build line with its price in one market (None when the catalog has none)."""

    item: BuildItem
    price: LocalPrice | None

    @property
    def total(self) -> Money | None:
        return None if self.price is None else self.price.money * self.item.quantity


def priced(build: Build, catalog: Catalog, market: str | None) -> tuple[list[PricedItem], Money | None, int]:
    """Each line's catalog price in ``market``, the sum, and how many lines had none."""
    rows, total, missing = [], None, 0
    for item in build.items:
        lp = None
        if market:
            try:
                lp = catalog.local_price(item.part.id, market)
            except DlrigError:
                lp = None
        rows.append(PricedItem(item, lp))
        if lp is None:
            missing += 1
        else:
            t = lp.money * item.quantity
            total = t if total is None else total + t
    return rows, total, missing

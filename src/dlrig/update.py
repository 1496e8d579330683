"""``dlrig update``: the catalog (open-db), US street prices (pc-part-dataset) and Argentine
dollar rates (DolarAPI, ArgentinaDatos) refreshed in one command.

Two phases, so that being offline changes nothing:

1. **Fetch and check** every source (``catalog.download``, ``catalog.pcpp.fetch_dataset``,
   ``sources.rates.fetch_rates``): the open-db archive is downloaded and read whole, the
   eight price files must be clean part lists, every rate must pass ``validate.rate``.
   Any failure here (no network, a server error, a web page, a cut-off answer) is one
   line, and the database has not been opened.
2. **Write**, in the order the data depends on it: parts (prices match against them),
   prices, rates; each importer in its own transaction, as the single-source commands do.

What changed is returned as an ``UpdateReport`` (parts added and changed, prices written,
rates new and changed) for the CLI's summary; ``progress(step, done, total)`` is called
as each fetch finishes so the CLI can draw its bars.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STEPS = ("catalog", "prices", "rates")


@dataclass
class UpdateReport:
    steps: tuple[str, ...]
    parts_added: int = 0
    parts_changed: int = 0
    prices_written: int = 0
    prices_for_review: int = 0
    rates_new: int = 0
    rates_changed: int = 0
    rates_unchanged: int = 0
    price_date: dt.date | None = None
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        if "catalog" in self.steps:
            out.append(f"catalog: {self.parts_added:,} parts added, {self.parts_changed:,} "
                       "changed (open-db)")
        if "prices" in self.steps:
            out.append(f"prices: {self.prices_written:,} US prices written, dated "
                       f"{self.price_date}; {self.prices_for_review:,} rows kept for review "
                       "(pc-part-dataset)")
        if "rates" in self.steps:
            out.append(f"rates: {self.rates_new:,} new, {self.rates_changed:,} changed, "
                       f"{self.rates_unchanged:,} already stored (DolarAPI, ArgentinaDatos)")
        return out + self.notes


def update(db_path: str | Path | None = None, *, steps: tuple[str, ...] = STEPS,
           catalog_url: str | None = None, prices_url: str | None = None,
           rates_url: str | None = None, rates_since: dt.date | None = None,
           timeout: float = 60.0, retries: int = 2,
           progress: Callable[[str, int, int], Any] | None = None) -> UpdateReport:
    """Refresh ``steps`` of the database at ``db_path`` (see the module docstring)."""
    from .catalog.download import check_url, download
    from .catalog.opendb import ARCHIVE_URL, import_opendb, prepare
    from .catalog.pcpp import BASE_URL, dataset_urls, fetch_dataset, import_pcpp
    from .errors import InputError
    from .sources.rates import fetch_rates, save_rates
    from .store import Database, load_catalog
    from .store.rates import known_rates

    unknown = [s for s in steps if s not in STEPS]
    if unknown or not steps:
        raise InputError(f"unknown update step '{(unknown or [''])[0]}'",
                         hint="use catalog, prices and/or rates", field="only")
    tick = progress or (lambda *_: None)
    report = UpdateReport(tuple(s for s in STEPS if s in steps))
    # Every address is checked before anything is downloaded.
    archive_url = check_url(ARCHIVE_URL if catalog_url is None else catalog_url)
    prices_base = BASE_URL if prices_url is None else prices_url
    dataset_urls(prices_base)
    total = len(report.steps)
    with tempfile.TemporaryDirectory(prefix="dlrig-update-") as tmp:
        # 1. fetch and check everything
        prepared = data = fetched = None
        done = 0
        if "catalog" in steps:
            target = Path(tmp) / "open-db.tar.gz"
            download(archive_url, target, timeout, retries=retries)
            prepared = prepare(target)
            done += 1
            tick("catalog", done, total)
        if "prices" in steps:
            data = fetch_dataset(prices_base, timeout=timeout, retries=retries)
            done += 1
            tick("prices", done, total)
        if "rates" in steps:
            fetched = fetch_rates("all", rates_url, since=rates_since, timeout=timeout,
                                  retries=retries)
            done += 1
            tick("rates", done, total)
        # 2. write: parts, then the prices that match against them, then rates
        with Database(db_path) as db:
            if prepared is not None:
                res = import_opendb(db, target, prepared=prepared)
                report.parts_added, report.parts_changed = res.added, res.changed
            if data is not None:
                day = dt.date.today()
                cat = load_catalog(db.path, prices=False)
                res = import_pcpp(db, prices_base, day, cat, data=data)
                report.prices_written, report.prices_for_review = res.written, len(res.review)
                report.price_date = day
                report.notes.append(f"prices are dated {day}, the download day: the published "
                                    "files may be older")
            if fetched is not None:
                saved = save_rates(db, fetched, known_rates(db))
                report.rates_new, report.rates_changed = saved.new, saved.changed
                report.rates_unchanged = saved.unchanged
    return report
